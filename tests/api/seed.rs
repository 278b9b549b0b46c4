//! The seed dataset: the article's facts and nothing more, every row cited, loaded
//! idempotently, and all-or-nothing.

use std::collections::HashMap;
use std::path::Path;

use ctgraph::ingest::{dataset::Dataset, seed};
use serde_json::json;

use crate::helpers::{TestApp, both};

const TABLES: &[&str] = &[
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
    "operation_personnel",
    "operation_militants",
    "operation_organizations",
    "community_action_districts",
    "community_action_actors",
    "reported_figure_districts",
    "citations",
];

async fn row_counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    counts
}

both! {
    async fn seeding_twice_changes_nothing(app: TestApp) {
        let before = row_counts(&app).await;
        let snapshot = app.data("{ operations { nodes { id title militantsKilled } } districts(first: 100) { nodes { id name latitude } } }", json!({})).await;
        let report = seed::load(app.db()).await.expect("second load");
        assert_eq!(report.written, 0, "{report:?}");
        assert!(report.unchanged > 50);
        assert_eq!(row_counts(&app).await, before);
        let again = app.data("{ operations { nodes { id title militantsKilled } } districts(first: 100) { nodes { id name latitude } } }", json!({})).await;
        assert_eq!(snapshot, again);
    }
}

both! {
    async fn a_failed_load_leaves_the_database_as_it_was(app: TestApp) {
        let before = row_counts(&app).await;
        // A valid new country first, then a province referring to a country that does not exist.
        let bad: Dataset = serde_json::from_value(json!({
            "sources": [{ "key": "new", "title": "A new source", "kind": "REPORT" }],
            "countries": [{ "isoCode": "IR", "name": "Iran", "cite": [{ "source": "new", "quote": "x" }] }],
            "provinces": [{ "isoCode": "XX-YY", "country": "NOPE", "name": "Nowhere", "cite": [] }]
        }))
        .expect("dataset parses");
        let err = seed::load_dataset(app.db(), &bad).await.expect_err("load must fail");
        assert!(format!("{err:#}").contains("unknown Country \"NOPE\""), "{err:#}");
        assert_eq!(row_counts(&app).await, before, "nothing of the failed load remains");

        // One row citing one source twice would never settle (each load rewrites the other).
        let twice: Dataset = serde_json::from_value(json!({
            "sources": [{ "key": "new", "title": "A new source", "kind": "REPORT" }],
            "countries": [{ "isoCode": "IR", "name": "Iran", "cite": [{ "source": "new", "quote": "x" }, { "source": "new", "quote": "y" }] }]
        }))
        .expect("dataset parses");
        let err = seed::load_dataset(app.db(), &twice).await.expect_err("load must fail");
        assert!(format!("{err:#}").contains("cites source \"new\" twice"), "{err:#}");
        assert_eq!(row_counts(&app).await, before, "nothing of the failed load remains");
    }
}

both! {
    async fn every_seeded_row_cites_the_article_with_a_sentence(app: TestApp) {
        for (table, kind) in [
            ("countries", "Country"), ("provinces", "Province"), ("districts", "District"), ("organizations", "Organization"),
            ("personnel", "Personnel"), ("militants", "Militant"), ("operations", "Operation"), ("affiliations", "Affiliation"),
            ("community_actions", "CommunityAction"), ("reported_figures", "ReportedFigure"),
        ] {
            let uncited = app.scalar(&format!(
                "SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM citations c JOIN sources s ON s.id = c.source_id \
                 WHERE c.subject_type = '{kind}' AND c.subject_id = t.id AND s.kind = 'NEWS' AND c.quote <> '')"
            )).await;
            assert_eq!(uncited, 0, "{table} rows that do not cite the article with the sentence they rest on");
        }
    }
}

both! {
    async fn the_seed_holds_the_articles_aggregates_as_reported_figures(app: TestApp) {
        let data = app.data(r#"{ reportedFigures(first: 100, orderBy: { field: VALUE }) { nodes { metric value qualifier periodStart periodEnd quote nationality { isoCode } } } }"#, json!({})).await;
        let figures: Vec<(String, i64, String, String, Option<String>)> = data["reportedFigures"]["nodes"].as_array().expect("figures").iter().map(|f| (
            f["metric"].as_str().unwrap_or_default().to_owned(),
            f["value"].as_i64().unwrap_or_default(),
            f["qualifier"].as_str().unwrap_or_default().to_owned(),
            f["periodStart"].as_str().unwrap_or_default().to_owned(),
            f["nationality"]["isoCode"].as_str().map(str::to_owned),
        )).collect();
        let has = |metric: &str, value: i64, qualifier: &str, start: &str| figures.iter().any(|f| f.0 == metric && f.1 == value && f.2 == qualifier && f.3 == start);
        assert!(has("OPERATIONS", 35, "EXACT", "2025-03-01"));
        assert!(has("DISTRICTS_WITH_OPERATIONS", 11, "EXACT", "2025-03-01"));
        assert!(has("MILITANTS_KILLED", 80, "MORE_THAN", "2025-03-01"));
        assert!(has("OPERATIONS", 32, "EXACT", "2025-03-03"));
        assert!(has("MILITANTS_KILLED", 69, "EXACT", "2025-03-03"));
        assert!(has("MILITANTS_KILLED", 13, "EXACT", "2025-03-17"));
        assert!(has("COMMUNITY_ACTIONS", 9, "AT_LEAST", "2025-01-01"));
        assert!(figures.iter().any(|f| f.0 == "MILITANTS_KILLED" && f.1 == 3 && f.4.as_deref() == Some("AF")), "three Afghan nationals");
        // Period ends and quotes as the article states them.
        let nodes = data["reportedFigures"]["nodes"].as_array().expect("figures");
        let after_16 = nodes.iter().find(|f| f["periodStart"] == "2025-03-17").expect("the 13 after March 16");
        assert_eq!(after_16["periodEnd"], "2025-03-20");
        assert_eq!(after_16["quote"], "The momentum continued beyond March 16, with further operations eliminating another 13 militants.");
        let interventions = nodes.iter().find(|f| f["metric"] == "COMMUNITY_ACTIONS").expect("interventions");
        assert_eq!(interventions["periodEnd"], serde_json::Value::Null, "open-ended: \"this year\"");
        // Aggregates stay aggregates: only one operation is itemised.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations").await, 1);
    }
}

/// Every `quote` anywhere under `value`.
fn quotes(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("quote", serde_json::Value::String(q)) => out.push(q.clone()),
                    _ => quotes(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| quotes(v, out)),
        _ => {}
    }
}

#[test]
fn every_quote_is_verbatim_from_the_article() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(article) = std::fs::read_to_string(root.join("../shared/seed/source-article.txt"))
    else {
        crate::helpers::skip("quote check: ../shared/seed/source-article.txt is absent");
        return;
    };
    let mut all = Vec::new();
    for entry in std::fs::read_dir(root.join("data/seed")).expect("data/seed") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("seed file");
        quotes(
            &serde_json::from_str(&text).expect("seed file is JSON"),
            &mut all,
        );
    }
    assert!(all.len() > 30, "only {} quotes found", all.len());
    for quote in all {
        assert!(article.contains(&quote), "not in the article: {quote}");
    }
}

#[test]
fn district_coordinates_are_the_gazetteers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/gazetteer/pakistan-districts.csv");
    let Ok(csv) = std::fs::read_to_string(&path) else {
        crate::helpers::skip(&format!("gazetteer check: {} is absent", path.display()));
        return;
    };
    let gazetteer: HashMap<&str, (f64, f64)> = csv
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Some((
                *f.first()?,
                (f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?),
            ))
        })
        .collect();
    let data = seed::dataset().expect("seed parses");
    assert!(!data.districts.is_empty());
    for d in &data.districts {
        let expected = gazetteer
            .get(d.name.as_str())
            .unwrap_or_else(|| panic!("{} is not in the gazetteer", d.name));
        assert_eq!(
            (d.latitude, d.longitude),
            (Some(expected.0), Some(expected.1)),
            "{}",
            d.name
        );
    }
}
