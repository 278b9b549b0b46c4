//! Bad input gets a clear error with `extensions.code`, never a panic or a 500.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use serde_json::json;

use crate::helpers::both;

both! {
    async fn bad_paging_arguments_are_user_errors(app: TestApp) {
        for args in ["first: 101", "first: 1000000", "first: -1", "last: -5", "last: 1000", "first: 1, last: 1", r#"after: "not-a-cursor""#, r#"before: "WyJ4Il0""#] {
            let q = format!("{{ operations({args}) {{ nodes {{ title }} }} }}");
            assert_eq!(app.error_codes(&q, json!({})).await, ["BAD_USER_INPUT"], "{args}");
        }
        // A cursor from one ordering is refused by another.
        let data = app.data("{ districts(first: 1) { pageInfo { endCursor } } }", json!({})).await;
        let cursor = &data["districts"]["pageInfo"]["endCursor"];
        let q = "query($c: String) { districts(after: $c, orderBy: { field: LATITUDE }) { nodes { name } } }";
        assert_eq!(app.error_codes(q, json!({ "c": cursor })).await, ["BAD_USER_INPUT"]);
    }
}

both! {
    async fn unknown_and_malformed_ids_are_told_apart(app: TestApp) {
        let unknown = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("Operation:999999");
        let q = "query($id: ID!) { node(id: $id) { id } }";
        assert_eq!(app.error_codes(q, json!({ "id": unknown })).await, ["NOT_FOUND"]);
        for bad in ["", "garbage", "T3BlcmF0aW9uOng"] {
            assert_eq!(app.error_codes(q, json!({ "id": bad })).await, ["BAD_USER_INPUT"], "{bad}");
        }
        // `nodes` answers null in place, as Relay asks, and says which id missed.
        let country = app.data("{ countries(first: 1) { nodes { id } } }", json!({})).await["countries"]["nodes"][0]["id"].clone();
        let body = app.graphql("query($ids: [ID!]!) { found: nodes(ids: $ids) { id } }", json!({ "ids": [country, unknown] })).await;
        assert_eq!(body["data"]["found"], json!([{ "id": country }, null]));
        assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
        assert_eq!(body["errors"][0]["path"], json!(["found", 1]));
        // An id asked for twice is answered twice; more than 100 ids is refused.
        let data = app.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [country, country] })).await;
        assert_eq!(data["nodes"], json!([{ "id": country }, { "id": country }]));
        let many: Vec<_> = (0..101).map(|_| country.clone()).collect();
        assert_eq!(app.error_codes("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": many })).await, ["BAD_USER_INPUT"]);
        // An id of the wrong type in a filter.
        let district = app.data("{ districts(first: 1) { nodes { id } } }", json!({})).await;
        let q = "query($id: ID!) { operations(filter: { district: { eq: $id } }) { nodes { title } } provinces(filter: { country: { eq: $id } }) { nodes { name } } }";
        let codes = app.error_codes(q, json!({ "id": district["districts"]["nodes"][0]["id"] })).await;
        assert_eq!(codes, ["BAD_USER_INPUT"]);
    }
}

both! {
    async fn engine_errors_carry_codes_too(app: TestApp) {
        let cases = [
            ("{ operations(filter: { kind: { eq: NOT_A_KIND } }) { nodes { title } } }", "BAD_USER_INPUT"),
            ("{ operations { nodes { noSuchField } } }", "GRAPHQL_VALIDATION_FAILED"),
            ("{ operations(orderBy: { field: NOT_A_FIELD }) { nodes { title } } }", "BAD_USER_INPUT"),
            ("{ operations { nodes { title }", "GRAPHQL_PARSE_FAILED"),
            (r#"{ operations(filter: { startDate: { gte: "March 2025" } }) { nodes { title } } }"#, "BAD_USER_INPUT"),
        ];
        for (q, code) in cases {
            assert_eq!(app.error_codes(q, json!({})).await, [code], "{q}");
        }
        let deep = format!("{{ districts {{ nodes {{ {} }} }} }}", "province { country { provinces { nodes { ".repeat(5) + "name" + &" } } } }".repeat(5));
        assert_eq!(app.error_codes(&deep, json!({})).await, ["QUERY_TOO_COMPLEX"]);
        // Aliases multiply fields: fifty are fine, not more, wherever they are.
        let aliased = |n: usize| format!("{{ countries {{ nodes {{ {} }} }} }}", (0..n).map(|i| format!("n{i}: name")).collect::<Vec<_>>().join(" "));
        assert_eq!(app.data(&aliased(50), json!({})).await["countries"]["nodes"][0]["n49"], "Afghanistan", "ordered by name");
        let response = app.graphql(&aliased(51), json!({})).await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
        assert!(response["errors"][0]["message"].as_str().is_some_and(|m| m.contains("aliases")), "{response}");
        // Shallow but wide: a hundred rows at each of four levels is too much work.
        let wide = "{ districts(first: 100) { nodes { operations(first: 100) { nodes { personnel(first: 100) { nodes { affiliations(first: 100) { nodes { kind } } } } } } } } }";
        assert_eq!(app.error_codes(wide, json!({})).await, ["QUERY_TOO_COMPLEX"]);
    }
}

both! {
    /// Regression: a filter nested a few hundred levels deep overflowed the stack of the
    /// engine's parser and aborted the whole server; an `or` of a thousand conditions
    /// overflowed sea-query's renderer the same way.
    async fn huge_and_deeply_nested_filters_are_refused_or_answered_never_crash(app: TestApp) {
        let q = "query($f: OperationFilter) { operations(filter: $f) { totalCount } }";
        let nested = |levels: usize| format!("{}{{}}{}", "{ not: ".repeat(levels), " }".repeat(levels));
        // Inline and as a variable, just past the cap and far past it.
        for levels in [40, 400, 20_000] {
            let inline = format!("{{ operations(filter: {}) {{ totalCount }} }}", nested(levels));
            assert_eq!(app.error_codes(&inline, json!({})).await, ["QUERY_TOO_COMPLEX"], "{levels}");
        }
        let mut deep = json!({});
        for _ in 0..100 {
            deep = json!({ "not": deep });
        }
        assert_eq!(app.error_codes(q, json!({ "f": deep })).await, ["QUERY_TOO_COMPLEX"]);
        // Thirty levels are fine: an even number of `not`s matches everything.
        let inline = format!("{{ operations(filter: {}) {{ totalCount }} }}", nested(30));
        assert_eq!(app.data(&inline, json!({})).await["operations"]["totalCount"], 1);

        // Long lists of conditions are answered, and answered right, up to a thousand.
        let misses: Vec<_> = (100..1099).map(|n| json!({ "militantsKilled": { "eq": n } })).collect();
        let mut any = misses.clone();
        any.push(json!({ "militantsKilled": { "eq": 10 } }));
        assert_eq!(app.data(q, json!({ "f": { "or": any } })).await["operations"]["totalCount"], 1);
        assert_eq!(app.data(q, json!({ "f": { "or": misses } })).await["operations"]["totalCount"], 0);
        let all = |n: usize| json!({ "and": (0..n).map(|_| json!({ "militantsKilled": { "gte": 10 } })).collect::<Vec<_>>() });
        assert_eq!(app.data(q, json!({ "f": all(1000) })).await["operations"]["totalCount"], 1);
        // Past that SQLite's planner slows down with the square of the terms: `in` is the way.
        assert_eq!(app.error_codes(q, json!({ "f": all(1001) })).await, ["BAD_USER_INPUT"]);
        // More values than one statement may bind is the user's to split, not an internal error.
        let lists: Vec<_> = (0..11).map(|_| json!({ "militantsKilled": { "in": (0..1000).collect::<Vec<_>>() } })).collect();
        assert_eq!(app.error_codes(q, json!({ "f": { "or": lists } })).await, ["BAD_USER_INPUT"]);
        // And the server still answers.
        assert_eq!(app.data("{ countries { totalCount } }", json!({})).await["countries"]["totalCount"], 2);
    }
}

both! {
    /// Regression: PostgreSQL refused NUL in text and dates past its range, SQLite refused
    /// LIKE patterns past 50,000 bytes; each came back as INTERNAL.
    async fn text_and_dates_a_database_would_refuse_are_user_errors(app: TestApp) {
        let q = "query($f: OperationFilter) { operations(filter: $f) { totalCount } }";
        let long = "x".repeat(100_000);
        for filter in [
            json!({ "title": { "contains": "a\u{0}b" } }),
            json!({ "title": { "eq": "a\u{0}b" } }),
            json!({ "title": { "in": ["ok", "a\u{0}b"] } }),
            json!({ "summary": { "contains": long } }),
            json!({ "startDate": { "gte": "0000-01-01" } }),
            json!({ "startDate": { "lte": "99999-01-01" } }),
            json!({ "endDate": { "eq": "-2000-01-01" } }),
        ] {
            assert_eq!(app.error_codes(q, json!({ "f": filter })).await, ["BAD_USER_INPUT"], "{filter}");
        }
        // Text as long as anyone searches for is fine.
        let data = app.data(q, json!({ "f": { "summary": { "contains": "x".repeat(1000) } } })).await;
        assert_eq!(data["operations"]["totalCount"], 0);

        // The same values smuggled into a cursor are malformed cursors.
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        for (order, value) in [("TITLE", json!("a\u{0}b")), ("START_DATE", json!("99999-01-01"))] {
            let page = format!("{{ operations(first: 1, orderBy: {{ field: {order} }}) {{ pageInfo {{ endCursor }} }} }}");
            let data = app.data(&page, json!({})).await;
            let cursor = data["operations"]["pageInfo"]["endCursor"].as_str().expect("cursor").to_owned();
            let mut parts: Vec<serde_json::Value> = serde_json::from_slice(&b64.decode(cursor).expect("base64")).expect("json");
            parts[3] = value;
            let forged = b64.encode(serde_json::to_vec(&parts).expect("json"));
            let q = format!("query($c: String) {{ operations(after: $c, orderBy: {{ field: {order} }}) {{ totalCount }} }}");
            assert_eq!(app.error_codes(&q, json!({ "c": forged })).await, ["BAD_USER_INPUT"], "{order}");
        }
    }
}

/// The query GraphiQL sends to learn the schema (graphql-js `getIntrospectionQuery`).
const INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}"#;

both! {
    /// Regression: fragments spreading each other three times per level made a 1 KB query
    /// select 3^14 fields, and validation took 45 s of a core before refusing it; a field
    /// repeated thousands of times ran a statement each until the pool gave out.
    async fn fragment_fan_out_and_repeated_root_fields_are_refused_before_validation(app: TestApp) {
        let mut fan_out = String::from("{ ...F14 } fragment F0 on Query { operations { totalCount nodes { id } } }");
        for i in 1..=14 {
            let p = i - 1;
            fan_out.push_str(&format!(" fragment F{i} on Query {{ ...F{p} ...F{p} ...F{p} }}"));
        }
        // Refused by the count that runs before the engine walks the fragments: the engine's
        // own complexity check would refuse it too, but only after walking all 3^14.
        let response = app.graphql(&fan_out, json!({})).await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX");
        assert!(response["errors"][0]["message"].as_str().is_some_and(|m| m.contains("counting each fragment")), "{response}");

        let repeated = |n: usize| format!("{{ {} }}", "countries { totalCount } ".repeat(n));
        assert_eq!(app.data(&repeated(50), json!({})).await["countries"]["totalCount"], 2);
        assert_eq!(app.error_codes(&repeated(51), json!({})).await, ["QUERY_TOO_COMPLEX"]);
        let wide = format!("{{ countries {{ nodes {{ {} }} }} }}", "name ".repeat(2_000));
        assert_eq!(app.error_codes(&wide, json!({})).await, ["QUERY_TOO_COMPLEX"]);

        // A chain of fragments is fine, and one longer than the engine's recursion limit is
        // refused, however long.
        let chain = |n: usize| {
            let mut q = format!("{{ ...F0 }} fragment F{n} on Query {{ countries {{ totalCount }} }}");
            for i in 0..n {
                q.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
            }
            q
        };
        assert_eq!(app.data(&chain(20), json!({})).await["countries"]["totalCount"], 2);
        assert_eq!(app.error_codes(&chain(5_000), json!({})).await, ["QUERY_TOO_COMPLEX"]);

        // A fragment that spreads itself is the user's mistake, named as such.
        let looped = "{ ...A } fragment A on Query { countries { totalCount } ...B } fragment B on Query { ...A }";
        let response = app.graphql(looped, json!({})).await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{response}");
        assert!(response["errors"][0]["message"].as_str().is_some_and(|m| m.contains("spreads itself")), "{response}");

        // What GraphiQL and code generators send stays well inside every limit.
        let schema = app.data(INTROSPECTION, json!({})).await;
        assert!(schema["__schema"]["types"].as_array().is_some_and(|t| t.len() > 50));
    }
}

both! {
    async fn malformed_requests_get_graphql_shaped_errors(app: TestApp) {
        let request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json").body(Body::from("{not json")).expect("request");
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

        let batch: Vec<_> = (0..11).map(|_| json!({ "query": "{ countries { totalCount } }" })).collect();
        let request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json").header(header::ACCEPT, "application/graphql-response+json").body(Body::from(json!(batch).to_string())).expect("request");
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

        let huge = json!({ "query": format!("{{ countries {{ totalCount }} }} #{}", "x".repeat(300_000)) }).to_string();
        // Announced too large, and streamed too large without a length.
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, huge.len())
            .body(Body::from(huge.clone()))
            .expect("request");
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json").body(Body::from(huge)).expect("request");
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

both! {
    async fn get_requests_graphiql_and_health_are_served(app: TestApp) {
        let request = Request::get("/graphql?query=%7B%20countries%20%7B%20totalCount%20%7D%20%7D").body(Body::empty()).expect("request");
        let (status, body) = app.send(request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["countries"]["totalCount"], 2);
        // Of two operations, GET runs the one `operationName` names, as the GraphQL-over-HTTP
        // spec has it (regression: only `operation_name` was read, and the request failed).
        let two = "/graphql?query=query%20A%20%7B%20countries%20%7B%20totalCount%20%7D%20%7D%20query%20B%20%7B%20provinces%20%7B%20totalCount%20%7D%20%7D&operationName=B";
        let (status, body) = app.send(Request::get(two).body(Body::empty()).expect("request")).await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "data": { "provinces": { "totalCount": 2 } } })));
        let (status, body) = app.send(Request::get("/graphiql").body(Body::empty()).expect("request")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.as_str().is_some_and(|html| html.contains("graphiql")));
        let (status, body) = app.send(Request::get("/health").body(Body::empty()).expect("request")).await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "status": "ok" })));
        // Alive and ready, with the build; not ready while a migration of this build is pending.
        let (status, live) = crate::outage::health_at(&app, "/health/live").await;
        assert_eq!((status, &live["status"], &live["build"]["version"]), (StatusCode::OK, &json!("ok"), &json!(env!("CARGO_PKG_VERSION"))), "{live}");
        assert!(live["build"]["commit"].is_string(), "{live}");
        let (status, ready) = crate::outage::health_at(&app, "/health/ready").await;
        assert_eq!((status, &ready["status"], &ready["migrations"]["status"], &ready["replicas"]), (StatusCode::OK, &json!("ready"), &json!("current"), &json!([])), "{ready}");
        app.execute("DELETE FROM seaql_migrations WHERE version = 'm20261207_000013_more_kinds'").await;
        let (status, ready) = crate::outage::health_at(&app, "/health/ready").await;
        assert_eq!((status, &ready["code"], &ready["migrations"]["pending"]),
            (StatusCode::SERVICE_UNAVAILABLE, &json!("MIGRATIONS_PENDING"), &json!(["m20261207_000013_more_kinds"])), "{ready}");
        // Unknown paths and methods say so with a code, not an empty body.
        let (status, body) = app.send(Request::get("/graphq").body(Body::empty()).expect("request")).await;
        assert_eq!((status, &body["errors"][0]["extensions"]["code"]), (StatusCode::NOT_FOUND, &json!("NOT_FOUND")));
        let (status, body) = app.send(Request::delete("/graphql").body(Body::empty()).expect("request")).await;
        assert_eq!((status, &body["errors"][0]["extensions"]["code"]), (StatusCode::METHOD_NOT_ALLOWED, &json!("BAD_USER_INPUT")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_time_gets_a_timeout_code() {
    use crate::helpers::{Backend, TestApp, fresh_database};
    use ctgraph::app::{App, Config};
    use ctgraph::graphql::limits::Limits;
    use sea_orm::{ConnectionTrait, Database, TransactionTrait};
    // A request that is slow for certain: another session holds a lock on the table it reads.
    // (Regression: a timeout of zero against a quick query raced, and the query sometimes won.)
    let Some(url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let limits = Limits {
        timeout_secs: 1,
        ..Limits::default()
    };
    let config = Config {
        limits,
        ..Config::new(url.clone(), "127.0.0.1:0".parse().expect("addr"))
    };
    let app = TestApp::adopt(
        App::build(config).await.expect("app"),
        url.clone(),
        Backend::Postgres,
    );
    let other = Database::connect(&url).await.expect("second session");
    let lock = other.begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE operations IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");

    let body = json!({ "query": "{ operations { totalCount } }" }).to_string();
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("request");
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");

    // Once the lock is gone the same request is answered.
    lock.rollback().await.expect("rollback");
    let data = app.data("{ operations { totalCount } }", json!({})).await;
    assert_eq!(data["operations"]["totalCount"], 1);
    other.close().await.expect("close");
}
