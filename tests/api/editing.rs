//! Editing the graph beyond operations: deletes of districts, organizations, people and
//! militants (`IN_USE` while other nodes name them, done with `cascade`, every touched node kept
//! in the change log), and affiliations with their derived `crossBorder`.

use serde_json::{Value, json};

use crate::curation::{as_key, editor, fingerprint};
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

async fn id_of(app: &TestApp, connection: &str, name: &str) -> String {
    let data = app
        .data(
            &format!(
                r#"{{ {connection}(filter: {{ name: {{ eq: "{name}" }} }}) {{ nodes {{ id }} }} }}"#
            ),
            json!({}),
        )
        .await;
    data[connection]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"))
        .to_owned()
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

        let done = delete(&app, &key, "deleteAffiliation", json!({ "id": affiliation["id"] })).await;
        assert_eq!(done["userErrors"], json!([]), "{done}");
        let (_, gone) = as_key(&app, None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": affiliation["id"] })).await;
        assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND", "{gone}");
    }
}
