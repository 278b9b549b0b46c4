//! Editing the graph beyond operations: deletes of districts, organizations, people and
//! militants (`IN_USE` while other nodes name them, done with `cascade`, every touched node kept
//! in the change log), and affiliations with their derived `crossBorder`.

use serde_json::{Value, json};

use crate::curation::{as_key, editor, fingerprint, id_of};
use crate::helpers::{TestApp, both};

async fn delete(app: &TestApp, key: &str, mutation: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: DeleteInput!) {{ {mutation}(input: $input) {{
           deletedId change {{ nodes {{ nodes {{ nodeType before after }} }} }}
           userErrors {{ field message code }} }} }}"
    );
    let (_, body) = as_key(app, Some(key), &query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"][mutation].clone()
}

both! {
    async fn a_node_in_use_is_deleted_only_with_cascade(app: TestApp) {
        let key = editor(&app, "alice").await;
        let forces = id_of(&app, "organizations", "Pakistani security forces").await;
        let before = fingerprint(&app).await;

        let refused = delete(&app, &key, "deleteOrganization", json!({ "id": forces })).await;
        let err = &refused["userErrors"][0];
        assert_eq!(err["code"], "IN_USE", "{refused}");
        assert_eq!(err["field"], json!(["input", "id"]));
        let message = err["message"].as_str().expect("message");
        assert!(message.contains("1 Personnel") && message.contains("cascade"), "{message}");
        assert_eq!(refused["deletedId"], Value::Null);
        let stale = delete(&app, &key, "deleteOrganization", json!({ "id": forces, "revision": 7, "cascade": true })).await;
        assert_eq!(stale["userErrors"][0]["code"], "CONFLICT", "{stale}");
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        let done = delete(&app, &key, "deleteOrganization", json!({ "id": forces, "cascade": true })).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        assert_eq!(done["deletedId"], json!(forces));
        // The person stays, without an organization; the operation and the community action
        // lose the link; each is in the change log.
        let changed: Vec<&str> = done["change"]["nodes"]["nodes"].as_array().expect("nodes").iter()
            .filter_map(|n| n["nodeType"].as_str()).collect();
        for kind in ["ORGANIZATION", "PERSONNEL", "OPERATION", "COMMUNITY_ACTION"] {
            assert!(changed.contains(&kind), "{kind} in {changed:?}");
        }
        let person = app.data(r#"{ personnel(first: 1) { nodes { name organization { name } } } }"#, json!({})).await;
        assert_eq!(person["personnel"]["nodes"][0]["organization"], Value::Null);
        let op = app.data(r#"{ operations(first: 1) { nodes { organizations { totalCount } } } }"#, json!({})).await;
        assert_eq!(op["operations"]["nodes"][0]["organizations"]["totalCount"], 0);
    }
}

both! {
    async fn deleting_a_district_or_a_militant_clears_what_names_it(app: TestApp) {
        let key = editor(&app, "alice").await;
        let bannu = id_of(&app, "districts", "Bannu").await;
        let refused = delete(&app, &key, "deleteDistrict", json!({ "id": bannu })).await;
        assert_eq!(refused["userErrors"][0]["code"], "IN_USE", "{refused}");
        let done = delete(&app, &key, "deleteDistrict", json!({ "id": bannu, "cascade": true })).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        let left = app.data(r#"{ districts(filter: { name: { eq: "Bannu" } }) { totalCount }
                                 communityActions(filter: { place: { isNull: true } }) { nodes { districts { nodes { name } } } } }"#, json!({})).await;
        assert_eq!(left["districts"]["totalCount"], 0);
        assert!(!left.to_string().contains("Bannu"), "{left}");

        // A militant's nationality is an affiliation: it goes with them, with its citation.
        let militant = app.data(r#"{ militants(first: 1) { nodes { id affiliations { nodes { id } } } } }"#, json!({})).await;
        let node = &militant["militants"]["nodes"][0];
        let affiliation = node["affiliations"]["nodes"][0]["id"].clone();
        let refused = delete(&app, &key, "deleteMilitant", json!({ "id": node["id"] })).await;
        assert_eq!(refused["userErrors"][0]["code"], "IN_USE", "{refused}");
        let done = delete(&app, &key, "deleteMilitant", json!({ "id": node["id"], "cascade": true })).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        let (_, gone) = as_key(&app, None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": affiliation })).await;
        assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND", "{gone}");
        let after: Vec<&Value> = done["change"]["nodes"]["nodes"].as_array().expect("nodes").iter().map(|n| &n["after"]).collect();
        assert!(after.iter().all(|a| a.is_null()), "the militant and its affiliation are gone: {after:?}");
    }
}

const CREATE_AFFILIATION: &str = r#"mutation($input: CreateAffiliationInput!) {
  createAffiliation(input: $input) {
    affiliation { id kind crossBorder since until subject { __typename } target { __typename } citations { totalCount } }
    userErrors { field message code }
  }
}"#;

both! {
    async fn affiliations_derive_cross_border_and_refuse_self_links_and_cycles(app: TestApp) {
        let key = editor(&app, "alice").await;
        let cite = json!([{ "source": { "title": "A later report", "kind": "NEWS" }, "quote": "They are linked." }]);
        let afghanistan = app.data(r#"{ countries(filter: { isoCode: { eq: "AF" } }) { nodes { id } } }"#, json!({})).await["countries"]["nodes"][0]["id"].clone();
        let (_, body) = as_key(&app, Some(&key), r#"mutation($input: CreateOrganizationInput!) {
              createOrganization(input: $input) { organization { id } } }"#,
            json!({ "input": { "name": "Islamic State Khorasan Province", "kind": "MILITANT_GROUP", "baseCountryId": afghanistan, "citations": cite } })).await;
        let iskp = body["data"]["createOrganization"]["organization"]["id"].clone();
        let taliban = id_of(&app, "organizations", "Taliban").await;
        let militant = app.data("{ militants(first: 1) { nodes { id } } }", json!({})).await["militants"]["nodes"][0]["id"].clone();
        let create = |input: Value| {
            let (app, key) = (&app, &key);
            async move {
                let (_, body) = as_key(app, Some(key), CREATE_AFFILIATION, json!({ "input": input })).await;
                assert!(body.get("errors").is_none(), "{body:#}");
                body["data"]["createAffiliation"].clone()
            }
        };

        // A militant operating in Pakistan, a member of a group based in Afghanistan.
        let made = create(json!({ "kind": "MEMBERSHIP", "subjectId": militant, "targetId": iskp, "since": "2024-01-01", "citations": cite })).await;
        assert_eq!(made["userErrors"], json!([]), "{made}");
        let affiliation = &made["affiliation"];
        assert_eq!(affiliation["crossBorder"], true, "derived from where both ends lie");
        assert_eq!((affiliation["subject"]["__typename"].as_str(), affiliation["target"]["__typename"].as_str()), (Some("Militant"), Some("Organization")));
        assert_eq!(affiliation["citations"]["totalCount"], 1);
        let membership = create(json!({ "kind": "MEMBERSHIP", "subjectId": iskp, "targetId": taliban, "citations": cite })).await;
        assert_eq!(membership["affiliation"]["crossBorder"], false, "the Taliban's base is not known");

        let before = fingerprint(&app).await;
        let refusals = [
            (json!({ "kind": "ALLIANCE", "subjectId": taliban, "targetId": taliban, "citations": cite }), "BAD_USER_INPUT", "targetId"),
            (json!({ "kind": "MEMBERSHIP", "subjectId": taliban, "targetId": iskp, "citations": cite }), "BAD_USER_INPUT", "targetId"),
            (json!({ "kind": "MEMBERSHIP", "subjectId": afghanistan, "targetId": iskp, "citations": cite }), "NOT_FOUND", "subjectId"),
            (json!({ "kind": "MEMBERSHIP", "subjectId": militant, "targetId": militant, "citations": cite }), "NOT_FOUND", "targetId"),
            (json!({ "kind": "MEMBERSHIP", "subjectId": militant, "targetId": taliban, "since": "2025-01-01", "until": "2024-01-01", "citations": cite }), "BAD_USER_INPUT", "until"),
            (json!({ "kind": "MEMBERSHIP", "subjectId": militant, "targetId": iskp, "since": "2024-01-01", "citations": cite }), "ALREADY_EXISTS", ""),
            (json!({ "kind": "MEMBERSHIP", "subjectId": militant, "targetId": taliban, "citations": [] }), "CITATION_REQUIRED", "citations"),
        ];
        for (input, code, field) in refusals {
            let refused = create(input.clone()).await;
            let err = &refused["userErrors"][0];
            assert_eq!(err["code"], code, "{input}: {refused}");
            let path: Vec<&str> = err["field"].as_array().expect("field").iter().filter_map(Value::as_str).collect();
            assert_eq!(path.last().copied().unwrap_or_default(), if field.is_empty() { "input" } else { field }, "{refused}");
            assert_eq!(refused["affiliation"], Value::Null);
        }
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        // Derived, so derived again: the group's base moves to Pakistan, where the militant is.
        let pakistan = app.data(r#"{ countries(filter: { isoCode: { eq: "PK" } }) { nodes { id } } }"#, json!({})).await["countries"]["nodes"][0]["id"].clone();
        let (_, moved) = as_key(&app, Some(&key), r#"mutation($input: UpdateOrganizationInput!) {
              updateOrganization(input: $input) { change { nodes { nodes { nodeType } } } userErrors { message } } }"#,
            json!({ "input": { "id": iskp, "baseCountryId": pakistan, "citations": cite } })).await;
        let touched = moved["data"]["updateOrganization"]["change"]["nodes"]["nodes"].to_string();
        assert!(touched.contains("AFFILIATION"), "the affiliation's change is in the log: {moved}");
        let now = app.data("query($id: ID!) { node(id: $id) { ... on Affiliation { crossBorder revision } } }", json!({ "id": affiliation["id"] })).await;
        assert_eq!(now["node"], json!({ "crossBorder": false, "revision": 2 }), "{now}");

        let done = delete(&app, &key, "deleteAffiliation", json!({ "id": affiliation["id"] })).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        let (_, gone) = as_key(&app, None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": affiliation["id"] })).await;
        assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND", "{gone}");
    }
}

/// Runs the mutation `field` with `input` (of type `input_type`), selecting `selection`.
async fn mutate(
    app: &TestApp,
    key: &str,
    field: &str,
    input_type: &str,
    selection: &str,
    input: Value,
) -> Value {
    let query = format!(
        "mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} userErrors {{ field message code }} }} }}"
    );
    let (_, body) = as_key(app, Some(key), &query, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{field}({input}): {body:#}");
    body["data"][field].clone()
}

/// The code and the last path element of a payload's first refusal.
fn refusal(payload: &Value) -> (String, String) {
    let err = &payload["userErrors"][0];
    let field = err["field"]
        .as_array()
        .and_then(|f| f.last())
        .and_then(Value::as_str)
        .unwrap_or_default();
    (
        err["code"]
            .as_str()
            .unwrap_or_else(|| panic!("a refusal in {payload}"))
            .to_owned(),
        field.to_owned(),
    )
}

both! {
    async fn places_community_actions_and_figures_are_created_corrected_and_deleted(app: TestApp) {
        let key = editor(&app, "alice").await;
        let cite = json!([{ "source": { "title": "A gazetteer", "kind": "DATASET" }, "quote": "Mogadishu, Banadir, Somalia." }]);
        let taliban = id_of(&app, "organizations", "Taliban").await;
        let bannu = id_of(&app, "districts", "Bannu").await;

        let country = mutate(&app, &key, "createCountry", "CountryInput", "country { id name }",
            json!({ "isoCode": "SO", "name": "Somalia", "citations": cite })).await;
        let somalia = country["country"]["id"].clone();
        let province = mutate(&app, &key, "createProvince", "ProvinceInput", "province { id country { name } }",
            json!({ "name": "Banadir", "isoCode": "SO-BN", "countryId": somalia, "citations": cite })).await;
        assert_eq!(province["province"]["country"]["name"], "Somalia", "{province}");
        let banadir = province["province"]["id"].clone();
        let district = mutate(&app, &key, "createDistrict", "DistrictInput", "district { id name latitude province { name } }",
            json!({ "name": "Mogadishu", "aliases": ["Xamar"], "provinceId": banadir, "latitude": 2.04, "longitude": 45.34, "citations": cite })).await;
        assert_eq!(district["district"]["province"]["name"], "Banadir", "{district}");
        let mogadishu = district["district"]["id"].clone();

        let action = mutate(&app, &key, "createCommunityAction", "CreateCommunityActionInput",
            "communityAction { id revision date districts { nodes { name } } actors { edges { role node { name } } } }",
            json!({ "kind": "PROTECTION", "description": "Elders shielded a school from militants.", "date": "2025-03-05",
                    "datePrecision": "DAY", "actors": [{ "organizationId": taliban, "role": "OPPONENT" }],
                    "districtIds": [mogadishu], "citations": cite })).await;
        let made = &action["communityAction"];
        assert_eq!(made["districts"]["nodes"], json!([{ "name": "Mogadishu" }]), "{action}");
        assert_eq!(made["actors"]["edges"], json!([{ "role": "OPPONENT", "node": { "name": "Taliban" } }]));
        let action_id = made["id"].clone();
        let attached = mutate(&app, &key, "attachCommunityActionDistrict", "CommunityActionLinkInput", "communityAction { revision districts { totalCount } }",
            json!({ "communityActionId": action_id, "revision": 1, "nodeId": bannu, "citations": cite })).await;
        assert_eq!(attached["communityAction"]["districts"]["totalCount"], 2, "{attached}");
        let detached = mutate(&app, &key, "detachCommunityActionActor", "CommunityActionLinkInput", "communityAction { actors { totalCount } }",
            json!({ "communityActionId": action_id, "nodeId": taliban, "citations": cite })).await;
        assert_eq!(detached["communityAction"]["actors"]["totalCount"], 0, "{detached}");

        let figure = mutate(&app, &key, "createReportedFigure", "CreateReportedFigureInput",
            "reportedFigure { id revision value quote source { title } scope { province { name } districts { nodes { name } } } }",
            json!({ "metric": "MILITANTS_KILLED", "value": 12, "qualifier": "AT_LEAST", "periodStart": "2025-03-01",
                    "periodEnd": "2025-03-31", "scopeProvinceId": banadir, "scopeDistrictIds": [mogadishu],
                    "citation": { "source": { "title": "A ministry's statement", "kind": "OFFICIAL" }, "quote": "At least 12 militants were killed in March." } })).await;
        let stated = &figure["reportedFigure"];
        assert_eq!(stated["quote"], "At least 12 militants were killed in March.", "{figure}");
        assert_eq!(stated["source"]["title"], "A ministry's statement");
        assert_eq!(stated["scope"]["districts"]["nodes"], json!([{ "name": "Mogadishu" }]));
        let figure_id = stated["id"].clone();
        let corrected = mutate(&app, &key, "updateReportedFigure", "UpdateReportedFigureInput", "reportedFigure { revision value }",
            json!({ "id": figure_id, "revision": 1, "value": 14, "citations": [{ "source": { "title": "A correction", "kind": "OFFICIAL" }, "quote": "The ministry revised the count to 14." }] })).await;
        assert_eq!(corrected["reportedFigure"], json!({ "revision": 2, "value": 14 }), "{corrected}");

        // Refused, each with its code and field, and nothing written.
        let before = fingerprint(&app).await;
        let refusals = [
            ("createCountry", "CountryInput", json!({ "isoCode": "SO", "name": "Somaliland", "citations": cite }), ("ALREADY_EXISTS", "isoCode")),
            ("createCountry", "CountryInput", json!({ "isoCode": "som", "name": "Somalia", "citations": cite }), ("BAD_USER_INPUT", "isoCode")),
            ("createCountry", "CountryInput", json!({ "id": somalia, "isoCode": "SL", "name": "Somaliland", "citations": cite }), ("BAD_USER_INPUT", "id")),
            ("createDistrict", "DistrictInput", json!({ "name": "Mogadishu", "provinceId": banadir, "citations": cite }), ("ALREADY_EXISTS", "name")),
            ("createDistrict", "DistrictInput", json!({ "name": "Kismayo", "provinceId": banadir, "latitude": 200.0, "longitude": 42.5, "citations": cite }), ("BAD_USER_INPUT", "latitude")),
            ("createDistrict", "DistrictInput", json!({ "name": "Kismayo", "provinceId": somalia, "citations": cite }), ("NOT_FOUND", "provinceId")),
            ("createDistrict", "DistrictInput", json!({ "name": "Kismayo", "provinceId": banadir, "citations": [] }), ("CITATION_REQUIRED", "citations")),
            ("createCommunityAction", "CreateCommunityActionInput", json!({ "kind": "OTHER", "description": "x", "date": "2025-03-05", "citations": cite }), ("BAD_USER_INPUT", "datePrecision")),
            ("createCommunityAction", "CreateCommunityActionInput", json!({ "kind": "OTHER", "description": "x", "districtIds": [taliban], "citations": cite }), ("NOT_FOUND", "0")),
            ("attachCommunityActionDistrict", "CommunityActionLinkInput", json!({ "communityActionId": action_id, "nodeId": bannu, "citations": cite }), ("ALREADY_EXISTS", "nodeId")),
            ("attachCommunityActionDistrict", "CommunityActionLinkInput", json!({ "communityActionId": action_id, "revision": 1, "nodeId": bannu, "citations": cite }), ("CONFLICT", "revision")),
            ("createReportedFigure", "CreateReportedFigureInput", json!({ "metric": "OPERATIONS", "value": -1, "qualifier": "EXACT", "citation": { "sourceId": null, "source": { "title": "t", "kind": "NEWS" }, "quote": "q" } }), ("BAD_USER_INPUT", "value")),
            ("createReportedFigure", "CreateReportedFigureInput", json!({ "metric": "OPERATIONS", "value": 3, "qualifier": "EXACT", "periodStart": "2025-03-20", "periodEnd": "2025-03-01", "citation": { "source": { "title": "t", "kind": "NEWS" }, "quote": "q" } }), ("BAD_USER_INPUT", "periodEnd")),
            ("updateReportedFigure", "UpdateReportedFigureInput", json!({ "id": figure_id, "revision": 1, "value": 15, "citations": cite }), ("CONFLICT", "revision")),
        ];
        for (field, input_type, input, (code, at)) in refusals {
            let payload = mutate(&app, &key, field, input_type, "", input.clone()).await;
            assert_eq!(refusal(&payload), (code.to_owned(), at.to_owned()), "{field}({input}): {payload}");
        }
        let refused = delete(&app, &key, "deleteProvince", json!({ "id": banadir, "cascade": true })).await;
        assert_eq!(refusal(&refused).0, "IN_USE", "a province's districts are never cascaded: {refused}");
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        for (mutation, id) in [
            ("deleteReportedFigure", &figure_id),
            ("deleteCommunityAction", &action_id),
            ("deleteDistrict", &mogadishu),
            ("deleteProvince", &banadir),
            ("deleteCountry", &somalia),
        ] {
            let done = delete(&app, &key, mutation, json!({ "id": id })).await;
            assert_eq!(done["userErrors"], json!([]), "{mutation}: {done}");
        }
        let left = app.data(r#"{ countries(filter: { isoCode: { eq: "SO" } }) { totalCount } }"#, json!({})).await;
        assert_eq!(left["countries"]["totalCount"], 0);
    }
}

both! {
    async fn an_upsert_creates_under_its_key_then_corrects_what_the_key_names(app: TestApp) {
        let key = editor(&app, "alice").await;
        let cite = json!([{ "source": { "title": "ACLED actor list", "kind": "DATASET" }, "quote": "Lashkar-e-Islam" }]);
        let upsert = |description: &str| json!({ "clientMutationId": "u", "dataset": "team-notes", "key": "lei",
            "organization": { "name": "Lashkar-e-Islam", "kind": "MILITANT_GROUP", "description": description, "citations": cite } });
        let selection = "clientMutationId organization { id revision description } change { id }";
        let first = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", selection, upsert("A group in Khyber.")).await;
        assert_eq!(first["clientMutationId"], "u");
        assert_eq!(first["organization"]["revision"], 1, "{first}");
        let second = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", selection, upsert("A group in Khyber's Bara.")).await;
        assert_eq!(second["organization"]["id"], first["organization"]["id"], "the key names the same node");
        assert_eq!(second["organization"]["revision"], 2, "{second}");
        let same = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", selection, upsert("A group in Khyber's Bara.")).await;
        assert_eq!(same["organization"]["revision"], 2, "the same upsert again changes nothing: {same}");
        assert_eq!(same["change"], Value::Null, "and records no change: {same}");
        // A key is stored as it is looked up, trimmed: a spaced key names one node.
        let spaced = json!({ "dataset": " team-notes ", "key": " tnsm ",
            "organization": { "name": "Tehreek-e-Nifaz-e-Shariat-e-Mohammadi", "kind": "MILITANT_GROUP", "citations": cite } });
        let made = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", selection, spaced.clone()).await;
        let again = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", selection, spaced).await;
        assert_eq!((&again["organization"]["id"], &again["change"]), (&made["organization"]["id"], &Value::Null), "{again}");

        // An operation under a key: created, then brought in line (fields and links).
        let bannu = id_of(&app, "districts", "Bannu").await;
        let lei = first["organization"]["id"].clone();
        let operation = |killed: i32, links: Value| json!({ "dataset": "team-notes", "key": "raid-1", "operation": {
            "title": "Raid in Bara", "kind": "INTELLIGENCE_BASED", "startDate": "2025-04-02", "datePrecision": "DAY",
            "districtId": bannu, "militantsKilled": killed, "organizations": links, "citations": cite } });
        let selection = "operation { id revision militantsKilled organizations { edges { role node { name } } } } change { id }";
        let made = mutate(&app, &key, "upsertOperation", "UpsertOperationInput", selection, operation(2, json!([]))).await;
        assert_eq!(made["operation"]["revision"], 1, "{made}");
        let targeted = json!([{ "organizationId": lei, "role": "TARGETED" }]);
        let again = mutate(&app, &key, "upsertOperation", "UpsertOperationInput", selection, operation(3, targeted.clone())).await;
        assert_eq!(again["operation"]["id"], made["operation"]["id"], "{again}");
        assert_eq!(again["operation"]["militantsKilled"], 3);
        assert_eq!(again["operation"]["organizations"]["edges"], json!([{ "role": "TARGETED", "node": { "name": "Lashkar-e-Islam" } }]));
        let same = mutate(&app, &key, "upsertOperation", "UpsertOperationInput", selection, operation(3, targeted)).await;
        assert_eq!((same["operation"]["revision"].clone(), same["change"].clone()), (again["operation"]["revision"].clone(), Value::Null), "{same}");
        let bad = mutate(&app, &key, "upsertOperation", "UpsertOperationInput", "operation { id }", operation(-1, json!([]))).await;
        assert_eq!(bad["userErrors"][0]["field"], json!(["input", "operation", "militantsKilled"]), "{bad}");

        // The seed's own keys: an upsert corrects what the JSON import wrote.
        let seed = json!({ "dataset": "ctgraph-seed", "key": "taliban",
            "organization": { "name": "Taliban", "kind": "MILITANT_GROUP", "aliases": ["Taliban fighters"], "citations": cite } });
        let corrected = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", "organization { id aliases }", seed).await;
        assert_eq!(corrected["organization"]["id"], json!(id_of(&app, "organizations", "Taliban").await), "{corrected}");
        assert_eq!(corrected["organization"]["aliases"], json!(["Taliban fighters"]));
        let blank = json!({ "dataset": " ", "key": "x", "organization": { "name": "X", "kind": "OTHER", "citations": cite } });
        let refused = mutate(&app, &key, "upsertOrganization", "UpsertOrganizationInput", "organization { id }", blank).await;
        assert_eq!(refusal(&refused), ("BAD_USER_INPUT".to_owned(), "dataset".to_owned()), "{refused}");
    }
}

both! {
    async fn sources_affiliations_community_actions_and_figures_upsert_by_key(app: TestApp) {
        let key = editor(&app, "alice").await;
        let under = |key: &str, field: &str, value: Value| json!({ "dataset": "team-notes", "key": key, field: value });
        // Each upsert three times: created, corrected, then the same again changing nothing.
        let thrice = async |field: &str, input_type: &str, node: &str, first: Value, second: Value| {
            let selection = format!("{node} {{ id revision }} change {{ id }}");
            let made = mutate(&app, &key, field, input_type, &selection, first).await;
            assert_eq!(made[node]["revision"], 1, "{field}: {made}");
            let corrected = mutate(&app, &key, field, input_type, &selection, second.clone()).await;
            assert_eq!(corrected[node]["id"], made[node]["id"], "{field}: the key names the node: {corrected}");
            assert_eq!(corrected[node]["revision"], 2, "{field}: {corrected}");
            let same = mutate(&app, &key, field, input_type, &selection, second).await;
            assert_eq!((&same[node]["revision"], &same["change"]), (&json!(2), &Value::Null), "{field}: {same}");
            made[node]["id"].clone()
        };

        let statement = |title: &str| under("ministry-1", "source", json!({ "title": title, "kind": "OFFICIAL" }));
        let source = thrice("upsertSource", "UpsertSourceInput", "source", statement("A statement"), statement("A ministry's statement")).await;
        let cite = json!([{ "sourceId": source, "quote": "The committee stood with the state." }]);

        let (karak_committee, pakistan) = (id_of(&app, "organizations", "Karak peace committee").await, id_of(&app, "countries", "Pakistan").await);
        let support = |since: &str| under("support-1", "affiliation", json!({ "kind": "SUPPORT", "subjectId": karak_committee,
            "targetId": pakistan, "since": since, "citations": cite }));
        let affiliation = thrice("upsertAffiliation", "UpsertAffiliationInput", "affiliation", support("2025-01-01"), support("2025-02-01")).await;
        let read = app.data("query($id: ID!) { node(id: $id) { ... on Affiliation { since crossBorder } } }", json!({ "id": affiliation })).await;
        assert_eq!(read["node"], json!({ "since": "2025-02-01", "crossBorder": false }), "{read}");

        let (taliban, bannu, karak) = (id_of(&app, "organizations", "Taliban").await, id_of(&app, "districts", "Bannu").await, id_of(&app, "districts", "Karak").await);
        let action = |district: &str, role: &str| under("march-1", "communityAction", json!({ "kind": "DECLARATION_OF_SUPPORT",
            "description": "Villagers marched against militancy.", "actors": [{ "organizationId": taliban, "role": role }],
            "districtIds": [district], "citations": cite }));
        let action_id = thrice("upsertCommunityAction", "UpsertCommunityActionInput", "communityAction",
            action(&bannu, "OPPONENT"), action(&karak, "OPPONENT")).await;
        let read = app.data("query($id: ID!) { node(id: $id) { ... on CommunityAction { districts { nodes { name } } actors { edges { role } } } } }",
            json!({ "id": action_id })).await;
        assert_eq!(read["node"]["districts"]["nodes"], json!([{ "name": "Karak" }]), "the districts are replaced: {read}");
        // The district dropped and the district added each record the change.
        let history = "query($id: ID!) { node(id: $id) { ... on District { history(first: 1) { nodes { change { mutation } } } } } }";
        for district in [&bannu, &karak] {
            let read = app.data(history, json!({ "id": district })).await;
            assert_eq!(read["node"]["history"]["nodes"][0]["change"]["mutation"], "upsertCommunityAction", "{read}");
        }

        let figure = |value: i32, district: &str| under("count-1", "reportedFigure", json!({ "metric": "MILITANTS_KILLED",
            "value": value, "qualifier": "AT_LEAST", "scopeDistrictIds": [district],
            "citation": { "sourceId": source, "quote": "At least a dozen militants were killed." } }));
        let figure_id = thrice("upsertReportedFigure", "UpsertReportedFigureInput", "reportedFigure", figure(12, &bannu), figure(14, &karak)).await;
        let read = app.data("query($id: ID!) { node(id: $id) { ... on ReportedFigure { value scope { districts { nodes { name } } } } } }",
            json!({ "id": figure_id })).await;
        assert_eq!(read["node"], json!({ "value": 14, "scope": { "districts": { "nodes": [{ "name": "Karak" }] } } }), "{read}");

        // Refused under the input's field, and nothing written.
        let before = fingerprint(&app).await;
        let twice = under("march-1", "communityAction", json!({ "kind": "DECLARATION_OF_SUPPORT", "description": "x",
            "districtIds": [bannu, bannu], "citations": cite }));
        let refusals = [
            ("upsertCommunityAction", "UpsertCommunityActionInput", twice, ("ALREADY_EXISTS", vec!["input", "communityAction", "districtIds", "1"])),
            ("upsertReportedFigure", "UpsertReportedFigureInput", figure(-1, &bannu), ("BAD_USER_INPUT", vec!["input", "reportedFigure", "value"])),
            ("upsertAffiliation", "UpsertAffiliationInput", under("support-1", "affiliation", json!({ "kind": "SUPPORT",
                "subjectId": taliban, "targetId": taliban, "citations": cite })), ("BAD_USER_INPUT", vec!["input", "affiliation", "targetId"])),
            ("upsertSource", "UpsertSourceInput", statement(""), ("BAD_USER_INPUT", vec!["input", "source", "title"])),
            ("upsertOperation", "UpsertOperationInput", under("raid-9", "operation", json!({ "title": "Raid", "kind": "RAID",
                "startDate": "2025-03-02", "datePrecision": "DAY", "fatalitiesByConvention": true, "citations": cite })),
                ("BAD_USER_INPUT", vec!["input", "operation", "fatalitiesByConvention"])),
        ];
        for (field, input_type, input, (code, at)) in refusals {
            let payload = mutate(&app, &key, field, input_type, "", input.clone()).await;
            assert_eq!((&payload["userErrors"][0]["code"], &payload["userErrors"][0]["field"]), (&json!(code), &json!(at)), "{field}({input}): {payload}");
        }
        assert_eq!(fingerprint(&app).await, before, "nothing written");
    }
}

both! {
    async fn attacks_are_recorded_corrected_upserted_and_deleted(app: TestApp) {
        let key = editor(&app, "alice").await;
        let cite = json!([{ "source": { "title": "A police statement", "kind": "OFFICIAL" },
            "quote": "Militants attacked a police post in Bannu; two policemen were martyred." }]);
        let (taliban, forces, bannu) = (id_of(&app, "organizations", "Taliban").await,
            id_of(&app, "organizations", "Pakistani security forces").await, id_of(&app, "districts", "Bannu").await);
        let selection = "attack { id revision kind date securityKilled fatalities district { name } \
            organizations(orderBy: { field: NAME }) { edges { role node { name } } } } change { id }";
        let made = mutate(&app, &key, "createAttack", "CreateAttackInput", selection, json!({
            "kind": "ARMED_ASSAULT", "date": "2025-03-04", "datePrecision": "DAY", "districtId": bannu,
            "place": "a police post", "securityKilled": 2, "citations": cite,
            "organizations": [{ "organizationId": taliban, "role": "PERPETRATOR" }, { "organizationId": forces, "role": "TARGET" }] })).await;
        assert_eq!(made["userErrors"], json!([]), "{made}");
        let attack = &made["attack"];
        assert_eq!((&attack["kind"], &attack["securityKilled"], &attack["fatalities"], &attack["district"]["name"]),
            (&json!("ARMED_ASSAULT"), &json!(2), &Value::Null, &json!("Bannu")), "{made}");
        assert_eq!(attack["organizations"]["edges"], json!([
            { "role": "TARGET", "node": { "name": "Pakistani security forces" } },
            { "role": "PERPETRATOR", "node": { "name": "Taliban" } },
        ]), "{made}");
        let id = attack["id"].clone();

        // Read from the organization's side, and found by search and by filters.
        let read = app.data(r#"query($id: ID!) { node(id: $id) { ... on Attack { citations { nodes { quote } } } }
            organizations(filter: { hasAttacks: { role: { eq: PERPETRATOR } } }) { nodes { name attacks(link: { role: { eq: PERPETRATOR } }) { totalCount edges { role } } } }
            districts(filter: { hasAttacks: { kind: { eq: ARMED_ASSAULT } } }) { nodes { name attacks { totalCount } } }
            search(query: "police post", types: [ATTACK]) { nodes { ... on Attack { id } } } }"#, json!({ "id": id })).await;
        assert_eq!(read["node"]["citations"]["nodes"][0]["quote"], cite[0]["quote"], "{read}");
        assert_eq!(read["organizations"]["nodes"], json!([{ "name": "Taliban", "attacks": { "totalCount": 1, "edges": [{ "role": "PERPETRATOR" }] } }]), "{read}");
        assert_eq!(read["districts"]["nodes"], json!([{ "name": "Bannu", "attacks": { "totalCount": 1 } }]), "{read}");
        assert_eq!(read["search"]["nodes"], json!([{ "id": id }]), "{read}");

        // Corrected against the revision read: the total arrives, the split stays.
        let corrected = mutate(&app, &key, "updateAttack", "UpdateAttackInput", selection, json!({
            "id": id, "revision": 1, "fatalities": 5, "citations": cite })).await;
        assert_eq!((&corrected["attack"]["revision"], &corrected["attack"]["fatalities"], &corrected["attack"]["securityKilled"]),
            (&json!(2), &json!(5), &json!(2)), "{corrected}");
        let stale = mutate(&app, &key, "updateAttack", "UpdateAttackInput", selection, json!({
            "id": id, "revision": 1, "fatalities": 6, "citations": cite })).await;
        assert_eq!(refusal(&stale).0, "CONFLICT", "{stale}");
        let refused = mutate(&app, &key, "updateAttack", "UpdateAttackInput", selection, json!({
            "id": id, "securityKilled": -1, "citations": cite })).await;
        assert_eq!(refusal(&refused), ("BAD_USER_INPUT".to_owned(), "securityKilled".to_owned()), "{refused}");

        // Under a dataset's key: created, corrected (the targets replaced), then unchanged.
        let keyed = |role: &str| json!({ "dataset": "team-notes", "key": "attack-1", "attack": { "kind": "BOMBING",
            "date": "2025-03-05", "datePrecision": "DAY", "fatalities": 3, "fatalitiesByConvention": true, "citations": cite,
            "organizations": [{ "organizationId": taliban, "role": role }] } });
        let upsert = "attack { id revision organizations { edges { role } } } change { id }";
        let first = mutate(&app, &key, "upsertAttack", "UpsertAttackInput", upsert, keyed("TARGET")).await;
        let second = mutate(&app, &key, "upsertAttack", "UpsertAttackInput", upsert, keyed("PERPETRATOR")).await;
        let third = mutate(&app, &key, "upsertAttack", "UpsertAttackInput", upsert, keyed("PERPETRATOR")).await;
        assert_eq!(second["attack"]["id"], first["attack"]["id"], "{second}");
        assert_eq!((&second["attack"]["revision"], &second["attack"]["organizations"]["edges"]),
            (&json!(2), &json!([{ "role": "PERPETRATOR" }])), "{second}");
        assert_eq!((&third["attack"]["revision"], &third["change"]), (&json!(2), &Value::Null), "{third}");
        let twice = json!({ "dataset": "team-notes", "key": "attack-2", "attack": { "kind": "OTHER", "date": "2025-03-05",
            "datePrecision": "DAY", "citations": cite, "organizations": [{ "organizationId": taliban, "role": "PERPETRATOR" },
            { "organizationId": taliban, "role": "TARGET" }] } });
        let before = fingerprint(&app).await;
        let refused = mutate(&app, &key, "upsertAttack", "UpsertAttackInput", upsert, twice).await;
        assert_eq!(refused["userErrors"][0]["field"], json!(["input", "attack", "organizations", "1", "organizationId"]), "{refused}");
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        // Deleted with its links and citations; the organizations stay.
        let done = delete(&app, &key, "deleteAttack", json!({ "id": id })).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM citations WHERE subject_type = 'Attack'").await, 2, "the keyed attack's citations stay");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM attack_organizations").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE name = 'Taliban'").await, 1);
    }
}
