//! Reported versus itemised: each `ReportedFigure` beside what the database itemises for
//! the same metric, period and scope.

use serde_json::{Value, json};

use ctgraph::graphql::itemised::{Itemised, itemised, itemised_reference};

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

/// Figures of every metric, period shape and scope, over a generated graph whose operations
/// carry every date precision: the itemised values of each, by the fast path and by the
/// reference, keyed by the figure's external id.
async fn fast_and_reference(app: &crate::helpers::TestApp) -> Vec<(String, Itemised, Itemised)> {
    use ctgraph::entity::reported_figure;
    use sea_orm::{EntityTrait, QueryOrder};
    let options = ctgraph::ingest::generate::Options {
        operations: 600,
        seed: 11,
    };
    ctgraph::ingest::generate::generate(app.db(), options, |_, _, _| {})
        .await
        .expect("generates");
    // Every precision, UNKNOWN too, which the fast path reads apart.
    for (precision, modulo) in [("UNKNOWN", 7), ("YEAR", 11), ("QUARTER", 13), ("WEEK", 5)] {
        app.execute(&format!(
            "UPDATE operations SET date_precision = '{precision}' WHERE id % {modulo} = 0"
        ))
        .await;
    }
    app.execute("UPDATE operations SET district_id = NULL WHERE id % 17 = 0")
        .await;
    app.execute("UPDATE operations SET start_date = '2023-06-15' WHERE id % 19 = 0")
        .await;
    app.execute("UPDATE community_actions SET date = NULL WHERE id % 3 = 0")
        .await;
    let metrics = [
        "OPERATIONS",
        "DISTRICTS_WITH_OPERATIONS",
        "MILITANTS_KILLED",
        "MILITANTS_ARRESTED",
        "SECURITY_KILLED",
        "SECURITY_INJURED",
        "CIVILIANS_KILLED",
        "COMMUNITY_ACTIONS",
    ];
    let periods = [
        ("NULL", "NULL"),
        ("'2025-03-01'", "'2025-03-20'"),
        ("'2024-01-01'", "NULL"),
        ("NULL", "'2024-12-31'"),
        ("'2025-02-10'", "'2025-02-10'"),
        ("'2024-06-01'", "'2025-05-31'"),
    ];
    let source = app
        .scalar("SELECT CAST(MIN(id) AS BIGINT) FROM sources")
        .await;
    let mut n = 0;
    for metric in metrics {
        for (start, end) in periods {
            for scope in 0..4 {
                let province = if scope % 2 == 1 {
                    "(SELECT MIN(province_id) FROM districts WHERE id IN (SELECT district_id FROM operations))"
                } else {
                    "NULL"
                };
                let nationality = if scope == 2 {
                    "(SELECT MIN(nationality_id) FROM militants)"
                } else {
                    "NULL"
                };
                app.execute(&format!(
                    "INSERT INTO reported_figures (metric, value, qualifier, period_start, period_end, scope_province_id, nationality_id, source_id, quote, dataset, external_id) \
                     VALUES ('{metric}', 10, 'EXACT', {start}, {end}, {province}, {nationality}, {source}, 'Synthetic', 'test-figures', 'fig-{n}')"
                )).await;
                if scope == 3 {
                    // Districts too: two, one of them perhaps outside the province.
                    app.execute(&format!(
                        "INSERT INTO reported_figure_districts (reported_figure_id, district_id) \
                         SELECT f.id, d.id FROM reported_figures f, districts d \
                         WHERE f.external_id = 'fig-{n}' AND d.id IN (SELECT MIN(district_id) FROM operations UNION SELECT MAX(district_id) FROM operations)"
                    )).await;
                }
                n += 1;
            }
        }
    }
    let figures = reported_figure::Entity::find()
        .order_by_asc(reported_figure::Column::Id)
        .all(app.db().conn())
        .await
        .expect("figures");
    let ids: Vec<i32> = figures.iter().map(|f| f.id).collect();
    let fast = itemised(app.db().conn(), &figures)
        .await
        .expect("fast path");
    let reference = itemised_reference(app.db().conn(), &ids)
        .await
        .expect("reference");
    figures
        .iter()
        .filter_map(|f| {
            let key = f.external_id.clone()?;
            Some((
                key,
                fast.get(&f.id).copied().unwrap_or_default(),
                reference.get(&f.id).copied().unwrap_or_default(),
            ))
        })
        .collect()
}

// The fast path (an arm per figure, its values written in) against the reference (one
// correlated statement), over 192 figures; and the two backends against each other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn itemised_figures_agree_with_the_reference_and_across_backends() {
    use crate::helpers::{Backend, TestApp};
    let mut answers = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::start(backend).await else {
            continue;
        };
        let found = fast_and_reference(&app).await;
        assert!(found.len() > 190, "{}", found.len());
        for (key, fast, reference) in &found {
            assert_eq!(fast, reference, "{backend:?}: figure {key}");
        }
        assert!(
            found.iter().any(|(_, f, _)| f.value > 0)
                && found.iter().any(|(_, f, _)| f.uncertain > 0),
            "the figures exercise both counts"
        );
        answers.push(found);
    }
    if let [sqlite, postgres] = &answers[..] {
        assert_eq!(
            sqlite, postgres,
            "the backends itemise the same graph differently"
        );
    }
}

both! {
    // The itemised values of a page are one statement whatever the page holds: each figure an
    // arm of it, never a statement of its own.
    async fn a_pages_itemised_values_are_one_statement_whatever_its_size(app: TestApp) {
        grow(&app, 2).await;
        for copy in 0..12 {
            app.execute(&format!(
                "INSERT INTO reported_figures (metric, value, qualifier, period_start, period_end, scope_province_id, nationality_id, source_id, quote, dataset, external_id) \
                 SELECT metric, value, qualifier, period_start, period_end, scope_province_id, nationality_id, source_id, quote, 'test-copies', external_id || '-copy-{copy}' \
                 FROM reported_figures WHERE dataset <> 'test-copies'"
            )).await;
        }
        let q = "query($first: Int) { reportedFigures(first: $first) { nodes { itemisedValue itemisedUncertain coverage } } }";
        let (few, data) = app.counted(q, json!({ "first": 5 })).await;
        assert_eq!(data["reportedFigures"]["nodes"].as_array().map(Vec::len), Some(5));
        let (many, data) = app.counted(q, json!({ "first": 100 })).await;
        assert_eq!(data["reportedFigures"]["nodes"].as_array().map(Vec::len), Some(100));
        assert_eq!((few, many), (2, 2), "the page and its itemised values");
    }
}
