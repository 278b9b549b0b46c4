//! Merges of duplicate organizations, personnel and militants, and their undoing: what moves,
//! what the merged node leaves behind (its names as aliases), and that `undoMerge` puts the
//! whole database back as it was.

use sea_orm::{FromQueryResult, JsonValue, Statement};
use serde_json::{Value, json};

use crate::curation::{as_key, editor, fingerprint, id_of};
use crate::helpers::{TestApp, both};

/// Every row of every table of the graph, without revisions (an undo moves them on): equal
/// before a merge and after its undo when the graph is as it was.
async fn graph(app: &TestApp) -> Vec<(String, Vec<String>)> {
    let conn = app.db().conn();
    let mut out = Vec::new();
    for table in [
        "sources",
        "countries",
        "provinces",
        "districts",
        "organizations",
        "personnel",
        "militants",
        "operations",
        "affiliations",
        "community_actions",
        "reported_figures",
        "citations",
        "operation_personnel",
        "operation_militants",
        "operation_organizations",
        "community_action_actors",
        "community_action_districts",
        "reported_figure_districts",
        "attacks",
        "attack_organizations",
    ] {
        let sql = format!("SELECT * FROM {table}");
        let rows =
            JsonValue::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
                .all(conn)
                .await
                .expect("rows");
        let mut rows: Vec<String> = rows
            .into_iter()
            .map(|mut row| {
                row.as_object_mut().expect("a row").remove("revision");
                row.to_string()
            })
            .collect();
        rows.sort();
        out.push((table.to_owned(), rows));
    }
    out
}

/// Fails with the rows that differ when `now` is not the graph `was`.
fn same(now: Vec<(String, Vec<String>)>, was: &[(String, Vec<String>)]) {
    for ((table, rows), (_, old)) in now.iter().zip(was) {
        let added: Vec<&String> = rows.iter().filter(|r| !old.contains(r)).collect();
        let lost: Vec<&String> = old.iter().filter(|r| !rows.contains(r)).collect();
        assert!(
            added.is_empty() && lost.is_empty(),
            "{table}: added {added:#?}, lost {lost:#?}"
        );
        assert_eq!(rows.len(), old.len(), "{table}");
    }
}

const MERGE_ORGANIZATIONS: &str = r#"mutation($input: MergeInput!) {
  mergeOrganizations(input: $input) {
    organization { id revision name aliases
      militants { nodes { reportedName } }
      operations { totalCount }
      citations { nodes { quote } } }
    change { id mutation nodes { totalCount } }
    userErrors { field message code }
  }
}"#;

const UNDO: &str = r#"mutation($input: UndoMergeInput!) {
  undoMerge(input: $input) {
    undone { id mutation }
    change { id mutation }
    userErrors { field message code }
  }
}"#;

/// Runs `query` with `key` and returns its `data.<field>` payload, failing on errors.
async fn mutate(app: &TestApp, key: &str, query: &str, field: &str, input: Value) -> Value {
    let (_, body) = as_key(app, Some(key), query, json!({ "input": &input })).await;
    assert!(body.get("errors").is_none(), "{field}({input}): {body:#}");
    body["data"][field].clone()
}

fn cite(quote: &str) -> Value {
    json!([{ "source": { "title": "A later report", "kind": "NEWS" }, "quote": quote }])
}

both! {
    async fn a_merge_moves_everything_and_its_undo_restores_the_whole_graph(app: TestApp) {
        let key = editor(&app, "alice").await;
        let taliban = id_of(&app, "organizations", "Taliban").await;
        let bannu = id_of(&app, "districts", "Bannu").await;

        // An imported duplicate: the same group under another name, with its own links.
        let created = mutate(&app, &key, r#"mutation($input: CreateOrganizationInput!) {
              createOrganization(input: $input) { organization { id } userErrors { message } } }"#,
            "createOrganization",
            json!({ "name": "Tehrik-i-Taliban Pakistan", "kind": "MILITANT_GROUP",
                    "aliases": ["TTP"], "citations": cite("TTP, the Pakistani Taliban") })).await;
        let ttp = created["organization"]["id"].as_str().expect("id").to_owned();
        let op = mutate(&app, &key, r#"mutation($input: CreateOperationInput!) {
              createOperation(input: $input) { operation { id } userErrors { message } } }"#,
            "createOperation",
            json!({ "title": "Raid in Bannu", "kind": "INTELLIGENCE_BASED", "startDate": "2025-04-02",
                    "datePrecision": "DAY", "districtId": bannu,
                    "militants": [{ "militant": { "name": "Commander X", "organizationId": ttp, "status": "KILLED" }, "outcome": "KILLED" }],
                    "organizations": [{ "organizationId": taliban, "role": "TARGETED" },
                                      { "organizationId": ttp, "role": "TARGETED" }],
                    "citations": cite("A raid in Bannu killed a TTP commander.") })).await;
        assert_eq!(op["userErrors"], json!([]), "{op}");

        let before = graph(&app).await;
        let merged = mutate(&app, &key, MERGE_ORGANIZATIONS, "mergeOrganizations",
            json!({ "keep": taliban, "merge": ttp, "citations": cite("The TTP are the Taliban the article names.") })).await;
        assert_eq!(merged["userErrors"], json!([]), "{merged}");
        let org = &merged["organization"];
        assert_eq!(org["name"], "Taliban");
        assert_eq!(org["aliases"], json!(["Tehrik-i-Taliban Pakistan", "TTP"]));
        assert_eq!(org["militants"]["nodes"], json!([{ "reportedName": "Commander X" }]));
        // The raid targeted both records; it now targets the one group once.
        let quotes: Vec<&str> = org["citations"]["nodes"].as_array().expect("citations").iter()
            .filter_map(|c| c["quote"].as_str()).collect();
        assert!(quotes.contains(&"TTP, the Pakistani Taliban"), "{quotes:?}");
        assert!(quotes.contains(&"The TTP are the Taliban the article names."), "{quotes:?}");
        let (_, gone) = as_key(&app, None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": ttp })).await;
        assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND", "{gone}");
        let raid = app.data(r#"{ operations(filter: { title: { eq: "Raid in Bannu" } }) {
              nodes { organizations { nodes { name } } } } }"#, json!({})).await;
        assert_eq!(raid["operations"]["nodes"][0]["organizations"]["nodes"], json!([{ "name": "Taliban" }]));
        assert_ne!(graph(&app).await, before);
        // Search sees it at once: the merged name finds the kept organization.
        let found = app
            .data(r#"{ search(query: "Tehrik", types: [ORGANIZATION]) { nodes { ... on Organization { name } } } }"#, json!({}))
            .await;
        assert_eq!(found["search"]["nodes"], json!([{ "name": "Taliban" }]), "{found}");

        // The change log says what moved: the two organizations, the member, the raid, and
        // the source the merge's citation created.
        let change = merged["change"]["id"].clone();
        assert_eq!(merged["change"]["mutation"], "mergeOrganizations");
        assert_eq!(merged["change"]["nodes"]["totalCount"], 5, "{merged}");

        let undone = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": change })).await;
        assert_eq!(undone["userErrors"], json!([]), "{undone}");
        assert_eq!(undone["undone"]["mutation"], "mergeOrganizations");
        assert_eq!(undone["change"]["mutation"], "undoMerge");
        same(graph(&app).await, &before);
        let back = app.data("query($id: ID!) { node(id: $id) { ... on Organization { name aliases revision } } }",
            json!({ "id": ttp })).await;
        assert_eq!(back["node"]["name"], "Tehrik-i-Taliban Pakistan");
        assert_eq!(back["node"]["aliases"], json!(["TTP"]));

        // The log lists the changes of a node, of a type, of a period.
        let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let log = app
            .data(r#"query($id: ID!, $soon: DateTime!) {
                byNode: changes(filter: { nodeId: $id }) { nodes { mutation } }
                byType: changes(filter: { nodeType: MILITANT }) { totalCount }
                later: changes(filter: { at: { gt: $soon } }) { totalCount }
                earlier: changes(filter: { at: { lte: $soon }, mutation: { eq: "undoMerge" } }) { totalCount } }"#,
                json!({ "id": ttp, "soon": soon }))
            .await;
        let by_node = json!([{ "mutation": "undoMerge" }, { "mutation": "mergeOrganizations" },
                             { "mutation": "createOperation" }, { "mutation": "createOrganization" }]);
        assert_eq!(log["byNode"]["nodes"], by_node, "the raid linked it too");
        assert_eq!(log["byType"]["totalCount"], 3, "the raid's new militant, moved by the merge and back: {log}");
        assert_eq!((log["later"]["totalCount"].as_i64(), log["earlier"]["totalCount"].as_i64()), (Some(0), Some(1)));
        let (_, mismatch) = as_key(&app, None, r#"query($id: ID!) { changes(filter: { nodeId: $id, nodeType: PERSONNEL }) { totalCount } }"#, json!({ "id": ttp })).await;
        assert_eq!(mismatch["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{mismatch}");

        // Undone once: a second undo finds the graph moved on, and writes nothing.
        let written = fingerprint(&app).await;
        let again = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": change })).await;
        assert_eq!(again["userErrors"][0]["code"], "CONFLICT", "{again}");
        assert!(again["userErrors"][0]["message"].as_str().expect("message").contains("undo that change first"));
        assert_eq!(fingerprint(&app).await, written);
    }
}

both! {
    async fn merges_of_people_and_militants_undo_to_the_same_graph(app: TestApp) {
        let key = editor(&app, "alice").await;
        let before = graph(&app).await;
        // Two of the article's unnamed Afghan nationals, each with a nationality affiliation.
        let ids = app.data(r#"{ militants(first: 2, filter: { nationalityMatches: { isoCode: { eq: "AF" } } }) { nodes { id } } }"#, json!({})).await;
        let nodes = ids["militants"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), 2, "{ids}");
        let (keep, merge) = (nodes[0]["id"].clone(), nodes[1]["id"].clone());
        let merged = mutate(&app, &key, r#"mutation($input: MergeInput!) {
              mergeMilitants(input: $input) { militant { affiliations { totalCount } } change { id } userErrors { code message } } }"#,
            "mergeMilitants", json!({ "keep": keep, "merge": merge, "citations": cite("The two were one man.") })).await;
        assert_eq!(merged["userErrors"], json!([]), "{merged}");
        assert_eq!(merged["militant"]["affiliations"]["totalCount"], 2);
        let undone = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": merged["change"]["id"] })).await;
        assert_eq!(undone["userErrors"], json!([]), "{undone}");
        same(graph(&app).await, &before);

        // A second record of the seed's captain, as another source spells him.
        let keep = app.data("{ personnel(first: 1) { nodes { id name } } }", json!({})).await["personnel"]["nodes"][0].clone();
        let created = mutate(&app, &key, r#"mutation($input: CreatePersonnelInput!) {
              createPersonnel(input: $input) { personnel { id name } userErrors { message } } }"#,
            "createPersonnel", json!({ "name": "Husnain Akhter", "status": "KILLED", "rank": "Captain",
                                       "citations": cite("Captain Husnain Akhter was martyred.") })).await;
        let merge = &created["personnel"];
        let before = graph(&app).await;
        let merged = mutate(&app, &key, r#"mutation($input: MergeInput!) {
              mergePersonnel(input: $input) { personnel { name aliases operations { totalCount } } change { id } userErrors { code message } } }"#,
            "mergePersonnel", json!({ "keep": keep["id"], "merge": merge["id"], "citations": cite("One person, two records.") })).await;
        assert_eq!(merged["userErrors"], json!([]), "{merged}");
        assert_eq!(merged["personnel"]["aliases"], json!([merge["name"]]));
        // The other spelling finds the person it now names.
        let found = app
            .data(r#"{ search(query: "Akhter", types: [PERSONNEL]) { nodes { ... on Personnel { name } } } }"#, json!({}))
            .await;
        assert_eq!(found["search"]["nodes"], json!([{ "name": "Husnain Akhtar" }]), "{found}");
        let undone = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": merged["change"]["id"] })).await;
        assert_eq!(undone["userErrors"], json!([]), "{undone}");
        same(graph(&app).await, &before);
    }
}

both! {
    async fn refused_merges_and_undos_write_nothing(app: TestApp) {
        let key = editor(&app, "alice").await;
        let taliban = id_of(&app, "organizations", "Taliban").await;
        let forces = id_of(&app, "organizations", "Pakistani security forces").await;
        let person = app.data("{ personnel(first: 1) { nodes { id } } }", json!({})).await["personnel"]["nodes"][0]["id"].clone();
        let before = fingerprint(&app).await;
        let refused = |input: Value| {
            let app = &app;
            let key = &key;
            async move {
                let payload = mutate(app, key, MERGE_ORGANIZATIONS, "mergeOrganizations", input).await;
                assert_eq!(payload["organization"], Value::Null, "{payload}");
                assert_eq!(payload["change"], Value::Null, "{payload}");
                payload["userErrors"][0].clone()
            }
        };
        let citations = cite("The same group.");
        let err = refused(json!({ "keep": taliban, "merge": taliban, "citations": citations })).await;
        assert_eq!((err["code"].as_str(), err["field"].clone()), (Some("BAD_USER_INPUT"), json!(["input", "merge"])), "{err}");
        let err = refused(json!({ "keep": taliban, "merge": person, "citations": citations })).await;
        assert_eq!(err["code"], "NOT_FOUND", "{err}");
        assert!(err["message"].as_str().expect("message").contains("Organization"), "{err}");
        let err = refused(json!({ "keep": taliban, "keepRevision": 99, "merge": forces, "citations": citations })).await;
        assert_eq!((err["code"].as_str(), err["field"].clone()), (Some("CONFLICT"), json!(["input", "keepRevision"])), "{err}");
        let err = refused(json!({ "keep": taliban, "merge": forces, "citations": [] })).await;
        assert_eq!(err["code"], "CITATION_REQUIRED", "{err}");
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        // Only merges are undone; a change moved on since its merge names the later change.
        let merged = mutate(&app, &key, MERGE_ORGANIZATIONS, "mergeOrganizations",
            json!({ "keep": taliban, "merge": forces, "citations": citations })).await;
        let corrected = mutate(&app, &key, r#"mutation($input: UpdateOrganizationInput!) {
              updateOrganization(input: $input) { change { id } userErrors { message } } }"#,
            "updateOrganization", json!({ "id": taliban, "description": "Corrected.", "citations": citations })).await;
        let written = fingerprint(&app).await;
        let undo = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": corrected["change"]["id"] })).await;
        assert_eq!(undo["userErrors"][0]["code"], "BAD_USER_INPUT", "{undo}");
        let undo = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": merged["change"]["id"] })).await;
        assert_eq!(undo["userErrors"][0]["code"], "CONFLICT", "{undo}");
        let message = undo["userErrors"][0]["message"].as_str().expect("message");
        assert!(message.contains(corrected["change"]["id"].as_str().expect("id")), "{message}");
        let undo = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": "bm90LWEtY2hhbmdl" })).await;
        assert_eq!(undo["userErrors"][0]["code"], "NOT_FOUND", "{undo}");
        assert_eq!(fingerprint(&app).await, written, "nothing written");
    }
}

both! {
    async fn an_undo_keeps_a_source_the_merge_made_once_others_cite_it(app: TestApp) {
        let key = editor(&app, "alice").await;
        let taliban = id_of(&app, "organizations", "Taliban").await;
        let committee = id_of(&app, "organizations", "Karak peace committee").await;
        let forces = id_of(&app, "organizations", "Pakistani security forces").await;
        let merged = mutate(&app, &key, MERGE_ORGANIZATIONS, "mergeOrganizations",
            json!({ "keep": taliban, "merge": committee, "citations": cite("One and the same.") })).await;
        let log = app
            .data(r#"{ changes(filter: { mutation: { eq: "mergeOrganizations" } }) { nodes { nodes { nodes { nodeType nodeId } } } } }"#, json!({}))
            .await;
        let source = log["changes"]["nodes"][0]["nodes"]["nodes"].as_array().expect("nodes").iter()
            .find(|n| n["nodeType"] == "SOURCE").expect("the source the merge made")["nodeId"].clone();
        // Another editor cites the source the merge made, on a node the merge did not touch.
        let cited = mutate(&app, &key, r#"mutation($input: UpdateOrganizationInput!) {
              updateOrganization(input: $input) { userErrors { message } } }"#, "updateOrganization",
            json!({ "id": forces, "description": "Cited.", "citations": [{ "sourceId": source, "quote": "Also this." }] })).await;
        assert_eq!(cited["userErrors"], json!([]), "{cited}");
        let written = fingerprint(&app).await;
        let undo = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": merged["change"]["id"] })).await;
        assert_eq!(undo["userErrors"][0]["code"], "CONFLICT", "{undo}");
        assert!(undo["userErrors"][0]["message"].as_str().expect("message").contains("in use since"), "{undo}");
        assert_eq!(fingerprint(&app).await, written, "nothing written");
    }
}

both! {
    async fn a_merge_moves_attacks_and_its_undo_moves_them_back(app: TestApp) {
        let key = editor(&app, "alice").await;
        let (taliban, forces) = (id_of(&app, "organizations", "Taliban").await, id_of(&app, "organizations", "Pakistani security forces").await);
        let created = mutate(&app, &key, r#"mutation($input: CreateOrganizationInput!) {
              createOrganization(input: $input) { organization { id } userErrors { message } } }"#,
            "createOrganization",
            json!({ "name": "Tehrik-i-Taliban Pakistan", "kind": "MILITANT_GROUP", "citations": cite("TTP, the Pakistani Taliban") })).await;
        let ttp = created["organization"]["id"].as_str().expect("id").to_owned();
        let attack = mutate(&app, &key, r#"mutation($input: CreateAttackInput!) {
              createAttack(input: $input) { attack { id } userErrors { message } } }"#,
            "createAttack",
            json!({ "kind": "ARMED_ASSAULT", "date": "2025-04-03", "datePrecision": "DAY",
                    "organizations": [{ "organizationId": ttp, "role": "PERPETRATOR" }, { "organizationId": forces, "role": "TARGET" }],
                    "citations": cite("The TTP attacked a check post.") })).await;
        assert_eq!(attack["userErrors"], json!([]), "{attack}");
        let id = attack["attack"]["id"].clone();

        let before = graph(&app).await;
        let merged = mutate(&app, &key, MERGE_ORGANIZATIONS, "mergeOrganizations",
            json!({ "keep": taliban, "merge": ttp, "citations": cite("The TTP are the Taliban the article names.") })).await;
        assert_eq!(merged["userErrors"], json!([]), "{merged}");
        let read = "query($id: ID!) { node(id: $id) { ... on Attack { organizations(orderBy: { field: NAME }) { edges { role node { name } } } } } }";
        let after = app.data(read, json!({ "id": id })).await;
        assert_eq!(after["node"]["organizations"]["edges"], json!([
            { "role": "TARGET", "node": { "name": "Pakistani security forces" } },
            { "role": "PERPETRATOR", "node": { "name": "Taliban" } },
        ]), "the attack is the kept organization's now: {after}");

        let undone = mutate(&app, &key, UNDO, "undoMerge", json!({ "changeId": merged["change"]["id"] })).await;
        assert_eq!(undone["userErrors"], json!([]), "{undone}");
        same(graph(&app).await, &before);
    }
}
