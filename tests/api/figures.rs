//! Reported versus itemised: each `ReportedFigure` beside what the database itemises for
//! the same metric, period and scope.

use serde_json::{Value, json};

use crate::helpers::both;
use crate::nested::grow;

const FIGURES: &str = "{ reportedFigures(first: 100, orderBy: { field: VALUE }) { nodes {
    metric value qualifier periodStart periodEnd nationality { isoCode }
    itemisedValue itemisedUncertain coverage difference } } }";

fn find<'a>(figures: &'a Value, metric: &str, start: &str, end: Value) -> &'a Value {
    figures["reportedFigures"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| {
            f["metric"] == metric
                && f["periodStart"] == start
                && f["periodEnd"] == end
                && f["nationality"].is_null()
        })
        .unwrap_or_else(|| panic!("no {metric} figure from {start}"))
}

both! {
    async fn the_article_reports_far_more_than_it_itemises(app: TestApp) {
        let (statements, figures) = app.counted(FIGURES, json!({})).await;
        assert_eq!(statements, 3, "the page, its itemised values, and the nationalities");
        // "over 80" militants killed in the first 20 days of March; the seed itemises one
        // mission, which killed 10, dated only to March: it may or may not fall in them.
        let over_80 = find(&figures, "MILITANTS_KILLED", "2025-03-01", json!("2025-03-20"));
        assert_eq!(over_80["qualifier"], "MORE_THAN");
        let seen = |f: &Value| [f["itemisedValue"].clone(), f["itemisedUncertain"].clone(), f["difference"].clone(), f["coverage"].clone()];
        assert_eq!(seen(over_80), [json!(0), json!(10), json!(80), json!(0.0)]);
        let ops = find(&figures, "OPERATIONS", "2025-03-01", json!("2025-03-20"));
        assert_eq!(seen(ops), [json!(0), json!(1), json!(35), json!(0.0)]);
        let ops_3_16 = find(&figures, "OPERATIONS", "2025-03-03", json!("2025-03-16"));
        assert_eq!(ops_3_16["itemisedUncertain"], 1);
        // Nothing of the mission's March can fall after March 31.
        app.execute("UPDATE reported_figures SET period_start = '2025-04-01', period_end = '2025-04-30' WHERE period_start = '2025-03-17'").await;
        let later = app.data(FIGURES, json!({})).await;
        let april = find(&later, "MILITANTS_KILLED", "2025-04-01", json!("2025-04-30"));
        assert_eq!(seen(april), [json!(0), json!(0), json!(13), json!(0.0)]);
        // Dated to the day, it is itemised.
        app.execute("UPDATE operations SET date_precision = 'DAY'").await;
        let dated = app.data(FIGURES, json!({})).await;
        assert_eq!(seen(find(&dated, "MILITANTS_KILLED", "2025-03-01", json!("2025-03-20"))), [json!(10), json!(0), json!(70), json!(0.125)]);
        assert_eq!(find(&dated, "OPERATIONS", "2025-03-03", json!("2025-03-16"))["itemisedUncertain"], 0);
        // The three Afghan nationals are itemised, but linked to no operation: undated.
        let afghans = figures["reportedFigures"]["nodes"].as_array().into_iter().flatten()
            .find(|f| f["nationality"]["isoCode"] == "AF").expect("the Afghan nationals figure");
        assert_eq!((afghans["itemisedValue"].clone(), afghans["itemisedUncertain"].clone()), (json!(0), json!(3)));
        // The community actions the article describes carry no date.
        let actions = find(&figures, "COMMUNITY_ACTIONS", "2025-01-01", Value::Null);
        assert_eq!((actions["itemisedValue"].clone(), actions["itemisedUncertain"].clone()), (json!(0), json!(6)));
    }
}

both! {
    async fn itemised_values_follow_the_data(app: TestApp) {
        grow(&app, 4).await;
        let figures = app.data(FIGURES, json!({})).await;
        let count = |filter: Value| {
            let app = &app;
            async move {
                let q = "query($f: OperationFilter) { operations(filter: $f) { totalCount } }";
                app.data(q, json!({ "f": filter })).await["operations"]["totalCount"].clone()
            }
        };
        // Every figure of the article covers Khyber Pakhtunkhwa; the synthetic operations
        // also fall in districts elsewhere (Jhelum, in Punjab).
        let in_3_16 = json!({
            "startDate": { "gte": "2025-03-03", "lte": "2025-03-16" },
            "districtMatches": { "provinceMatches": { "isoCode": { "eq": "PK-KP" } } }
        });
        let kp = "FROM operations o JOIN districts d ON d.id = o.district_id \
                  JOIN provinces p ON p.id = d.province_id AND p.iso_code = 'PK-KP'";
        assert!(app.scalar("SELECT COUNT(*) FROM operations o JOIN districts d ON d.id = o.district_id JOIN provinces p ON p.id = d.province_id WHERE p.iso_code <> 'PK-KP'").await > 0);
        assert_eq!(find(&figures, "OPERATIONS", "2025-03-03", json!("2025-03-16"))["itemisedValue"], count(in_3_16.clone()).await);
        let killed = app.scalar(&format!("SELECT SUM(o.militants_killed) {kp} WHERE o.start_date BETWEEN '2025-03-03' AND '2025-03-16'")).await;
        assert_eq!(find(&figures, "MILITANTS_KILLED", "2025-03-03", json!("2025-03-16"))["itemisedValue"], killed);
        let districts = app.scalar(&format!("SELECT COUNT(DISTINCT o.district_id) {kp} WHERE o.start_date BETWEEN '2025-03-01' AND '2025-03-20'")).await;
        assert_eq!(find(&figures, "DISTRICTS_WITH_OPERATIONS", "2025-03-01", json!("2025-03-20"))["itemisedValue"], districts);
        // Dating a community action in the period moves it from undated to itemised.
        app.execute("UPDATE community_actions SET date = '2025-02-10', date_precision = 'DAY' WHERE id = (SELECT MIN(id) FROM community_actions)").await;
        let figures = app.data(FIGURES, json!({})).await;
        let actions = find(&figures, "COMMUNITY_ACTIONS", "2025-01-01", Value::Null);
        assert_eq!((actions["itemisedValue"].clone(), actions["itemisedUncertain"].clone()), (json!(1), json!(5)));
    }
}
