//! Compiled reads: a query whose root fields the compiler knows is answered with one SQL
//! statement per root field, which builds the field's whole JSON answer in the database
//! (nested pages cut by `LIMIT` per parent, global ids, cursors, `pageInfo`, `totalCount`)
//! in the query's field order. The engine still validates the document and enforces every
//! limit first; a query with any root field the compiler does not know (or arguments its
//! resolver would refuse) is resolved as before, whole.
//!
//! The planner walks the document as the spec's CollectFields does (fragments, aliases,
//! `@skip`/`@include`, variables), against [`registry`]; [`sql`] writes each backend's JSON.
//! `tests/api/compiled.rs` holds it to the resolvers' answers over generated queries.

mod registry;
mod sql;

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, Field, OperationDefinition};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use super::completion::{Collector, SchemaIndex, selection_sets};
use super::page::{LINK_PREFIX, PageQuery};
use crate::error::{ApiError, ApiResult};
use registry::{Arguments, ConnectionField, Field as Answer, REGISTRY};
use sql::Dialect;

/// The statements that answer one operation, by response key, in query order.
pub(crate) struct Plan {
    roots: Vec<(String, Root)>,
}

enum Root {
    /// `__typename` of the query.
    Typename,
    /// A connection, answered by one statement whose one value is its JSON.
    Statement(Box<SelectStatement>),
}

/// The plan of `operation`, or `None` when some root field is left to the resolvers.
pub(crate) fn plan(
    index: &SchemaIndex,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    backend: DbBackend,
) -> Option<Plan> {
    let planner = Planner {
        index,
        collector: Collector::new(index, document, variables),
        variables,
        sql: Dialect(backend),
        joins: std::cell::Cell::new(0),
    };
    let collected = planner
        .collector
        .collect("Query", &[&operation.selection_set]);
    let mut roots = Vec::with_capacity(collected.len());
    for (key, fields) in collected {
        let field = fields.first()?;
        let name = field.name.node.as_str();
        let root = if name == "__typename" {
            Root::Typename
        } else {
            let connection = REGISTRY.root(name)?;
            let ty = index.field_type_name("Query", name)?;
            let compiled = planner.connection(connection, ty, &fields, None, 0)?;
            Root::Statement(Box::new(compiled.into_root(planner.sql)))
        };
        roots.push((key.to_string(), root));
    }
    Some(Plan { roots })
}

/// Runs `plan`: the operation's `data` as JSON text. A failed statement fails its root field;
/// every root field is a non-null connection, so the error is the answer, with its key.
pub(crate) async fn run(
    db: &DatabaseConnection,
    plan: &Plan,
) -> Result<String, (String, ApiError)> {
    let answers = futures_util::future::join_all(plan.roots.iter().map(|(key, root)| async {
        let json = match root {
            Root::Typename => Ok("\"Query\"".to_owned()),
            Root::Statement(statement) => fetch(db, statement).await,
        };
        json.map_err(|e| (key.clone(), e))
    }))
    .await;
    let mut data = String::from("{");
    for (at, ((key, _), json)) in plan.roots.iter().zip(answers).enumerate() {
        if at > 0 {
            data.push(',');
        }
        // Response keys are GraphQL names: nothing in them needs escaping.
        data.push('"');
        data.push_str(key);
        data.push_str("\":");
        data.push_str(&json?);
    }
    data.push('}');
    Ok(data)
}

async fn fetch(db: &DatabaseConnection, statement: &SelectStatement) -> ApiResult<String> {
    if tracing::enabled!(tracing::Level::DEBUG) {
        let sql = db.get_database_backend().build(statement).to_string();
        tracing::debug!(%sql, "compiled statement");
    }
    let row = db.query_one(statement).await?;
    let row =
        row.ok_or_else(|| ApiError::Internal("a compiled statement returned no row".into()))?;
    let json = row.try_get::<String>("", "data")?;
    Ok(match db.get_database_backend() {
        // PostgreSQL writes `{"a" : 1, "b" : 2}`: an eighth of a nested answer is spaces.
        DbBackend::Postgres => compact(&json),
        _ => json,
    })
}

/// `json` without the whitespace between its tokens.
fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

/// Subqueries joined `LEFT JOIN LATERAL ... ON TRUE` to a statement's rows, each with its
/// alias: on PostgreSQL, a row's related row (`belongs to`) comes this way, which lets the
/// planner remember the lookups of rows that repeat (a Memoize node), where a subquery in
/// the select list runs again for each row. SQLite has no `LATERAL`: there it stays a
/// subquery.
type Joins = Vec<(SelectStatement, String)>;

/// A connection's JSON and the page rows it is built over.
struct Compiled {
    value: Expr,
    rows: Option<(SelectStatement, String)>,
    joins: Joins,
}

impl Compiled {
    /// The connection as one statement, for nesting as a subquery.
    fn into_statement(self) -> SelectStatement {
        let mut s = Query::select();
        s.expr(self.value);
        from_rows(s, self.rows, self.joins)
    }

    /// The connection as a root field's statement: its JSON as text, in column `data`.
    fn into_root(self, sql: Dialect) -> SelectStatement {
        let mut s = Query::select();
        s.expr_as(sql.text(self.value), Alias::new("data"));
        from_rows(s, self.rows, self.joins)
    }
}

fn from_rows(
    mut s: SelectStatement,
    rows: Option<(SelectStatement, String)>,
    joins: Joins,
) -> SelectStatement {
    if let Some((rows, alias)) = rows {
        s.from_subquery(rows, Alias::new(alias));
    }
    lateral(&mut s, joins);
    s
}

fn lateral(s: &mut SelectStatement, joins: Joins) {
    for (join, alias) in joins {
        s.join_lateral(
            JoinType::LeftJoin,
            join,
            Alias::new(alias),
            Expr::cust("TRUE"),
        );
    }
}

struct Planner<'a> {
    index: &'a SchemaIndex,
    collector: Collector<'a>,
    variables: &'a Variables,
    sql: Dialect,
    /// Lateral joins named so far, for unique aliases.
    joins: std::cell::Cell<usize>,
}

impl<'a> Planner<'a> {
    /// The arguments of `fields` (one response key's), variables substituted; `None` when a
    /// variable is missing, or when the fields disagree: the spec refuses such a document,
    /// but async-graphql lets it through where the fields' parents merge, and answers as
    /// only its resolvers know.
    fn arguments(&self, fields: &[&Field]) -> Option<Arguments> {
        let field = fields.first()?;
        if fields
            .iter()
            .any(|other| other.arguments != field.arguments)
        {
            return None;
        }
        field
            .arguments
            .iter()
            .map(|(name, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|variable| self.variables.get(&variable).cloned().ok_or(()))
                    .ok()?;
                Some((name.node.to_string(), value))
            })
            .collect()
    }

    /// The connection `fields` select, of GraphQL type `ty`, at `depth`: its page rows are
    /// `p{depth}`, children of the row `parent` names (none at the root).
    fn connection(
        &self,
        connection: &ConnectionField,
        ty: &str,
        fields: &[&'a Field],
        parent: Option<Expr>,
        depth: usize,
    ) -> Option<Compiled> {
        let page = connection.pages(&self.arguments(fields)?)?;
        let alias = format!("p{depth}");
        let collected = self.collector.collect(ty, &selection_sets(fields));
        let mut pairs = Vec::with_capacity(collected.len());
        // Whether the JSON aggregates the page's rows; only then is it built over them.
        let mut reads_rows = false;
        let mut joins = Joins::new();
        for (key, fields) in collected {
            let field = fields.first()?;
            let value = match field.name.node.as_str() {
                "__typename" => self.sql.string(ty),
                "totalCount" => {
                    let count = page.compiled_count(parent.clone()).ok()?;
                    Expr::SubQuery(None, Box::new(count.into()))
                }
                "nodes" => {
                    reads_rows = true;
                    let node = self.object(connection.node, &alias, &fields, depth, &mut joins)?;
                    self.sql.array(node, &page, &alias)
                }
                "edges" => {
                    reads_rows = true;
                    let edge_type = self.index.field_type_name(ty, "edges")?;
                    let rows = (&page, alias.as_str(), depth);
                    let edge = self.edge(connection, edge_type, rows, &fields, &mut joins)?;
                    self.sql.array(edge, &page, &alias)
                }
                "pageInfo" => {
                    let (info, aggregates) = self.page_info(&page, &alias, &fields)?;
                    reads_rows |= aggregates;
                    info
                }
                _ => return None,
            };
            pairs.push((key.to_string(), value));
        }
        let rows = if reads_rows {
            Some((page.compiled_rows(parent).ok()?, alias))
        } else {
            None
        };
        Some(Compiled {
            value: self.sql.object(pairs)?,
            rows,
            joins,
        })
    }

    /// An edge of `connection`'s page: its node and cursor from the row `alias` names, and
    /// what the link says from the link's columns in the same row.
    fn edge(
        &self,
        connection: &ConnectionField,
        ty: &str,
        (page, alias, depth): (&PageQuery, &str, usize),
        fields: &[&'a Field],
        joins: &mut Joins,
    ) -> Option<Expr> {
        let collected = self.collector.collect(ty, &selection_sets(fields));
        let mut pairs = Vec::with_capacity(collected.len());
        for (key, fields) in collected {
            let name = fields.first()?.name.node.as_str();
            let value = match name {
                "__typename" => self.sql.string(ty),
                "cursor" => self.sql.cursor(page, alias),
                "node" => self.object(connection.node, alias, &fields, depth, joins)?,
                _ => {
                    let (_, column, scalar) = connection.edge.iter().find(|(n, ..)| *n == name)?;
                    let column = Dialect::column(alias, &format!("{LINK_PREFIX}{column}"));
                    self.sql.scalar(column, *scalar)
                }
            };
            pairs.push((key.to_string(), value));
        }
        self.sql.object(pairs)
    }

    /// The connection's `pageInfo`, as `PageQuery::page` reports it, and whether it reads
    /// the page's rows (through aggregates: without one, a statement over no rows would
    /// return no row, and the connection null).
    fn page_info(
        &self,
        page: &PageQuery,
        alias: &str,
        fields: &[&'a Field],
    ) -> Option<(Expr, bool)> {
        let collected = self.collector.collect("PageInfo", &selection_sets(fields));
        let mut pairs = Vec::with_capacity(collected.len());
        let mut aggregates = false;
        for (key, fields) in collected {
            let name = fields.first()?.name.node.as_str();
            let value = match (name, page.backward()) {
                ("__typename", _) => self.sql.string("PageInfo"),
                ("hasNextPage", true) | ("hasPreviousPage", false) => {
                    self.sql.boolean(page.cursor_given())
                }
                ("hasNextPage", false) | ("hasPreviousPage", true) => {
                    aggregates = true;
                    self.sql.more(page)
                }
                ("startCursor" | "endCursor", _) => {
                    aggregates = true;
                    let last = name == "endCursor";
                    self.sql
                        .first(self.sql.cursor(page, alias), page, alias, last)
                }
                _ => return None,
            };
            pairs.push((key.to_string(), value));
        }
        Some((self.sql.object(pairs)?, aggregates))
    }

    /// The object of type `name` that the row `alias` names, as `fields` select it; the
    /// lateral joins it needs go to `joins`, for the statement that reads the row.
    fn object(
        &self,
        name: &str,
        alias: &str,
        fields: &[&'a Field],
        depth: usize,
        joins: &mut Joins,
    ) -> Option<Expr> {
        let object = REGISTRY.object(name)?;
        let collected = self.collector.collect(name, &selection_sets(fields));
        let mut pairs = Vec::with_capacity(collected.len());
        for (key, fields) in collected {
            let field_name = fields.first()?.name.node.as_str();
            let value = if field_name == "__typename" {
                self.sql.string(name)
            } else {
                match object.field(field_name)? {
                    Answer::Id => self
                        .sql
                        .global_id(object.kind?, Dialect::column(alias, "id")),
                    Answer::Column(column, scalar) => {
                        self.sql.scalar(Dialect::column(alias, column), *scalar)
                    }
                    Answer::BelongsTo {
                        column,
                        object: target,
                    } => {
                        let table = REGISTRY.object(target)?.table;
                        let inner = format!("p{}", depth + 1);
                        let mut inner_joins = Joins::new();
                        let value =
                            self.object(target, &inner, &fields, depth + 1, &mut inner_joins)?;
                        let mut s = Query::select();
                        s.expr_as(value, Alias::new("v"))
                            .from_as(Alias::new(table), Alias::new(&inner))
                            .and_where(
                                Dialect::column(&inner, "id").eq(Dialect::column(alias, column)),
                            );
                        // A related row that joins rows of its own (district -> province):
                        // PostgreSQL would pull the chain up into hash joins that read the
                        // whole tables again for each page (members -> operations ->
                        // district: 30 ms, 11 ms kept apart). `LIMIT 1` keeps it apart and
                        // changes no answer (the id is unique); a single related row stays
                        // without it, which lets the planner memoize repeated lookups.
                        if !inner_joins.is_empty() {
                            s.limit(1);
                        }
                        lateral(&mut s, inner_joins);
                        if self.sql.lateral() {
                            let join = format!("j{}", self.joins.get());
                            self.joins.set(self.joins.get() + 1);
                            joins.push((s, join.clone()));
                            Dialect::column(&join, "v")
                        } else {
                            self.sql.nested(s)
                        }
                    }
                    Answer::Connection(connection) => {
                        let ty = self.index.field_type_name(name, field_name)?;
                        let parent = Dialect::column(alias, "id");
                        let compiled =
                            self.connection(connection, ty, &fields, Some(parent), depth + 1)?;
                        self.sql.nested(compiled.into_statement())
                    }
                }
            };
            pairs.push((key.to_string(), value));
        }
        self.sql.object(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn compacting_keeps_strings_whole() {
        assert_eq!(
            compact(r#"{"a b" : [1, "x \" y : z", {"c" : null}] }"#),
            r#"{"a b":[1,"x \" y : z",{"c":null}]}"#
        );
        assert_eq!(compact(r#"["\\", " "]"#), r#"["\\"," "]"#);
    }
}
