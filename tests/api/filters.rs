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
        assert_eq!(titles(&app, json!({ "startDate": { "in": ["2025-03-02", "2025-03-03"] } })).await.len(), 2 * 10);
        assert_eq!(titles(&app, json!({ "securityKilled": { "isNull": false } })).await.len(), 0, "unreported stays unknown");
        // Strict bounds on decimals: the districts at the bounds (Lakki Marwat, North Waziristan) are out.
        let q = r#"{ districts(filter: { latitude: { gt: 32.6056744, lt: 32.9528061 } }) { nodes { name } } }"#;
        assert_eq!(app.data(q, json!({})).await["districts"]["nodes"], json!([{ "name": "Jhelum" }]));
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

both! {
    async fn link_connections_filter_on_the_links_own_data(app: TestApp) {
        grow(&app, 2).await;
        // The first of each synthetic operation's two militants was arrested, not killed.
        app.execute("UPDATE operation_militants SET outcome = 'ARRESTED' WHERE militant_id IN (SELECT id FROM militants WHERE name LIKE 'Synthetic militant %-0')").await;
        let q = r#"{ operations(first: 100, filter: { title: { startsWith: "Synthetic" } }) { totalCount nodes {
            arrested: militants(link: { outcome: { eq: ARRESTED } }) { totalCount nodes { name } }
            killed: militants(link: { not: { outcome: { in: [ARRESTED, ESCAPED] } } }) { totalCount }
            all: militants { totalCount }
        } } }"#;
        let (statements, data) = app.counted(q, json!({})).await;
        let operations = data["operations"]["nodes"].as_array().expect("operations");
        assert_eq!(operations.len() as i64, app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'test-synthetic'").await);
        for op in operations {
            assert_eq!((op["arrested"]["totalCount"].as_i64(), op["killed"]["totalCount"].as_i64(), op["all"]["totalCount"].as_i64()), (Some(1), Some(1), Some(2)), "{op}");
            assert!(op["arrested"]["nodes"][0]["name"].as_str().is_some_and(|n| n.ends_with("-0")), "{op}");
        }
        // A link filter is one more condition in the level's statements, not a statement of its own.
        let plain = q.replace("link: { outcome: { eq: ARRESTED } }", r#"filter: { name: { contains: "-0" } }"#)
            .replace("link: { not: { outcome: { in: [ARRESTED, ESCAPED] } } }", r#"filter: { name: { contains: "-1" } }"#);
        let (plain_statements, _) = app.counted(&plain, json!({})).await;
        assert_eq!(statements, plain_statements);

        // And from the other end: the operations in which Captain Husnain Akhtar was killed, the
        // operations an organization conducted, and a link filter that reaches an end.
        let q = r#"{ personnel(filter: { name: { eq: "Husnain Akhtar" } }) { nodes {
            killed: operations(link: { outcome: { eq: KILLED } }) { nodes { title } }
            unharmed: operations(link: { outcome: { eq: UNHARMED } }) { totalCount }
        } }
        organizations(filter: { name: { eq: "Pakistani security forces" } }) { nodes {
            conducted: operations(link: { role: { eq: CONDUCTED_BY }, operation: { militantsKilled: { gte: 10 } } }) { nodes { title } }
            targeted: operations(link: { role: { eq: TARGETED } }) { totalCount }
        } } }"#;
        let data = app.data(q, json!({})).await;
        let captain = &data["personnel"]["nodes"][0];
        assert_eq!(captain["killed"]["nodes"], json!([{ "title": "Mission in Dera Ismail Khan" }]));
        assert_eq!(captain["unharmed"]["totalCount"], 0);
        let forces = &data["organizations"]["nodes"][0];
        assert_eq!(forces["conducted"]["nodes"], json!([{ "title": "Mission in Dera Ismail Khan" }]));
        assert_eq!(forces["targeted"]["totalCount"], 0);

        // Community actions and their actors: in Karak the peace committee acted and the security
        // forces were supported; in Tirah the Taliban were opposed.
        let q = r#"{ communityActions(filter: { hasDistricts: { name: { eq: "Karak" } } }) { nodes {
            acted: actors(link: { role: { eq: ACTOR } }) { nodes { name } }
            others: actors(link: { not: { role: { eq: ACTOR } } }) { nodes { name } }
        } }
        organizations(filter: { name: { eq: "Pakistani security forces" } }) { nodes {
            supported: communityActions(link: { role: { eq: SUPPORTED } }) { totalCount }
            opposed: communityActions(link: { role: { eq: OPPONENT } }) { totalCount }
        } } }"#;
        let data = app.data(q, json!({})).await;
        let karak = &data["communityActions"]["nodes"][0];
        assert_eq!(karak["acted"]["nodes"], json!([{ "name": "Karak peace committee" }]));
        assert_eq!(karak["others"]["nodes"], json!([{ "name": "Pakistani security forces" }]));
        let forces = &data["organizations"]["nodes"][0];
        assert_eq!((forces["supported"]["totalCount"].as_i64(), forces["opposed"]["totalCount"].as_i64()), (Some(1), Some(0)));
    }
}
