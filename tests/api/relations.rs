//! Filters through relations (`…Matches` for the one row a reference names, `has…` for
//! some row of a list), dated links in force on a day (`validOn`, `asOf`), and filters
//! that contradict themselves.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both};
use crate::nested::grow;

async fn total(app: &TestApp, connection: &str, filter_type: &str, filter: Value) -> i64 {
    let q = format!("query($f: {filter_type}) {{ {connection}(filter: $f) {{ totalCount }} }}");
    let data = app.data(&q, json!({ "f": filter })).await;
    data[connection]["totalCount"].as_i64().expect("a count")
}

both! {
    async fn filters_reach_through_relations(app: TestApp) {
        grow(&app, 2).await;
        let in_kp = json!({ "districtMatches": { "provinceMatches": { "isoCode": { "eq": "PK-KP" } } } });
        let expected = app.scalar(
            "SELECT COUNT(*) FROM operations o JOIN districts d ON d.id = o.district_id \
             JOIN provinces p ON p.id = d.province_id WHERE p.iso_code = 'PK-KP'",
        ).await;
        assert!(expected > 0);
        assert_eq!(total(&app, "operations", "OperationFilter", in_kp.clone()).await, expected);
        // `not` of a relation keeps the rows with no related row at all.
        let all = app.scalar("SELECT COUNT(*) FROM operations").await;
        assert_eq!(total(&app, "operations", "OperationFilter", json!({ "not": in_kp })).await, all - expected);

        // Operations in which personnel were killed: the Dera Ismail Khan mission only.
        let q = r#"{ operations(filter: { hasPersonnel: { outcome: { eq: KILLED } } }) { nodes { title } } }"#;
        assert_eq!(app.data(q, json!({})).await["operations"]["nodes"], json!([{ "title": "Mission in Dera Ismail Khan" }]));
        let q = r#"{ operations(filter: { hasPersonnel: { not: { outcome: { eq: UNHARMED } } } }) { nodes { title } } }"#;
        assert_eq!(app.data(q, json!({})).await["operations"]["nodes"], json!([{ "title": "Mission in Dera Ismail Khan" }]), "link filters compose too");
        let q = r#"{ operations(filter: { hasPersonnel: { personnel: { rank: { eq: "Captain" } } } }) { totalCount } }"#;
        assert_eq!(app.data(q, json!({})).await["operations"]["totalCount"], 1);

        // Militants whose organization has a cross-border affiliation: every synthetic one,
        // not the article's unnamed Afghan nationals, who have no organization.
        let cross = json!({ "organizationMatches": { "hasAffiliations": { "crossBorder": true } } });
        let expected = app.scalar(
            "SELECT COUNT(*) FROM militants m WHERE EXISTS (SELECT 1 FROM affiliations a \
             WHERE a.subject_organization_id = m.organization_id AND a.cross_border)",
        ).await;
        assert_eq!(expected, app.scalar("SELECT COUNT(*) FROM militants WHERE dataset = 'test-synthetic'").await);
        assert_eq!(total(&app, "militants", "MilitantFilter", cross).await, expected);

        // Through a link table, and back: districts with an operation that killed 1 militant.
        let q = r#"{ districts(filter: { hasOperations: { militantsKilled: { eq: 1 } } }) { totalCount } }"#;
        let expected = app.scalar("SELECT COUNT(DISTINCT district_id) FROM operations WHERE militants_killed = 1").await;
        assert_eq!(app.data(q, json!({})).await["districts"]["totalCount"], expected);
        let q = r#"{ communityActions(filter: { hasDistricts: { name: { eq: "Karak" } } }) { totalCount } }"#;
        assert_eq!(app.data(q, json!({})).await["communityActions"]["totalCount"], 1);
        let q = r#"{ organizations(filter: { hasOperations: { role: { eq: CONDUCTED_BY }, operation: { hasPersonnel: { outcome: { eq: KILLED } } } } }) { nodes { name } } }"#;
        assert_eq!(app.data(q, json!({})).await["organizations"]["nodes"], json!([{ "name": "Pakistani security forces" }]));
    }
}

both! {
    async fn a_relation_filter_is_one_statement(app: TestApp) {
        grow(&app, 2).await;
        let plain = r#"{ operations(filter: { title: { contains: "synthetic" } }) { totalCount nodes { title } } }"#;
        let related = r#"{ operations(filter: { title: { contains: "synthetic" }, districtMatches: { provinceMatches: { countryMatches: { isoCode: { eq: "PK" } } } }, hasMilitants: { militant: { organizationMatches: { hasAffiliations: { crossBorder: true } } } } }) { totalCount nodes { title } } }"#;
        let (a, _) = app.counted(plain, json!({})).await;
        let (b, data) = app.counted(related, json!({})).await;
        assert_eq!(a, b, "reaching through four relations adds no statement");
        assert!(data["operations"]["totalCount"].as_i64().unwrap_or(0) > 0);
    }
}

both! {
    async fn links_in_force_on_a_day(app: TestApp) {
        grow(&app, 1).await;
        // Give the synthetic groups' sanctuary links dates: 0 until 2024, 1 from 2025, 2 open.
        app.execute("UPDATE affiliations SET until = '2024-12-31' WHERE external_id = 'aff-0'").await;
        app.execute("UPDATE affiliations SET since = '2025-01-01' WHERE external_id = 'aff-1'").await;
        let on = |day: &str| json!({ "validOn": day, "kind": { "eq": "SANCTUARY" } });
        assert_eq!(total(&app, "affiliations", "AffiliationFilter", on("2024-06-01")).await, 2);
        assert_eq!(total(&app, "affiliations", "AffiliationFilter", on("2025-03-01")).await, 2);
        assert_eq!(total(&app, "affiliations", "AffiliationFilter", on("2024-12-31")).await, 2, "both ends are inclusive");
        assert_eq!(total(&app, "affiliations", "AffiliationFilter", json!({ "kind": { "eq": "SANCTUARY" } })).await, 3);

        let q = r#"query($day: Date) { organizations(filter: { name: { startsWith: "Synthetic group" } }, orderBy: { field: NAME }) {
            nodes { name affiliations(asOf: $day) { totalCount } all: affiliations { totalCount } } } }"#;
        let data = app.data(q, json!({ "day": "2025-03-01" })).await;
        let counts: Vec<(i64, i64)> = data["organizations"]["nodes"].as_array().into_iter().flatten()
            .map(|n| (n["affiliations"]["totalCount"].as_i64().unwrap_or(-1), n["all"]["totalCount"].as_i64().unwrap_or(-1)))
            .collect();
        assert_eq!(counts, [(0, 1), (1, 1), (1, 1)]);
        // `asOf` narrows a filter rather than replacing it.
        let q = r#"{ countries(filter: { isoCode: { eq: "AF" } }) { nodes { affiliations(asOf: "2020-01-01", filter: { kind: { eq: NATIONALITY } }) { totalCount } } } }"#;
        assert_eq!(app.data(q, json!({})).await["countries"]["nodes"][0]["affiliations"]["totalCount"], 3);
        assert_eq!(app.error_codes(r#"{ affiliations(asOf: "2025-02-30") { totalCount } }"#, json!({})).await, ["BAD_USER_INPUT"]);
    }
}

both! {
    async fn a_filter_that_excludes_what_it_requires_is_refused(app: TestApp) {
        let q = "query($f: OperationFilter) { operations(filter: $f) { totalCount } }";
        for f in [
            json!({ "kind": { "eq": "RAID" }, "not": { "kind": { "eq": "RAID" } } }),
            json!({ "militantsKilled": { "gte": 3 }, "not": { "militantsKilled": { "gte": 3 } } }),
            json!({ "and": [{ "title": { "eq": "x" } }, { "kind": { "eq": "RAID" } }], "not": { "title": { "eq": "x" }, "kind": { "eq": "RAID" } } }),
            json!({ "districtMatches": { "name": { "eq": "Karak" }, "not": { "name": { "eq": "Karak" } } } }),
        ] {
            let response = app.graphql(q, json!({ "f": f })).await;
            assert_eq!(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{f}: {response}");
            let message = response["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains("can match nothing") && !message.contains('_'), "{message}");
        }
        let response = app.graphql(q, json!({ "f": { "militantsKilled": { "gte": 3 }, "not": { "militantsKilled": { "gte": 3 } } } })).await;
        assert_eq!(response["errors"][0]["message"], "this filter can match nothing: it requires `militantsKilled >= 3` and excludes it under `not`; drop one of the two");
        // Excluding something narrower or different is a real filter.
        for f in [
            json!({ "kind": { "eq": "RAID" }, "not": { "kind": { "eq": "RAID" }, "title": { "eq": "x" } } }),
            json!({ "kind": { "eq": "RAID" }, "not": { "kind": { "eq": "INTELLIGENCE_BASED" } } }),
            json!({ "militantsKilled": { "gte": 3 }, "not": { "militantsKilled": { "gte": 5 } } }),
        ] {
            let response = app.graphql(q, json!({ "f": f })).await;
            assert!(response.get("errors").is_none(), "{f}: {response}");
        }
    }
}
