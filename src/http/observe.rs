//! Watching each request: [`track`] gives it an id (echoed in `X-Request-Id`), reads the
//! trace id of its W3C `traceparent`, opens its account, and when it is answered writes one
//! `info` line (`ctgraph::request`) and its metrics. `/metrics` serves them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{AppState, request_error};
use crate::error::code;
use crate::telemetry::metrics::Metrics;
use crate::telemetry::request::Account;

/// The header a request's id comes in (when the client or a proxy gave it one) and goes
/// back out in.
pub(super) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The rate limit's state after the request's last operation, as the IETF's RateLimit
/// header fields draft names them: the budget, what is left, and seconds until it resets.
pub(super) const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub(super) const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub(super) const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// The W3C Trace Context header.
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The paths the router serves, as metrics label them; the playground's and the explorer's
/// assets are one route each, and any other path is `unmatched`, so a scan of random paths
/// adds no series.
pub(super) const ROUTES: &[&str] = &[
    "/graphql",
    "/graphiql",
    "/explore",
    "/health",
    "/health/live",
    "/health/ready",
    "/metrics",
    "/export/operations.csv",
    "/export/operations.geojson",
    "/export/attacks.csv",
    "/export/attacks.geojson",
    "/export/neighborhood.cyjs",
];

/// The route label of `path`.
fn route(path: &str) -> &'static str {
    if let Some(route) = ROUTES.iter().find(|r| **r == path) {
        return route;
    }
    if path.starts_with("/graphiql/assets/") {
        "/graphiql/assets"
    } else if path.starts_with("/explore/assets/") {
        "/explore/assets"
    } else {
        "unmatched"
    }
}

/// The client's request id when it is one a log can hold as it is (1 to 64 letters, digits,
/// `-`, `_`, `.`), else a new one: 16 random bytes in hex.
fn request_id(headers: &HeaderMap) -> String {
    let given = headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        });
    match given {
        Some(id) => id.to_owned(),
        None => {
            let mut bytes = [0u8; 16];
            // Without the OS's randomness the id is still unique enough for a log: the time.
            if getrandom::fill(&mut bytes).is_err() {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                bytes = nanos.to_be_bytes();
            }
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

/// The trace id of a valid `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`, ids not all zero);
/// a malformed one is ignored, as the W3C recommendation says.
fn trace_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(TRACEPARENT)?.to_str().ok()?.trim();
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zero = |s: &str| s.bytes().all(|b| b == b'0');
    match parts.as_slice() {
        [version, trace, parent, flags, ..]
            if hex(version, 2)
                && *version != "ff"
                && (parts.len() == 4 || *version != "00")
                && hex(trace, 32)
                && hex(parent, 16)
                && hex(flags, 2)
                && !zero(trace)
                && !zero(parent) =>
        {
            Some((*trace).to_owned())
        }
        _ => None,
    }
}

/// The middleware: an account around the request, then its line and metrics.
pub(super) async fn track(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = route(request.uri().path());
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let account = Account::new(
        request_id(request.headers()),
        trace_id(request.headers()),
        address,
    );
    let mut response = account.scope(next.run(request)).await;
    let elapsed = started.elapsed();
    if let Ok(id) = HeaderValue::from_str(account.id()) {
        response.headers_mut().insert(REQUEST_ID, id);
    }
    let summary = account.summary();
    let status = response.status();
    if let Some(charge) = summary.charge {
        let headers = response.headers_mut();
        for (name, value) in [
            (RATELIMIT_LIMIT, charge.limit),
            (RATELIMIT_REMAINING, charge.remaining),
            (RATELIMIT_RESET, charge.reset_in),
        ] {
            headers.insert(name, HeaderValue::from(value));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(charge.reset_in));
        }
    }
    metrics.request(route, status.as_u16(), elapsed, &summary);
    let operations: Vec<String> = summary
        .operations
        .iter()
        .map(|(name, outcome)| format!("{name}:{outcome}"))
        .collect();
    let client = match (&summary.key, address) {
        (Some(key), _) => format!("key:{key}"),
        (None, Some(address)) => address.to_string(),
        (None, None) => "-".to_owned(),
    };
    tracing::info!(
        target: "ctgraph::request",
        request_id = account.id(),
        trace_id = account.trace_id().unwrap_or("-"),
        method = %method,
        route,
        status = status.as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        statements = summary.statements,
        sql_ms = summary.sql.as_secs_f64() * 1000.0,
        operations = %operations.join(","),
        client = %client,
        replica = summary.replica.as_deref().unwrap_or("-"),
        "request"
    );
    response
}

/// `/metrics`: everything [`Metrics`] holds, in Prometheus' text format.
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.scrape(&state.dbs) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot encode the metrics");
            request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL,
                "internal error; it has been logged".to_owned(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).expect("a header value"));
        headers
    }

    #[test]
    fn a_valid_traceparent_gives_its_trace_id_and_others_none() {
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        let good = format!("00-{trace}-00f067aa0ba902b7-01");
        assert_eq!(
            trace_id(&headers(TRACEPARENT, &good)).as_deref(),
            Some(trace)
        );
        // A later version may add fields.
        let later = format!("01-{trace}-00f067aa0ba902b7-01-extra");
        assert_eq!(
            trace_id(&headers(TRACEPARENT, &later)).as_deref(),
            Some(trace)
        );
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert_eq!(trace_id(&headers(TRACEPARENT, bad)), None, "{bad:?}");
        }
    }

    #[test]
    fn a_sane_request_id_is_kept_and_others_replaced() {
        assert_eq!(
            request_id(&headers(REQUEST_ID, "abc-123_x.y")),
            "abc-123_x.y"
        );
        for bad in ["", "has space", "line\tbreak", &"x".repeat(65)] {
            let id = request_id(&headers(REQUEST_ID, bad));
            assert_eq!(id.len(), 32, "{bad:?} gives a new id");
            assert_ne!(id, bad);
        }
        assert_ne!(request_id(&HeaderMap::new()), request_id(&HeaderMap::new()));
    }

    #[test]
    fn routes_label_known_paths_and_nothing_else() {
        assert_eq!(route("/graphql"), "/graphql");
        assert_eq!(
            route("/graphiql/assets/1.2.3/graphiql.js"),
            "/graphiql/assets"
        );
        assert_eq!(route("/wp-admin"), "unmatched");
        assert_eq!(route("/graphql/"), "unmatched");
    }
}
