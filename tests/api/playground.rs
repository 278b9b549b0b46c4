//! The GraphiQL playground works with no internet: its assets are served by ctgraph, and a
//! real browser that cannot resolve any other host renders it.

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ctgraph::app::{App, Config};

use crate::helpers::{Backend, both, fresh_database};

both! {
    async fn playground_assets_are_served_compressed(app: TestApp) {
        let request = Request::get("/graphiql").body(Body::empty()).expect("request");
        let response = tower::ServiceExt::oneshot(app.app.router(), request).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        for asset in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
            let request = Request::get(format!("/graphiql/assets/3.8.3/{asset}")).body(Body::empty()).expect("request");
            let response = tower::ServiceExt::oneshot(app.app.router(), request).await.expect("response");
            assert_eq!(response.status(), StatusCode::OK, "{asset}");
            assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        }
        let request = Request::get("/graphiql/assets/0.0.1/graphiql.min.js").body(Body::empty()).expect("request");
        let response = tower::ServiceExt::oneshot(app.app.router(), request).await.expect("response");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}

pub(crate) fn chromium() -> Option<String> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if std::path::Path::new(&path).exists() {
        return Some(path);
    }
    assert!(
        !ci,
        "CI=true but no Chromium at {path}: .ci/run installs it"
    );
    crate::helpers::skip(&format!(
        "browser test: no Chromium at {path} (apt-get install chromium, or set CHROMIUM)"
    ));
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_renders_in_a_browser_with_no_internet() {
    let Some(browser) = chromium() else { return };
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let config = Config::new(url.clone(), "127.0.0.1:0".parse().expect("addr"));
    let app = App::build(config).await.expect("app starts");
    let addr = app.local_addr().expect("addr");
    let server = tokio::spawn(app.run_until_stopped());

    let profile = std::env::temp_dir().join(format!("ctgraph-chromium-{}", std::process::id()));
    let page = format!("http://{addr}/graphiql");
    let profile_dir = profile.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                // No host but this one resolves: anything fetched from the internet would fail.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=10000",
            ])
            .arg(format!("--user-data-dir={}", profile_dir.display()))
            .args(["--dump-dom", &page])
            .output()
    })
    .await
    .expect("join")
    .expect("chromium runs");
    server.abort();
    let _ = std::fs::remove_dir_all(&profile);
    let _ = std::fs::remove_file(
        url.trim_start_matches("sqlite://")
            .trim_end_matches("?mode=rwc"),
    );

    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("graphiql-container"),
        "GraphiQL did not render:\n{dom}"
    );
    assert!(
        !dom.contains("Loading the playground"),
        "the page never left its placeholder"
    );
    assert!(
        dom.contains("Dera Ismail Khan"),
        "the example query is not in the editor"
    );
}
