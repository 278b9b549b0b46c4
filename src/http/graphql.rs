//! `/graphql` as the GraphQL-over-HTTP spec has it: GET runs queries from the URL, POST runs
//! an `application/json` body (one request, or a batch as a list); the answer's media type
//! is the one `Accept` prefers of `application/graphql-response+json` and `application/json`
//! (the latter when it says neither). A request that is no GraphQL request (a body that is not
//! JSON, a parameter missing or of the wrong type) is a 400. One refused before it ran (a
//! document that does not parse or validate, an operation that cannot be chosen, a limit) has
//! no `data` and is a 400 under `application/graphql-response+json`, a 200 under
//! `application/json`, as older clients expect. A mutation over GET is a 405.

use std::collections::HashMap;

use async_graphql::{ServerError, Value, Variables};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{AppState, request_error};
use crate::db::Lsn;
use crate::error::{code, server_error};
use crate::graphql::{Call, Outcome};
use crate::rate_limit::Charge;
use crate::telemetry::request;

/// The media types a GraphQL response is sent as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Media {
    /// `application/graphql-response+json`: status codes tell refused requests apart.
    GraphqlResponse,
    /// `application/json`: every well-formed request is a 200.
    Json,
}

impl Media {
    /// The media type `accept` prefers, by quality and then by order.
    fn negotiate(accept: Option<&HeaderValue>) -> Self {
        let Some(accept) = accept.and_then(|v| v.to_str().ok()) else {
            return Self::Json;
        };
        let mut best: Option<(f32, Self)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = match parts
                .next()
                .map(|t| t.trim().to_ascii_lowercase())
                .as_deref()
            {
                Some("application/graphql-response+json") => Self::GraphqlResponse,
                Some("application/json" | "application/*" | "*/*") => Self::Json,
                _ => continue,
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, media));
            }
        }
        best.map_or(Self::Json, |(_, media)| media)
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }

    /// The status of a request refused before it ran.
    fn refused(self) -> StatusCode {
        match self {
            Self::GraphqlResponse => StatusCode::BAD_REQUEST,
            Self::Json => StatusCode::OK,
        }
    }
}

/// One response as it is sent: `data` absent when the request never ran, errors first as
/// the spec suggests.
#[derive(Serialize)]
struct Answer {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ServerError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Data>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<Extensions>,
}

/// An answer's `extensions`: what the operation cost under rate limits, and the primary's
/// position after a mutation when there are read replicas.
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Extensions {
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit: Option<Charge>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<Lsn>,
}

/// An answer's `data`: the engine's, or the JSON a compiled statement wrote, passed on as is.
#[derive(Serialize)]
#[serde(untagged)]
enum Data {
    Resolved(Value),
    Compiled(Box<RawValue>),
}

impl Answer {
    fn refused(errors: Vec<ServerError>) -> Self {
        Self {
            errors,
            data: None,
            extensions: None,
        }
    }

    fn compiled(data: Box<RawValue>) -> Self {
        Self {
            errors: Vec::new(),
            data: Some(Data::Compiled(data)),
            extensions: None,
        }
    }

    /// This answer with what its operation was charged, if rate limits charged it.
    fn charged(mut self) -> Self {
        if let Some(charge) = request::take_charge() {
            self.extensions.get_or_insert_default().rate_limit = Some(charge);
        }
        self
    }

    /// This answer with the position its mutation left the primary at, if it has one.
    fn at(mut self, position: Option<Lsn>) -> Self {
        if position.is_some() {
            self.extensions.get_or_insert_default().position = position;
        }
        self
    }
}

impl From<async_graphql::Response> for Answer {
    fn from(response: async_graphql::Response) -> Self {
        Self {
            errors: response.errors,
            data: Some(Data::Resolved(response.data)),
            extensions: None,
        }
    }
}

/// What a request's parameters failed on: said as one refused answer.
fn bad_request(message: impl Into<String>) -> Vec<ServerError> {
    vec![server_error(code::BAD_USER_INPUT, message, None)]
}

pub(super) async fn graphql(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let media = Media::negotiate(headers.get(header::ACCEPT));
    let is_websocket = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_websocket {
        return request_error(
            StatusCode::BAD_REQUEST,
            code::BAD_USER_INPUT,
            "this server has no subscriptions yet, so no WebSocket protocol: send queries \
             with POST or GET"
                .to_owned(),
        );
    }
    let caller = match super::caller(&state, &headers).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let read_only = method == Method::GET;
    let requests = if read_only {
        let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&uri) else {
            return answer(
                media,
                media.refused(),
                bad_request("malformed query string"),
            );
        };
        if !params.contains_key("query") && accepts_html(&headers) {
            // A browser pointed at the endpoint: show it the playground.
            return Redirect::temporary("/graphiql").into_response();
        }
        match from_query_string(params) {
            Ok(request) => Batch::Single(Box::new(request)),
            Err(errors) => return answer(media, StatusCode::BAD_REQUEST, errors),
        }
    } else {
        if let Err(message) = json_content_type(&headers) {
            return request_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code::BAD_USER_INPUT,
                message,
            );
        }
        let body = match body {
            Ok(body) => body,
            Err(rejection) => {
                let status = rejection.status();
                let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "request body too large; send a smaller query".to_owned()
                } else {
                    format!("cannot read the request body: {rejection}")
                };
                return request_error(status, code::BAD_USER_INPUT, message);
            }
        };
        if body.is_empty() {
            let errors =
                bad_request("the request body is empty; send a JSON object with a `query`");
            return answer(media, StatusCode::BAD_REQUEST, errors);
        }
        let body = match serde_json::from_slice(&body) {
            Ok(body) => body,
            Err(e) => {
                let errors = bad_request(format!("the request body is not JSON: {e}"));
                return answer(media, StatusCode::BAD_REQUEST, errors);
            }
        };
        match from_body(body, state.limits.max_batch) {
            Ok(requests) => requests,
            Err(errors) => return answer(media, StatusCode::BAD_REQUEST, errors),
        }
    };
    let mut call = Call {
        caller: caller.as_ref(),
        read_only,
        after: match super::read_after(&headers) {
            Ok(after) => after,
            Err(e) => return answer(media, StatusCode::BAD_REQUEST, bad_request(e.message())),
        },
    };
    let dbs = &state.dbs;
    match requests {
        Batch::Single(request) => match state.api.execute(*request, call, dbs).await {
            Outcome::Executed(response, position) => {
                account(&response.errors);
                let answer = Answer::from(response).at(position).charged();
                send(media, StatusCode::OK, &answer)
            }
            Outcome::Compiled(data) => {
                account(&[]);
                send(media, StatusCode::OK, &Answer::compiled(data).charged())
            }
            Outcome::Refused(errors) => {
                // A spent budget is the client's to wait out, as HTTP says it.
                let status = if first_code(&errors) == Some(code::RATE_LIMITED) {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    media.refused()
                };
                request::take_charge();
                answer(media, status, errors)
            }
            Outcome::NotReadOnly(errors) => {
                let mut response = answer(media, StatusCode::METHOD_NOT_ALLOWED, errors);
                let allow = HeaderValue::from_static("POST");
                response.headers_mut().insert(header::ALLOW, allow);
                response
            }
        },
        Batch::Many(requests) => {
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                answers.push(match state.api.execute(request, call, dbs).await {
                    Outcome::Executed(response, position) => {
                        account(&response.errors);
                        // The batch's later operations read what this one wrote.
                        call.after = call.after.max(position);
                        Answer::from(response).at(position).charged()
                    }
                    Outcome::Compiled(data) => {
                        account(&[]);
                        Answer::compiled(data).charged()
                    }
                    Outcome::Refused(errors) | Outcome::NotReadOnly(errors) => {
                        account(&errors);
                        request::take_charge();
                        Answer::refused(errors)
                    }
                });
            }
            send(media, StatusCode::OK, &answers)
        }
    }
}

/// A refused request's answer.
fn answer(media: Media, status: StatusCode, errors: Vec<ServerError>) -> Response {
    account(&errors);
    send(media, status, &Answer::refused(errors))
}

/// Notes in the request's account how its operation ended: its errors' codes.
fn account(errors: &[ServerError]) {
    request::answered(errors.iter().filter_map(error_code));
}

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

fn first_code(errors: &[ServerError]) -> Option<&str> {
    errors.first().and_then(error_code)
}

fn send(media: Media, status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, media.content_type())],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize a GraphQL response");
            request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL,
                "internal error; it has been logged".to_owned(),
            )
        }
    }
}

/// One request, or a batch of them.
enum Batch {
    Single(Box<async_graphql::Request>),
    Many(Vec<async_graphql::Request>),
}

/// Whether `Content-Type` says JSON in UTF-8 (the charset, when given, must be UTF-8).
fn json_content_type(headers: &HeaderMap) -> Result<(), String> {
    let wanted = "send the request as JSON with `Content-Type: application/json`";
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(format!("no Content-Type; {wanted}"));
    };
    let value = value.to_str().unwrap_or_default().to_ascii_lowercase();
    let mut parts = value.split(';').map(str::trim);
    if parts.next() != Some("application/json") {
        return Err(format!("unsupported Content-Type `{value}`; {wanted}"));
    }
    for part in parts {
        if let Some(charset) = part.strip_prefix("charset=")
            && !charset.trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(format!("unsupported charset `{charset}`; send UTF-8"));
        }
    }
    Ok(())
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The request a GET's URL holds: `query`, `operationName`, and `variables` and `extensions`
/// as JSON text.
fn from_query_string(
    mut params: HashMap<String, String>,
) -> Result<async_graphql::Request, Vec<ServerError>> {
    let mut json = serde_json::Map::new();
    if let Some(query) = params.remove("query") {
        json.insert("query".to_owned(), query.into());
    }
    if let Some(name) = params.remove("operationName") {
        json.insert("operationName".to_owned(), name.into());
    }
    for key in ["variables", "extensions"] {
        if let Some(text) = params.remove(key) {
            let value = serde_json::from_str(&text).map_err(|e| {
                bad_request(format!("`{key}` in the URL must be a JSON object: {e}"))
            })?;
            json.insert(key.to_owned(), value);
        }
    }
    from_json(serde_json::Value::Object(json))
}

/// The request or batch a POST's body, parsed as JSON, holds.
fn from_body(body: serde_json::Value, max_batch: usize) -> Result<Batch, Vec<ServerError>> {
    match body {
        serde_json::Value::Array(items) => {
            if items.is_empty() {
                return Err(bad_request("a batch must hold at least one request"));
            }
            if items.len() > max_batch {
                return Err(bad_request(format!(
                    "a batch may hold at most {max_batch} operations, got {}",
                    items.len()
                )));
            }
            let requests = items.into_iter().map(from_json).collect::<Result<_, _>>()?;
            Ok(Batch::Many(requests))
        }
        json => from_json(json).map(|request| Batch::Single(Box::new(request))),
    }
}

/// A GraphQL request from its JSON parameters, each checked for its type.
fn from_json(json: serde_json::Value) -> Result<async_graphql::Request, Vec<ServerError>> {
    let serde_json::Value::Object(mut params) = json else {
        return Err(bad_request(
            "the request must be a JSON object with a `query` (or a list of them)",
        ));
    };
    let query = match params.remove("query") {
        Some(serde_json::Value::String(query)) => query,
        None | Some(serde_json::Value::Null) => {
            return Err(bad_request(
                "the request has no `query`; send the GraphQL document in it",
            ));
        }
        Some(_) => {
            return Err(bad_request(
                "`query` must be a string holding a GraphQL document",
            ));
        }
    };
    let mut request = async_graphql::Request::new(query);
    match params.remove("operationName") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err(bad_request("`operationName` must be a string or null")),
    }
    match params.remove("variables") {
        None | Some(serde_json::Value::Null) => {}
        Some(variables @ serde_json::Value::Object(_)) => {
            request = request.variables(Variables::from_json(variables));
        }
        Some(_) => return Err(bad_request("`variables` must be an object or null")),
    }
    match params.remove("extensions") {
        None | Some(serde_json::Value::Null | serde_json::Value::Object(_)) => {}
        Some(_) => return Err(bad_request("`extensions` must be an object or null")),
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_chooses_the_media_type_by_quality_then_order() {
        let negotiate =
            |accept: &str| Media::negotiate(Some(&HeaderValue::from_str(accept).expect("header")));
        assert_eq!(Media::negotiate(None), Media::Json);
        assert_eq!(negotiate("*/*"), Media::Json);
        assert_eq!(negotiate("application/json"), Media::Json);
        assert_eq!(
            negotiate("application/graphql-response+json"),
            Media::GraphqlResponse
        );
        assert_eq!(
            negotiate("application/graphql-response+json, application/json, multipart/mixed"),
            Media::GraphqlResponse
        );
        assert_eq!(
            negotiate("application/graphql-response+json;q=0.5, application/json"),
            Media::Json
        );
        assert_eq!(negotiate("text/html"), Media::Json);
    }
}
