//! What operators see: `/metrics` (checked with Prometheus' own `promtool`), the request id
//! every answer carries and internal errors quote, and the one log line per request of a
//! real server process.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::both;

/// Prometheus' `promtool`: `$PROMTOOL`, or on the `PATH`. CI fetches it (`.ci/run`); a run
/// elsewhere without it skips the check, CI fails.
fn promtool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PROMTOOL") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("promtool"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs promtool: set PROMTOOL"
        );
        eprintln!("skipping the promtool check: no promtool (set PROMTOOL)");
    }
    found
}

/// The value of the sample written exactly as `series` (name and labels), if there is one.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().ok()).flatten()
    })
}

both! {
    async fn metrics_count_requests_operations_statements_and_the_pool(app: TestApp) {
        app.data("query Districts { districts(first: 2) { edges { node { name } } } }", json!({})).await;
        let codes = app.error_codes("query Broken { nothingHere }", json!({})).await;
        assert_eq!(codes, ["GRAPHQL_VALIDATION_FAILED"]);
        app.data("{ __typename }", json!({})).await;
        let (status, content_type, body) = app.get_text("/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
        let scrape = body.expect("a whole body");

        let at = |series: &str| sample(&scrape, series).unwrap_or_else(|| panic!("no {series} in\n{scrape}"));
        assert_eq!(at(r#"ctgraph_graphql_operations_total{operation="Districts",outcome="OK"}"#), 1.0);
        assert_eq!(at(r#"ctgraph_graphql_operations_total{operation="Broken",outcome="GRAPHQL_VALIDATION_FAILED"}"#), 1.0);
        assert_eq!(at(r#"ctgraph_graphql_operations_total{operation="(anonymous)",outcome="OK"}"#), 1.0);
        assert_eq!(at(r#"ctgraph_http_requests_total{route="/graphql",status="200"}"#), 3.0);
        assert_eq!(at("ctgraph_http_request_duration_seconds_count{route=\"/graphql\"}"), 3.0);
        // The scrape reads the histograms before its own request ends: three requests.
        assert_eq!(at("ctgraph_request_sql_statements_count"), 3.0);
        let statements = at("ctgraph_request_sql_statements_sum");
        assert!(statements >= 1.0, "the districts query ran SQL: {statements}");
        assert!(at("ctgraph_sql_statements_total") >= statements);
        assert!(at("ctgraph_request_sql_duration_seconds_sum") > 0.0);
        let max = if app.db().conn().get_database_backend() == sea_orm::DbBackend::Sqlite { 4.0 } else { 16.0 };
        assert_eq!(at(r#"ctgraph_db_pool_max_connections{database="primary"}"#), max);
        let open = at(r#"ctgraph_db_pool_connections{database="primary",state="idle"}"#)
            + at(r#"ctgraph_db_pool_connections{database="primary",state="in_use"}"#);
        assert!((1.0..=max).contains(&open), "{open}");
        let version = format!(r#"version="{}"}} 1"#, env!("CARGO_PKG_VERSION"));
        assert!(scrape.lines().any(|l| l.starts_with("ctgraph_build_info{commit=") && l.ends_with(&version)), "{scrape}");
        assert!(at("process_resident_memory_bytes") > 0.0);

        if let Some(promtool) = promtool() {
            let mut child = Command::new(promtool)
                .args(["check", "metrics"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("promtool starts");
            child.stdin.take().expect("stdin").write_all(scrape.as_bytes()).expect("scrape written");
            let out = child.wait_with_output().expect("promtool ends");
            assert!(
                out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
                "promtool check metrics:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

both! {
    async fn every_answer_has_a_request_id_and_an_internal_error_quotes_it(app: TestApp) {
        let post = |id: Option<&str>, query: &str| {
            let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
            if let Some(id) = id {
                request = request.header("x-request-id", id);
            }
            request.body(Body::from(json!({ "query": query }).to_string())).expect("request")
        };
        let (_, headers, _) = app.exchange(post(None, "{ __typename }")).await;
        let made = headers.get("x-request-id").and_then(|v| v.to_str().ok()).expect("an id").to_owned();
        assert_eq!(made.len(), 32, "{made}");
        assert!(made.bytes().all(|b| b.is_ascii_hexdigit()));
        let (_, headers, _) = app.exchange(post(Some("from-the-proxy.42"), "{ __typename }")).await;
        assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("from-the-proxy.42"));
        let (_, headers, _) = app.exchange(Request::get("/health/live").body(Body::empty()).expect("request")).await;
        assert!(headers.contains_key("x-request-id"), "every route, not only /graphql");

        // A table gone from under the server: the error is internal, and names the request.
        app.execute("ALTER TABLE sources RENAME TO sources_gone").await;
        let (_, headers, text) = app.exchange(post(Some("broken-1"), "{ sources(first: 1) { edges { node { title } } } }")).await;
        let body: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["requestId"], "broken-1", "{body}");
        assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("broken-1"));
        assert!(!text.contains("sources_gone") && !text.contains("no such table"), "the cause stays in the log: {text}");
        app.execute("ALTER TABLE sources_gone RENAME TO sources").await;
    }
}

/// A real server process logging JSON: one line per request, with the request id, the trace
/// id of `traceparent`, the operation, the statements and the client; no colour codes.
#[test]
fn a_served_request_is_one_json_line_with_its_ids() {
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/log.db?mode=rwc", dir.display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_ctgraph"));
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--database-url",
            &url,
        ])
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped());
    let (mut server, address) = served(command);
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let body = r#"{"query":"query Ping { districts(first: 1) { totalCount } }"}"#;
    let mut stream = TcpStream::connect(&address).expect("connects");
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         traceparent: 00-{trace}-00f067aa0ba902b7-01\r\nX-Request-Id: cli-line-1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    server.kill().expect("server stopped");
    let out = server.wait_with_output().expect("server ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes into a pipe: {stderr}"
    );
    let lines: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["target"] == "ctgraph::request")
        .collect();
    assert_eq!(lines.len(), 1, "one line for one request: {stderr}");
    let fields = &lines[0]["fields"];
    assert_eq!(lines[0]["level"], "INFO");
    assert_eq!(fields["request_id"], "cli-line-1");
    assert_eq!(fields["trace_id"], trace);
    assert_eq!(fields["route"], "/graphql");
    assert_eq!(fields["status"], 200);
    assert_eq!(fields["operations"], "Ping:OK");
    assert_eq!(fields["client"], "127.0.0.1");
    assert!(
        fields["statements"].as_u64().is_some_and(|n| n >= 1),
        "{fields}"
    );
    assert!(
        fields["duration_ms"].as_f64().is_some_and(|ms| ms > 0.0),
        "{fields}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Starts `command` (a `ctgraph serve` on port 0) and returns it with the address its first
/// line says it serves on.
fn served(mut command: Command) -> (std::process::Child, String) {
    let mut server = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("ctgraph starts");
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the serving line");
    let address = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an address")
        .to_owned();
    (server, address)
}

/// A fresh directory under the system's temporary one.
fn tempfile_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("ctgraph-log-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// A served process takes its limits from flags and, without a flag, from the environment.
#[test]
fn limits_come_from_flags_and_the_environment() {
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/limits.db?mode=rwc", dir.display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_ctgraph"));
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-batch",
            "1",
            "--database-url",
            &url,
        ])
        .env("CTGRAPH_MAX_DEPTH", "3")
        .stderr(Stdio::null());
    let (mut server, address) = served(command);
    let post = |body: &str| -> Value {
        let mut stream = TcpStream::connect(&address).expect("connects");
        write!(
            stream,
            "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("request sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response read");
        let (_, json) = response.split_once("\r\n\r\n").expect("a body");
        serde_json::from_str(json).expect("JSON")
    };
    let shallow = r#"{"query":"{ districts(first: 1) { totalCount } }"}"#;
    assert!(post(shallow)["errors"].is_null(), "depth 3 is allowed");
    let deep = r#"{"query":"{ districts(first: 1) { edges { node { province { name } } } } }"}"#;
    let refused = post(deep);
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{refused}"
    );
    let batch = post(&format!("[{shallow}, {shallow}]"));
    assert_eq!(
        batch["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{batch}"
    );
    assert!(
        batch["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 1")),
        "{batch}"
    );
    server.kill().expect("server stopped");
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(dir);
}

/// The server's configuration, printed for debugging, keeps the databases' passwords out.
#[test]
fn a_printed_configuration_holds_no_password() {
    let config = ctgraph::app::Config {
        replicas: ctgraph::db::ReplicaArgs {
            urls: vec!["postgres://ctgraph:swordfish@replica.internal/ctgraph".to_owned()],
            max_lag_secs: 5,
        },
        ..ctgraph::app::Config::new(
            "postgres://ctgraph:hunter2@db.internal/ctgraph".to_owned(),
            "127.0.0.1:0".parse().expect("an address"),
        )
    };
    let printed = format!("{config:?}");
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(!printed.contains("swordfish"), "{printed}");
    assert!(
        printed.contains("postgres://ctgraph:***@replica.internal/ctgraph"),
        "{printed}"
    );
    assert!(
        printed.contains("postgres://ctgraph:***@db.internal/ctgraph"),
        "{printed}"
    );
}
