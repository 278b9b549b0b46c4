//! The clients front-end developers use, run against a real server over a real socket:
//! graphql-http's audit of the GraphQL-over-HTTP spec, relay-compiler on a Relay example,
//! graphql-js's OverlappingFieldsCanBeMerged rule over every union of the schema, and a page
//! of another origin in headless Chromium calling the API with the headers clients add.
//! They live in `clients/` (npm); without its `node_modules` the tests are skipped, and with
//! `CI=true` they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ctgraph::app::{App, Config};

use crate::helpers::{Backend, fresh_database, skip};

/// The project's npm folder `name` (`clients`, `ui`), when its packages are installed.
pub(crate) fn installed(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    if dir.join("node_modules").is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !ci,
        "CI=true but {name}/node_modules is missing: .ci/run installs it"
    );
    skip(&format!(
        "{name} tests: run `npm ci` in {name}/ (needs Node.js 20)"
    ));
    None
}

fn clients() -> Option<PathBuf> {
    installed("clients")
}

/// A server on a free port of a fresh seeded SQLite database, until the guard drops.
pub(crate) struct Served {
    /// Where its GraphQL endpoint is.
    pub(crate) url: String,
    database: String,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Served {
    pub(crate) async fn start() -> Option<Self> {
        let database = fresh_database(Backend::Sqlite).await?;
        let config = Config::new(database.clone(), "127.0.0.1:0".parse().ok()?);
        let app = App::build(config).await.expect("app starts");
        let addr = app.local_addr().expect("addr");
        let task = tokio::spawn(app.run_until_stopped());
        Some(Self {
            url: format!("http://{addr}/graphql"),
            database,
            task,
        })
    }
}

impl Served {
    /// An editor key of the served database, for clients that write or send one.
    pub(crate) async fn key(&self, name: &str) -> String {
        let db = ctgraph::db::Db::connect(&self.database)
            .await
            .expect("database");
        let key = ctgraph::auth::create(db.conn(), name, ctgraph::auth::Role::Editor)
            .await
            .expect("key");
        db.close().await.expect("closes");
        key
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
        let path = self
            .database
            .trim_start_matches("sqlite://")
            .trim_end_matches("?mode=rwc");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}

/// Runs `program` with `args` in `dir` off the runtime's threads, so the server keeps serving.
pub(crate) async fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    let what = format!("{program} {}", args.join(" "));
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

pub(crate) fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_http_audit_passes() {
    let Some(dir) = clients() else { return };
    let Some(server) = Served::start().await else {
        return;
    };
    let out = run(
        &dir,
        "node",
        &[
            "audit/audit.mjs",
            &server.url,
            "audit/allowed-warnings.json",
        ],
    )
    .await;
    let said = said(&out);
    assert!(out.status.success(), "graphql-http's audit failed:\n{said}");
    assert!(said.contains(" 0 error"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apollo_client_curates_with_an_editor_key() {
    let Some(dir) = clients() else { return };
    let Some(server) = Served::start().await else {
        return;
    };
    let key = server.key("apollo").await;
    let out = run(&dir, "node", &["apollo/curate.mjs", &server.url, &key]).await;
    let said = said(&out);
    assert!(
        out.status.success(),
        "Apollo Client's curation failed:\n{said}"
    );
    assert_eq!(
        said.matches("\nok ").count() + usize::from(said.starts_with("ok ")),
        5,
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_compiles_its_example_against_the_schema() {
    let Some(dir) = clients() else { return };
    let compiler = dir.join("node_modules/.bin/relay-compiler");
    let compiler = compiler.to_str().expect("a UTF-8 path");
    let out = run(&dir.join("relay"), compiler, &[]).await;
    assert!(
        out.status.success(),
        "relay-compiler failed:\n{}",
        said(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_union_can_be_selected_side_by_side_by_typed_clients() {
    let Some(dir) = clients() else { return };
    let out = run(&dir, "node", &["unions/overlap.mjs", "../schema.graphql"]).await;
    assert!(
        out.status.success(),
        "graphql-js's OverlappingFieldsCanBeMerged refuses a union:\n{}",
        said(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_another_origin_calls_the_api_with_clients_headers() {
    let Some(dir) = clients() else { return };
    let Some(browser) = crate::playground::chromium() else {
        return;
    };
    let Some(server) = Served::start().await else {
        return;
    };
    // The page sends a key, as a curation front-end does: the server refuses unknown ones.
    let key = server.key("cors page").await;
    // The page's own server, on another port: another origin.
    let mut page_server = Command::new("node")
        .args(["cors/serve.mjs", &server.url, &key])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let stdout = page_server.stdout.take().expect("stdout");
    let page = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("the page server says where it is");
    let page = page.trim().to_owned();
    let profile = std::env::temp_dir().join(format!("ctgraph-cors-{}", std::process::id()));
    let out = run(
        &dir,
        &browser,
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=10000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &page,
        ],
    )
    .await;
    let _ = page_server.kill();
    let _ = page_server.wait();
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains(r#"<pre id="result">OK {"data":{"__typename":"Query"}}</pre>"#),
        "the page at {page} could not call {}:\n{dom}",
        server.url
    );
}
