//! A database outage while serving: requests get `DATABASE_UNAVAILABLE` and `/health` says
//! 503, never a panic or a 500, and service resumes when the database is back. The outage is
//! real: the app talks to PostgreSQL through a TCP proxy of the test's own, which the test
//! cuts and restores. And a statement that runs past the serving limit is stopped by the
//! database rather than holding its connection.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ctgraph::app::{App, Config};
use ctgraph::db::Db;
use ctgraph::error::{ApiError, code};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{Backend, TestApp, both, fresh_database};

/// Forwards connections to `upstream`; while cut, drops them all and refuses new ones.
struct Proxy {
    port: u16,
    cut: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let (cut, is_cut) = watch::channel(false);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if *is_cut.borrow() {
                    continue; // dropped: the client sees its connection closed
                }
                let upstream = upstream.clone();
                // Every pipe watches the flag itself, so one accepted just as the cut comes
                // is dropped too: `wait_for` returns at once once the flag is set.
                let mut is_cut = is_cut.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = is_cut.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Self { port, cut }
    }

    /// Drops every connection and refuses new ones.
    fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Forwards connections again.
    fn restore(&self) {
        self.cut.send_replace(false);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_reported_and_recovered_from() {
    let Some(direct) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let (server, name) = direct.rsplit_once('/').expect("url has a database");
    let host = server.rsplit_once('@').map_or("127.0.0.1:5432", |(_, h)| h);
    let proxy = Proxy::start(host.to_owned()).await;
    let via_proxy = format!(
        "{}@127.0.0.1:{}/{name}",
        server
            .rsplit_once('@')
            .map_or("postgres://postgres", |(u, _)| u),
        proxy.port
    );

    let config = Config::new(via_proxy, "127.0.0.1:0".parse().expect("addr"));
    let app = App::build(config)
        .await
        .expect("app starts through the proxy");
    // Dropping the test app drops the test database.
    let test = TestApp::adopt(app, direct.clone(), Backend::Postgres);

    let data = test.data("{ countries { totalCount } }", json!({})).await;
    assert_eq!(data["countries"]["totalCount"], 2);

    proxy.cut();
    let response = test
        .graphql(
            "{ countries { totalCount } operations { nodes { title } } }",
            json!({}),
        )
        .await;
    let codes: Vec<&str> = response["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["extensions"]["code"].as_str())
        .collect();
    assert!(
        !codes.is_empty() && codes.iter().all(|c| *c == "DATABASE_UNAVAILABLE"),
        "{response:#}"
    );
    assert!(
        !response.to_string().contains("5432"),
        "connection details leaked: {response}"
    );

    let (status, body) = health(&test).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "DATABASE_UNAVAILABLE");
    // Not ready for traffic, but alive: no reason to restart the process.
    let (status, body) = health_at(&test, "/health/ready").await;
    assert_eq!(
        (status, &body["code"], &body["database"]["status"]),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            &json!("DATABASE_UNAVAILABLE"),
            &json!("unavailable")
        ),
        "{body}"
    );
    assert_eq!(health_at(&test, "/health/live").await.0, StatusCode::OK);

    // When the database is back, so is the service, without a restart.
    proxy.restore();
    let data = test.data("{ countries { totalCount } }", json!({})).await;
    assert_eq!(data["countries"]["totalCount"], 2);
    assert_eq!(health(&test).await.0, StatusCode::OK);
    assert_eq!(health_at(&test, "/health/ready").await.0, StatusCode::OK);
}

async fn health(test: &TestApp) -> (StatusCode, serde_json::Value) {
    health_at(test, "/health").await
}

pub(crate) async fn health_at(test: &TestApp, path: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::get(path).body(Body::empty()).expect("request");
    test.send(request).await
}

both! {
    /// A statement still running at the serving limit (its request has timed out and gone)
    /// is stopped by the database: more of them than the pool has connections fail with
    /// `TIMEOUT`, and the pool then answers at once. Before the limit, SQLite kept each such
    /// statement running to its end and the pool answered `DATABASE_UNAVAILABLE` meanwhile.
    async fn a_runaway_statement_is_stopped_at_the_limit(app: TestApp) {
        let db = Db::connect_serving(&app.url, Default::default(), Duration::from_millis(300))
            .await
            .expect("connect");
        let backend = db.conn().get_database_backend();
        // Counts without end: only the limit stops it.
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT COUNT(*) FROM n";
        let runs = (0..20).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                db.conn()
                    .query_one_raw(Statement::from_string(backend, endless))
                    .await
            })
        });
        // Generous: a failure here means a statement was never stopped.
        let results = tokio::time::timeout(Duration::from_secs(120), futures_util::future::join_all(runs))
            .await
            .expect("every runaway statement is stopped");
        for result in results {
            let err = result.expect("task").expect_err("stopped, not finished");
            assert_eq!(ApiError::from(err).code(), code::TIMEOUT);
        }
        let one = db
            .conn()
            .query_one_raw(Statement::from_string(backend, "SELECT 1 AS one"))
            .await
            .expect("the pool answers after the runaways")
            .expect("a row");
        assert_eq!(one.try_get::<i32>("", "one").expect("one"), 1);
    }
}
