//! Curation: editor keys, mutations with their citations, revisions against lost updates,
//! the change log, and refused input that leaves the database as it was.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ctgraph::auth::{self, Role};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, both};

/// POSTs `query` with `key` as the bearer and returns the status and the body.
pub(crate) async fn as_key(
    app: &TestApp,
    key: Option<&str>,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    app.send(request.body(Body::from(body)).expect("request"))
        .await
}

pub(crate) async fn editor(app: &TestApp, name: &str) -> String {
    auth::create(app.db().conn(), name, Role::Editor)
        .await
        .expect("key")
}

/// The id of the node of `connection` named `name`.
pub(crate) async fn id_of(app: &TestApp, connection: &str, name: &str) -> String {
    let query = format!(
        r#"{{ {connection}(filter: {{ name: {{ eq: "{name}" }} }}) {{ nodes {{ id }} }} }}"#
    );
    let data = app.data(&query, json!({})).await;
    data[connection]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {connection} named {name}: {data}"))
        .to_owned()
}

/// Rows of every table a mutation writes, and a checksum of their contents: equal before
/// and after a refused mutation when nothing was written.
pub(crate) async fn fingerprint(app: &TestApp) -> Vec<(String, i64, String)> {
    let mut out = Vec::new();
    let conn = app.db().conn();
    for table in [
        "operations",
        "personnel",
        "militants",
        "organizations",
        "districts",
        "affiliations",
        "community_actions",
        "reported_figures",
        "sources",
        "citations",
        "community_action_actors",
        "community_action_districts",
        "reported_figure_districts",
        "operation_personnel",
        "operation_militants",
        "operation_organizations",
        "attacks",
        "attack_organizations",
        "changes",
        "change_nodes",
    ] {
        // Every row as text, concatenated in a fixed order: a change to any value shows.
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .expect("count")
            .expect("row");
        let n: i64 = row.try_get("", "n").expect("n");
        let rows = conn
            .query_all_raw(Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT * FROM {table}"),
            ))
            .await
            .expect("rows");
        let mut text: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
        text.sort();
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&text, &mut hasher);
        out.push((
            table.to_owned(),
            n,
            format!("{:x}", std::hash::Hasher::finish(&hasher)),
        ));
    }
    out
}

const CREATE: &str = r#"mutation($input: CreateOperationInput!) {
  createOperation(input: $input) {
    clientMutationId
    operation { id revision title datePrecision militantsKilled district { name }
      personnel { nodes { name organization { name } } edges { outcome role } }
      organizations { edges { role node { name } } }
      citations { nodes { quote confidence source { title kind } } } }
    userErrors { field message code }
  }
}"#;

const UPDATE: &str = r#"mutation($input: UpdateOperationInput!) {
  updateOperation(input: $input) {
    operation { id revision militantsKilled summary }
    userErrors { field message code }
  }
}"#;

/// Ids the tests link to: a district, an organization, a source of the seed.
async fn seed_ids(app: &TestApp) -> (String, String, String) {
    let data = app
        .data(
            r#"{ districts(filter: { name: { eq: "Bannu" } }) { nodes { id } }
                 organizations(filter: { name: { eq: "Pakistani security forces" } }) { nodes { id } }
                 sources(first: 1) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    let first = |v: &Value| {
        v["nodes"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("an id in {data}"))
            .to_owned()
    };
    (
        first(&data["districts"]),
        first(&data["organizations"]),
        first(&data["sources"]),
    )
}

fn new_operation(district: &str, organization: &str) -> Value {
    json!({
        "clientMutationId": "m1",
        "title": "Operation near Bannu named in a later report",
        "kind": "INTELLIGENCE_BASED",
        "startDate": "2025-04-02",
        "datePrecision": "DAY",
        "districtId": district,
        "militantsKilled": 3,
        "personnel": [{
            "personnel": { "name": "Constable A", "organizationId": organization, "status": "INJURED" },
            "outcome": "INJURED", "role": "PARTICIPANT"
        }],
        "organizations": [{ "organizationId": organization, "role": "CONDUCTED_BY" }],
        "citations": [{
            "source": { "title": "A later report", "kind": "NEWS", "publisher": "Dawn" },
            "quote": "Three militants were killed in an operation near Bannu on April 2."
        }]
    })
}

both! {
    async fn an_editor_creates_an_operation_with_its_links_and_citation_in_one_go(app: TestApp) {
        let key = editor(&app, "alice").await;
        let (district, organization, _) = seed_ids(&app).await;
        let (status, body) = as_key(&app, Some(&key), CREATE, json!({ "input": new_operation(&district, &organization) })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{body:#}");
        let payload = &body["data"]["createOperation"];
        assert_eq!(payload["clientMutationId"], "m1");
        assert_eq!(payload["userErrors"], json!([]));
        let op = &payload["operation"];
        assert_eq!(op["revision"], 1);
        assert_eq!(op["district"]["name"], "Bannu");
        assert_eq!(op["personnel"]["nodes"][0]["name"], "Constable A");
        assert_eq!(op["personnel"]["nodes"][0]["organization"]["name"], "Pakistani security forces");
        assert_eq!(op["personnel"]["edges"][0]["outcome"], "INJURED");
        assert_eq!(op["organizations"]["edges"][0]["role"], "CONDUCTED_BY");
        assert_eq!(op["citations"]["nodes"][0]["source"]["title"], "A later report");
        assert_eq!(op["citations"]["nodes"][0]["confidence"], "REPORTED");

        // Every read sees it at once: the search index, the new person's own citations.
        let found = app
            .data(r#"{ search(query: "later report Bannu", first: 5) { nodes { __typename ... on Operation { title } } } }"#, json!({}))
            .await;
        let titles: Vec<&Value> = found["search"]["nodes"].as_array().expect("nodes").iter().map(|n| &n["title"]).collect();
        assert!(titles.contains(&&json!("Operation near Bannu named in a later report")), "{found}");
        let person = app
            .data(r#"{ personnel(filter: { name: { eq: "Constable A" } }) { nodes { citations { totalCount } } } }"#, json!({}))
            .await;
        assert_eq!(person["personnel"]["nodes"][0]["citations"]["totalCount"], 1);

        // The change log holds who did it, and each node before and after.
        let conn = app.db().conn();
        let rows = conn
            .query_all_raw(Statement::from_string(
                conn.get_database_backend(),
                "SELECT c.actor, c.mutation, c.client_mutation_id, n.subject_type, n.before, n.after \
                 FROM changes c JOIN change_nodes n ON n.change_id = c.id ORDER BY n.id".to_owned(),
            ))
            .await
            .expect("changes");
        let kinds: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "subject_type").expect("type")).collect();
        // The organization it was linked to changed too: its links are part of its state.
        assert_eq!(kinds, ["Source", "Personnel", "Operation", "Organization"]);
        // One record per node: the new person was created, then linked, in this change.
        let person: Option<String> = rows[1].try_get("", "after").expect("after");
        let person: Value = serde_json::from_str(&person.expect("after")).expect("JSON");
        assert_eq!(person["links"]["operation_personnel"].as_array().map(Vec::len), Some(1), "{person}");
        assert_eq!(person["revision"], 1, "a new node is at revision 1");
        let actor: String = rows[2].try_get("", "actor").expect("actor");
        let mutation: String = rows[2].try_get("", "mutation").expect("mutation");
        assert_eq!((actor.as_str(), mutation.as_str()), ("alice", "createOperation"));
        let before: Option<String> = rows[2].try_get("", "before").expect("before");
        let after: String = rows[2].try_get::<Option<String>>("", "after").expect("after").expect("after");
        assert!(before.is_none());
        let after: Value = serde_json::from_str(&after).expect("JSON");
        assert_eq!(after["militants_killed"], 3);
    }
}

both! {
    async fn mutations_need_a_valid_editor_key(app: TestApp) {
        let (district, organization, _) = seed_ids(&app).await;
        let input = json!({ "input": new_operation(&district, &organization) });
        let before = fingerprint(&app).await;

        let (status, body) = as_key(&app, None, CREATE, input.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
        assert_eq!(body["data"]["createOperation"], Value::Null);

        let (status, body) = as_key(&app, Some("ctg_not-a-key"), CREATE, input.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

        let key = editor(&app, "bob").await;
        assert!(auth::revoke(app.db().conn(), "bob").await.expect("revoke"));
        let (status, body) = as_key(&app, Some(&key), CREATE, input.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert_eq!(fingerprint(&app).await, before, "nothing written");

        // Reads stay open, with or without a key.
        let (status, body) = as_key(&app, None, "{ operations(first: 1) { totalCount } }", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["data"]["operations"]["totalCount"].as_i64().is_some_and(|n| n > 0));

        let keys = auth::list(app.db().conn()).await.expect("list");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].name, "bob");
        assert!(keys[0].revoked_at.is_some());
    }
}

both! {
    async fn refused_input_says_where_and_writes_nothing(app: TestApp) {
        let key = editor(&app, "carol").await;
        let (district, organization, source) = seed_ids(&app).await;
        let before = fingerprint(&app).await;
        let with = |patch: Value| {
            let mut input = new_operation(&district, &organization);
            for (k, v) in patch.as_object().expect("object") {
                input[k] = v.clone();
            }
            json!({ "input": input })
        };
        let cases = [
            (json!({ "militantsKilled": -1 }), vec!["input", "militantsKilled"], "BAD_USER_INPUT"),
            (json!({ "endDate": "2025-04-01" }), vec!["input", "endDate"], "BAD_USER_INPUT"),
            (json!({ "citations": [] }), vec!["input", "citations"], "CITATION_REQUIRED"),
            (
                json!({ "citations": [{ "sourceId": source, "quote": "x".repeat(100_000) }] }),
                vec!["input", "citations", "0", "quote"],
                "BAD_USER_INPUT",
            ),
            (json!({ "districtId": organization }), vec!["input", "districtId"], "NOT_FOUND"),
            (json!({ "districtId": "RGlzdHJpY3Q6OTk5OTk" }), vec!["input", "districtId"], "NOT_FOUND"),
            (
                json!({ "organizations": [
                    { "organizationId": organization, "role": "CONDUCTED_BY" },
                    { "organizationId": organization, "role": "TARGETED" }] }),
                vec!["input", "organizations", "1"],
                "ALREADY_EXISTS",
            ),
        ];
        for (patch, field, code) in cases {
            let (status, body) = as_key(&app, Some(&key), CREATE, with(patch.clone())).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.get("errors").is_none(), "{patch}: {body:#}");
            let payload = &body["data"]["createOperation"];
            assert_eq!(payload["operation"], Value::Null, "{patch}");
            let error = &payload["userErrors"][0];
            assert_eq!(error["field"], json!(field), "{patch}: {payload:#}");
            assert_eq!(error["code"], code, "{patch}: {payload:#}");
            assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(fingerprint(&app).await, before, "{patch} wrote something");
        }
        // Not a date: refused by the engine before the mutation runs.
        let (_, body) = as_key(&app, Some(&key), CREATE, with(json!({ "startDate": "2025-02-30" }))).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(fingerprint(&app).await, before);
    }
}

both! {
    async fn a_stale_revision_is_refused_and_two_editors_never_both_win(app: TestApp) {
        let key = editor(&app, "dana").await;
        let (district, organization, source) = seed_ids(&app).await;
        let (_, body) = as_key(&app, Some(&key), CREATE, json!({ "input": new_operation(&district, &organization) })).await;
        let id = body["data"]["createOperation"]["operation"]["id"].as_str().expect("id").to_owned();
        let cite = json!([{ "sourceId": source, "quote": "The ministry later said four were killed." }]);

        let update = |revision: i64, killed: i64| json!({ "input": {
            "id": id, "revision": revision, "militantsKilled": killed, "citations": cite } });
        let (_, body) = as_key(&app, Some(&key), UPDATE, update(1, 4)).await;
        let op = &body["data"]["updateOperation"]["operation"];
        assert_eq!((op["revision"].clone(), op["militantsKilled"].clone()), (json!(2), json!(4)), "{body:#}");

        let before = fingerprint(&app).await;
        let (_, body) = as_key(&app, Some(&key), UPDATE, update(1, 5)).await;
        let payload = &body["data"]["updateOperation"];
        assert_eq!(payload["operation"], Value::Null);
        assert_eq!(payload["userErrors"][0]["code"], "CONFLICT", "{payload:#}");
        assert!(payload["userErrors"][0]["message"].as_str().expect("message").contains("revision 2"));
        assert_eq!(fingerprint(&app).await, before, "a refused update wrote something");

        // A correction without a citation is refused.
        let (_, body) = as_key(&app, Some(&key), UPDATE, json!({ "input": { "id": id, "summary": "x", "citations": [] } })).await;
        assert_eq!(body["data"]["updateOperation"]["userErrors"][0]["code"], "CITATION_REQUIRED");

        // Two editors race from revision 2: exactly one wins, the other hears CONFLICT.
        let other = editor(&app, "erin").await;
        let (a, b) = tokio::join!(
            as_key(&app, Some(&key), UPDATE, update(2, 6)),
            as_key(&app, Some(&other), UPDATE, update(2, 7)),
        );
        let outcomes: Vec<&Value> = [&a.1, &b.1].into_iter().map(|b| &b["data"]["updateOperation"]).collect();
        let won = outcomes.iter().filter(|p| p["operation"]["revision"] == 3).count();
        let lost = outcomes.iter().filter(|p| p["userErrors"][0]["code"] == "CONFLICT").count();
        assert_eq!((won, lost), (1, 1), "{:#} {:#}", a.1, b.1);

        // Deleting against a stale revision is refused; against the current one it goes,
        // with its links and citations.
        let delete = r#"mutation($input: DeleteOperationInput!) {
            deleteOperation(input: $input) { deletedId userErrors { code } } }"#;
        let (_, body) = as_key(&app, Some(&key), delete, json!({ "input": { "id": id, "revision": 2 } })).await;
        assert_eq!(body["data"]["deleteOperation"]["userErrors"][0]["code"], "CONFLICT");
        let (_, body) = as_key(&app, Some(&key), delete, json!({ "input": { "id": id, "revision": 3 } })).await;
        assert_eq!(body["data"]["deleteOperation"]["deletedId"], json!(id), "{body:#}");
        let gone = app.graphql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(gone["data"]["node"], Value::Null);
        assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND");
    }
}

#[tokio::test]
async fn with_require_key_reads_need_a_key_too() {
    use crate::helpers::{Backend, fresh_database};
    use ctgraph::app::{App, Config};
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let app = App::build(Config {
        require_key: true,
        ..Config::new(url.clone(), "127.0.0.1:0".parse().expect("addr"))
    })
    .await
    .expect("app");
    let app = TestApp::adopt(app, url, Backend::Sqlite);
    let query = "{ operations(first: 1) { totalCount } }";
    let (status, body) = as_key(&app, None, query, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    for export in ["/export/operations.csv", "/export/neighborhood.cyjs?id=x"] {
        let (status, _, _) = app
            .exchange(Request::get(export).body(Body::empty()).expect("request"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{export}");
    }
    let key = editor(&app, "reader").await;
    let (status, body) = as_key(&app, Some(&key), query, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"]["operations"]["totalCount"].is_number());
}

both! {
    async fn every_node_has_its_history_and_the_log_lists_every_change(app: TestApp) {
        let key = editor(&app, "frank").await;
        let (district, organization, source) = seed_ids(&app).await;
        let (_, body) = as_key(&app, Some(&key), CREATE, json!({ "input": new_operation(&district, &organization) })).await;
        let id = body["data"]["createOperation"]["operation"]["id"].as_str().expect("id").to_owned();
        let cite = json!([{ "sourceId": source, "quote": "Four were killed, the ministry said." }]);
        let input = json!({ "input": { "id": id, "revision": 1, "militantsKilled": 4,
            "clientMutationId": "fix-count", "citations": cite } });
        let (_, body) = as_key(&app, Some(&key), UPDATE, input).await;
        assert_eq!(body["data"]["updateOperation"]["userErrors"], json!([]), "{body:#}");

        let q = r#"query($id: ID!) {
          node(id: $id) { ... on Operation { revision history { totalCount nodes {
            nodeType before after change { actor mutation clientMutationId nodes { totalCount } } } } } }
          changes(filter: { actor: { eq: "frank" } }) { totalCount nodes {
            id mutation nodes { nodes { nodeType nodeId node { id } } } } }
        }"#;
        let data = app.data(q, json!({ "id": id })).await;
        let op = &data["node"];
        assert_eq!(op["revision"], 2);
        let history = &op["history"];
        assert_eq!(history["totalCount"], 2);
        let (newest, oldest) = (&history["nodes"][0], &history["nodes"][1]);
        assert_eq!(newest["change"]["mutation"], "updateOperation");
        assert_eq!(newest["change"]["actor"], "frank");
        assert_eq!(newest["change"]["clientMutationId"], "fix-count");
        assert_eq!(newest["nodeType"], "OPERATION");
        assert_eq!((newest["before"]["militants_killed"].clone(), newest["after"]["militants_killed"].clone()), (json!(3), json!(4)));
        assert_eq!((newest["before"]["revision"].clone(), newest["after"]["revision"].clone()), (json!(1), json!(2)));
        assert_eq!(oldest["change"]["mutation"], "createOperation");
        assert_eq!(oldest["before"], Value::Null);
        // A state holds the node's links and citations too, for what a later undo puts back.
        assert_eq!(oldest["after"]["links"]["operation_personnel"].as_array().map(Vec::len), Some(1));
        assert_eq!(oldest["after"]["links"]["operation_organizations"].as_array().map(Vec::len), Some(1));
        assert_eq!(oldest["after"]["citations"].as_array().map(Vec::len), Some(1));
        // The create touched the new source, the new person and the organization linked too.
        assert_eq!(oldest["change"]["nodes"]["totalCount"], 4);

        let changes = &data["changes"];
        assert_eq!(changes["totalCount"], 2);
        assert_eq!(changes["nodes"][0]["mutation"], "updateOperation", "newest first");
        let created: Vec<&Value> = changes["nodes"][1]["nodes"]["nodes"].as_array().expect("nodes").iter().map(|n| &n["nodeType"]).collect();
        assert_eq!(created, [&json!("SOURCE"), &json!("PERSONNEL"), &json!("OPERATION"), &json!("ORGANIZATION")]);
        let ids: Vec<&Value> = changes["nodes"][1]["nodes"]["nodes"].as_array().expect("nodes").iter().map(|n| &n["node"]["id"]).collect();
        assert_eq!(ids[2], &json!(id));

        // A deleted node's changes stay in the log, the node itself null.
        let delete = r#"mutation($input: DeleteOperationInput!) { deleteOperation(input: $input) { deletedId } }"#;
        let (_, body) = as_key(&app, Some(&key), delete, json!({ "input": { "id": id } })).await;
        assert_eq!(body["data"]["deleteOperation"]["deletedId"], json!(id), "{body:#}");
        let data = app
            .data(r#"{ changes(first: 1) { nodes { mutation nodes { nodes { nodeId node { id } before after } } } } }"#, json!({}))
            .await;
        let last = &data["changes"]["nodes"][0];
        assert_eq!(last["mutation"], "deleteOperation");
        let gone = &last["nodes"]["nodes"][0];
        assert_eq!(gone["nodeId"], json!(id));
        assert_eq!(gone["node"], Value::Null);
        assert_eq!(gone["after"], Value::Null);
        assert_eq!(gone["before"]["militants_killed"], 4);
    }
}

both! {
    async fn loads_record_one_change_per_file_and_only_when_they_change_something(app: TestApp) {
        let q = r#"{ changes(filter: { mutation: { eq: "import" } }) { nodes { actor mutation nodes { totalCount } } } }"#;
        let data = app.data(q, json!({})).await;
        assert_eq!(data["changes"]["nodes"], json!([{ "actor": "seed", "mutation": "import", "nodes": { "totalCount": 0 } }]));
        // Loading the seed again changes nothing, so records nothing.
        ctgraph::ingest::seed::load(app.db()).await.expect("seed again");
        let data = app.data(q, json!({})).await;
        assert_eq!(data["changes"]["nodes"].as_array().map(Vec::len), Some(1));
        let options = ctgraph::ingest::generate::Options { operations: 100, seed: 3 };
        ctgraph::ingest::generate::generate(app.db(), options, |_, _, _| {}).await.expect("generates");
        let data = app.data(q, json!({})).await;
        assert_eq!(data["changes"]["nodes"][0]["actor"], "generate", "newest first");
    }
}

both! {
    async fn links_are_attached_and_detached_on_their_own_with_citations(app: TestApp) {
        let key = editor(&app, "gina").await;
        let (district, organization, source) = seed_ids(&app).await;
        let (_, body) = as_key(&app, Some(&key), CREATE, json!({ "input": new_operation(&district, &organization) })).await;
        let op = body["data"]["createOperation"]["operation"]["id"].as_str().expect("id").to_owned();
        let person = app
            .data(r#"{ personnel(filter: { name: { eq: "Husnain Akhtar" } }) { nodes { id revision } } }"#, json!({}))
            .await["personnel"]["nodes"][0].clone();
        let person_id = person["id"].as_str().expect("id").to_owned();
        let cite = json!([{ "sourceId": source, "quote": "Husnain Akhtar also took part, the report adds." }]);
        let attach = r#"mutation($input: AttachOperationPersonnelInput!) { attachOperationPersonnel(input: $input) {
            operation { revision personnel { totalCount edges { outcome role node { name } } } } userErrors { field code } } }"#;
        let detach = r#"mutation($input: DetachFromOperationInput!) { detachOperationPersonnel(input: $input) {
            operation { revision personnel { totalCount } } userErrors { field code } } }"#;
        let attach_input = |revision: i64, citations: &Value| json!({ "input": {
            "operationId": op, "revision": revision, "personnelId": person_id,
            "outcome": "UNHARMED", "role": "COMMANDER", "citations": citations } });

        let before = fingerprint(&app).await;
        for (input, field, code) in [
            (attach_input(1, &json!([])), json!(["input", "citations"]), "CITATION_REQUIRED"),
            (attach_input(7, &cite), json!(["input", "revision"]), "CONFLICT"),
        ] {
            let (_, body) = as_key(&app, Some(&key), attach, input).await;
            let payload = &body["data"]["attachOperationPersonnel"];
            assert_eq!((payload["userErrors"][0]["field"].clone(), payload["userErrors"][0]["code"].clone()), (field, json!(code)), "{body:#}");
            assert_eq!(fingerprint(&app).await, before);
        }

        let (_, body) = as_key(&app, Some(&key), attach, attach_input(1, &cite)).await;
        let payload = &body["data"]["attachOperationPersonnel"];
        assert_eq!(payload["userErrors"], json!([]), "{body:#}");
        assert_eq!(payload["operation"]["revision"], 2);
        assert_eq!(payload["operation"]["personnel"]["totalCount"], 2);
        let edge = payload["operation"]["personnel"]["edges"].as_array().expect("edges").iter()
            .find(|e| e["node"]["name"] == "Husnain Akhtar").expect("the new link").clone();
        assert_eq!((edge["outcome"].clone(), edge["role"].clone()), (json!("UNHARMED"), json!("COMMANDER")));

        // Both ends moved on, and both histories show it.
        let q = r#"query($id: ID!) { node(id: $id) { ... on Personnel { revision history(first: 1) { nodes {
            change { mutation } before after } } } } }"#;
        let data = app.data(q, json!({ "id": person_id })).await;
        assert_eq!(data["node"]["revision"], person["revision"].as_i64().expect("revision") + 1);
        let last = &data["node"]["history"]["nodes"][0];
        assert_eq!(last["change"]["mutation"], "attachOperationPersonnel");
        let links = |state: &Value| state["links"]["operation_personnel"].as_array().map(Vec::len);
        assert_eq!(links(&last["after"]), links(&last["before"]).map(|n| n + 1));

        let (_, body) = as_key(&app, Some(&key), attach, attach_input(2, &cite)).await;
        assert_eq!(body["data"]["attachOperationPersonnel"]["userErrors"][0]["code"], "ALREADY_EXISTS", "{body:#}");

        let detach_input = |revision: i64| json!({ "input": {
            "operationId": op, "revision": revision, "nodeId": person_id, "citations": cite } });
        let (_, body) = as_key(&app, Some(&key), detach, detach_input(2)).await;
        let payload = &body["data"]["detachOperationPersonnel"];
        assert_eq!(payload["userErrors"], json!([]), "{body:#}");
        assert_eq!(payload["operation"]["personnel"]["totalCount"], 1);
        let (_, body) = as_key(&app, Some(&key), detach, detach_input(3)).await;
        let payload = &body["data"]["detachOperationPersonnel"];
        assert_eq!((payload["userErrors"][0]["field"].clone(), payload["userErrors"][0]["code"].clone()), (json!(["input", "nodeId"]), json!("NOT_FOUND")), "{body:#}");

        // An organization where a militant is asked for.
        let attach_militant = r#"mutation($input: AttachOperationMilitantInput!) { attachOperationMilitant(input: $input) {
            userErrors { field code } } }"#;
        let input = json!({ "input": { "operationId": op, "militantId": organization, "outcome": "KILLED", "citations": cite } });
        let (_, body) = as_key(&app, Some(&key), attach_militant, input).await;
        let error = &body["data"]["attachOperationMilitant"]["userErrors"][0];
        assert_eq!((error["field"].clone(), error["code"].clone()), (json!(["input", "militantId"]), json!("NOT_FOUND")), "{body:#}");
    }
}

both! {
    async fn sources_are_corrected_by_editors_and_deleted_by_admins_only(app: TestApp) {
        let editor_key = editor(&app, "hana").await;
        let admin = auth::create(app.db().conn(), "root", Role::Admin).await.expect("key");
        let (_, _, source) = seed_ids(&app).await;
        let update = r#"mutation($input: UpdateSourceInput!) { updateSource(input: $input) {
            source { revision title publisher } userErrors { field code message } } }"#;
        let (_, body) = as_key(&app, Some(&editor_key), update, json!({ "input": { "id": source, "revision": 1, "publisher": "Dawn" } })).await;
        let payload = &body["data"]["updateSource"];
        assert_eq!(payload["userErrors"], json!([]), "{body:#}");
        assert_eq!((payload["source"]["revision"].clone(), payload["source"]["publisher"].clone()), (json!(2), json!("Dawn")));
        let (_, body) = as_key(&app, Some(&editor_key), update, json!({ "input": { "id": source, "revision": 1, "title": "" } })).await;
        assert_eq!(body["data"]["updateSource"]["userErrors"][0]["code"], "CONFLICT", "{body:#}");

        let delete = r#"mutation($input: DeleteSourceInput!) { deleteSource(input: $input) { deletedId userErrors { field code message } } }"#;
        let before = fingerprint(&app).await;
        let (_, body) = as_key(&app, Some(&editor_key), delete, json!({ "input": { "id": source } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body:#}");
        let (_, body) = as_key(&app, Some(&admin), delete, json!({ "input": { "id": source } })).await;
        let error = &body["data"]["deleteSource"]["userErrors"][0];
        assert_eq!(error["code"], "IN_USE", "{body:#}");
        assert!(error["message"].as_str().expect("message").contains("citations"));
        assert_eq!(fingerprint(&app).await, before, "a refused delete wrote something");

        let q = "query($id: ID!) { node(id: $id) { ... on Source { citations { totalCount } } } }";
        let cited = app.data(q, json!({ "id": source })).await["node"]["citations"]["totalCount"].as_i64().expect("count");
        assert!(cited > 0);
        let citations = app.scalar("SELECT COUNT(*) FROM citations").await;
        let (_, body) = as_key(&app, Some(&admin), delete, json!({ "input": { "id": source, "cascade": true } })).await;
        assert_eq!(body["data"]["deleteSource"]["deletedId"], json!(source), "{body:#}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM citations").await, citations - cited, "its citations went with it");
        let gone = app.graphql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": source })).await;
        assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND");
        let data = app.data(r#"{ changes(first: 1) { nodes { mutation actor nodes { totalCount } } } }"#, json!({})).await;
        assert_eq!(data["changes"]["nodes"][0]["mutation"], "deleteSource");
        assert_eq!(data["changes"]["nodes"][0]["actor"], "root");
    }
}

both! {
    async fn a_later_source_names_an_unnamed_militant(app: TestApp) {
        let key = editor(&app, "ines").await;
        let (district, organization, _) = seed_ids(&app).await;
        let militants = app.data("{ militants(first: 100) { nodes { id name revision } } }", json!({})).await;
        let unnamed = militants["militants"]["nodes"].as_array().expect("nodes").iter()
            .find(|m| m["name"].is_null()).expect("the seed has unnamed militants").clone();
        let id = unnamed["id"].as_str().expect("id").to_owned();
        let revision = unnamed["revision"].as_i64().expect("revision");
        let cite = json!([{ "source": { "title": "A later article", "kind": "NEWS" },
            "quote": "One of the three Afghan nationals was named as Abdul X." }]);
        let update = r#"mutation($input: UpdateMilitantInput!) { updateMilitant(input: $input) {
            militant { name aliases revision organization { name } } userErrors { field code } } }"#;

        let before = fingerprint(&app).await;
        for (patch, field, code) in [
            (json!({ "organizationId": district }), json!(["input", "organizationId"]), "NOT_FOUND"),
            (json!({ "aliases": ["  "] }), json!(["input", "aliases", "0"]), "BAD_USER_INPUT"),
            (json!({ "revision": revision + 5 }), json!(["input", "revision"]), "CONFLICT"),
            (json!({ "citations": [] }), json!(["input", "citations"]), "CITATION_REQUIRED"),
        ] {
            let mut input = json!({ "id": id, "name": "Abdul X", "citations": cite });
            for (k, v) in patch.as_object().expect("object") {
                input[k] = v.clone();
            }
            let (_, body) = as_key(&app, Some(&key), update, json!({ "input": input })).await;
            let error = &body["data"]["updateMilitant"]["userErrors"][0];
            assert_eq!((error["field"].clone(), error["code"].clone()), (field, json!(code)), "{patch}: {body:#}");
            assert_eq!(fingerprint(&app).await, before, "{patch} wrote something");
        }

        let input = json!({ "id": id, "revision": revision, "name": "Abdul X", "aliases": ["A. X"],
            "organizationId": organization, "citations": cite });
        let (_, body) = as_key(&app, Some(&key), update, json!({ "input": input })).await;
        let payload = &body["data"]["updateMilitant"];
        assert_eq!(payload["userErrors"], json!([]), "{body:#}");
        assert_eq!(payload["militant"]["name"], "Abdul X");
        assert_eq!(payload["militant"]["aliases"], json!(["A. X"]));
        assert_eq!(payload["militant"]["revision"], revision + 1);
        assert_eq!(payload["militant"]["organization"]["name"], "Pakistani security forces");
        let found = app.data(r#"{ search(query: "Abdul", first: 5) { nodes { __typename } } }"#, json!({})).await;
        assert_eq!(found["search"]["nodes"][0]["__typename"], "Militant", "{found}");

        // Organizations and people are corrected the same way.
        let update = r#"mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) {
            organization { aliases revision } userErrors { field code } } }"#;
        let input = json!({ "id": organization, "aliases": ["Pak Army"], "citations": cite });
        let (_, body) = as_key(&app, Some(&key), update, json!({ "input": input })).await;
        assert_eq!(body["data"]["updateOrganization"]["organization"]["aliases"], json!(["Pak Army"]), "{body:#}");
        let person = app.data(r#"{ personnel(filter: { name: { eq: "Husnain Akhtar" } }) { nodes { id } } }"#, json!({})).await;
        let update = r#"mutation($input: UpdatePersonnelInput!) { updatePersonnel(input: $input) {
            personnel { rank hometownDistrict { name } } userErrors { field code } } }"#;
        let input = json!({ "id": person["personnel"]["nodes"][0]["id"], "rank": "Captain",
            "hometownDistrictId": district, "citations": cite });
        let (_, body) = as_key(&app, Some(&key), update, json!({ "input": input })).await;
        let payload = &body["data"]["updatePersonnel"];
        assert_eq!(payload["userErrors"], json!([]), "{body:#}");
        assert_eq!((payload["personnel"]["rank"].clone(), payload["personnel"]["hometownDistrict"]["name"].clone()), (json!("Captain"), json!("Bannu")));
    }
}
