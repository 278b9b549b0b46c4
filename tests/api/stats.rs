//! `operationStats`: the buckets' counts and sums agree with the itemised operations they
//! come from, on every grouping, and unknown stays unknown.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, both};
use crate::nested::grow;

const COUNTS: [&str; 5] = [
    "militantsKilled",
    "militantsArrested",
    "securityKilled",
    "securityInjured",
    "civiliansKilled",
];

/// Every operation matching `filter`, with what the groupings need.
async fn operations(app: &TestApp, filter: &Value) -> Vec<Value> {
    let q = "query($f: OperationFilter) { operations(filter: $f, first: 100) { totalCount nodes {
        startDate datePrecision militantsKilled militantsArrested securityKilled securityInjured civiliansKilled
        district { id province { id } } organizations { nodes { id } } } } }";
    let data = app.data(q, json!({ "f": filter })).await;
    assert!(
        data["operations"]["totalCount"].as_i64() < Some(100),
        "one page holds them all"
    );
    data["operations"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The buckets computed in memory: key → (operations, sums).
fn expected(
    ops: &[Value],
    key: impl Fn(&Value) -> Vec<Value>,
) -> BTreeMap<String, (i64, Vec<Value>)> {
    let mut buckets: BTreeMap<String, (i64, Vec<Value>)> = BTreeMap::new();
    for op in ops {
        for k in key(op) {
            let entry = buckets
                .entry(k.to_string())
                .or_insert((0, vec![Value::Null; 5]));
            entry.0 += 1;
            for (sum, count) in entry.1.iter_mut().zip(COUNTS) {
                if let Some(n) = op[count].as_i64() {
                    *sum = json!(sum.as_i64().unwrap_or(0) + n);
                }
            }
        }
    }
    buckets
}

async fn stats(
    app: &TestApp,
    filter: &Value,
    group_by: &str,
    key: &str,
) -> BTreeMap<String, (i64, Vec<Value>)> {
    let q = format!(
        "query($f: OperationFilter) {{ operationStats(filter: $f, groupBy: {group_by}) {{
            node {{ id }} periodStart periodEnd operations {} }} }}",
        COUNTS.join(" ")
    );
    let data = app.data(&q, json!({ "f": filter })).await;
    let mut buckets = BTreeMap::new();
    for b in data["operationStats"].as_array().into_iter().flatten() {
        let k = if key == "node" {
            b["node"]["id"].clone()
        } else {
            b["periodStart"].clone()
        };
        let sums = COUNTS.iter().map(|c| b[*c].clone()).collect();
        let previous = buckets.insert(
            k.to_string(),
            (b["operations"].as_i64().unwrap_or(-1), sums),
        );
        assert!(previous.is_none(), "one bucket per key");
    }
    buckets
}

both! {
    async fn stats_agree_with_the_operations_they_sum(app: TestApp) {
        grow(&app, 3).await;
        // Vary what the synthetic operations report and how precisely they are dated.
        app.execute("UPDATE operations SET militants_arrested = 2 WHERE militants_killed = 1").await;
        app.execute("UPDATE operations SET civilians_killed = 1, date_precision = 'WEEK' WHERE militants_killed = 2").await;
        app.execute("UPDATE operations SET start_date = '2025-02-27' WHERE title LIKE '%op-1-%'").await;
        app.execute("UPDATE operations SET district_id = NULL WHERE title LIKE '%op-2-%'").await;
        app.execute(
            "INSERT INTO operation_organizations (operation_id, organization_id, role) \
             SELECT o.id, g.id, 'TARGETED' FROM operations o, organizations g \
             WHERE o.militants_killed = 2 AND g.name LIKE 'Synthetic group%'",
        ).await;

        for filter in [json!({}), json!({ "militantsKilled": { "gte": 1 } }), json!({ "districtMatches": { "provinceMatches": { "isoCode": { "eq": "PK-KP" } } } })] {
            let ops = operations(&app, &filter).await;
            assert!(!ops.is_empty());
            let node = |path: &'static [&'static str]| move |op: &Value| {
                let mut v = op;
                for p in path { v = &v[*p]; }
                vec![v.clone()]
            };
            assert_eq!(stats(&app, &filter, "DISTRICT", "node").await, expected(&ops, node(&["district", "id"])));
            assert_eq!(stats(&app, &filter, "PROVINCE", "node").await, expected(&ops, node(&["district", "province", "id"])));
            let orgs = |op: &Value| {
                let ids: Vec<Value> = op["organizations"]["nodes"].as_array().into_iter().flatten().map(|o| o["id"].clone()).collect();
                if ids.is_empty() { vec![Value::Null] } else { ids }
            };
            assert_eq!(stats(&app, &filter, "ORGANIZATION", "node").await, expected(&ops, orgs));
            let day = |op: &Value| {
                let precise = op["datePrecision"] == "DAY";
                vec![if precise { op["startDate"].clone() } else { Value::Null }]
            };
            assert_eq!(stats(&app, &filter, "DAY", "period").await, expected(&ops, day));
            let month = |op: &Value| {
                let placed = op["datePrecision"] == "DAY" || op["datePrecision"] == "MONTH";
                let start = op["startDate"].as_str().unwrap_or_default();
                vec![if placed { json!(format!("{}-01", &start[..7])) } else { Value::Null }]
            };
            assert_eq!(stats(&app, &filter, "MONTH", "period").await, expected(&ops, month));
            let total = |_: &Value| vec![Value::Null];
            assert_eq!(stats(&app, &filter, "null", "node").await, expected(&ops, total));
        }
    }
}

both! {
    async fn weeks_run_monday_to_sunday_and_unknown_stays_unknown(app: TestApp) {
        grow(&app, 1).await;
        // 2025-03-02 is a Sunday, 2025-03-03 a Monday.
        app.execute("UPDATE operations SET start_date = '2025-03-02', militants_killed = NULL WHERE dataset = 'test-synthetic'").await;
        app.execute("UPDATE operations SET start_date = '2025-03-03' WHERE id = (SELECT MIN(id) FROM operations WHERE dataset = 'test-synthetic')").await;
        let q = r#"{ operationStats(filter: { kind: { eq: RAID } }, groupBy: WEEK) { periodStart periodEnd operations militantsKilled } }"#;
        let buckets = app.data(q, json!({})).await["operationStats"].clone();
        let raids = app.scalar("SELECT COUNT(*) FROM operations WHERE kind = 'RAID'").await;
        assert_eq!(buckets, json!([
            { "periodStart": "2025-02-24", "periodEnd": "2025-03-02", "operations": raids - 1, "militantsKilled": null },
            { "periodStart": "2025-03-03", "periodEnd": "2025-03-09", "operations": 1, "militantsKilled": null },
        ]));
        let q = r#"{ operationStats(filter: { title: { eq: "nothing" } }) { operations militantsKilled node { id } } }"#;
        assert_eq!(app.data(q, json!({})).await["operationStats"], json!([{ "operations": 0, "militantsKilled": null, "node": null }]));
        let q = r#"{ operationStats(groupBy: MONTH) { periodStart periodEnd operations militantsKilled } }"#;
        let march = &app.data(q, json!({})).await["operationStats"][0];
        assert_eq!((march["periodStart"].clone(), march["periodEnd"].clone()), (json!("2025-03-01"), json!("2025-03-31")));
        assert_eq!(march["militantsKilled"], 10, "the seed's mission, dated to the month, counts in March");
        assert_eq!(app.error_codes(r#"{ operationStats(groupBy: YEAR) { operations } }"#, json!({})).await, ["BAD_USER_INPUT"]);
    }
}

both! {
    async fn stats_are_one_statement(app: TestApp) {
        grow(&app, 3).await;
        let q = r#"{ operationStats(groupBy: PROVINCE, filter: { hasPersonnel: { outcome: { eq: UNHARMED } } }) { operations node { id ... on Province { name } } } }"#;
        let (n, _) = app.counted(q, json!({})).await;
        assert_eq!(n, 2, "the grouped statement and one to load the provinces");
    }
}
