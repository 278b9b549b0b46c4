//! `ctgraph generate`: a deterministic synthetic graph, every row labelled and cited, with
//! links that follow the domain's rules, on both backends.

use ctgraph::ingest::generate::{DATASET, Options, generate};
use serde_json::json;

use crate::helpers::{TestApp, both};

/// What the API says of the generated operations: the same for the same seed.
async fn fingerprint(app: &TestApp) -> serde_json::Value {
    let q = r#"{ operations(filter: { title: { startsWith: "Synthetic operation" } }, orderBy: { field: TITLE }, first: 40) {
        totalCount nodes { title startDate datePrecision militantsKilled district { name province { name } }
        personnel { totalCount edges { outcome node { name } } } militants { totalCount } organizations { totalCount } } } }"#;
    app.data(q, json!({})).await
}

both! {
    async fn a_generated_graph_is_labelled_deterministic_and_consistent(app: TestApp) {
        let options = Options { operations: 400, seed: 42 };
        let report = generate(app.db(), options, |_, _, _| {}).await.expect("generates");
        let rows: usize = report.iter().map(|(_, n)| n).sum();
        assert!(rows > 400 * 8, "about eleven rows per operation: {report:?}");
        let count = |sql: String| { let app = &app; async move { app.scalar(&sql).await } };
        assert_eq!(count(format!("SELECT COUNT(*) FROM operations WHERE dataset = '{DATASET}'")).await, 400);
        assert_eq!(count(format!("SELECT COUNT(*) FROM sources WHERE dataset = '{DATASET}' AND kind = 'SYNTHETIC'")).await, 1);
        // Every generated entity cites the synthetic source, and only it.
        for (table, kind) in [("operations", "Operation"), ("militants", "Militant"), ("personnel", "Personnel"), ("organizations", "Organization"), ("affiliations", "Affiliation"), ("community_actions", "CommunityAction"), ("reported_figures", "ReportedFigure")] {
            let uncited = count(format!(
                "SELECT COUNT(*) FROM {table} t WHERE t.dataset = '{DATASET}' AND NOT EXISTS (SELECT 1 FROM citations c \
                 JOIN sources s ON s.id = c.source_id AND s.kind = 'SYNTHETIC' WHERE c.subject_type = '{kind}' AND c.subject_id = t.id)"
            )).await;
            assert_eq!(uncited, 0, "{table}");
        }
        // crossBorder follows the rule: the target lies in another country than the subject's.
        let wrong = count("SELECT COUNT(*) FROM affiliations a JOIN organizations s ON s.id = a.subject_organization_id \
            LEFT JOIN organizations t ON t.id = a.target_organization_id \
            WHERE a.cross_border <> (COALESCE(t.base_country_id, a.target_country_id) <> s.base_country_id)".to_owned()).await;
        assert_eq!(wrong, 0);
        assert!(count("SELECT COUNT(*) FROM affiliations WHERE cross_border".to_owned()).await > 0);
        // Statuses follow the operations: a militant killed in one is not at large.
        let at_large_but_killed = count("SELECT COUNT(*) FROM militants m WHERE m.status = 'AT_LARGE' AND EXISTS \
            (SELECT 1 FROM operation_militants om WHERE om.militant_id = m.id AND om.outcome = 'KILLED')".to_owned()).await;
        assert_eq!(at_large_but_killed, 0);

        // The same seed writes the same graph; generating twice into one database is refused.
        let Some(other) = TestApp::start(app.backend).await else { return };
        generate(other.db(), options, |_, _, _| {}).await.expect("generates");
        assert_eq!(fingerprint(&app).await, fingerprint(&other).await);
        let again = generate(app.db(), options, |_, _, _| {}).await.expect_err("refused");
        assert!(again.to_string().contains("already holds generated data"), "{again}");
        assert_eq!(count(format!("SELECT COUNT(*) FROM operations WHERE dataset = '{DATASET}'")).await, 400, "nothing half-written");

        // The API reads it like any data: ids are in step with the sequences (PostgreSQL).
        app.execute("INSERT INTO sources (title, kind) VALUES ('after generating', 'NEWS')").await;
        let q = r#"{ operationStats(groupBy: MONTH, filter: { title: { startsWith: "Synthetic operation" } }) { operations } }"#;
        let total: i64 = app.data(q, json!({})).await["operationStats"].as_array().into_iter().flatten().filter_map(|b| b["operations"].as_i64()).sum();
        assert_eq!(total, 400);
    }
}

#[test]
fn generate_refuses_zero_operations_in_one_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ctgraph"))
        .args([
            "generate",
            "--operations",
            "0",
            "--database-url",
            "sqlite::memory:",
        ])
        .output()
        .expect("ctgraph runs");
    assert!(!out.status.success());
    assert!(
        !std::path::Path::new("sqlite::memory:").exists(),
        "refused before touching a database"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--operations must be between 1 and 1000000"),
        "{stderr}"
    );
}
