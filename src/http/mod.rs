//! The HTTP surface: `/graphql` (GET and POST, batched requests allowed), `/graphiql`,
//! `/explore`, `/health` (with `/health/live` and `/health/ready`), `/metrics`, and the CSV, GeoJSON and Cytoscape exports under
//! `/export`, with CORS, a body-size cap, a request timeout, and a log line and metrics for
//! each request.

mod cytoscape;
mod explore;
mod export;
mod graphql;
mod observe;
mod playground;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::{self, Caller};
use crate::db::{Databases, Lsn, Replica};
use crate::error::{ApiError, TIMEOUT_MESSAGE, code};
use crate::graphql::limits::Limits;
use crate::graphql::{Api, Reads};
use crate::telemetry::metrics::Metrics;

/// What every handler shares.
#[derive(Clone)]
struct AppState {
    api: Api,
    /// The primary and its read replicas.
    dbs: Arc<Databases>,
    limits: Limits,
    /// Slots for exports running at once.
    exports: Arc<Semaphore>,
    /// Whether reads, too, need a key.
    require_key: bool,
    metrics: Arc<Metrics>,
}

/// How long a browser may keep a preflight's answer. Chromium keeps none longer than two
/// hours, Firefox a day: two hours means what it says everywhere.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(2 * 60 * 60);

/// Headers every response may show to a page's script besides the CORS-safelisted ones.
const EXPOSED_HEADERS: [HeaderName; 6] = [
    header::ALLOW,
    header::RETRY_AFTER,
    observe::REQUEST_ID,
    observe::RATELIMIT_LIMIT,
    observe::RATELIMIT_REMAINING,
    observe::RATELIMIT_RESET,
];

/// The CORS policy: any origin when `origins` is empty, else those. A preflight is allowed
/// whatever headers it asks for: GraphQL clients send their own (`authorization`,
/// `traceparent`, `apollographql-client-name`, `x-apollo-operation-name`, ...), and a list
/// would block the next one; no credentials are involved, so nothing is exposed by it.
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    let allow_origin = if origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().cloned())
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(EXPOSED_HEADERS)
        .max_age(PREFLIGHT_MAX_AGE)
}

/// The router serving `dbs` under `limits`, to browsers of `cors_origins` (any when empty),
/// answering queries as `reads` says, and only requests with a key when `require_key`.
pub fn router(
    dbs: Arc<Databases>,
    limits: Limits,
    cors_origins: &[HeaderValue],
    reads: Reads,
    require_key: bool,
) -> anyhow::Result<Router> {
    let metrics = Arc::new(Metrics::new(dbs.primary())?);
    let state = AppState {
        api: Api::new(&limits, reads),
        dbs,
        limits: limits.clone(),
        exports: export::slots(limits.max_exports),
        require_key,
        metrics: metrics.clone(),
    };
    let router = Router::new()
        .route("/graphql", get(graphql::graphql).post(graphql::graphql))
        .route("/graphiql", get(playground::page))
        .route("/graphiql/assets/{version}/{name}", get(playground::asset))
        .route("/explore", get(explore::page))
        .route("/explore/assets/{name}", get(explore::asset))
        .route("/health", get(health))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(observe::metrics))
        .route("/export/operations.csv", get(export::operations_csv))
        .route(
            "/export/neighborhood.cyjs",
            get(cytoscape::neighborhood_cyjs),
        )
        .route(
            "/export/operations.geojson",
            get(export::operations_geojson),
        )
        .route("/export/attacks.csv", get(export::attacks_csv))
        .route("/export/attacks.geojson", get(export::attacks_geojson))
        // Innermost first: the outer layers see (and reshape) what the inner ones answer.
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(CatchPanicLayer::custom(panic_as_graphql))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(limits.timeout_secs),
        ))
        .layer(map_response(bare_errors_as_graphql))
        .layer(cors(cors_origins))
        .layer(from_fn_with_state(metrics, observe::track))
        .with_state(state);
    Ok(router)
}

/// A GraphQL-shaped error response for a request that never reached the engine.
/// The caller a request's `Authorization` header names (`None` without one), or the answer
/// that refuses it: an unknown or revoked key always, no key when reads need one too.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, Response> {
    let authorization = match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        None => None,
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            return Err(unauthenticated(ApiError::Unauthenticated(
                "the Authorization header is not text; send `Bearer KEY`".into(),
            )));
        }
    };
    match auth::authenticate(state.dbs.primary().conn(), authorization).await {
        Ok(None) if state.require_key => Err(unauthenticated(ApiError::Unauthenticated(
            "this server answers only requests with a key: send `Authorization: Bearer KEY`".into(),
        ))),
        Ok(caller) => {
            if let Some(caller) = &caller {
                crate::telemetry::request::key(caller.key_id, &caller.name);
            }
            Ok(caller)
        }
        Err(e @ ApiError::Unauthenticated(_)) => Err(unauthenticated(e)),
        Err(e) => Err(export::error_response(e)),
    }
}

/// The request header holding the position of the client's last write (a mutation's
/// `extensions.position`): the request's reads see that write.
const READ_AFTER: HeaderName = HeaderName::from_static("ctgraph-read-after");

/// The position of a request's `Ctgraph-Read-After`, if it has one.
fn read_after(headers: &HeaderMap) -> Result<Option<Lsn>, ApiError> {
    let Some(value) = headers.get(READ_AFTER) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    text.parse()
        .map(Some)
        .map_err(|e| ApiError::bad_input(format!("Ctgraph-Read-After: {e}")))
}

/// 401 with the challenge RFC 6750 asks for.
fn unauthenticated(err: ApiError) -> Response {
    let mut response = request_error(StatusCode::UNAUTHORIZED, err.code(), err.message());
    let challenge = HeaderValue::from_static("Bearer realm=\"ctgraph\"");
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, challenge);
    response
}

/// An error answer of the request as a whole; an internal one carries the request's id, which
/// the line logging its cause carries too.
fn request_error(status: StatusCode, code: &'static str, message: String) -> Response {
    let mut extensions = json!({ "code": code });
    if code == code::INTERNAL
        && let Some(id) = crate::telemetry::request::id()
    {
        extensions["requestId"] = id.into();
    }
    let body = json!({ "errors": [{ "message": message, "extensions": extensions }] });
    (status, Json(body)).into_response()
}

/// The body-size limit and the timeout answer in plain text, and the router's unknown paths
/// and methods with no body at all; clients expect GraphQL-shaped errors with a code.
async fn bare_errors_as_graphql(response: Response) -> Response {
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::BAD_USER_INPUT,
            "request body too large; send a smaller query".to_owned(),
        ),
        StatusCode::REQUEST_TIMEOUT => request_error(
            StatusCode::REQUEST_TIMEOUT,
            code::TIMEOUT,
            TIMEOUT_MESSAGE.to_owned(),
        ),
        StatusCode::NOT_FOUND if is_bare(&response) => request_error(
            StatusCode::NOT_FOUND,
            code::NOT_FOUND,
            "no such path: GraphQL is served at /graphql, the playground at /graphiql".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED if is_bare(&response) => {
            let mut answer = request_error(
                StatusCode::METHOD_NOT_ALLOWED,
                code::BAD_USER_INPUT,
                "method not allowed: send GraphQL with POST, or GET for queries".to_owned(),
            );
            // Keep `Allow`: it tells the client which methods would do.
            if let Some(allow) = response.headers().get(header::ALLOW) {
                answer.headers_mut().insert(header::ALLOW, allow.clone());
            }
            answer
        }
        _ => response,
    }
}

/// Whether `response` has no body to say what went wrong.
fn is_bare(response: &Response) -> bool {
    axum::body::HttpBody::size_hint(response.body()).exact() == Some(0)
}

/// A panic is a bug: log it, answer INTERNAL, keep serving.
fn panic_as_graphql(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic");
    let request_id = crate::telemetry::request::id();
    tracing::error!(
        panic = detail,
        request_id = request_id.as_deref().unwrap_or("-"),
        "request handler panicked"
    );
    request_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        code::INTERNAL,
        "internal error; it has been logged".to_owned(),
    )
}

/// This build's version and commit, as the health checks report them.
fn build() -> serde_json::Value {
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("CTGRAPH_COMMIT").unwrap_or("unknown"),
    })
}

/// `/health/live`: the process answers. It never looks at the database, so an orchestrator
/// restarts the process only when the process itself is stuck.
async fn live() -> Response {
    let body = json!({ "status": "ok", "build": build() });
    (StatusCode::OK, Json(body)).into_response()
}

/// `/health/ready`: whether to send this instance traffic: the database answers and its
/// schema is this build's (no migration pending, none unknown). `503` with the code of what
/// is wrong otherwise. `replicas` lists the read replicas' states: one that is down or lags
/// leaves the instance ready, since the primary answers its reads.
async fn ready(State(state): State<AppState>) -> Response {
    let (database, migrations, code) = match state.dbs.primary().ping().await {
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            let unknown = json!({ "status": "unknown" });
            (
                json!({ "status": "unavailable" }),
                unknown,
                Some(code::DATABASE_UNAVAILABLE),
            )
        }
        Ok(()) => match state.dbs.primary().pending_migrations().await {
            Ok(pending) if pending.is_empty() => (
                json!({ "status": "ok" }),
                json!({ "status": "current" }),
                None,
            ),
            Ok(pending) => (
                json!({ "status": "ok" }),
                json!({ "status": "pending", "pending": pending }),
                Some(code::MIGRATIONS_PENDING),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "readiness: migrations unknown");
                let unknown = json!({ "status": "unknown", "message": e.to_string() });
                (
                    json!({ "status": "ok" }),
                    unknown,
                    Some(code::MIGRATIONS_PENDING),
                )
            }
        },
    };
    let mut body = json!({
        "status": if code.is_none() { "ready" } else { "unavailable" },
        "build": build(),
        "database": database,
        "migrations": migrations,
        "replicas": state.dbs.replicas().iter().map(replica_health).collect::<Vec<_>>(),
    });
    let status = match code {
        None => StatusCode::OK,
        Some(code) => {
            body["code"] = code.into();
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    (status, Json(body)).into_response()
}

/// A replica's state in `/health/ready`.
fn replica_health(replica: &Replica) -> serde_json::Value {
    let state = replica.state();
    let mut health = json!({
        "name": replica.label,
        "url": replica.url,
        "status": state.health.name(),
        "lagSeconds": state.lag.map(|lag| lag.as_secs_f64()),
        "replayed": state.replayed.map(|lsn| lsn.to_string()),
    });
    if let Some(error) = state.error {
        health["error"] = error.into();
    }
    health
}

/// Liveness and database reachability, for load balancers.
async fn health(State(state): State<AppState>) -> Response {
    match state.dbs.primary().ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            let body = json!({ "status": "unavailable", "code": code::DATABASE_UNAVAILABLE });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
