//! The CSV and GeoJSON exports: the same rows as the `operations` connection, quoted and
//! shaped as researchers' tools read them, bad input refused with a code, and a constant
//! number of statements however many rows they stream.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, both};
use crate::nested::grow;

/// `value` with every byte but the unreserved ones percent-encoded, for a query string.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The export at `path` for `filter` and `order` (JSON), which must succeed.
pub(crate) async fn export(
    app: &TestApp,
    path: &str,
    filter: &Value,
    order: Option<&Value>,
) -> (String, String) {
    let mut uri = format!("{path}?filter={}", encode(&filter.to_string()));
    if let Some(order) = order {
        uri.push_str(&format!("&orderBy={}", encode(&order.to_string())));
    }
    let (status, content_type, body) = app.get_text(&uri).await;
    let body = body.unwrap_or_else(|e| panic!("{uri}: transfer broken: {e}"));
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    (content_type, body)
}

/// The rows of a CSV export, header first.
pub(crate) fn records(text: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .expect("the export is valid CSV")
}

const HEADER: [&str; 20] = [
    "id",
    "title",
    "kind",
    "startDate",
    "endDate",
    "datePrecision",
    "districtId",
    "district",
    "province",
    "latitude",
    "longitude",
    "place",
    "militantsKilled",
    "militantsArrested",
    "securityKilled",
    "securityInjured",
    "civiliansKilled",
    "fatalities",
    "fatalitiesByConvention",
    "summary",
];

/// The connection's nodes for `filter` and `order`, with what the export shows of each.
async fn connection(app: &TestApp, filter: &Value, order: Option<&Value>) -> (i64, Vec<Value>) {
    let q = "query($f: OperationFilter, $o: OperationOrder) { operations(filter: $f, orderBy: $o, first: 100) {
        totalCount
        nodes { id title kind startDate endDate datePrecision place militantsKilled militantsArrested
                securityKilled securityInjured civiliansKilled fatalities fatalitiesByConvention summary
                district { id name latitude longitude province { name } } }
    } }";
    let data = app.data(q, json!({ "f": filter, "o": order })).await;
    let total = data["operations"]["totalCount"]
        .as_i64()
        .expect("totalCount");
    let nodes = data["operations"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    (total, nodes)
}

/// A node as its CSV row would show it: nulls as empty cells.
fn as_cells(node: &Value) -> Vec<String> {
    let cell = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let d = &node["district"];
    let mut cells: Vec<String> = [
        "id",
        "title",
        "kind",
        "startDate",
        "endDate",
        "datePrecision",
    ]
    .iter()
    .map(|f| cell(&node[f]))
    .collect();
    cells.extend(
        [
            &d["id"],
            &d["name"],
            &d["province"]["name"],
            &d["latitude"],
            &d["longitude"],
        ]
        .map(cell),
    );
    cells.extend(
        [
            "place",
            "militantsKilled",
            "militantsArrested",
            "securityKilled",
            "securityInjured",
            "civiliansKilled",
            "fatalities",
            "fatalitiesByConvention",
            "summary",
        ]
        .iter()
        .map(|f| cell(&node[f])),
    );
    cells
}

both! {
    async fn csv_export_holds_exactly_the_connections_rows(app: TestApp) {
        grow(&app, 3).await;
        let cases = [
            (json!({ "kind": { "in": ["RAID", "INTELLIGENCE_BASED"] }, "startDate": { "gte": "2025-03-01" } }), None, 31),
            (json!({ "or": [{ "militantsKilled": { "gte": 2 } }, { "title": { "contains": "dera" } }] }), Some(json!({ "field": "TITLE", "direction": "ASC" })), 11),
            (json!({ "militantsKilled": { "isNull": false } }), Some(json!({ "field": "MILITANTS_KILLED" })), 31),
            (json!({ "title": { "eq": "no such operation" } }), None, 0),
            // Through relations, whose subqueries name the tables the export joins.
            (json!({ "districtMatches": { "or": [{ "name": { "eq": "Bannu" } }, { "provinceMatches": { "name": { "eq": "Punjab" } } }] } }), None, 6),
            (json!({ "hasPersonnel": { "outcome": { "eq": "KILLED" } } }), None, 1),
        ];
        for (filter, order, expected) in cases {
            let (content_type, text) = export(&app, "/export/operations.csv", &filter, order.as_ref()).await;
            assert_eq!(content_type, "text/csv; charset=utf-8");
            let rows = records(&text);
            assert_eq!(rows[0].iter().collect::<Vec<_>>(), HEADER, "header row first");
            let (total, nodes) = connection(&app, &filter, order.as_ref()).await;
            assert_eq!(total, expected, "{filter}");
            assert_eq!(rows.len() - 1, usize::try_from(total).expect("count"), "{filter}");
            for (row, node) in rows[1..].iter().zip(&nodes) {
                assert_eq!(row.iter().collect::<Vec<_>>(), as_cells(node), "{filter}");
            }
        }
        // Without a filter: every operation, in the connection's default order.
        let (_, text) = export(&app, "/export/operations.csv", &Value::Null, None).await;
        let rows = records(&text);
        let (total, nodes) = connection(&app, &Value::Null, None).await;
        assert_eq!(rows.len() - 1, usize::try_from(total).expect("count"));
        assert_eq!(total, 1 + 10 * 3);
        let ids: Vec<&str> = rows[1..].iter().map(|r| &r[0]).collect();
        let expected: Vec<&str> = nodes.iter().filter_map(|n| n["id"].as_str()).collect();
        assert_eq!(ids, expected);
    }
}

both! {
    async fn csv_quotes_commas_quotes_and_newlines_and_leaves_unreported_counts_empty(app: TestApp) {
        app.execute(
            "INSERT INTO operations (title, kind, start_date, date_precision, district_id, summary, dataset, external_id) \
             VALUES ('Raid, \"Alpha\"\nday two', 'RAID', '2025-03-05', 'DAY', NULL, 'one; two, \"three\"', 'test', 'quoted')",
        )
        .await;
        let filter = json!({ "title": { "startsWith": "Raid, " } });
        let (_, text) = export(&app, "/export/operations.csv", &filter, None).await;
        assert!(text.starts_with(&format!("{}\n", HEADER.join(","))), "{text}");
        assert!(text.contains(r#","Raid, ""Alpha""
day two",RAID,2025-03-05,,DAY,,,,,,,,,,,,,false,"one; two, ""three"""#), "{text}");
        let rows = records(&text);
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[1][1], "Raid, \"Alpha\"\nday two");
        assert_eq!(&rows[1][19], "one; two, \"three\"");
        // Unreported counts are empty, never 0, and so is the unknown district.
        for column in 6..=17 {
            assert_eq!(&rows[1][column], "", "{}", HEADER[column]);
        }
    }
}

both! {
    async fn csv_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(app: TestApp) {
        app.execute(
            "INSERT INTO operations (title, kind, start_date, date_precision, place, summary, dataset, external_id) \
             VALUES ('=HYPERLINK(\"http://x\")', 'RAID', '2025-03-05', 'DAY', '@SUM(A1)', '-2+3', 'test', 'formula')",
        )
        .await;
        let (_, text) = export(&app, "/export/operations.csv", &json!({ "title": { "startsWith": "=" } }), None).await;
        let rows = records(&text);
        assert_eq!(rows.len(), 2, "{text}");
        let row = rows[1].iter().collect::<Vec<_>>();
        for kept in ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'-2+3"] {
            assert!(row.contains(&kept), "{kept} in {row:?}");
        }
        // The GraphQL API and GeoJSON give the text as stored.
        let data = app.data(r#"{ operations(filter: { title: { startsWith: "=" } }) { nodes { title } } }"#, json!({})).await;
        assert_eq!(data["operations"]["nodes"][0]["title"], "=HYPERLINK(\"http://x\")");
    }
}

both! {
    async fn geojson_export_is_a_feature_collection_of_operations_and_their_districts(app: TestApp) {
        grow(&app, 2).await;
        app.execute(
            "INSERT INTO operations (title, kind, start_date, date_precision, district_id, place, dataset, external_id) \
             VALUES ('Somewhere in Waziristan', 'OTHER', '2025-03-09', 'DAY', NULL, 'Waziristan', 'test', 'nowhere')",
        )
        .await;
        let (content_type, text) = export(&app, "/export/operations.geojson", &Value::Null, None).await;
        assert_eq!(content_type, "application/geo+json");
        let collection: Value = serde_json::from_str(&text).expect("the export is JSON");
        assert_eq!(collection["type"], "FeatureCollection");
        let features = collection["features"].as_array().expect("features");
        let (total, nodes) = connection(&app, &Value::Null, None).await;
        let of = |kind: &str| -> Vec<&Value> {
            features.iter().filter(|f| f["properties"]["type"] == kind).collect()
        };
        let (operations, districts) = (of("Operation"), of("District"));
        assert_eq!(operations.len() as i64, total);
        assert_eq!(features.len(), operations.len() + districts.len());
        // Every district of the seed has operations now, and their counts add up.
        assert_eq!(districts.len() as i64, app.scalar("SELECT COUNT(*) FROM districts").await);
        let placed: i64 = districts.iter().filter_map(|d| d["properties"]["operations"].as_i64()).sum();
        assert_eq!(placed, total - 1, "all but the unplaced one");

        for (feature, node) in operations.iter().zip(&nodes) {
            assert_eq!(feature["type"], "Feature");
            assert_eq!(feature["id"], node["id"]);
            assert_eq!(feature["properties"]["title"], node["title"]);
            assert_eq!(feature["properties"]["militantsKilled"], node["militantsKilled"]);
            let district = &node["district"];
            if district.is_null() {
                assert_eq!(feature["geometry"], Value::Null);
                assert_eq!(feature["properties"]["locationPrecision"], "UNKNOWN");
            } else {
                // RFC 7946: longitude first.
                assert_eq!(feature["geometry"], json!({ "type": "Point", "coordinates": [district["longitude"], district["latitude"]] }));
                assert_eq!(feature["properties"]["locationPrecision"], "DISTRICT");
                assert_eq!(feature["properties"]["district"], district["name"]);
            }
        }
        let dik = districts.iter().find(|d| d["properties"]["name"] == "Dera Ismail Khan").expect("Dera Ismail Khan");
        assert_eq!(dik["properties"]["operations"], 1 + 2);
        assert_eq!(dik["properties"]["province"], "Khyber Pakhtunkhwa");
        let coordinates = &dik["geometry"]["coordinates"];
        assert_eq!(coordinates[0], dik["properties"]["longitude"]);
        assert_eq!(coordinates[1], dik["properties"]["latitude"]);
        assert!(coordinates[0].as_f64().expect("lon") > 60.0, "longitude first: {coordinates}");

        // A filter narrows both parts.
        let filter = json!({ "districtMatches": { "name": { "eq": "Dera Ismail Khan" } }, "militantsKilled": { "gte": 10 } });
        let (_, text) = export(&app, "/export/operations.geojson", &filter, None).await;
        let collection: Value = serde_json::from_str(&text).expect("the export is JSON");
        let kinds: Vec<&Value> = collection["features"].as_array().expect("features").iter().map(|f| &f["properties"]["type"]).collect();
        assert_eq!(kinds, ["Operation", "District"]);
    }
}

both! {
    async fn bad_export_input_is_refused_with_a_code(app: TestApp) {
        let operation = app.data("{ operations(first: 1) { nodes { id } } }", json!({})).await;
        let operation = operation["operations"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        let cases = [
            "filter=not%20json".to_owned(),
            "filter=".to_owned(),
            format!("filter={}", encode(r#"{"kind":{"eq":"NOT_A_KIND"}}"#)),
            format!("filter={}", encode(r#"{"titel":{"eq":"x"}}"#)),
            format!("filter={}", encode(r#"{"or":[{"title":{"equals":"x"}}]}"#)),
            format!("filter={}", encode(r#"{"militantsKilled":{"gte":"ten"}}"#)),
            format!("filter={}", encode(r#"{"districtMatches":{"nmae":{"eq":"Bannu"}}}"#)),
            format!("filter={}", encode(r#"[1,2]"#)),
            format!("filter={}", encode(r#"{"district":{"eq":"garbage"}}"#)),
            format!("filter={}", encode(&json!({ "district": { "eq": operation } }).to_string())),
            format!("filter={}", encode(r#"{"startDate":{"gte":"March 2025"}}"#)),
            format!("orderBy={}", encode(r#"{"field":"NOT_A_FIELD"}"#)),
            "format=xlsx".to_owned(),
            "filter=null&filter=null".to_owned(),
        ];
        for path in ["/export/operations.csv", "/export/operations.geojson"] {
            for query in &cases {
                let uri = format!("{path}?{query}");
                let (status, _, body) = app.get_text(&uri).await;
                let body: Value = serde_json::from_str(&body.expect("a whole body")).expect("a JSON error");
                assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
                assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{uri}: {body}");
                assert!(body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
            }
        }
    }
}

both! {
    async fn exports_run_the_same_statements_whatever_the_rows(app: TestApp) {
        let counted = |path: &'static str| {
            let app = &app;
            async move {
                let before = app.db().statements();
                let (_, text) = export(app, path, &json!({}), None).await;
                (app.db().statements() - before, text.lines().count())
            }
        };
        let (csv_small, csv_lines) = counted("/export/operations.csv").await;
        let (geo_small, _) = counted("/export/operations.geojson").await;
        grow(&app, 10).await;
        let (csv_large, csv_lines_large) = counted("/export/operations.csv").await;
        let (geo_large, _) = counted("/export/operations.geojson").await;
        assert_eq!(csv_lines_large - csv_lines, 10 * 10, "the export grew");
        assert_eq!((csv_small, csv_large), (1, 1), "one statement for the CSV");
        assert_eq!((geo_small, geo_large), (2, 2), "operations, then their districts");
    }
}

both! {
    async fn an_unreachable_database_is_503_before_the_first_byte(app: TestApp) {
        app.db().conn().close_by_ref().await.expect("close the pool");
        for path in ["/export/operations.csv", "/export/operations.geojson"] {
            let (status, _, body) = app.get_text(path).await;
            let body: Value = serde_json::from_str(&body.expect("a whole body")).expect("a JSON error");
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "DATABASE_UNAVAILABLE");
        }
    }
}

/// A failure after the first row must break the transfer, never end it as if the file were
/// whole. SQLite only: it is the backend that lets a test store a count that is not a number
/// (PostgreSQL refuses it), which fails the export when its row is reached, last.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_mid_stream_breaks_the_transfer() {
    let Some(app) = TestApp::start(crate::helpers::Backend::Sqlite).await else {
        return;
    };
    grow(&app, 2).await;
    app.execute(
        "INSERT INTO operations (title, kind, start_date, date_precision, militants_killed, dataset, external_id) \
         VALUES ('Corrupt', 'RAID', '2000-01-01', 'DAY', 'many', 'test', 'corrupt')",
    )
    .await;
    for path in ["/export/operations.csv", "/export/operations.geojson"] {
        let (status, _, body) = app.get_text(path).await;
        assert_eq!(status, StatusCode::OK, "the export had started");
        assert!(
            body.is_err(),
            "{path}: a cut-off export read as whole: {body:?}"
        );
    }
}
