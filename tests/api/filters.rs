//! Filters: equality, `in`, ranges on dates and counts, case-insensitive text, ids,
//! and their composition with `and`, `or` and `not`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both};
use crate::nested::grow;

async fn titles(app: &TestApp, filter: Value) -> Vec<String> {
    let q = "query($f: OperationFilter) { operations(filter: $f, first: 100, orderBy: { field: TITLE }) { totalCount nodes { title } } }";
    let data = app.data(q, json!({ "f": filter })).await;
    let nodes: Vec<String> = data["operations"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["title"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        data["operations"]["totalCount"],
        nodes.len(),
        "totalCount agrees with the page"
    );
    nodes
}

both! {
    async fn filters_match_what_they_say(app: TestApp) {
        grow(&app, 3).await;
        let dik = "Mission in Dera Ismail Khan";
        assert_eq!(titles(&app, json!({ "title": { "contains": "dera ISMAIL" } })).await, [dik]);
        assert_eq!(titles(&app, json!({ "title": { "startsWith": "MISSION" } })).await, [dik]);
        assert_eq!(titles(&app, json!({ "militantsKilled": { "gte": 10 } })).await, [dik]);
        assert_eq!(titles(&app, json!({ "militantsKilled": { "in": [2, 10] } })).await.len(), 1 + 10);
        assert_eq!(titles(&app, json!({ "kind": { "in": ["INTELLIGENCE_BASED"] } })).await, [dik]);
        assert_eq!(titles(&app, json!({ "datePrecision": { "eq": "MONTH" } })).await, [dik]);
        assert_eq!(titles(&app, json!({ "startDate": { "gte": "2025-03-02", "lte": "2025-03-03" } })).await.len(), 2 * 10);
        assert_eq!(titles(&app, json!({ "securityKilled": { "isNull": false } })).await.len(), 0, "unreported stays unknown");
        // Wildcards in the text are taken literally.
        assert_eq!(titles(&app, json!({ "title": { "contains": "%" } })).await.len(), 0);
        assert_eq!(titles(&app, json!({ "title": { "contains": "_" } })).await.len(), 0);

        let district = app.id_of(ctgraph::graphql::ids::NodeKind::District, "districts", "name", "Dera Ismail Khan").await;
        assert_eq!(titles(&app, json!({ "district": { "eq": district } })).await.len(), 1 + 3);
        let composed = json!({
            "district": { "eq": district },
            "or": [{ "militantsKilled": { "eq": 10 } }, { "militantsKilled": { "eq": 0 } }],
            "not": { "title": { "contains": "mission" } }
        });
        assert_eq!(titles(&app, composed).await, ["Synthetic operation op-1-0"]);
        assert_eq!(titles(&app, json!({ "or": [] })).await.len(), 0, "an empty `or` matches nothing");
        assert_eq!(titles(&app, json!({ "and": [] })).await.len(), 1 + 30, "an empty `and` matches everything");
    }
}

both! {
    async fn nested_connections_take_filters(app: TestApp) {
        let q = r#"{ provinces(filter: { isoCode: { eq: "PK-KP" } }) { nodes {
            districts(filter: { name: { contains: "waziristan" } }) { totalCount nodes { name } }
            all: districts { totalCount }
        } } }"#;
        let data = app.data(q, json!({})).await;
        let kp = &data["provinces"]["nodes"][0];
        assert_eq!(kp["districts"]["totalCount"], 3);
        assert_eq!(kp["all"]["totalCount"], 9);
    }
}

both! {
    async fn citations_take_filters_everywhere(app: TestApp) {
        let gazetteer = app.id_of(ctgraph::graphql::ids::NodeKind::Source, "sources", "kind", "DATASET").await;
        let q = r#"query($gazetteer: ID!) { districts(filter: { name: { eq: "Dera Ismail Khan" } }) { nodes {
            all: citations { totalCount }
            reference: citations(filter: { source: { eq: $gazetteer } }) { nodes { locator confidence } }
            quoted: citations(filter: { quote: { contains: "MISSION" }, not: { confidence: { eq: CONFIRMED } } }) { totalCount }
            either: citations(filter: { or: [{ confidence: { eq: CONFIRMED } }, { quote: { isNull: false } }] }, orderBy: { field: ID, direction: DESC }) { totalCount }
        } } }"#;
        let data = app.data(q, json!({ "gazetteer": gazetteer })).await;
        let dik = &data["districts"]["nodes"][0];
        assert_eq!(dik["all"]["totalCount"], 2);
        assert_eq!(dik["reference"]["nodes"], json!([{ "locator": "row “Dera Ismail Khan”: latitude and longitude", "confidence": "CONFIRMED" }]));
        assert_eq!(dik["quoted"]["totalCount"], 1);
        assert_eq!(dik["either"]["totalCount"], 2);
    }
}
