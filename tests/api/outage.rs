//! A database outage while serving: requests get `DATABASE_UNAVAILABLE` and `/health` says
//! 503, never a panic or a 500, and service resumes when the database is back. The outage is
//! real: the app talks to PostgreSQL through a TCP proxy of the test's own, which the test
//! cuts and restores.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ctgraph::app::{App, Config};
use ctgraph::graphql::limits::Limits;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{Backend, TestApp, fresh_database};

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

    let config = Config {
        database_url: via_proxy,
        listen: "127.0.0.1:0".parse().expect("addr"),
        limits: Limits::default(),
        cors_origins: Vec::new(),
    };
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

    // When the database is back, so is the service, without a restart.
    proxy.restore();
    let data = test.data("{ countries { totalCount } }", json!({})).await;
    assert_eq!(data["countries"]["totalCount"], 2);
    assert_eq!(health(&test).await.0, StatusCode::OK);
}

async fn health(test: &TestApp) -> (StatusCode, serde_json::Value) {
    let request = Request::get("/health")
        .body(Body::empty())
        .expect("request");
    test.send(request).await
}
