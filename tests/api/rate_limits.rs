//! Rate limits by cost: each operation is charged its points, the answer says what is left
//! (`extensions.rateLimit`, `RateLimit-*` headers), a spent budget is `429 RATE_LIMITED` with
//! the wait, keys have budgets of their own, and two instances on one database share them.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ctgraph::app::{App, Config};
use ctgraph::auth::{self, Role};
use ctgraph::graphql::limits::Limits;
use ctgraph::rate_limit::RateLimits;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, fresh_database};

/// An app on `url` whose addresses may spend 10 points an hour and keys 20.
async fn limited(url: &str) -> App {
    let rate_limits = RateLimits {
        key_points: 20,
        anonymous_points: 10,
        ..RateLimits::OFF
    };
    budgeted(url, rate_limits).await
}

/// An app on `url` under `rate_limits`.
async fn budgeted(url: &str, rate_limits: RateLimits) -> App {
    let limits = Limits {
        rate_limits,
        ..Limits::default()
    };
    App::build(Config {
        limits,
        ..Config::new(url.to_owned(), "127.0.0.1:0".parse().expect("addr"))
    })
    .await
    .expect("app starts")
}

/// POSTs `query` to `app` (with `key`), returning the status, headers and body.
async fn post(app: &TestApp, query: &str, key: Option<&str>) -> (StatusCode, HeaderMap, Value) {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let request = request
        .body(Body::from(json!({ "query": query }).to_string()))
        .expect("request");
    let (status, headers, text) = app.exchange(request).await;
    (status, headers, serde_json::from_str(&text).expect("JSON"))
}

fn header_number(headers: &HeaderMap, name: &str) -> u64 {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

const CHEAP: &str = "{ districts(first: 2) { totalCount } }";

#[tokio::test]
async fn budgets_are_charged_by_cost_refused_with_the_wait_and_shared_by_instances() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(url) = fresh_database(backend).await else {
            continue;
        };
        let app = TestApp::adopt(limited(&url).await, url.clone(), backend);

        let (status, headers, body) = post(&app, CHEAP, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rate = &body["extensions"]["rateLimit"];
        assert_eq!(
            (
                rate["cost"].as_u64(),
                rate["limit"].as_u64(),
                rate["remaining"].as_u64()
            ),
            (Some(1), Some(10), Some(9)),
            "{body}"
        );
        assert_eq!(header_number(&headers, "ratelimit-limit"), 10);
        assert_eq!(header_number(&headers, "ratelimit-remaining"), 9);
        let reset = header_number(&headers, "ratelimit-reset");
        assert!((1..=3600).contains(&reset), "{reset}");
        assert_eq!(rate["resetIn"].as_u64(), Some(reset));

        // A query asking for more rows costs more: one point per 10,000 of complexity.
        let big = "{ districts(first: 100) { edges { node { name operations(first: 100) { edges { node { title } } } } } } }";
        let (status, _, body) = post(&app, big, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let cost = body["extensions"]["rateLimit"]["cost"]
            .as_u64()
            .expect("a cost");
        assert!((2..=9).contains(&cost), "{body}");
        let mut remaining = body["extensions"]["rateLimit"]["remaining"]
            .as_u64()
            .expect("remaining");
        assert_eq!(remaining, 9 - cost, "{body}");

        // Spend the rest, then the next is refused: 429, the code, the wait; nothing charged.
        while remaining > 0 {
            let (status, _, body) = post(&app, CHEAP, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            remaining = body["extensions"]["rateLimit"]["remaining"]
                .as_u64()
                .expect("remaining");
        }
        let (status, headers, body) = post(&app, CHEAP, None).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(body.get("data").is_none(), "{body}");
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "RATE_LIMITED");
        let wait = error["extensions"]["retryAfter"]
            .as_u64()
            .expect("retryAfter");
        assert_eq!(header_number(&headers, "retry-after"), wait);
        assert_eq!(header_number(&headers, "ratelimit-remaining"), 0);
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("resets in")),
            "{error}"
        );

        // A key has a budget of its own.
        let key = auth::create(app.db().conn(), "budgeted", Role::Editor)
            .await
            .expect("key");
        let (status, _, body) = post(&app, CHEAP, Some(&key)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["extensions"]["rateLimit"]["limit"], 20);
        assert_eq!(body["extensions"]["rateLimit"]["remaining"], 19);
        // One operation that costs more than the whole budget is refused as such.
        let huge = "{ districts(first: 100) { edges { node { operations(first: 100) { edges { node { title militants(first: 30) { edges { node { name } } } } } } } } } }";
        let (status, _, body) = post(&app, huge, Some(&key)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("more than the 20")),
            "{body}"
        );

        // A second instance on the same database sees the same budgets.
        let second = TestApp::adopt(limited(&url).await, String::new(), backend);
        let (status, _, body) = post(&second, CHEAP, None).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        let (_, _, body) = post(&second, CHEAP, Some(&key)).await;
        assert_eq!(body["extensions"]["rateLimit"]["remaining"], 18, "{body}");
        drop(second);
    }
}

/// A new window starts the count again, when the refusal said it would.
#[tokio::test]
async fn a_budget_comes_back_when_its_window_resets() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let rate_limits = RateLimits {
        anonymous_points: 1,
        window_secs: 2,
        ..RateLimits::OFF
    };
    let app = TestApp::adopt(budgeted(&url, rate_limits).await, url, Backend::Sqlite);
    // The first refusal, however the requests fall across windows.
    let wait = loop {
        let (status, headers, _) = post(&app, CHEAP, None).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            break header_number(&headers, "retry-after");
        }
    };
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let (status, _, body) = post(&app, CHEAP, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["extensions"]["rateLimit"]["remaining"], 0, "{body}");
}
