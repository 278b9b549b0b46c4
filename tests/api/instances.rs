//! Two instances on one database, doing the same things at once: keys made under one name,
//! upserts under one key, updates of one revision, imports of one file. Each ends as if they
//! had taken turns: one row per name and key, one winner per revision, one import's rows.
//! (Migrations starting together are in `migrate.rs`.) The instances are two apps with pools
//! of their own in this process: they share nothing but the database.

use std::path::Path;

use axum::http::StatusCode;
use ctgraph::app::{App, Config};
use ctgraph::graphql::limits::Limits;
use ctgraph::ingest::import::{Options, import_file};
use ctgraph::rate_limit::RateLimits;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::curation::{as_key, editor};
use crate::helpers::{TestApp, both, fresh_database, skip};

/// A second instance on `app`'s database.
async fn twin(app: &TestApp) -> TestApp {
    let config = Config::new(app.url.clone(), "127.0.0.1:0".parse().expect("addr"));
    let second = App::build(config).await.expect("a second instance starts");
    TestApp::adopt(second, app.url.clone(), app.backend)
}

const UPSERT: &str = "mutation($key: String!, $title: String!) {
  upsertSource(input: { dataset: \"wire\", key: $key, source: { title: $title, kind: NEWS } }) {
    source { id revision title } userErrors { code message }
  }
}";

const ORGANIZATION: &str = "mutation($cite: [CitationInput!]!) {
  createOrganization(input: { name: \"Twin Brigade\", kind: MILITANT_GROUP, citations: $cite }) {
    organization { id } userErrors { code }
  }
}";

const RETITLE: &str = "mutation($id: ID!, $revision: Int!, $title: String!) {
  updateSource(input: { id: $id, revision: $revision, title: $title }) {
    source { revision title } userErrors { code }
  }
}";

/// Runs `query` through each of `apps` at once, with the variables of its place in
/// `variables`; the answers, none with errors at the top.
async fn at_once(apps: &[&TestApp], key: &str, query: &str, variables: &[Value]) -> Vec<Value> {
    let sends = apps
        .iter()
        .zip(variables)
        .map(|(app, variables)| async move {
            let (status, body) = as_key(app, Some(key), query, variables.clone()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.get("errors").is_none(), "{body:#}");
            body
        });
    join_all(sends).await
}

both! {
    async fn two_instances_doing_the_same_at_once_leave_what_taking_turns_would(app: TestApp) {
        let second = twin(&app).await;
        let apps = [&app, &second, &app, &second];

        // Keys made under one name at once: one is made, the others say the name is taken.
        let made = join_all(apps.iter().map(|a| ctgraph::auth::create(a.db().conn(), "twin", ctgraph::auth::Role::Editor))).await;
        assert_eq!(made.iter().filter(|m| m.is_ok()).count(), 1, "{made:?}");
        for refused in made.iter().filter_map(|m| m.as_ref().err()) {
            assert!(refused.to_string().contains("a key named `twin` exists"), "{refused}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM api_keys WHERE name = 'twin'").await, 1);

        // The same upsert through both instances at once: one source under the key, each
        // answer naming it.
        let key = editor(&app, "uma").await;
        for round in 0..4 {
            let vars = json!({ "key": format!("story-{round}"), "title": "Wire story" });
            let answers = at_once(&apps, &key, UPSERT, &[vars.clone(), vars.clone(), vars.clone(), vars]).await;
            let ids: Vec<&Value> = answers.iter().map(|a| &a["data"]["upsertSource"]["source"]["id"]).collect();
            assert!(ids.iter().all(|id| id.is_string() && *id == ids[0]), "one source for the key: {answers:#?}");
            let rows = app.scalar(&format!("SELECT COUNT(*) FROM sources WHERE dataset = 'wire' AND external_id = 'story-{round}'")).await;
            assert_eq!(rows, 1, "round {round}");
        }

        // Two editors correct one revision at once, on different instances: one wins, the
        // other is told it changed; the revision moves by one.
        let id = app.data("{ sources(filter: { title: { eq: \"Wire story\" } }, first: 1) { nodes { id } } }", json!({})).await
            ["sources"]["nodes"][0]["id"].clone();
        for revision in 1..=3 {
            let vars = |title: &str| json!({ "id": id, "revision": revision, "title": title });
            let answers = at_once(&[&app, &second], &key, RETITLE, &[vars("By the first"), vars("By the second")]).await;
            let codes: Vec<&Value> = answers.iter().map(|a| &a["data"]["updateSource"]["userErrors"]).collect();
            let won = codes.iter().filter(|c| **c == &json!([])).count();
            assert_eq!(won, 1, "one winner at revision {revision}: {answers:#?}");
            assert!(codes.iter().any(|c| c[0]["code"] == "CONFLICT"), "{answers:#?}");
        }
        let revision = app.data("query($id: ID!) { node(id: $id) { ... on Source { revision } } }", json!({ "id": id })).await;
        assert_eq!(revision["node"]["revision"], 4);

        // The same organization recorded through both at once: one is, the others are told
        // the name is taken (a check and an insert, which take turns across instances).
        let cite = json!({ "cite": [{ "sourceId": id, "quote": "A new group." }] });
        let answers = at_once(&apps, &key, ORGANIZATION, &[cite.clone(), cite.clone(), cite.clone(), cite]).await;
        let made = answers.iter().filter(|a| a["data"]["createOrganization"]["organization"].is_object()).count();
        assert_eq!(made, 1, "{answers:#?}");
        for answer in &answers {
            let errors = &answer["data"]["createOrganization"]["userErrors"];
            assert!(errors == &json!([]) || errors[0]["code"] == "ALREADY_EXISTS", "{answer:#}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE name = 'Twin Brigade'").await, 1);

        // One file imported through both at once: the rows of one import.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/acled/pakistan-2020-apr-may.csv");
        if path.exists() {
            let options = Options::default();
            let import = |a: &TestApp| {
                let (db, path, options) = (a.db().clone(), path.clone(), &options);
                async move { import_file(&db, &path, options, &mut |_, _| {}).await }
            };
            let (first, again) = tokio::join!(import(&app), import(&second));
            for summary in [first, again] {
                assert!(summary.is_ok(), "{summary:?}");
            }
            assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'acled'").await, 1);
            assert_eq!(app.scalar("SELECT COUNT(*) FROM attacks WHERE dataset = 'acled'").await, 6);
            assert_eq!(app.scalar("SELECT COUNT(*) FROM unmapped_records").await, 229);
        } else {
            skip("two imports at once: ../shared/data/acled/ is absent");
        }
    }
}

both! {
    async fn instances_starting_together_seed_once_and_share_one_budget(app: TestApp) {
        // Two instances start at once on a new database: one migrates and seeds, the other
        // waits its turn and finds it done.
        let Some(url) = fresh_database(app.backend).await else { return };
        let rate_limits = RateLimits { anonymous_points: 10, ..RateLimits::OFF };
        let start = || App::build(Config {
            limits: Limits { rate_limits, ..Limits::default() },
            ..Config::new(url.clone(), "127.0.0.1:0".parse().expect("addr"))
        });
        let (first, second) = tokio::join!(start(), start());
        let first = TestApp::adopt(first.expect("the first starts"), url.clone(), app.backend);
        let second = TestApp::adopt(second.expect("the second starts"), url.clone(), app.backend);
        for table in ["operations", "sources", "organizations", "districts", "citations"] {
            let count = format!("SELECT COUNT(*) FROM {table}");
            assert_eq!(first.scalar(&count).await, app.scalar(&count).await, "{table}: seeded once");
        }

        // Thirty queries at once, half through each instance, on a budget of ten points:
        // ten are answered, twenty refused; the budget is never overspent.
        let query = json!({ "query": "{ districts(first: 2) { totalCount } }" }).to_string();
        let sends = (0..30).map(|i| {
            let (target, query) = (if i % 2 == 0 { &first } else { &second }, query.clone());
            async move {
                let request = axum::http::Request::post("/graphql")
                    .header(axum::http::header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from(query))
                    .expect("request");
                target.send(request).await.0
            }
        });
        let statuses = join_all(sends).await;
        let answered = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!((answered, refused), (10, 20), "{statuses:?}");
    }
}
