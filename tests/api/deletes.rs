//! Deletes of districts, organizations, people and militants: refused with `IN_USE` while
//! other nodes name them, done with `cascade`, every touched node kept in the change log.

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
