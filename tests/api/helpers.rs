//! Starting the app for a test: a fresh database per test (a temporary SQLite file, or a
//! new PostgreSQL database under `TEST_DATABASE_URL`), and sending GraphQL to the router.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ctgraph::app::{App, Config};
use ctgraph::db::Db;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Says why a test is skipped, once per reason, on the real stderr: libtest captures
/// `eprintln!` of passing tests, and a skip nobody sees is a silent pass.
pub(crate) fn skip(reason: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !said.iter().any(|r| r == reason) {
        let _ = writeln!(std::io::stderr(), "skipped: {reason}");
        said.push(reason.to_owned());
    }
}

/// A name no other test, this run or an earlier one cut short, has used: the process id
/// alone repeats across runs, and a killed run leaves its databases behind.
fn unique_name() -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!(
        "ctgraph_test_{}_{started}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Where the test databases live on PostgreSQL, or why there are none. With `CI=true` a
/// missing or unreachable server fails the test instead of skipping it.
async fn postgres_server() -> Option<String> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            !ci,
            "CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests cannot run"
        );
        skip(
            "PostgreSQL tests: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)",
        );
        return None;
    };
    if let Err(e) = Database::connect(&url).await {
        assert!(
            !ci,
            "CI=true but PostgreSQL at TEST_DATABASE_URL is unreachable: {e}"
        );
        skip(&format!("PostgreSQL tests: {e}"));
        return None;
    }
    Some(url)
}

/// A database URL of its own for one test, or `None` when the backend is unavailable.
pub(crate) async fn fresh_database(backend: Backend) -> Option<String> {
    let name = unique_name();
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            Some(format!("sqlite://{}?mode=rwc", path.display()))
        }
        Backend::Postgres => {
            let server = postgres_server().await?;
            let admin = Database::connect(&server)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let base = server
                .rsplit_once('/')
                .map_or(server.as_str(), |(base, _)| base);
            Some(format!("{base}/{name}"))
        }
    }
}

/// A running app on a fresh, seeded database, dropped again when the test ends.
pub(crate) struct TestApp {
    pub(crate) app: App,
    pub(crate) url: String,
    pub(crate) backend: Backend,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let url = self.url.clone();
        match self.backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_end_matches("?mode=rwc")
                    .to_owned();
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            Backend::Postgres => {
                // Drop from a thread of its own: Drop cannot await, and the test's runtime is ending.
                let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
                    return;
                };
                let Some((_, name)) = url.rsplit_once('/') else {
                    return;
                };
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let admin = Database::connect(&server).await.ok()?;
                        admin.execute_unprepared(&sql).await.ok()
                    })
                })
                .join();
            }
        }
    }
}

impl TestApp {
    /// Starts the app (migrated and seeded) on a fresh database, or `None` when skipped.
    pub(crate) async fn start(backend: Backend) -> Option<Self> {
        let url = fresh_database(backend).await?;
        let config = Config::new(url.clone(), "127.0.0.1:0".parse().ok()?);
        let app = App::build(config).await.expect("app starts");
        Some(Self { app, url, backend })
    }

    /// Takes charge of an app started by the test itself on `url`.
    pub(crate) fn adopt(app: App, url: String, backend: Backend) -> Self {
        Self { app, url, backend }
    }

    pub(crate) fn db(&self) -> &Db {
        self.app.db()
    }

    /// Sends a raw HTTP request to the router.
    pub(crate) async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self
            .app
            .router()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, body)
    }

    /// GETs `uri` and returns the status, the `Content-Type` and the body as text, or the
    /// error that broke the body off.
    pub(crate) async fn get_text(&self, uri: &str) -> (StatusCode, String, Result<String, String>) {
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let response = self
            .app
            .router()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = match response.into_body().collect().await {
            Ok(body) => Ok(String::from_utf8_lossy(&body.to_bytes()).into_owned()),
            Err(e) => Err(e.to_string()),
        };
        (status, content_type, body)
    }

    /// Sends `request` to the router and returns the status, the headers and the body as text.
    pub(crate) async fn exchange(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = self
            .app
            .router()
            .oneshot(request)
            .await
            .expect("router answers");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        let text = String::from_utf8(bytes.to_vec()).expect("a UTF-8 body");
        (parts.status, parts.headers, text)
    }

    /// POSTs a GraphQL document and returns the body as text, to check its order byte for byte.
    pub(crate) async fn graphql_text(&self, query: &str) -> String {
        let body = json!({ "query": query }).to_string();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        let (status, _, text) = self.exchange(request).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        text
    }

    /// POSTs a GraphQL document with variables and returns the whole response.
    pub(crate) async fn graphql(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        let (status, body) = self.send(request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Runs a query that must succeed and returns its `data`.
    pub(crate) async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Runs a query and returns the statements it ran with its data.
    pub(crate) async fn counted(&self, query: &str, variables: Value) -> (u64, Value) {
        let before = self.db().statements();
        let data = self.data(query, variables).await;
        (self.db().statements() - before, data)
    }

    /// The `extensions.code` of each error of a query that must fail.
    pub(crate) async fn error_codes(&self, query: &str, variables: Value) -> Vec<String> {
        let response = self.graphql(query, variables).await;
        let errors = response["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected errors: {response:#}"));
        errors
            .iter()
            .map(|e| {
                e["extensions"]["code"]
                    .as_str()
                    .unwrap_or("<none>")
                    .to_owned()
            })
            .collect()
    }

    /// Runs SQL (test fixtures only).
    pub(crate) async fn execute(&self, sql: &str) {
        self.db()
            .conn()
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A single number from SQL.
    pub(crate) async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .db()
            .conn()
            .query_one_raw(sea_orm::Statement::from_string(
                self.db().conn().get_database_backend(),
                sql,
            ))
            .await;
        row.expect("query")
            .expect("a row")
            .try_get_by_index::<i64>(0)
            .expect("an integer")
    }

    /// Pairs of integers from SQL, rows with a null left out.
    pub(crate) async fn pairs(&self, sql: &str) -> Vec<(i32, i32)> {
        let rows = self
            .db()
            .conn()
            .query_all_raw(sea_orm::Statement::from_string(
                self.db().conn().get_database_backend(),
                sql,
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.iter()
            .filter_map(|r| {
                let a = r.try_get_by_index::<Option<i32>>(0).ok().flatten()?;
                let b = r.try_get_by_index::<Option<i32>>(1).ok().flatten()?;
                Some((a, b))
            })
            .collect()
    }

    /// The global id of the row of `table` whose `column` is `value`.
    pub(crate) async fn id_of(
        &self,
        kind: ctgraph::graphql::ids::NodeKind,
        table: &str,
        column: &str,
        value: &str,
    ) -> String {
        let id = self
            .scalar(&format!(
                "SELECT CAST(id AS BIGINT) FROM {table} WHERE {column} = '{value}'"
            ))
            .await;
        kind.id(i32::try_from(id).expect("id fits")).to_string()
    }
}

/// Runs an async test body once on SQLite and once on PostgreSQL.
macro_rules! both {
    ($(#[$meta:meta])* async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::helpers::TestApp::start($crate::helpers::Backend::Sqlite).await {
                    run(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::start($crate::helpers::Backend::Postgres).await {
                    run(app).await;
                }
            }
        }
    };
}
pub(crate) use both;
