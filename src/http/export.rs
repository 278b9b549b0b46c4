//! Exports researchers' tools read: `/export/operations.csv`, `/export/operations.geojson`,
//! `/export/attacks.csv` and `/export/attacks.geojson`, taking the `operations` (or `attacks`)
//! connection's `filter` and `orderBy` as JSON query parameters.
//!
//! An export is streamed, never built in memory: one SQL statement (the rows joined to
//! their district and province, the filter as bound parameters) is read row by row in a task
//! of its own, which writes each row and hands the bytes, a chunk at a time, through a bounded
//! channel to the response body; a slow client slows the query down instead of filling memory.
//! The GeoJSON adds a second statement for the districts, in the same read-only transaction so
//! that both parts see the same data. Nothing is sent until the first row has been read, so a
//! database that fails up front gets a proper error status; one that fails later breaks the
//! transfer, so the client never mistakes a cut-off file for a whole one.

use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_graphql::{InputType, Pos};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::{FutureExt, StreamExt};
use sea_orm::sea_query::{Asterisk, Condition, Expr, ExprTrait, Func, Order, SelectStatement};
use sea_orm::{
    AccessMode, DatabaseConnection, DbBackend, DbErr, FromQueryResult, IsolationLevel, QueryResult,
    StreamTrait, TransactionTrait,
};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value as Json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use super::{AppState, request_error};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::OrderInput;
use crate::graphql::filter;
use crate::graphql::ids::NodeKind;
use crate::graphql::page::SortKey;
use crate::graphql::types::{AttackFilter, AttackOrder, OperationFilter, OperationOrder};

/// Bytes gathered before they are handed to the body.
const CHUNK_BYTES: usize = 16 * 1024;

/// How long a client may leave a chunk unread before the export gives up on it.
const STALLED_CLIENT: std::time::Duration = std::time::Duration::from_secs(30);

/// Chunks the channel holds before the writer waits for the client.
const CHANNEL_CHUNKS: usize = 4;

/// The columns of the operations' CSV, and the properties of an operation's GeoJSON feature.
const OPERATION_COLUMNS: [&str; 20] = [
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

/// The columns of the attacks' CSV, and the properties of an attack's GeoJSON feature.
const ATTACK_COLUMNS: [&str; 21] = [
    "id",
    "kind",
    "date",
    "datePrecision",
    "districtId",
    "district",
    "province",
    "latitude",
    "longitude",
    "place",
    "perpetrators",
    "targets",
    "securityKilled",
    "securityInjured",
    "civiliansKilled",
    "civiliansInjured",
    "militantsKilled",
    "abducted",
    "fatalities",
    "fatalitiesByConvention",
    "description",
];

/// What an export lists.
#[derive(Clone, Copy, Debug)]
enum Subject {
    Operations,
    Attacks,
}

impl Subject {
    fn table(self) -> &'static str {
        match self {
            Self::Operations => "operations",
            Self::Attacks => "attacks",
        }
    }

    fn kind(self) -> NodeKind {
        match self {
            Self::Operations => NodeKind::Operation,
            Self::Attacks => NodeKind::Attack,
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Operations => &OPERATION_COLUMNS,
            Self::Attacks => &ATTACK_COLUMNS,
        }
    }

    /// The columns of its table the export reads, besides the district's and province's.
    fn selected(self) -> &'static [&'static str] {
        match self {
            Self::Operations => &[
                "id",
                "title",
                "kind",
                "start_date",
                "end_date",
                "date_precision",
                "district_id",
                "place",
                "militants_killed",
                "militants_arrested",
                "security_killed",
                "security_injured",
                "civilians_killed",
                "fatalities",
                "fatalities_by_convention",
                "summary",
            ],
            Self::Attacks => &[
                "id",
                "kind",
                "date",
                "date_precision",
                "district_id",
                "place",
                "security_killed",
                "security_injured",
                "civilians_killed",
                "civilians_injured",
                "militants_killed",
                "abducted",
                "fatalities",
                "fatalities_by_convention",
                "description",
            ],
        }
    }

    /// A row the export statement read, as the export writes it.
    fn read(self, row: &QueryResult) -> Result<Exported, DbErr> {
        match self {
            Self::Operations => Ok(OperationRow::from_query_result(row, "")?.exported()),
            Self::Attacks => Ok(AttackRow::from_query_result(row, "")?.exported()),
        }
    }
}

/// The `count` slots exports take turns on (`Limits::max_exports`).
pub(super) fn slots(count: usize) -> Arc<Semaphore> {
    Arc::new(Semaphore::new(count))
}

/// `GET /export/operations.csv`: one row per operation, a header first.
pub(super) async fn operations_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    export(state, &headers, &uri, Subject::Operations, Format::Csv).await
}

/// `GET /export/operations.geojson`: a FeatureCollection of the operations and their districts.
pub(super) async fn operations_geojson(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    export(state, &headers, &uri, Subject::Operations, Format::GeoJson).await
}

/// `GET /export/attacks.csv`: one row per attack, a header first.
pub(super) async fn attacks_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    export(state, &headers, &uri, Subject::Attacks, Format::Csv).await
}

/// `GET /export/attacks.geojson`: a FeatureCollection of the attacks and their districts.
pub(super) async fn attacks_geojson(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    export(state, &headers, &uri, Subject::Attacks, Format::GeoJson).await
}

/// What an export is written as.
#[derive(Clone, Copy, Debug)]
enum Format {
    Csv,
    GeoJson,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::GeoJson => "application/geo+json",
        }
    }

    fn disposition(self, subject: Subject) -> &'static str {
        match (self, subject) {
            (Self::Csv, Subject::Operations) => r#"attachment; filename="operations.csv""#,
            (Self::GeoJson, Subject::Operations) => r#"attachment; filename="operations.geojson""#,
            (Self::Csv, Subject::Attacks) => r#"attachment; filename="attacks.csv""#,
            (Self::GeoJson, Subject::Attacks) => r#"attachment; filename="attacks.geojson""#,
        }
    }
}

async fn export(
    state: AppState,
    headers: &HeaderMap,
    uri: &Uri,
    subject: Subject,
    format: Format,
) -> Response {
    if let Err(refused) = super::caller(&state, headers).await {
        return refused;
    }
    let query = match ExportQuery::from_uri(uri, subject) {
        Ok(query) => query,
        Err(err) => return error_response(err),
    };
    let after = match super::read_after(headers) {
        Ok(after) => after,
        Err(err) => return error_response(err),
    };
    // Closed only if the router's semaphore were closed, which it never is.
    let Ok(permit) = state.exports.clone().acquire_owned().await else {
        return error_response(ApiError::Internal("export slots closed".into()));
    };
    let (ready_tx, ready_rx) = oneshot::channel();
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let sink = Sink {
        tx,
        ready: Some(ready_tx),
    };
    tokio::spawn(run(
        format,
        state.dbs.read(after).clone(),
        query,
        sink,
        permit,
    ));
    match ready_rx.await {
        Ok(Ok(())) => {
            let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|chunk| (chunk, rx))
            });
            (
                [
                    (header::CONTENT_TYPE, format.content_type()),
                    (header::CONTENT_DISPOSITION, format.disposition(subject)),
                ],
                Body::from_stream(chunks),
            )
                .into_response()
        }
        Ok(Err(err)) => error_response(err),
        Err(_) => error_response(ApiError::Internal(
            "export task ended before its first row".into(),
        )),
    }
}

/// The error as a GraphQL-shaped response, logged as the error policy says.
pub(super) fn error_response(err: ApiError) -> Response {
    let status = match err {
        ApiError::BadUserInput(_) | ApiError::TooComplex(_) => StatusCode::BAD_REQUEST,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let code = err.code();
    let message = async_graphql::Error::from(err).message;
    request_error(status, code, message)
}

/// The query parameters an export takes; any other is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// An `OperationFilter` (or `AttackFilter`), as JSON.
    filter: Option<String>,
    /// An `OperationOrder` (or `AttackOrder`), as JSON.
    #[serde(rename = "orderBy")]
    order_by: Option<String>,
}

/// Which rows to export, in which order.
struct ExportQuery {
    subject: Subject,
    condition: Condition,
    sort: SortKey,
}

impl ExportQuery {
    fn from_uri(uri: &Uri, subject: Subject) -> ApiResult<Self> {
        let params = Query::<Params>::try_from_uri(uri)
            .map_err(|e| ApiError::bad_input(e.body_text()))?
            .0;
        let (filter, order) = (params.filter.as_deref(), params.order_by.as_deref());
        let (condition, sort) = match subject {
            Subject::Operations => (
                condition(parse_input::<OperationFilter>("filter", filter)?)?,
                parse_input::<OperationOrder>("orderBy", order)?
                    .unwrap_or_default()
                    .sort_key(),
            ),
            Subject::Attacks => (
                condition(parse_input::<AttackFilter>("filter", filter)?)?,
                parse_input::<AttackOrder>("orderBy", order)?
                    .unwrap_or_default()
                    .sort_key(),
            ),
        };
        Ok(Self {
            subject,
            condition,
            sort,
        })
    }

    fn col(&self, column: &'static str) -> Expr {
        Expr::col((self.subject.table(), column))
    }

    /// The rows with their district and province, in the connection's order: the sort column
    /// with NULLs last, then id. An attack's perpetrators and targets come as one text each,
    /// their names `; `-separated in name order.
    fn rows(&self, backend: DbBackend) -> SelectStatement {
        let mut s = SelectStatement::new();
        for column in self.subject.selected() {
            s.expr(self.col(column));
        }
        if let Subject::Attacks = self.subject {
            for (role, alias) in [("PERPETRATOR", "perpetrators"), ("TARGET", "targets")] {
                s.expr_as(Expr::cust(names_of(role, backend)), alias);
            }
        }
        s.expr_as(Expr::col(("districts", "name")), "district_name")
            .expr_as(Expr::col(("provinces", "name")), "province_name")
            .expr(Expr::col(("districts", "latitude")))
            .expr(Expr::col(("districts", "longitude")));
        self.joined(&mut s, false);
        let dir = if self.sort.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        s.order_by_expr(self.col(self.sort.column).is_null(), Order::Asc)
            .order_by_expr(self.col(self.sort.column), dir.clone())
            .order_by_expr(self.col("id"), dir);
        s
    }

    /// The districts of the matching rows, each with how many there are, by name.
    fn districts(&self) -> SelectStatement {
        let d = |column: &'static str| Expr::col(("districts", column));
        let p = Expr::col(("provinces", "name"));
        let mut s = SelectStatement::new();
        s.expr(d("id"))
            .expr(d("name"))
            .expr_as(p.clone(), "province_name")
            .expr(d("latitude"))
            .expr(d("longitude"))
            .expr_as(Func::count(Expr::col(Asterisk)), "rows");
        self.joined(&mut s, true);
        s.add_group_by([d("id"), d("name"), p, d("latitude"), d("longitude")])
            .order_by_expr(d("name"), Order::Asc)
            .order_by_expr(d("id"), Order::Asc);
        s
    }

    /// `FROM` the rows' table joined to districts (only rows that have one, with `inner`)
    /// and provinces, filtered.
    fn joined(&self, s: &mut SelectStatement, inner: bool) {
        let table = self.subject.table();
        let on_district = Expr::col(("districts", "id")).equals((table, "district_id"));
        let on_province = Expr::col(("provinces", "id")).equals(("districts", "province_id"));
        s.from(table);
        if inner {
            s.inner_join("districts", on_district);
        } else {
            s.left_join("districts", on_district);
        }
        s.left_join("provinces", on_province)
            .cond_where(self.condition.clone());
    }
}

/// The condition a filter compiles to; everything without one.
fn condition<F: filter::FilterInput>(filter: Option<F>) -> ApiResult<Condition> {
    match &filter {
        Some(f) => filter::compile(f),
        None => Ok(Condition::all()),
    }
}

/// The names of an attack's organizations of `role`, `; `-separated in name order; null
/// when it has none. A correlated subquery of the export statement, on `attacks.id`.
fn names_of(role: &str, backend: DbBackend) -> String {
    let aggregate = match backend {
        DbBackend::Postgres => "string_agg(g.name, '; ' ORDER BY g.name)",
        _ => "group_concat(g.name, '; ' ORDER BY g.name)",
    };
    format!(
        "(SELECT {aggregate} FROM attack_organizations ao \
         JOIN organizations g ON g.id = ao.organization_id \
         WHERE ao.attack_id = attacks.id AND ao.role = '{role}')"
    )
}

/// Parses a GraphQL input given as JSON: field names and enum values as in the schema.
/// async-graphql ignores fields an input object does not have, so they are looked for here:
/// a misspelt field would otherwise widen the export to everything.
fn parse_input<T: InputType>(name: &str, raw: Option<&str>) -> ApiResult<Option<T>> {
    let Some(raw) = raw else { return Ok(None) };
    let json: Json = serde_json::from_str(raw)
        .map_err(|e| ApiError::bad_input(format!("`{name}` is not JSON: {e}")))?;
    let value = async_graphql::Value::from_json(json.clone())
        .map_err(|e| ApiError::bad_input(format!("`{name}` is not a GraphQL value: {e}")))?;
    let parsed = Option::<T>::parse(Some(value)).map_err(|e| {
        let message = e.into_server_error(Pos::default()).message;
        ApiError::bad_input(format!("`{name}`: {message}"))
    })?;
    if let Some(parsed) = &parsed {
        unknown_field(&json, &parsed.to_value(), name)?;
    }
    Ok(parsed)
}

/// Refuses the first field of `given` that its parsed form `known` lacks.
fn unknown_field(given: &Json, known: &async_graphql::Value, path: &str) -> ApiResult<()> {
    use async_graphql::Value as V;
    match (given, known) {
        (Json::Object(given), V::Object(known)) => {
            for (key, value) in given {
                let Some(inner) = known.get(key.as_str()) else {
                    return Err(ApiError::bad_input(format!(
                        "`{path}` has no field `{key}`"
                    )));
                };
                unknown_field(value, inner, &format!("{path}.{key}"))?;
            }
            Ok(())
        }
        (Json::Array(given), V::List(known)) => {
            for (i, (value, inner)) in given.iter().zip(known).enumerate() {
                unknown_field(value, inner, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        // One value where a list is expected is a list of one, as GraphQL coerces it.
        (given, V::List(known)) if known.len() == 1 => unknown_field(given, &known[0], path),
        _ => Ok(()),
    }
}

/// Why an export stopped early.
enum Stop {
    /// The client went away; nobody is left to tell.
    ClientGone,
    /// The database or the writer failed.
    Failed(ApiError),
}

impl From<DbErr> for Stop {
    fn from(err: DbErr) -> Self {
        Self::Failed(err.into())
    }
}

impl From<csv::Error> for Stop {
    fn from(err: csv::Error) -> Self {
        Self::Failed(ApiError::Internal(format!("writing CSV: {err}")))
    }
}

impl<W> From<csv::IntoInnerError<W>> for Stop {
    fn from(err: csv::IntoInnerError<W>) -> Self {
        Self::Failed(ApiError::Internal(format!("writing CSV: {}", err.error())))
    }
}

impl From<serde_json::Error> for Stop {
    fn from(err: serde_json::Error) -> Self {
        Self::Failed(ApiError::Internal(format!("writing GeoJSON: {err}")))
    }
}

/// Where an export's bytes go: the response's status, once, then its body.
struct Sink {
    tx: mpsc::Sender<io::Result<Bytes>>,
    /// Taken when the first row is in hand; until then errors become the response.
    ready: Option<oneshot::Sender<ApiResult<()>>>,
}

impl Sink {
    /// The first row is read (or there is none): the response can start.
    fn begin(&mut self) -> Result<(), Stop> {
        match self.ready.take() {
            Some(ready) => ready.send(Ok(())).map_err(|_| Stop::ClientGone),
            None => Ok(()),
        }
    }

    /// Hands `buf` to the body once it holds at least `at_least` bytes (and any).
    async fn send(&mut self, buf: &mut Vec<u8>, at_least: usize) -> Result<(), Stop> {
        if buf.is_empty() || buf.len() < at_least {
            return Ok(());
        }
        let chunk = std::mem::replace(buf, Vec::with_capacity(CHUNK_BYTES));
        // The request timeout ends with the headers; a client that stops reading would hold
        // its export slot and database connection for ever, so a stalled one is let go.
        match tokio::time::timeout(STALLED_CLIENT, self.tx.send(Ok(Bytes::from(chunk)))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Stop::ClientGone),
            Err(_) => {
                tracing::warn!("export client read nothing for {STALLED_CLIENT:?}; dropped");
                Err(Stop::ClientGone)
            }
        }
    }

    /// Reports how the export ended: an error before the first row becomes the response;
    /// one after it breaks the body.
    async fn finish(mut self, outcome: Result<(), Stop>) {
        let Err(Stop::Failed(err)) = outcome else {
            return;
        };
        match self.ready.take() {
            Some(ready) => {
                let _ = ready.send(Err(err));
            }
            None => {
                tracing::error!(code = err.code(), error = ?err, "export failed while streaming; transfer broken");
                let _ = self
                    .tx
                    .send(Err(io::Error::other("export failed; it has been logged")))
                    .await;
            }
        }
    }
}

/// Writes one export, holding its slot until done.
async fn run(
    format: Format,
    db: DatabaseConnection,
    query: ExportQuery,
    mut sink: Sink,
    _permit: OwnedSemaphorePermit,
) {
    let writing = async {
        match format {
            Format::Csv => write_csv(&db, &query, &mut sink).await,
            Format::GeoJson => write_geojson(&db, &query, &mut sink).await,
        }
    };
    // A panic here would end the body cleanly, as a complete file; turn it into a failure.
    let outcome = match AssertUnwindSafe(writing).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => Err(Stop::Failed(ApiError::Internal(
            "export writer panicked".into(),
        ))),
    };
    sink.finish(outcome).await;
}

async fn write_csv(
    db: &DatabaseConnection,
    query: &ExportQuery,
    sink: &mut Sink,
) -> Result<(), Stop> {
    let subject = query.subject;
    let mut rows = db.stream(&query.rows(db.get_database_backend())).await?;
    let mut next = rows.next().await.transpose()?;
    sink.begin()?;
    let writer = || csv::Writer::from_writer(Vec::with_capacity(CHUNK_BYTES));
    let mut csv = writer();
    csv.write_record(subject.columns())?;
    while let Some(row) = next {
        let cells = subject.read(&row)?.cells;
        csv.write_record(cells.iter().map(Cell::to_csv))?;
        // The writer passes its rows on to the vector a few kilobytes at a time.
        if csv.get_ref().len() >= CHUNK_BYTES {
            let mut chunk = std::mem::replace(&mut csv, writer()).into_inner()?;
            sink.send(&mut chunk, 0).await?;
        }
        next = rows.next().await.transpose()?;
    }
    // Dropping the stream ends the statement (and counts it) before the body ends.
    drop(rows);
    let mut chunk = csv.into_inner()?;
    sink.send(&mut chunk, 0).await
}

async fn write_geojson(
    db: &DatabaseConnection,
    query: &ExportQuery,
    sink: &mut Sink,
) -> Result<(), Stop> {
    // Both statements in one snapshot, so the districts' counts match the rows listed.
    let subject = query.subject;
    let backend = db.get_database_backend();
    let txn = match backend {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        _ => db.begin().await?,
    };
    let mut buf = Vec::with_capacity(CHUNK_BYTES);
    let mut separator = "\n";
    {
        let mut rows = txn.stream(&query.rows(backend)).await?;
        let mut next = rows.next().await.transpose()?;
        sink.begin()?;
        buf.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
        while let Some(row) = next {
            let feature = subject.read(&row)?.feature(subject);
            buf.extend_from_slice(separator.as_bytes());
            serde_json::to_writer(&mut buf, &feature)?;
            separator = ",\n";
            sink.send(&mut buf, CHUNK_BYTES).await?;
            next = rows.next().await.transpose()?;
        }
    }
    {
        let mut rows = txn.stream(&query.districts()).await?;
        while let Some(row) = rows.next().await.transpose()? {
            let feature = DistrictRow::from_query_result(&row, "")?.feature(subject);
            buf.extend_from_slice(separator.as_bytes());
            serde_json::to_writer(&mut buf, &feature)?;
            separator = ",\n";
            sink.send(&mut buf, CHUNK_BYTES).await?;
        }
    }
    txn.commit().await?;
    buf.extend_from_slice(b"\n]}\n");
    sink.send(&mut buf, 0).await
}

/// One value of an exported row.
enum Cell {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Cell {
    /// Unreported values are empty cells, never 0. Text a spreadsheet would run as a formula
    /// (imported titles and places are anyone's words) gets a leading `'`, so it shows as text.
    fn to_csv(&self) -> String {
        match self {
            Self::Null => String::new(),
            Self::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
            Self::Text(s) => s.clone(),
            Self::Int(n) => n.to_string(),
            Self::Float(x) => x.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_none(),
            Self::Text(s) => serializer.serialize_str(s),
            Self::Int(n) => serializer.serialize_i64(*n),
            Self::Float(x) => serializer.serialize_f64(*x),
            Self::Bool(b) => serializer.serialize_bool(*b),
        }
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Self {
        Self::Int(n.into())
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        Self::Float(x)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Self::Text(d.to_string())
    }
}

/// A GeoJSON feature. Members serialize in this order, `type` first, so the file reads well.
#[derive(Serialize)]
struct Feature<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: Option<Point>,
    properties: P,
}

/// A GeoJSON point.
#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

impl Point {
    /// The point at `[longitude, latitude]`, as RFC 7946 orders them; none when either is
    /// unknown.
    fn at(latitude: Option<f64>, longitude: Option<f64>) -> Option<Self> {
        Some(Self {
            kind: "Point",
            coordinates: [longitude?, latitude?],
        })
    }
}

/// An exported row's feature properties: `type`, the CSV's columns, `locationPrecision`.
struct RowProperties {
    subject: Subject,
    cells: Vec<Cell>,
    location_precision: &'static str,
}

impl Serialize for RowProperties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let columns = self.subject.columns();
        let mut map = serializer.serialize_map(Some(columns.len() + 2))?;
        map.serialize_entry("type", self.subject.kind().name())?;
        for (name, cell) in columns.iter().zip(&self.cells) {
            map.serialize_entry(name, cell)?;
        }
        map.serialize_entry("locationPrecision", self.location_precision)?;
        map.end()
    }
}

/// A district's feature properties, with how many of the exported rows lie in it (named
/// `operations` or `attacks`).
struct DistrictProperties {
    subject: Subject,
    id: String,
    name: String,
    province: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    rows: i64,
}

impl Serialize for DistrictProperties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("type", "District")?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("province", &self.province)?;
        map.serialize_entry("latitude", &self.latitude)?;
        map.serialize_entry("longitude", &self.longitude)?;
        // Named as the rows counted: `operations` or `attacks`.
        map.serialize_entry(self.subject.table(), &self.rows)?;
        map.end()
    }
}

/// An exported row: its id and its district's point, and its values in the order of its
/// subject's columns.
struct Exported {
    id: i32,
    latitude: Option<f64>,
    longitude: Option<f64>,
    cells: Vec<Cell>,
}

impl Exported {
    /// A GeoJSON feature at the district's point; `locationPrecision` says the point locates
    /// the district, not the place itself (`UNKNOWN` when there is no point).
    fn feature(self, subject: Subject) -> Feature<RowProperties> {
        let geometry = Point::at(self.latitude, self.longitude);
        let location_precision = if geometry.is_some() {
            "DISTRICT"
        } else {
            "UNKNOWN"
        };
        Feature {
            kind: "Feature",
            id: subject.kind().id(self.id).0,
            geometry,
            properties: RowProperties {
                subject,
                cells: self.cells,
                location_precision,
            },
        }
    }
}

/// An operation with its district and province, as the export statement reads it.
#[derive(FromQueryResult)]
struct OperationRow {
    id: i32,
    title: String,
    kind: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    date_precision: String,
    district_id: Option<i32>,
    district_name: Option<String>,
    province_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    place: Option<String>,
    militants_killed: Option<i32>,
    militants_arrested: Option<i32>,
    security_killed: Option<i32>,
    security_injured: Option<i32>,
    civilians_killed: Option<i32>,
    fatalities: Option<i32>,
    fatalities_by_convention: bool,
    summary: Option<String>,
}

impl OperationRow {
    /// The row's values, in the order of [`OPERATION_COLUMNS`]; enums as their GraphQL
    /// names, which is how they are stored.
    fn exported(self) -> Exported {
        let (id, latitude, longitude) = (self.id, self.latitude, self.longitude);
        let cells = vec![
            Cell::Text(NodeKind::Operation.id(self.id).0),
            self.title.into(),
            self.kind.into(),
            self.start_date.into(),
            self.end_date.into(),
            self.date_precision.into(),
            self.district_id
                .map(|id| NodeKind::District.id(id).0)
                .into(),
            self.district_name.into(),
            self.province_name.into(),
            self.latitude.into(),
            self.longitude.into(),
            self.place.into(),
            self.militants_killed.into(),
            self.militants_arrested.into(),
            self.security_killed.into(),
            self.security_injured.into(),
            self.civilians_killed.into(),
            self.fatalities.into(),
            Cell::Bool(self.fatalities_by_convention),
            self.summary.into(),
        ];
        Exported {
            id,
            latitude,
            longitude,
            cells,
        }
    }
}

/// An attack with its district, province and organizations, as the export statement reads it.
#[derive(FromQueryResult)]
struct AttackRow {
    id: i32,
    kind: String,
    date: NaiveDate,
    date_precision: String,
    district_id: Option<i32>,
    district_name: Option<String>,
    province_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    place: Option<String>,
    perpetrators: Option<String>,
    targets: Option<String>,
    security_killed: Option<i32>,
    security_injured: Option<i32>,
    civilians_killed: Option<i32>,
    civilians_injured: Option<i32>,
    militants_killed: Option<i32>,
    abducted: Option<i32>,
    fatalities: Option<i32>,
    fatalities_by_convention: bool,
    description: Option<String>,
}

impl AttackRow {
    /// The row's values, in the order of [`ATTACK_COLUMNS`].
    fn exported(self) -> Exported {
        let (id, latitude, longitude) = (self.id, self.latitude, self.longitude);
        let cells = vec![
            Cell::Text(NodeKind::Attack.id(self.id).0),
            self.kind.into(),
            self.date.into(),
            self.date_precision.into(),
            self.district_id
                .map(|id| NodeKind::District.id(id).0)
                .into(),
            self.district_name.into(),
            self.province_name.into(),
            self.latitude.into(),
            self.longitude.into(),
            self.place.into(),
            self.perpetrators.into(),
            self.targets.into(),
            self.security_killed.into(),
            self.security_injured.into(),
            self.civilians_killed.into(),
            self.civilians_injured.into(),
            self.militants_killed.into(),
            self.abducted.into(),
            self.fatalities.into(),
            Cell::Bool(self.fatalities_by_convention),
            self.description.into(),
        ];
        Exported {
            id,
            latitude,
            longitude,
            cells,
        }
    }
}

/// A district of the exported rows, with how many of them lie in it.
#[derive(FromQueryResult)]
struct DistrictRow {
    id: i32,
    name: String,
    province_name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    rows: i64,
}

impl DistrictRow {
    fn feature(self, subject: Subject) -> Feature<DistrictProperties> {
        let id = NodeKind::District.id(self.id).0;
        Feature {
            kind: "Feature",
            id: id.clone(),
            geometry: Point::at(self.latitude, self.longitude),
            properties: DistrictProperties {
                subject,
                id,
                name: self.name,
                province: self.province_name,
                latitude: self.latitude,
                longitude: self.longitude,
                rows: self.rows,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> ApiResult<Option<OperationFilter>> {
        parse_input("filter", Some(raw))
    }

    #[test]
    fn filters_parse_from_json_with_enums_as_strings() {
        let f = parse(r#"{"kind":{"eq":"RAID"},"or":[{"title":{"contains":"x"}}]}"#);
        assert!(matches!(f, Ok(Some(_))), "{:?}", f.err());
        assert!(matches!(parse("null"), Ok(None)));
    }

    #[test]
    fn misshapen_filters_are_user_errors() {
        for bad in [
            "{",
            r#"{"kind":{"eq":"NOPE"}}"#,
            r#"{"titel":{"eq":"x"}}"#,
            r#"{"and":[{"title":{"eqq":"x"}}]}"#,
            r#"{"not":{"summary":{"contains":"x","x":1}}}"#,
            r#"{"militantsKilled":{"gt":"many"}}"#,
            r#"[]"#,
            r#""RAID""#,
        ] {
            let code = parse(bad).err().map(|e| e.code());
            assert_eq!(code, Some(crate::error::code::BAD_USER_INPUT), "{bad}");
        }
    }
}
