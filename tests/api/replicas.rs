//! Read replicas for real: a PostgreSQL primary and a streaming standby of its own, made in
//! a temporary directory on free ports with Debian's PostgreSQL programs (`initdb`,
//! `pg_basebackup -R`, `pg_ctl`), never the machine's shared server. Queries read from the
//! replica, writes and the reads that present a write's position from the primary, and a
//! replica that lags or stops is skipped until it recovers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ctgraph::app::{App, Config};
use ctgraph::db::ReplicaArgs;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::curation::editor;
use crate::helpers::{Backend, TestApp, fresh_database, skip};

/// A primary and one streaming replica, stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    primary: u16,
    replica: u16,
}

impl Cluster {
    /// Makes and starts the two servers, or `None` (a skip) where PostgreSQL's programs are
    /// missing; with `CI=true` that fails the test instead.
    fn start() -> Option<Self> {
        let Some(bin) = postgres_bin() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but no PostgreSQL programs under /usr/lib/postgresql/*/bin"
            );
            skip("replica tests: no initdb under /usr/lib/postgresql/*/bin");
            return None;
        };
        let (primary, replica) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!("ctgraph-replicas-{primary}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let cluster = Self {
            bin,
            primary,
            replica,
            dir,
        };
        if as_root() {
            // PostgreSQL refuses to run as root: the servers run as `postgres`.
            cluster.run(Command::new("chown").arg("postgres:").arg(&cluster.dir));
        }
        let primary = cluster.dir.join("primary");
        cluster.run(
            cluster
                .program("initdb")
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "-D"])
                .arg(&primary),
        );
        cluster.server(&primary, cluster.primary, "start");
        cluster.run(
            cluster
                .program("pg_basebackup")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ])
                .args(["-p", &cluster.primary.to_string(), "-D"])
                .arg(cluster.dir.join("replica")),
        );
        cluster.start_replica();
        Some(cluster)
    }

    fn url(port: u16) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }

    fn start_replica(&self) {
        self.server(&self.dir.join("replica"), self.replica, "start");
    }

    /// Stops the replica at once, as a crash would.
    fn kill_replica(&self) {
        self.server(&self.dir.join("replica"), self.replica, "stop");
    }

    /// `pg_ctl start` (waiting until it accepts connections) or `stop -m immediate`.
    fn server(&self, data: &Path, port: u16, action: &str) {
        let mut command = self.program("pg_ctl");
        command.arg("-D").arg(data).args(["-w", "-t", "30"]);
        if action == "start" {
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                self.dir.display()
            );
            command
                .args(["-o", &options, "-l"])
                .arg(data.with_extension("log"))
                .arg("start");
        } else {
            command.args(["-m", "immediate", "stop"]);
        }
        self.run(&mut command);
    }

    /// The PostgreSQL program `name`, run as `postgres` when the test runs as root.
    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run(&self, command: &mut Command) {
        let output = command.output().expect("the program runs");
        assert!(
            output.status.success(),
            "{command:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for name in ["replica", "primary"] {
            let mut command = self.program("pg_ctl");
            command
                .arg("-D")
                .arg(self.dir.join(name))
                .args(["-m", "immediate", "stop"]);
            let _ = command.output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest PostgreSQL's programs Debian installed.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// An app on the cluster's primary reading from `replicas`, lagging at most `max_lag_secs`.
async fn app_on(cluster: &Cluster, replicas: Vec<String>, max_lag_secs: u64) -> TestApp {
    let url = Cluster::url(cluster.primary);
    let config = Config {
        replicas: ReplicaArgs {
            urls: replicas,
            max_lag_secs,
        },
        ..Config::new(url.clone(), "127.0.0.1:0".parse().expect("addr"))
    };
    let app = App::build(config).await.expect("the app starts");
    TestApp::adopt(app, url, Backend::Postgres)
}

/// `/health/ready`'s state of the first replica, once it is `status` (within 20 s).
async fn replica_becomes(app: &TestApp, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (code, _, body) = app.get_text("/health/ready").await;
        let body: Value = serde_json::from_str(&body.expect("a body")).expect("JSON");
        assert_eq!(code, StatusCode::OK, "{body}");
        let replica = body["replicas"][0].clone();
        if replica["status"] == status {
            return replica;
        }
        assert!(
            Instant::now() < deadline,
            "the replica is not {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The app's `/metrics`, as text.
async fn scrape(app: &TestApp) -> String {
    let (_, _, metrics) = app.get_text("/metrics").await;
    metrics.expect("metrics")
}

/// POSTs `body` (one request or a batch) with the editor `key` and the headers given.
async fn post(
    app: &TestApp,
    key: &str,
    headers: &[(&str, &str)],
    body: Value,
) -> (StatusCode, Value) {
    let mut request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(Body::from(body.to_string())).expect("request"))
        .await
}

const TITLE: &str = "query($id: ID!) { node(id: $id) { ... on Operation { title } } }";

const RETITLE: &str = "mutation($id: ID!, $title: String!, $cite: [CitationInput!]!) {
  updateOperation(input: { id: $id, title: $title, citations: $cite }) {
    operation { title } userErrors { code }
  }
}";

/// The operation's title as a read with `headers` finds it; the read must succeed.
async fn title(app: &TestApp, key: &str, id: &str, headers: &[(&str, &str)]) -> String {
    let (status, body) = post(
        app,
        key,
        headers,
        json!({ "query": TITLE, "variables": { "id": id } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["node"]["title"]
        .as_str()
        .unwrap_or_else(|| panic!("a title: {body}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_a_replica_that_has_the_clients_writes_and_skip_one_that_lags_or_stops() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let app = app_on(&cluster, vec![Cluster::url(cluster.replica)], 2).await;
    // The replica serves once it has replayed the migrations and the seed.
    let state = replica_becomes(&app, "ok").await;
    assert_eq!(state["name"], "replica1");
    let key = editor(&app, "ren").await;
    let data = app
        .data(
            "{ operations(first: 1) { nodes { id title } } sources(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let cite = json!([{ "sourceId": data["sources"]["nodes"][0]["id"], "quote": "Renamed." }]);
    let id = data["operations"]["nodes"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let seeded = data["operations"]["nodes"][0]["title"]
        .as_str()
        .expect("a title")
        .to_owned();
    let _ = replica_becomes(&app, "ok").await;

    // The replica stops replaying: what the primary writes now, it does not have.
    let replica = Database::connect(Cluster::url(cluster.replica))
        .await
        .expect("the replica");
    replica
        .execute_unprepared("SELECT pg_wal_replay_pause()")
        .await
        .expect("replay pauses");
    let vars = json!({ "id": id, "title": "Retitled on the primary", "cite": cite });
    let (status, body) = post(
        &app,
        &key,
        &[],
        json!({ "query": RETITLE, "variables": vars }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["updateOperation"]["userErrors"],
        json!([]),
        "{body}"
    );
    let position = body["extensions"]["position"]
        .as_str()
        .unwrap_or_else(|| panic!("a mutation's answer carries the primary's position: {body}"))
        .to_owned();

    // A plain read goes to the replica (within its lag), which has not replayed the write;
    // a read that presents the write's position reads it, from the primary.
    assert_eq!(
        title(&app, &key, &id, &[]).await,
        seeded,
        "read from the replica"
    );
    let after = [("Ctgraph-Read-After", position.as_str())];
    assert_eq!(
        title(&app, &key, &id, &after).await,
        "Retitled on the primary"
    );
    // A position past anything written (forged, or from another cluster) reads from the
    // primary too; one that is no position is refused with a code.
    let forged = [("Ctgraph-Read-After", "FFFFFFFF/0")];
    assert_eq!(
        title(&app, &key, &id, &forged).await,
        "Retitled on the primary"
    );
    let (status, body) = post(
        &app,
        &key,
        &[("Ctgraph-Read-After", "yesterday")],
        json!({ "query": TITLE, "variables": { "id": id } }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Ctgraph-Read-After")),
        "{body}"
    );
    // In a batch, the reads after a mutation read what it wrote.
    let batch = json!([
        { "query": RETITLE, "variables": { "id": id, "title": "Retitled in a batch", "cite": cite } },
        { "query": TITLE, "variables": { "id": id } },
    ]);
    let (status, body) = post(&app, &key, &[], batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body[1]["data"]["node"]["title"], "Retitled in a batch",
        "{body}"
    );

    // Past the limit of lag, the replica is skipped: plain reads see the write.
    let state = replica_becomes(&app, "lagging").await;
    assert!(
        state["lagSeconds"].as_f64().is_some_and(|lag| lag > 2.0),
        "{state}"
    );
    assert_eq!(title(&app, &key, &id, &[]).await, "Retitled in a batch");
    let metrics = scrape(&app).await;
    assert!(
        metrics.contains("ctgraph_replica_serving{database=\"replica1\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ctgraph_db_pool_max_connections{database=\"replica1\"}"),
        "{metrics}"
    );

    // Replaying again, it catches up and serves.
    replica
        .execute_unprepared("SELECT pg_wal_replay_resume()")
        .await
        .expect("replay resumes");
    let state = replica_becomes(&app, "ok").await;
    assert_eq!(state["lagSeconds"], 0.0, "{state}");
    let metrics = scrape(&app).await;
    assert!(
        metrics.contains("ctgraph_replica_serving{database=\"replica1\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("ctgraph_replica_lag_seconds{database=\"replica1\"} 0"),
        "{metrics}"
    );
    assert_eq!(title(&app, &key, &id, &[]).await, "Retitled in a batch");
    drop(replica);

    // Stopped mid-run: the reads it fails are answered by the primary, and it is skipped.
    cluster.kill_replica();
    for _ in 0..10 {
        assert_eq!(title(&app, &key, &id, &[]).await, "Retitled in a batch");
    }
    let state = replica_becomes(&app, "down").await;
    assert!(
        state["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{state}"
    );
    // Back again, it serves again.
    cluster.start_replica();
    let _ = replica_becomes(&app, "ok").await;
    assert_eq!(title(&app, &key, &id, &[]).await, "Retitled in a batch");

    // A replica that does not answer at start-up: a warning, and the primary serves.
    let unanswered = format!("postgres://postgres@127.0.0.1:{}/postgres", free_port());
    let second = app_on(&cluster, vec![unanswered], 2).await;
    let state = replica_becomes(&second, "down").await;
    assert_eq!(state["name"], "replica1");
    assert_eq!(title(&second, &key, &id, &[]).await, "Retitled in a batch");
}

#[tokio::test]
async fn replica_urls_are_checked_at_start_up() {
    let Some(sqlite) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let with = |primary: &str, replica: &str| Config {
        replicas: ReplicaArgs {
            urls: vec![replica.to_owned()],
            max_lag_secs: 5,
        },
        ..Config::new(primary, "127.0.0.1:0".parse().expect("addr"))
    };
    let refused = App::build(with(&sqlite, "postgres://postgres@127.0.0.1:1/x"))
        .await
        .err()
        .expect("SQLite has no replicas");
    assert!(
        refused.to_string().contains("needs a PostgreSQL primary"),
        "{refused}"
    );
    let Some(postgres) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let refused = App::build(with(&postgres, "mysql://me:secret@db/x"))
        .await
        .err()
        .expect("only PostgreSQL replicas");
    let message = refused.to_string();
    assert!(message.contains("is not a PostgreSQL URL"), "{message}");
    assert!(
        !message.contains("secret"),
        "the password is shown: {message}"
    );
}
