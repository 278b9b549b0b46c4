//! GraphQL over HTTP as its spec and clients have it: the media type `Accept` asks for,
//! status codes that tell a refused request from one that ran, errors with codes clients
//! switch on, CORS preflights browsers accept, and a WebSocket upgrade answered as one.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, both};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn post(body: &str, accept: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request.body(Body::from(body.to_owned())).expect("request")
}

/// Status, media type and body of a request.
async fn send(app: &TestApp, request: Request<Body>) -> (StatusCode, String, Value) {
    let (status, headers, text) = app.exchange(request).await;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, media, body)
}

both! {
    // Item 6: `Accept: application/json` got `application/graphql-response+json` back, and a
    // refused request was a 200 with `"data": null` under either.
    async fn the_media_type_is_the_one_accept_asks_for_and_refusals_are_400s_without_data(app: TestApp) {
        let ok = json!({ "query": "{ __typename }" }).to_string();
        for (accept, media) in [(None, "application/json"), (Some("application/json"), "application/json"), (Some("*/*"), "application/json"), (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE), (Some("application/graphql-response+json, application/json;q=0.9"), GRAPHQL_RESPONSE)] {
            let (status, got, body) = send(&app, post(&ok, accept)).await;
            assert_eq!((status, got.split(';').next(), body), (StatusCode::OK, Some(media), json!({ "data": { "__typename": "Query" } })), "{accept:?}");
        }
        // A document that does not parse or validate, or names no operation to run.
        let refused = [
            (json!({ "query": "{" }).to_string(), "GRAPHQL_PARSE_FAILED"),
            (json!({ "query": "{ noSuchField }" }).to_string(), "GRAPHQL_VALIDATION_FAILED"),
            (json!({ "query": "query A { __typename }", "operationName": "B" }).to_string(), "OPERATION_RESOLUTION_FAILURE"),
            (json!({ "query": "query($n: Int!) { districts(first: $n) { totalCount } }", "variables": { "n": "x" } }).to_string(), "BAD_USER_INPUT"),
        ];
        for (body, code) in &refused {
            let (status, _, answer) = send(&app, post(body, Some(GRAPHQL_RESPONSE))).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
            assert!(answer.get("data").is_none(), "{body}: {answer}");
            assert_eq!(answer["errors"][0]["extensions"]["code"], *code, "{body}: {answer}");
            let (status, _, answer) = send(&app, post(body, Some("application/json"))).await;
            assert_eq!(status, StatusCode::OK, "{body}: {answer}");
            assert!(answer.get("data").is_none(), "{body}: {answer}");
            assert_eq!(answer["errors"][0]["extensions"]["code"], *code, "{body}: {answer}");
        }
        // No GraphQL request at all: not JSON, or parameters missing or of the wrong type.
        let malformed = [
            "{ \"not a JSON".to_owned(),
            json!({ "query": 7 }).to_string(),
            json!({ "qeury": "{ __typename }" }).to_string(),
            json!({ "query": "{ __typename }", "variables": "x" }).to_string(),
            json!({ "query": "{ __typename }", "extensions": [1] }).to_string(),
            json!({ "query": "{ __typename }", "operationName": false }).to_string(),
        ];
        for body in &malformed {
            for accept in [GRAPHQL_RESPONSE, "application/json"] {
                let (status, _, answer) = send(&app, post(body, Some(accept))).await;
                assert_eq!((status, &answer["errors"][0]["extensions"]["code"]), (StatusCode::BAD_REQUEST, &json!("BAD_USER_INPUT")), "{body}: {answer}");
                assert!(answer.get("data").is_none(), "{body}: {answer}");
            }
        }
        // A field error is no refusal: 200 with data under either media type.
        let failed = json!({ "query": r#"{ node(id: "RGlzdHJpY3Q6OTk5OTk") { id } }"# }).to_string();
        let (status, _, answer) = send(&app, post(&failed, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!((status, &answer["data"]), (StatusCode::OK, &json!({ "node": null })));
    }
}

both! {
    // Item 6: a POST without a JSON content type was parsed anyway; a mutation over GET was a 200.
    async fn a_post_must_be_json_and_a_get_may_only_query(app: TestApp) {
        let body = json!({ "query": "{ __typename }" }).to_string();
        for content_type in [None, Some("text/plain"), Some("application/json; charset=latin1")] {
            let mut request = Request::post("/graphql");
            if let Some(content_type) = content_type {
                request = request.header(header::CONTENT_TYPE, content_type);
            }
            let (status, _, answer) = send(&app, request.body(Body::from(body.clone())).expect("request")).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
            assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        }
        let request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json; charset=utf-8").body(Body::from(body)).expect("request");
        assert_eq!(send(&app, request).await.0, StatusCode::OK);

        let request = Request::get("/graphql?query=mutation%20%7B%20__typename%20%7D").header(header::ACCEPT, GRAPHQL_RESPONSE).body(Body::empty()).expect("request");
        let (status, headers, text) = app.exchange(request).await;
        assert_eq!((status, headers.get(header::ALLOW).map(|v| v.to_str().ok())), (StatusCode::METHOD_NOT_ALLOWED, Some(Some("POST"))), "{text}");
        // GET takes variables as JSON in the URL.
        let uri = "/graphql?query=query(%24n%3AString!)%7B__type(name%3A%24n)%7Bname%7D%7D&variables=%7B%22n%22%3A%22District%22%7D";
        let (status, _, answer) = send(&app, Request::get(uri).body(Body::empty()).expect("request")).await;
        assert_eq!((status, answer), (StatusCode::OK, json!({ "data": { "__type": { "name": "District" } } })));
        // A browser that opens the endpoint is shown the playground.
        let request = Request::get("/graphql").header(header::ACCEPT, "text/html,*/*").body(Body::empty()).expect("request");
        let (status, headers, _) = app.exchange(request).await;
        assert_eq!((status, headers.get(header::LOCATION).and_then(|v| v.to_str().ok())), (StatusCode::TEMPORARY_REDIRECT, Some("/graphiql")));
    }
}

both! {
    // Item 7: a parse error leaked the parser's multi-line excerpt and had the code
    // BAD_USER_INPUT like every validation error; a mutation answered the same error twice.
    async fn errors_say_what_failed_in_one_line_with_apollos_codes(app: TestApp) {
        let response = app.graphql("{ districts { nodes { name }", json!({})).await;
        assert_eq!(response, json!({ "errors": [{
            "message": "syntax error at line 1, column 29: expected selection",
            "locations": [{ "line": 1, "column": 29 }],
            "extensions": { "code": "GRAPHQL_PARSE_FAILED" }
        }] }));
        let response = app.graphql("{ districts { nodes { nmae } } }", json!({})).await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{response}");
        assert!(response.get("data").is_none(), "{response}");
        let response = app.graphql("query A { __typename } query B { __typename }", json!({})).await;
        assert_eq!(response, json!({ "errors": [{
            "message": "the document holds several operations (A, B); name the one to run in `operationName`",
            "extensions": { "code": "OPERATION_RESOLUTION_FAILURE" }
        }] }));
        let response = app.graphql("subscription { __typename }", json!({})).await;
        assert_eq!(response, json!({ "errors": [{
            "message": "this API has no subscription type yet: send queries and mutations",
            "locations": [{ "line": 1, "column": 1 }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" }
        }] }));
        let response = app.graphql("mutation { __typename }", json!({})).await;
        assert_eq!(response, json!({ "data": { "__typename": "Mutation" } }));
    }
}

/// A preflight as Chromium sends it for a page at `origin` posting JSON with the headers
/// GraphQL clients add.
fn preflight(origin: &str) -> Request<Body> {
    Request::options("/graphql")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "apollographql-client-name,authorization,content-type,traceparent",
        )
        .body(Body::empty())
        .expect("request")
}

both! {
    // Item 8: the preflight allowed only `content-type`, so a browser app sending
    // `authorization` or `traceparent` was blocked.
    async fn preflights_allow_what_graphql_clients_send(app: TestApp) {
        let (status, headers, _) = app.exchange(preflight("http://localhost:5173")).await;
        let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert!(status.is_success(), "{status}");
        assert_eq!(header(header::ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(), Some("*"));
        assert_eq!(header(header::ACCESS_CONTROL_ALLOW_HEADERS).as_deref(), Some("apollographql-client-name,authorization,content-type,traceparent"));
        assert_eq!(header(header::ACCESS_CONTROL_MAX_AGE).as_deref(), Some("7200"));
        assert!(header(header::ACCESS_CONTROL_ALLOW_METHODS).is_some_and(|m| m.contains("POST")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_origins_given_are_allowed() {
    use crate::helpers::{Backend, fresh_database};
    use ctgraph::app::{App, Config};
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let config = |origins: Vec<&str>| Config {
        cors_origins: origins.into_iter().map(str::to_owned).collect(),
        ..Config::new(url.clone(), "127.0.0.1:0".parse().expect("addr"))
    };
    let bad = App::build(config(vec!["example.org/path"])).await;
    assert!(bad.is_err_and(|e| e.to_string().contains("is not an origin")));
    let app = App::build(config(vec!["https://a.example", "http://localhost:5173"]))
        .await
        .expect("app");
    let app = TestApp::adopt(app, url.clone(), Backend::Sqlite);
    let (_, headers, _) = app.exchange(preflight("https://a.example")).await;
    assert_eq!(
        headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(&header::HeaderValue::from_static("https://a.example"))
    );
    let (_, headers, _) = app.exchange(preflight("https://b.example")).await;
    assert_eq!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);
}

both! {
    // Item 9: a WebSocket upgrade was answered 200 with a JSON parse error.
    async fn a_websocket_upgrade_is_refused_as_such(app: TestApp) {
        let request = Request::get("/graphql")
            .header(header::CONNECTION, "Upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_VERSION, "13")
            .header(header::SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
            .header(header::SEC_WEBSOCKET_PROTOCOL, "graphql-transport-ws")
            .body(Body::empty())
            .expect("request");
        let (status, _, answer) = send(&app, request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(answer["errors"][0]["message"].as_str().is_some_and(|m| m.contains("no subscriptions")), "{answer}");
    }
}
