//! The SQL a compiled statement is written in: JSON built by the database, in PostgreSQL's
//! words (`json_build_object`, `json_agg`) or SQLite's (`json_object`, `json_group_array`).

use sea_orm::DbBackend;
use sea_orm::sea_query::{Alias, Expr, SelectStatement};

use super::registry::Scalar;
use crate::db::SQLITE_BASE64URL;
use crate::graphql::ids::NodeKind;
use crate::graphql::page::{ColumnKind, PageQuery, ROW_NUMBER};

/// Most keys one JSON object may be built with: PostgreSQL's functions take at most 100
/// arguments. An object with more is left to the resolvers.
const MAX_KEYS: usize = 50;

/// The backend's way of writing JSON.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dialect(pub(super) DbBackend);

impl Dialect {
    fn postgres(self) -> bool {
        self.0 == DbBackend::Postgres
    }

    /// `template` with each `{}` standing for the next of `exprs`, written with the
    /// backend's placeholders. Templates are this module's own text: no `$` or `?` in them.
    fn template(self, template: &str, exprs: Vec<Expr>) -> Expr {
        let mut text = String::with_capacity(template.len() + 8);
        for (at, piece) in template.split("{}").enumerate() {
            if at > 0 {
                if self.postgres() {
                    text.push('$');
                    text.push_str(&at.to_string());
                } else {
                    text.push('?');
                }
            }
            text.push_str(piece);
        }
        Expr::cust_with_exprs(text, exprs)
    }

    /// Whether a row's related row is best joined `LATERAL` (PostgreSQL) rather than read
    /// by a subquery (SQLite, which has no `LATERAL`).
    pub(super) fn lateral(self) -> bool {
        self.postgres()
    }

    /// A JSON object of `pairs`, in their order; `None` when it has too many keys. Keys are
    /// GraphQL names (letters, digits, `_`), safe as SQL string literals.
    pub(super) fn object(self, pairs: Vec<(String, Expr)>) -> Option<Expr> {
        if pairs.len() > MAX_KEYS {
            return None;
        }
        let function = if self.postgres() {
            "json_build_object"
        } else {
            "json_object"
        };
        let mut template = format!("{function}(");
        let mut exprs = Vec::with_capacity(pairs.len());
        for (at, (key, expr)) in pairs.into_iter().enumerate() {
            if at > 0 {
                template.push_str(", ");
            }
            template.push('\'');
            template.push_str(&key);
            template.push_str("', {}");
            exprs.push(expr);
        }
        template.push(')');
        Some(self.template(&template, exprs))
    }

    /// The JSON value a subquery returns, as a value of an enclosing object: SQLite passes
    /// a subquery's JSON on as text, which `json()` makes JSON again.
    pub(super) fn nested(self, subquery: SelectStatement) -> Expr {
        let value = Expr::SubQuery(None, Box::new(subquery.into()));
        if self.postgres() {
            value
        } else {
            self.template("json({})", vec![value])
        }
    }

    /// A JSON string.
    pub(super) fn string(self, text: &str) -> Expr {
        if self.postgres() {
            self.template("CAST({} AS text)", vec![Expr::val(text)])
        } else {
            Expr::val(text)
        }
    }

    /// A JSON boolean.
    pub(super) fn boolean(self, value: bool) -> Expr {
        match (self.postgres(), value) {
            (true, true) => Expr::cust("TRUE"),
            (true, false) => Expr::cust("FALSE"),
            (false, true) => Expr::cust("json('true')"),
            (false, false) => Expr::cust("json('false')"),
        }
    }

    /// Column `column` of the row `alias` names.
    pub(super) fn column(alias: &str, column: &str) -> Expr {
        Expr::col((Alias::new(alias), Alias::new(column)))
    }

    /// A column's value as JSON.
    pub(super) fn scalar(self, value: Expr, scalar: Scalar) -> Expr {
        match scalar {
            Scalar::Boolean if !self.postgres() => self.template(
                "CASE WHEN {} IS NULL THEN NULL WHEN {} THEN json('true') ELSE json('false') END",
                vec![value.clone(), value],
            ),
            Scalar::Json if self.postgres() => self.template("CAST({} AS json)", vec![value]),
            Scalar::Json => self.template("json({})", vec![value]),
            Scalar::Text | Scalar::Number | Scalar::Boolean => value,
        }
    }

    /// The base64url (no padding) of the UTF-8 text `text`: what ids and cursors are.
    fn base64url(self, text: Expr) -> Expr {
        if self.postgres() {
            // `encode` writes standard base64 with padding and a line break every 76
            // characters: `translate` maps the two characters that differ and drops the rest.
            self.template(
                "translate(encode(convert_to({}, 'UTF8'), 'base64'), '+/=' || chr(10), '-_')",
                vec![text],
            )
        } else {
            self.template(&format!("{SQLITE_BASE64URL}({{}})"), vec![text])
        }
    }

    /// The global id of the row `id` of type `kind`, as `NodeKind::id` writes it.
    pub(super) fn global_id(self, kind: NodeKind, id: Expr) -> Expr {
        let prefix = format!("'{}:' || ", kind.name());
        let text = self.template(&format!("{prefix}{{}}"), vec![id]);
        self.base64url(text)
    }

    /// The cursor of the row `alias` names in `page`, as `CursorAt::encode` writes it: the
    /// base64url of `[table, order, descending, value, id]` in compact JSON.
    pub(super) fn cursor(self, page: &PageQuery, alias: &str) -> Expr {
        let sort = page.sort();
        let id = Self::column(alias, "id");
        let json = if self.postgres() {
            let head = format!(
                "'[\"{}\",\"{}\",{},' || ",
                page.table(),
                sort.name,
                sort.descending
            );
            // The value as serde_json writes it: text and dates quoted and escaped, numbers
            // bare, a float with a fraction (`34.0`, where PostgreSQL writes `34`).
            let value = match sort.kind {
                ColumnKind::Int => "CAST({} AS text)",
                ColumnKind::Text | ColumnKind::Date => "CAST(to_json({}) AS text)",
                ColumnKind::Float => {
                    "CASE WHEN {} = trunc({}) THEN CAST({} AS text) || '.0' ELSE CAST({} AS text) END"
                }
            };
            let repeats = value.matches("{}").count();
            let template =
                format!("{head}COALESCE({value}, 'null') || ',' || CAST({{}} AS text) || ']'");
            let mut exprs: Vec<Expr> =
                std::iter::repeat_n(Self::column(alias, sort.column), repeats).collect();
            exprs.push(id);
            self.template(&template, exprs)
        } else {
            let descending = if sort.descending { "true" } else { "false" };
            let template = format!(
                "json_array('{}', '{}', json('{descending}'), {{}}, {{}})",
                page.table(),
                sort.name
            );
            self.template(&template, vec![Self::column(alias, sort.column), id])
        };
        self.base64url(json)
    }

    /// The JSON array of `item` over the page's kept rows (`alias`), in the page's order.
    pub(super) fn array(self, item: Expr, page: &PageQuery, alias: &str) -> Expr {
        let (order, kept) = rows(page, alias, false);
        if self.postgres() {
            self.template(
                &format!(
                    "COALESCE(json_agg({{}} ORDER BY {order}) FILTER (WHERE {kept}), '[]'::json)"
                ),
                vec![item],
            )
        } else {
            self.template(
                &format!("json_group_array(json({{}}) ORDER BY {order}) FILTER (WHERE {kept})"),
                vec![item],
            )
        }
    }

    /// `item` of the first kept row in the page's order (`last`: of the last); null when
    /// the page is empty.
    pub(super) fn first(self, item: Expr, page: &PageQuery, alias: &str, last: bool) -> Expr {
        let (order, kept) = rows(page, alias, last);
        if self.postgres() {
            self.template(
                &format!("(array_agg({{}} ORDER BY {order}) FILTER (WHERE {kept}))[1]"),
                vec![item],
            )
        } else {
            self.template(
                &format!("(json_group_array({{}} ORDER BY {order}) FILTER (WHERE {kept})) ->> 0"),
                vec![item],
            )
        }
    }

    /// Whether the page's query has rows past its kept ones.
    pub(super) fn more(self, page: &PageQuery) -> Expr {
        let limit = page.limit();
        if self.postgres() {
            Expr::cust(format!("COUNT(*) > {limit}"))
        } else {
            Expr::cust(format!(
                "CASE WHEN COUNT(*) > {limit} THEN json('true') ELSE json('false') END"
            ))
        }
    }

    /// The whole statement's one value, as text.
    pub(super) fn text(self, json: Expr) -> Expr {
        self.template("CAST({} AS text)", vec![json])
    }
}

/// The `ORDER BY` of a page's rows in its order (`reversed`: the other way), and the
/// condition that keeps the page's rows (the fetched row past `limit` only tells whether
/// there are more).
fn rows(page: &PageQuery, alias: &str, reversed: bool) -> (String, String) {
    let row = format!("\"{alias}\".\"{ROW_NUMBER}\"");
    // Rows are numbered in fetch order; a backward page is fetched from its end.
    let descending = page.backward() != reversed;
    let direction = if descending { "DESC" } else { "ASC" };
    (
        format!("{row} {direction}"),
        format!("{row} <= {}", page.limit()),
    )
}
