//! Relay cursor pagination, forwards and backwards, at the root and nested.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both};

const PAGE: &str = r#"
query($first: Int, $after: String, $last: Int, $before: String, $order: DistrictOrder) {
  districts(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } }
  }
}"#;

fn names(page: &Value) -> Vec<String> {
    page["districts"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["name"].as_str().map(str::to_owned))
        .collect()
}

/// Walks all pages of districts in `order`, forwards, `size` at a time.
async fn walk_forward(app: &TestApp, size: i32, order: Value) -> Vec<String> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .data(
                PAGE,
                json!({ "first": size, "after": after, "order": order }),
            )
            .await;
        all.extend(names(&page));
        let info = &page["districts"]["pageInfo"];
        if info["hasNextPage"] != true {
            return all;
        }
        after = info["endCursor"].clone();
    }
}

async fn walk_backward(app: &TestApp, size: i32, order: Value) -> Vec<String> {
    let mut all = Vec::new();
    let mut before = Value::Null;
    loop {
        let page = app
            .data(
                PAGE,
                json!({ "last": size, "before": before, "order": order }),
            )
            .await;
        let mut chunk = names(&page);
        chunk.extend(all);
        all = chunk;
        let info = &page["districts"]["pageInfo"];
        if info["hasPreviousPage"] != true {
            return all;
        }
        before = info["startCursor"].clone();
    }
}

both! {
    async fn cursors_walk_every_row_once_in_both_directions(app: TestApp) {
        let everything = app.data(PAGE, json!({ "first": 100 })).await;
        let expected = names(&everything);
        assert_eq!(expected.len(), 10);
        assert_eq!(everything["districts"]["totalCount"], 10);
        let mut sorted = expected.clone();
        sorted.sort();
        assert_eq!(expected, sorted, "default order is by name");

        for size in [1, 3, 4] {
            assert_eq!(walk_forward(&app, size, Value::Null).await, expected, "forward by {size}");
            assert_eq!(walk_backward(&app, size, Value::Null).await, expected, "backward by {size}");
        }
        let descending = json!({ "field": "LATITUDE", "direction": "DESC" });
        let by_latitude = walk_forward(&app, 3, descending.clone()).await;
        assert_eq!(by_latitude.first().map(String::as_str), Some("Khyber"), "northernmost first");
        assert_eq!(walk_backward(&app, 3, descending).await, by_latitude);
    }
}

both! {
    async fn rows_with_null_sort_values_come_last_and_are_paged_through(app: TestApp) {
        // Militants ordered by name: the three seeded Afghans have none; add named ones.
        app.execute("INSERT INTO militants (name, aliases, status) VALUES ('B test', '[]', 'AT_LARGE'), ('A test', '[]', 'AT_LARGE')").await;
        let q = r#"query($after: String) { militants(first: 2, after: $after, orderBy: { field: NAME }) { pageInfo { hasNextPage endCursor } nodes { name } } }"#;
        let mut after = Value::Null;
        let mut seen = Vec::new();
        loop {
            let data = app.data(q, json!({ "after": after })).await;
            seen.extend(data["militants"]["nodes"].as_array().into_iter().flatten().map(|n| n["name"].clone()));
            if data["militants"]["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = data["militants"]["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, [json!("A test"), json!("B test"), Value::Null, Value::Null, Value::Null]);
    }
}

both! {
    async fn nested_connections_page_with_cursors(app: TestApp) {
        let q = r#"query($after: String) { provinces(filter: { isoCode: { eq: "PK-KP" } }) { nodes { districts(first: 4, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor } nodes { name } } } } }"#;
        let first = app.data(q, json!({})).await;
        let page = &first["provinces"]["nodes"][0]["districts"];
        assert_eq!(page["nodes"].as_array().map(Vec::len), Some(4));
        assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
        let second = app.data(q, json!({ "after": page["pageInfo"]["endCursor"] })).await;
        let next = &second["provinces"]["nodes"][0]["districts"];
        assert_eq!(next["nodes"][0]["name"], "Kurram", "Bannu, Dera Ismail Khan, Karak, Khyber come first");
        assert_eq!(next["pageInfo"]["hasPreviousPage"], true);

        // Past the last row the page is empty, and still says a cursor was given, as a root
        // connection's does (regression: a parent without rows got a page that said nothing).
        let all = app.data(&q.replace("first: 4", "first: 100"), json!({})).await;
        let end = &all["provinces"]["nodes"][0]["districts"]["pageInfo"]["endCursor"];
        let past = app.data(q, json!({ "after": end })).await;
        let past = &past["provinces"]["nodes"][0]["districts"];
        assert_eq!(past["nodes"], json!([]));
        assert_eq!((past["pageInfo"]["hasPreviousPage"].clone(), past["pageInfo"]["hasNextPage"].clone()), (json!(true), json!(false)));
    }
}

both! {
    async fn nested_connections_page_backwards_and_empty_pages_are_allowed(app: TestApp) {
        let q = r#"query($before: String) { provinces(filter: { isoCode: { eq: "PK-KP" } }) { nodes {
            districts(last: 4, before: $before) { pageInfo { hasNextPage hasPreviousPage startCursor } nodes { name } }
            none: districts(first: 0) { totalCount pageInfo { hasNextPage } nodes { name } }
        } } }"#;
        let data = app.data(q, json!({})).await;
        let kp = &data["provinces"]["nodes"][0];
        let last: Vec<&str> = kp["districts"]["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["name"].as_str()).collect();
        assert_eq!(last, ["Lakki Marwat", "Lower South Waziristan", "North Waziristan", "Upper South Waziristan"]);
        assert_eq!(kp["districts"]["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(kp["none"]["nodes"], json!([]));
        assert_eq!(kp["none"]["totalCount"], 9);
        assert_eq!(kp["none"]["pageInfo"]["hasNextPage"], true);

        let before = kp["districts"]["pageInfo"]["startCursor"].clone();
        let data = app.data(q, json!({ "before": before })).await;
        let earlier: Vec<&str> = data["provinces"]["nodes"][0]["districts"]["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["name"].as_str()).collect();
        assert_eq!(earlier, ["Dera Ismail Khan", "Karak", "Khyber", "Kurram"]);
        let info = &data["provinces"]["nodes"][0]["districts"]["pageInfo"];
        assert_eq!((info["hasPreviousPage"].clone(), info["hasNextPage"].clone()), (json!(true), json!(true)), "Bannu before, Lakki Marwat after");
    }
}
