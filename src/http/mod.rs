//! The HTTP surface: `/graphql` (GET and POST, batched requests allowed), `/graphiql`,
//! `/health`, `/metrics`, and the CSV, GeoJSON and Cytoscape exports under `/export`, with
//! CORS, a body-size cap, a request timeout and request tracing.

mod cytoscape;
mod export;
mod playground;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::db::Db;
use crate::graphql::Api;
use crate::graphql::limits::{Limits, add_error_codes};
use crate::graphql::loaders::Batches;

/// What every handler shares.
#[derive(Clone)]
struct AppState {
    api: Api,
    db: Db,
    limits: Limits,
    /// Slots for exports running at once.
    exports: Arc<Semaphore>,
}

/// The router serving `db` under `limits`.
pub fn router(db: Db, limits: Limits) -> Router {
    let state = AppState {
        api: Api::new(&limits),
        db,
        limits: limits.clone(),
        exports: export::slots(),
    };
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    Router::new()
        .route("/graphql", get(graphql).post(graphql))
        .route("/graphiql", get(playground::page))
        .route("/graphiql/assets/{version}/{name}", get(playground::asset))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/export/operations.csv", get(export::operations_csv))
        .route(
            "/export/neighborhood.cyjs",
            get(cytoscape::neighborhood_cyjs),
        )
        .route(
            "/export/operations.geojson",
            get(export::operations_geojson),
        )
        // Innermost first: the outer layers see (and reshape) what the inner ones answer.
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(CatchPanicLayer::custom(panic_as_graphql))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(limits.timeout_secs),
        ))
        .layer(map_response(bare_errors_as_graphql))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A GraphQL-shaped error response for a request that never reached the engine.
fn request_error(status: StatusCode, code: &str, message: String) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// The body-size limit and the timeout answer in plain text, and the router's unknown paths
/// and methods with no body at all; clients expect GraphQL-shaped errors with a code.
async fn bare_errors_as_graphql(response: Response) -> Response {
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => request_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BAD_USER_INPUT",
            "request body too large; send a smaller query".to_owned(),
        ),
        StatusCode::REQUEST_TIMEOUT => request_error(
            StatusCode::REQUEST_TIMEOUT,
            "TIMEOUT",
            "the request took too long and was cancelled; ask for less, or retry".to_owned(),
        ),
        StatusCode::NOT_FOUND if is_bare(&response) => request_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such path: GraphQL is served at /graphql, the playground at /graphiql".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED if is_bare(&response) => {
            let mut answer = request_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "BAD_USER_INPUT",
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
    tracing::error!(panic = detail, "request handler panicked");
    request_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error; it has been logged".to_owned(),
    )
}

/// The GraphQL-over-HTTP name of a GET request's operation name.
#[derive(Deserialize)]
struct GetOperationName {
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

async fn graphql(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    request: Result<GraphQLBatchRequest, GraphQLRejection>,
) -> Response {
    let batch = match request {
        // async-graphql reads a GET request's operation name from `operation_name`; clients
        // send `operationName`, as the GraphQL-over-HTTP spec has it.
        Ok(request) => match request.into_inner() {
            BatchRequest::Single(mut single)
                if method == Method::GET && single.operation_name.is_none() =>
            {
                single.operation_name = Query::<GetOperationName>::try_from_uri(&uri)
                    .ok()
                    .and_then(|q| q.0.operation_name);
                BatchRequest::Single(single)
            }
            batch => batch,
        },
        Err(rejection) => {
            // A body cut off by the size limit surfaces here as an I/O error.
            let status = match &rejection.0 {
                async_graphql::ParseRequestError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                async_graphql::ParseRequestError::Io(e)
                    if e.to_string().contains("length limit") =>
                {
                    StatusCode::PAYLOAD_TOO_LARGE
                }
                _ => StatusCode::BAD_REQUEST,
            };
            let message = format!("malformed GraphQL request: {}", rejection.0);
            return request_error(status, "BAD_USER_INPUT", message);
        }
    };
    // Each operation gets its own batches, so loaded rows never outlive the request.
    let loader = || Batches::new(state.db.conn().clone());
    let response = match batch {
        BatchRequest::Single(request) => BatchResponse::Single(add_error_codes(
            state.api.execute(request.data(loader())).await,
        )),
        BatchRequest::Batch(requests) => {
            if requests.len() > state.limits.max_batch {
                let message = format!(
                    "a batch may hold at most {} operations, got {}",
                    state.limits.max_batch,
                    requests.len()
                );
                return request_error(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message);
            }
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(add_error_codes(
                    state.api.execute(request.data(loader())).await,
                ));
            }
            BatchResponse::Batch(responses)
        }
    };
    GraphQLResponse::from(response).into_response()
}

/// Counters in Prometheus' text format: SQL statements run since start, which a benchmark
/// reads around one request to see what it cost.
async fn metrics(State(state): State<AppState>) -> Response {
    let body = format!(
        "# HELP ctgraph_sql_statements_total SQL statements run since the server started.\n\
         # TYPE ctgraph_sql_statements_total counter\n\
         ctgraph_sql_statements_total {}\n",
        state.db.statements()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Liveness and database reachability, for load balancers.
async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            let body = json!({ "status": "unavailable", "code": "DATABASE_UNAVAILABLE" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
