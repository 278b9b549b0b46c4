//! Pages of rows, fetched in SQL.
//!
//! A root connection is one `SELECT ... ORDER BY ... LIMIT n + 1`. A nested connection is
//! loaded for all its parents at once: one statement numbers each parent's rows with
//! `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY sort, id)` and keeps the first `n + 1`,
//! so asking for 10 children of 100 parents reads at most 1,100 rows, never all of them.
//! `totalCount` is a separate grouped `COUNT(*)`, run only when asked for.
//!
//! Cursors are keyset cursors: the sort value and id of a row. Rows whose sort value is
//! NULL sort last in either direction, on SQLite and PostgreSQL alike.

use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, Order, OverStatement, Query,
    SelectStatement, Value, WindowStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult};
use serde_json::json;

use super::scalars::parse_date;
use crate::entity::{LinkTable, Table};
use crate::error::{ApiError, ApiResult};

/// Largest page a client may ask for with `first` or `last`.
pub const MAX_PAGE_SIZE: u64 = 100;
/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// How a nested connection's rows hang off their parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    /// The child row's `column` holds the parent's id.
    Column(&'static str),
    /// Like `Column`, for polymorphic references: `tag_column` must equal `tag` too.
    Tagged {
        /// Column holding the parent's id.
        column: &'static str,
        /// Column naming the parent's type.
        tag_column: &'static str,
        /// The parent's type.
        tag: &'static str,
    },
    /// A link table joins parent and child; its row becomes the edge's data.
    Link {
        /// The link table.
        table: &'static str,
        /// Its column holding the parent's id.
        parent: &'static str,
        /// Its column holding the child's id.
        child: &'static str,
    },
}

/// The storage type of a sort column, needed to turn a cursor back into a typed SQL value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// A 32-bit integer.
    Int,
    /// Text.
    Text,
    /// A calendar date.
    Date,
    /// A double-precision number.
    Float,
}

/// The order of a connection: one column, then `id` as tie-breaker, in one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// Public name of the ordering, written into cursors so a cursor is not reused with
    /// another ordering.
    pub name: &'static str,
    /// The column sorted on.
    pub column: &'static str,
    /// Its storage type.
    pub kind: ColumnKind,
    /// Whether the order is descending.
    pub descending: bool,
    /// Whether the column may be NULL. Only then do pages order by `column IS NULL` first
    /// (unknown last), which keeps the backends from walking an index on the column in
    /// order and stopping at the page size.
    pub nullable: bool,
}

/// A position in a connection: the sort value (typed for SQL; `None` for NULL) and id of
/// one row, decoded from a cursor.
#[derive(Clone, Debug, PartialEq)]
struct Position {
    value: Option<Value>,
    id: i32,
}

/// Where a fetched row lies: what its cursor says, kept as values and encoded only when a
/// client asks for the cursor (most queries never do).
#[derive(Clone, Debug)]
pub struct CursorAt {
    table: &'static str,
    sort: &'static str,
    descending: bool,
    value: serde_json::Value,
    id: i32,
}

impl CursorAt {
    /// Reads the sort value and id of `row`.
    fn of(table: &'static str, sort: &SortKey, row: &QueryResult) -> ApiResult<Self> {
        let c = sort.column;
        let value = match sort.kind {
            ColumnKind::Int => json!(row.try_get::<Option<i32>>("", c)?),
            ColumnKind::Float => json!(row.try_get::<Option<f64>>("", c)?),
            ColumnKind::Text => json!(row.try_get::<Option<String>>("", c)?),
            ColumnKind::Date => json!(
                row.try_get::<Option<NaiveDate>>("", c)?
                    .map(|d| d.to_string())
            ),
        };
        Ok(Self {
            table,
            sort: sort.name,
            descending: sort.descending,
            value,
            id: row.try_get("", "id")?,
        })
    }

    /// The cursor: the table, the ordering, the row's sort value and id, so a cursor is never
    /// silently reused with another list or ordering.
    pub fn encode(&self) -> String {
        let raw = json!([self.table, self.sort, self.descending, self.value, self.id]);
        URL_SAFE_NO_PAD.encode(raw.to_string())
    }
}

fn decode_cursor(text: &str, table: &str, sort: &SortKey) -> ApiResult<Position> {
    let malformed = || {
        ApiError::bad_input(format!(
            "malformed cursor {text:?}: pass back a cursor this API returned"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| malformed())?;
    let (cursor_table, name, descending, value, id): (
        String,
        String,
        bool,
        serde_json::Value,
        i32,
    ) = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    if cursor_table != table || name != sort.name || descending != sort.descending {
        return Err(ApiError::bad_input(format!(
            "cursor {text:?} belongs to another list or ordering; restart paging without after/before when you change orderBy"
        )));
    }
    // The value must have the sort column's type, or the keyset comparison is meaningless.
    use serde_json::Value as J;
    let value = match (value, sort.kind) {
        (J::Null, _) => None,
        (J::Number(n), ColumnKind::Int) => Some(
            n.as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(malformed)?
                .into(),
        ),
        (J::Number(n), ColumnKind::Float) => Some(n.as_f64().ok_or_else(malformed)?.into()),
        // No stored text holds NUL, and PostgreSQL refuses it in a parameter.
        (J::String(s), ColumnKind::Text) if !s.contains('\0') => Some(s.into()),
        (J::String(s), ColumnKind::Date) => Some(parse_date(&s).ok_or_else(malformed)?.into()),
        _ => return Err(malformed()),
    };
    Ok(Position { value, id })
}

/// Which slice of a connection a request asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    limit: u64,
    /// Paging with `last`/`before`: fetched in reverse, returned in order.
    backward: bool,
    after: Option<Position>,
    before: Option<Position>,
}

/// The Relay paging arguments as a client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    /// Rows from the start (or after `after`).
    pub first: Option<i32>,
    /// Cursor to start after.
    pub after: Option<String>,
    /// Rows from the end (or before `before`).
    pub last: Option<i32>,
    /// Cursor to end before.
    pub before: Option<String>,
}

impl PageArgs {
    fn window(&self, table: &str, sort: &SortKey) -> ApiResult<Window> {
        let size = |name: &str, n: i32| -> ApiResult<u64> {
            let n = u64::try_from(n).map_err(|_| {
                ApiError::bad_input(format!("`{name}` must not be negative, got {n}"))
            })?;
            if n > MAX_PAGE_SIZE {
                return Err(ApiError::bad_input(format!(
                    "`{name}` must be at most {MAX_PAGE_SIZE}, got {n}; page through larger sets with cursors"
                )));
            }
            Ok(n)
        };
        let (limit, backward) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_input(
                    "pass either `first` or `last`, not both",
                ));
            }
            (Some(n), None) => (size("first", n)?, false),
            (None, Some(n)) => (size("last", n)?, true),
            (None, None) => (
                DEFAULT_PAGE_SIZE,
                self.before.is_some() && self.after.is_none(),
            ),
        };
        let decode = |c: &Option<String>| {
            c.as_deref()
                .map(|c| decode_cursor(c, table, sort))
                .transpose()
        };
        Ok(Window {
            limit,
            backward,
            after: decode(&self.after)?,
            before: decode(&self.before)?,
        })
    }
}

/// Everything that defines one connection, apart from its parent.
#[derive(Debug)]
pub struct PageQuery {
    table: &'static str,
    via: Option<Via>,
    link_columns: &'static [&'static str],
    condition: Condition,
    sort: SortKey,
    window: Window,
    /// Identifies the query, parent apart, for batching; `count_fingerprint` ignores the window.
    fingerprint: String,
    count_fingerprint: String,
}

impl PageQuery {
    /// Builds the query of a connection over `M`, reached through `via` (or from the root),
    /// with edges carrying `L`. `filter_key` identifies `condition` (its Debug form will do).
    pub fn new<M: Table, L: LinkRow>(
        via: Option<Via>,
        condition: Condition,
        filter_key: String,
        sort: SortKey,
        args: &PageArgs,
    ) -> ApiResult<Self> {
        let window = args.window(M::NAME, &sort)?;
        let count_fingerprint = format!("{}|{via:?}|{filter_key}", M::NAME);
        let fingerprint = format!("{count_fingerprint}|{sort:?}|{window:?}");
        Ok(Self {
            table: M::NAME,
            via,
            link_columns: L::COLUMNS,
            condition,
            sort,
            window,
            fingerprint,
            count_fingerprint,
        })
    }

    /// The batching identity of the page (parent apart).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The batching identity of the count (parent and window apart).
    pub fn count_fingerprint(&self) -> &str {
        &self.count_fingerprint
    }

    fn col(&self, column: &'static str) -> Expr {
        Expr::col((self.table, column))
    }

    /// The expression holding the parent id, and the joins needed to reach it; with
    /// `link_data`, the link table's columns are selected too.
    fn select_from(&self, s: &mut SelectStatement, link_data: bool) -> Option<Expr> {
        s.from(self.table);
        match self.via? {
            Via::Column(column) => Some(self.col(column)),
            Via::Tagged {
                column,
                tag_column,
                tag,
            } => {
                s.and_where(self.col(tag_column).eq(tag));
                Some(self.col(column))
            }
            Via::Link {
                table,
                parent,
                child,
            } => {
                s.inner_join(table, Expr::col((table, child)).equals((self.table, "id")));
                for column in self.link_columns.iter().filter(|_| link_data) {
                    s.expr_as(
                        Expr::col((table, *column)),
                        Alias::new(format!("{LINK_PREFIX}{column}")),
                    );
                }
                Some(Expr::col((table, parent)))
            }
        }
    }

    /// The rows strictly after (or before) a cursor, in this query's order.
    fn beyond(&self, cursor: &Position, after: bool) -> Condition {
        let value = self.col(self.sort.column);
        let id = self.col("id");
        // Rows after the cursor in an ascending order (or before it in a descending one)
        // have greater values; the others smaller.
        let greater = after != self.sort.descending;
        let cmp = |a: Expr, b: Expr| if greater { a.gt(b) } else { a.lt(b) };
        let id_beyond = cmp(id.clone(), Expr::val(cursor.id));
        match cursor.value.clone() {
            // NULLs sort last: after a NULL come only NULLs with a later id.
            None if after => Condition::all().add(value.is_null()).add(id_beyond),
            None => Condition::any()
                .add(value.clone().is_not_null())
                .add(Condition::all().add(value.is_null()).add(id_beyond)),
            Some(v) => {
                let strictly = cmp(value.clone(), Expr::val(v.clone()));
                let tie = Condition::all()
                    .add(value.clone().eq(Expr::val(v)))
                    .add(id_beyond);
                let non_null = Condition::any().add(strictly).add(tie);
                if after {
                    Condition::any().add(value.is_null()).add(non_null)
                } else {
                    Condition::all().add(value.is_not_null()).add(non_null)
                }
            }
        }
    }

    fn filtered(&self, s: &mut SelectStatement) {
        s.cond_where(self.condition.clone());
        if let Some(c) = &self.window.after {
            s.cond_where(self.beyond(c, true));
        }
        if let Some(c) = &self.window.before {
            s.cond_where(self.beyond(c, false));
        }
    }

    /// ORDER BY items in fetch order: NULLs last, then the column, then id.
    fn order(&self) -> Vec<(Expr, Order)> {
        let (nulls, dir) = match (self.window.backward, self.sort.descending) {
            (false, false) => (Order::Asc, Order::Asc),
            (false, true) => (Order::Asc, Order::Desc),
            (true, false) => (Order::Desc, Order::Desc),
            (true, true) => (Order::Desc, Order::Asc),
        };
        let nulls_last = self
            .sort
            .nullable
            .then(|| (self.col(self.sort.column).is_null(), nulls));
        nulls_last
            .into_iter()
            .chain([
                (self.col(self.sort.column), dir.clone()),
                (self.col("id"), dir),
            ])
            .collect()
    }

    /// The statement for a root page.
    fn root_statement(&self) -> SelectStatement {
        let mut s = Query::select();
        s.expr(Expr::col((self.table, Asterisk)));
        self.select_from(&mut s, true);
        self.filtered(&mut s);
        for (e, o) in self.order() {
            s.order_by_expr(e, o);
        }
        s.limit(self.window.limit + 1);
        s
    }

    /// The statement for the pages of many parents at once.
    fn nested_statement(&self, parents: &[i32], backend: DbBackend) -> ApiResult<SelectStatement> {
        let mut inner = Query::select();
        inner.expr(Expr::col((self.table, Asterisk)));
        let parent = self.select_from(&mut inner, true).ok_or_else(not_nested)?;
        inner.and_where(one_of(parent.clone(), parents, backend)?);
        self.filtered(&mut inner);
        let mut window = WindowStatement::new();
        window.add_partition_by(parent.clone());
        for (e, o) in self.order() {
            window.order_by_expr(e, o);
        }
        inner.expr_as(parent, PARENT);
        inner.expr_window_as(Expr::cust("ROW_NUMBER()"), window, ROW_NUMBER);
        let mut outer = Query::select();
        outer
            .column(Asterisk)
            .from_subquery(inner, "page")
            .and_where(Expr::col(ROW_NUMBER).lte(Expr::val(self.window.limit as i64 + 1)))
            .order_by(PARENT, Order::Asc)
            .order_by(ROW_NUMBER, Order::Asc);
        Ok(outer)
    }

    /// The statement counting rows per parent (or in all, at the root).
    fn count_statement(
        &self,
        parents: Option<&[i32]>,
        backend: DbBackend,
    ) -> ApiResult<SelectStatement> {
        let mut s = Query::select();
        s.expr_as(Func::count(Expr::col(Asterisk)), "n");
        match (self.select_from(&mut s, false), parents) {
            (None, None) => {}
            (Some(parent), Some(parents)) => {
                s.expr_as(parent.clone(), PARENT)
                    .and_where(one_of(parent.clone(), parents, backend)?)
                    .add_group_by([parent]);
            }
            _ => return Err(not_nested()),
        }
        s.cond_where(self.condition.clone());
        Ok(s)
    }

    /// The table the rows come from.
    pub(crate) fn table(&self) -> &'static str {
        self.table
    }

    /// The order, which cursors name.
    pub(crate) fn sort(&self) -> &SortKey {
        &self.sort
    }

    /// How many rows the page holds at most.
    pub(crate) fn limit(&self) -> u64 {
        self.window.limit
    }

    /// Whether the page is fetched from the end (`last`/`before`), in reverse.
    pub(crate) fn backward(&self) -> bool {
        self.window.backward
    }

    /// What the side a page was not fetched from reports in `pageInfo`: whether a cursor
    /// was given on that side (`after` forward, `before` backward), as [`PageQuery::page`]
    /// has it.
    pub(crate) fn cursor_given(&self) -> bool {
        if self.window.backward {
            self.window.before.is_some()
        } else {
            self.window.after.is_some()
        }
    }

    /// The rows of the page as a compiled statement reads them: the `limit + 1` of
    /// [`PageQuery::root_statement`], numbered from 1 in fetch order in [`ROW_NUMBER`],
    /// with the link's columns; with `parent`, only the children of the row that expression
    /// names (the compiled statement's enclosing row).
    pub(crate) fn compiled_rows(&self, parent: Option<Expr>) -> ApiResult<SelectStatement> {
        let mut s = Query::select();
        s.expr(Expr::col((self.table, Asterisk)));
        match (self.select_from(&mut s, true), parent) {
            (Some(column), Some(parent)) => {
                s.and_where(column.eq(parent));
            }
            (None, None) => {}
            _ => return Err(not_nested()),
        }
        self.filtered(&mut s);
        let mut window = WindowStatement::new();
        for (e, o) in self.order() {
            window.order_by_expr(e.clone(), o.clone());
            s.order_by_expr(e, o);
        }
        s.expr_window_as(Expr::cust("ROW_NUMBER()"), window, ROW_NUMBER);
        s.limit(self.window.limit + 1);
        Ok(s)
    }

    /// The count of `totalCount` as a compiled statement reads it: all rows, or with
    /// `parent` the children of the row that expression names.
    pub(crate) fn compiled_count(&self, parent: Option<Expr>) -> ApiResult<SelectStatement> {
        let mut s = Query::select();
        s.expr(Func::count(Expr::col(Asterisk)));
        match (self.select_from(&mut s, false), parent) {
            (Some(column), Some(parent)) => {
                s.and_where(column.eq(parent));
            }
            (None, None) => {}
            _ => return Err(not_nested()),
        }
        s.cond_where(self.condition.clone());
        Ok(s)
    }

    /// The page of a parent without matching rows: empty, but saying whether a cursor was
    /// given, as every other page of this query does.
    pub fn empty_page<M: Table, L: LinkRow>(&self) -> Page<M, L> {
        self.page(Vec::new()).unwrap_or_default()
    }

    /// Turns fetched rows (in fetch order) into a page.
    fn page<M: Table, L: LinkRow>(&self, rows: Vec<&QueryResult>) -> ApiResult<Page<M, L>> {
        let limit = usize::try_from(self.window.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        let mut items = rows
            .into_iter()
            .take(limit)
            .map(|row| {
                Ok(PageItem {
                    cursor: CursorAt::of(self.table, &self.sort, row)?,
                    node: M::from_query_result(row, "")?,
                    link: L::decode(row)?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        if self.window.backward {
            items.reverse();
        }
        // As Relay allows, the side we did not page from reports whether a cursor was given.
        let (has_next_page, has_previous_page) = if self.window.backward {
            (self.window.before.is_some(), more)
        } else {
            (more, self.window.after.is_some())
        };
        Ok(Page {
            items,
            has_next_page,
            has_previous_page,
        })
    }
}

/// A root query asked for per-parent pages or counts, or the other way round: a bug.
fn not_nested() -> ApiError {
    ApiError::Internal("per-parent query without a parent relation".into())
}

/// `column` is one of `ids`, bound as one JSON array: one parameter however many ids, so a
/// level of a nested query is one statement whatever the page sizes above it (an `IN` list
/// would run into the backends' limits on bound parameters and need several).
pub fn one_of(column: Expr, ids: &[i32], backend: DbBackend) -> ApiResult<Expr> {
    let list = serde_json::to_string(ids).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(match backend {
        // `= ANY(array)` plans as index lookups; `IN` over a set-returning function as a
        // hash join over a sequential scan.
        DbBackend::Postgres => Expr::cust_with_exprs(
            "$1 = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST($2 AS jsonb))::int))",
            [column, Expr::val(list)],
        ),
        _ => Expr::cust_with_exprs(
            "? IN (SELECT value FROM json_each(?))",
            [column, Expr::val(list)],
        ),
    })
}

const PARENT: &str = "ctg_parent";
/// The column numbering a page's rows in fetch order.
pub(crate) const ROW_NUMBER: &str = "ctg_row_number";
/// The prefix of a link table's columns among a page's rows.
pub(crate) const LINK_PREFIX: &str = "link_";

/// The data an edge carries from its link table, or nothing.
pub trait LinkRow: Clone + Send + Sync + 'static {
    /// Columns of the link table to select.
    const COLUMNS: &'static [&'static str];
    /// Reads the link data of a fetched row.
    fn decode(row: &QueryResult) -> ApiResult<Self>;
}

/// Edges of a connection that is not reached through a link table carry nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLink;

impl LinkRow for NoLink {
    const COLUMNS: &'static [&'static str] = &[];
    fn decode(_: &QueryResult) -> ApiResult<Self> {
        Ok(NoLink)
    }
}

impl<T: LinkTable> LinkRow for T {
    const COLUMNS: &'static [&'static str] = T::COLUMNS;
    fn decode(row: &QueryResult) -> ApiResult<Self> {
        Ok(T::from_query_result(row, LINK_PREFIX)?)
    }
}

/// One row of a page: the node, the link data of its edge, and its cursor.
#[derive(Clone, Debug)]
pub struct PageItem<M, L> {
    /// The row.
    pub node: M,
    /// What the link table says about this edge.
    pub link: L,
    /// Where the row lies, for its cursor.
    pub cursor: CursorAt,
}

/// One page of a connection.
#[derive(Clone, Debug)]
pub struct Page<M, L> {
    /// The rows, in the connection's order.
    pub items: Vec<PageItem<M, L>>,
    /// Whether rows follow this page.
    pub has_next_page: bool,
    /// Whether rows precede this page.
    pub has_previous_page: bool,
}

impl<M, L> Default for Page<M, L> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: false,
        }
    }
}

/// Fetches a root page.
pub async fn fetch_root<M: Table, L: LinkRow>(
    db: &DatabaseConnection,
    q: &PageQuery,
) -> ApiResult<Page<M, L>> {
    let rows = db.query_all(&q.root_statement()).await?;
    q.page(rows.iter().collect())
}

/// Fetches the pages of many parents, in one statement.
pub async fn fetch_nested<M: Table, L: LinkRow>(
    db: &DatabaseConnection,
    q: &PageQuery,
    parents: &[i32],
) -> ApiResult<HashMap<i32, Page<M, L>>> {
    let statement = q.nested_statement(parents, db.get_database_backend())?;
    let rows = db.query_all(&statement).await?;
    let mut grouped: HashMap<i32, Vec<&QueryResult>> = HashMap::new();
    for row in &rows {
        grouped
            .entry(row.try_get("", PARENT)?)
            .or_default()
            .push(row);
    }
    grouped
        .into_iter()
        .map(|(parent, rows)| Ok((parent, q.page(rows)?)))
        .collect()
}

/// Counts the rows of a root connection.
pub async fn count_root(db: &DatabaseConnection, q: &PageQuery) -> ApiResult<i64> {
    let row = db
        .query_one(&q.count_statement(None, db.get_database_backend())?)
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}

/// Counts the rows of many parents' connections, in one statement.
pub async fn count_nested(
    db: &DatabaseConnection,
    q: &PageQuery,
    parents: &[i32],
) -> ApiResult<HashMap<i32, i64>> {
    let statement = q.count_statement(Some(parents), db.get_database_backend())?;
    db.query_all(&statement)
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get("", PARENT)?, row.try_get("", "n")?)))
        .collect()
}

/// Fetches rows of `M` by id, in one statement.
pub async fn fetch_by_ids<M: Table>(db: &DatabaseConnection, ids: &[i32]) -> ApiResult<Vec<M>> {
    let mut s = Query::select();
    s.column(Asterisk).from(M::NAME).and_where(one_of(
        Expr::col("id"),
        ids,
        db.get_database_backend(),
    )?);
    db.query_all(&s)
        .await?
        .iter()
        .map(|row| Ok(M::from_query_result(row, "")?))
        .collect()
}
