//! Filter inputs shared by every connection (ids, text, numbers, dates, enums) and the
//! builder that turns a type's filter into one SQL condition with bound parameters.
//! Filters compose with `and`, `or` and `not`, and reach through relations with `EXISTS`.

use std::fmt::Debug;

use async_graphql::{ID, InputObject, InputType, resolver_utils::EnumType};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Query, Value};

use super::enums::{self, *};
use super::ids::{NodeKind, decode_as};
use super::scalars::Date;
use crate::error::{ApiError, ApiResult};

/// Most values an `in` list may hold.
const MAX_IN_VALUES: usize = 1000;

/// Longest text a filter compares with, in characters. SQLite refuses LIKE patterns past
/// 50,000 bytes; no name, title or quote comes near this.
const MAX_TEXT_CHARS: usize = 1000;

/// Most values one filter may bind in all. Well under what the backends accept in one
/// statement (SQLite 32,766, PostgreSQL 65,535), beside the values paging binds.
const MAX_FILTER_VALUES: usize = 10_000;

/// Most comparisons one filter may combine. SQLite's planner slows down with the square of
/// the terms of an `OR` (5,000 take seconds); `in` takes long lists of values at no such cost.
const MAX_FILTER_TERMS: usize = 1_000;

/// A type's filter input: compiles to a condition on the type's table.
pub trait FilterInput: Debug + Send + Sync {
    /// The filter as SQL, with what it weighs, or a user error naming the bad value.
    fn to_where(&self) -> ApiResult<Where>;
}

/// The filter of a connection that takes none: it cannot be made, so `None::<NoFilter>` is
/// the only value.
#[derive(Debug)]
pub enum NoFilter {}

impl FilterInput for NoFilter {
    fn to_where(&self) -> ApiResult<Where> {
        match *self {}
    }
}

/// Matches by global id.
#[derive(InputObject, Debug, Default, Clone)]
pub struct IdFilter {
    /// Exactly this id.
    pub eq: Option<ID>,
    /// Any of these ids (at most 1000).
    #[graphql(name = "in")]
    pub any: Option<Vec<ID>>,
    /// `true`: only rows where the reference is missing; `false`: only rows where it is set.
    pub is_null: Option<bool>,
}

/// Matches text.
#[derive(InputObject, Debug, Default, Clone)]
pub struct StringFilter {
    /// Exactly this text.
    pub eq: Option<String>,
    /// Any of these texts (at most 1000).
    #[graphql(name = "in")]
    pub any: Option<Vec<String>>,
    /// Contains this text, ignoring case.
    pub contains: Option<String>,
    /// Starts with this text, ignoring case.
    pub starts_with: Option<String>,
    /// `true`: only rows without a value; `false`: only rows with one.
    pub is_null: Option<bool>,
}

/// Matches a count or other whole number.
#[derive(InputObject, Debug, Default, Clone)]
pub struct IntFilter {
    /// Exactly this number.
    pub eq: Option<i32>,
    /// Any of these numbers (at most 1000).
    #[graphql(name = "in")]
    pub any: Option<Vec<i32>>,
    /// Greater than.
    pub gt: Option<i32>,
    /// Greater than or equal to.
    pub gte: Option<i32>,
    /// Less than.
    pub lt: Option<i32>,
    /// Less than or equal to.
    pub lte: Option<i32>,
    /// `true`: only rows where the number is not reported; `false`: only rows where it is.
    pub is_null: Option<bool>,
}

/// Matches a decimal number.
#[derive(InputObject, Debug, Default, Clone)]
pub struct FloatFilter {
    /// Greater than.
    pub gt: Option<f64>,
    /// Greater than or equal to.
    pub gte: Option<f64>,
    /// Less than.
    pub lt: Option<f64>,
    /// Less than or equal to.
    pub lte: Option<f64>,
    /// `true`: only rows without a value; `false`: only rows with one.
    pub is_null: Option<bool>,
}

/// Matches a date.
#[derive(InputObject, Debug, Default, Clone)]
pub struct DateFilter {
    /// Exactly this date.
    pub eq: Option<Date>,
    /// Any of these dates (at most 1000).
    #[graphql(name = "in")]
    pub any: Option<Vec<Date>>,
    /// After this date.
    pub gt: Option<Date>,
    /// On or after this date.
    pub gte: Option<Date>,
    /// Before this date.
    pub lt: Option<Date>,
    /// On or before this date.
    pub lte: Option<Date>,
    /// `true`: only rows without a date; `false`: only rows with one.
    pub is_null: Option<bool>,
}

/// Matches a moment (an RFC 3339 date and time).
#[derive(InputObject, Debug, Default, Clone)]
pub struct DateTimeFilter {
    /// After this moment.
    pub gt: Option<chrono::DateTime<chrono::Utc>>,
    /// At or after this moment.
    pub gte: Option<chrono::DateTime<chrono::Utc>>,
    /// Before this moment.
    pub lt: Option<chrono::DateTime<chrono::Utc>>,
    /// At or before this moment.
    pub lte: Option<chrono::DateTime<chrono::Utc>>,
}

/// Matches an enumerated value.
#[derive(InputObject, Debug, Clone)]
#[graphql(
    concrete(name = "SourceKindFilter", params(SourceKind)),
    concrete(name = "DatePrecisionFilter", params(DatePrecision)),
    concrete(name = "OperationKindFilter", params(OperationKind)),
    concrete(name = "OrganizationKindFilter", params(OrganizationKind)),
    concrete(name = "PersonnelStatusFilter", params(PersonnelStatus)),
    concrete(name = "MilitantStatusFilter", params(MilitantStatus)),
    concrete(name = "AffiliationKindFilter", params(AffiliationKind)),
    concrete(name = "ConfidenceFilter", params(Confidence)),
    concrete(name = "CommunityActionKindFilter", params(CommunityActionKind)),
    concrete(name = "FigureMetricFilter", params(FigureMetric)),
    concrete(name = "FigureQualifierFilter", params(FigureQualifier)),
    concrete(name = "PersonnelRoleFilter", params(PersonnelRole)),
    concrete(name = "PersonnelOutcomeFilter", params(PersonnelOutcome)),
    concrete(name = "MilitantOutcomeFilter", params(MilitantOutcome)),
    concrete(name = "OrganizationRoleFilter", params(OrganizationRole)),
    concrete(name = "ParticipationRoleFilter", params(ParticipationRole)),
    concrete(name = "UnmappedReasonFilter", params(UnmappedReason)),
    concrete(name = "AttackKindFilter", params(AttackKind)),
    concrete(name = "AttackRoleFilter", params(AttackRole))
)]
pub struct EnumFilter<T: InputType + EnumType + Debug> {
    /// Exactly this value.
    pub eq: Option<T>,
    /// Any of these values.
    #[graphql(name = "in")]
    pub any: Option<Vec<T>>,
}

/// A comparison of a column with a value.
#[derive(Clone, Copy, Debug)]
enum Cmp {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// The condition of `filter`, refused when it would combine more comparisons or bind more
/// values than a statement should hold.
pub fn compile<F: FilterInput + ?Sized>(filter: &F) -> ApiResult<Condition> {
    let w = filter.to_where()?;
    if w.terms > MAX_FILTER_TERMS {
        return Err(ApiError::bad_input(format!(
            "a filter may combine at most {MAX_FILTER_TERMS} comparisons, got {}; put long \
             lists of values in `in`",
            w.terms
        )));
    }
    if w.values > MAX_FILTER_VALUES {
        return Err(ApiError::bad_input(format!(
            "a filter may compare with at most {MAX_FILTER_VALUES} values in all, got {}; \
             split the request",
            w.values
        )));
    }
    Ok(w.cond)
}

/// `parts` joined by `join` (all or any) as a balanced tree rather than one long chain:
/// sea-query renders a chain as nested binary expressions, recursing once per part, so a long
/// `or` list would exhaust the stack, and pass SQLite's expression depth limit of 1000.
fn balanced(mut parts: Vec<Condition>, join: fn() -> Condition) -> Condition {
    while parts.len() > 1 {
        let mut pairs = Vec::with_capacity(parts.len().div_ceil(2));
        let mut rest = parts.into_iter();
        while let Some(a) = rest.next() {
            pairs.push(match rest.next() {
                Some(b) => join().add(a).add(b),
                None => a,
            });
        }
        parts = pairs;
    }
    parts.pop().unwrap_or_else(join)
}

/// Text shown as it is by `{:?}`: a value already rendered.
struct Verbatim(String);

impl Debug for Verbatim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Builds the condition of one filter on `table`: every given part must hold. Counts the
/// comparisons it joins and the values it binds, nested filters included.
pub struct Where {
    table: &'static str,
    cond: Condition,
    terms: usize,
    values: usize,
    /// The plain comparisons the filter requires, as `column op value`, to catch a filter
    /// that requires a comparison and excludes it under `not` (it could match nothing).
    required: Vec<String>,
    /// Whether every term is one of `required`: only then does `not` of this filter
    /// exclude exactly what `required` names.
    plain: bool,
}

fn too_many(len: usize) -> ApiResult<()> {
    if len > MAX_IN_VALUES {
        return Err(ApiError::bad_input(format!(
            "an `in` list may hold at most {MAX_IN_VALUES} values, got {len}"
        )));
    }
    Ok(())
}

/// Text a filter may compare with: not too long, and without NUL, which no stored text holds
/// and PostgreSQL refuses in a parameter.
fn check_text(text: &str) -> ApiResult<()> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ApiError::bad_input(format!(
            "text to match may be at most {MAX_TEXT_CHARS} characters, got {chars}"
        )));
    }
    if text.contains('\0') {
        return Err(ApiError::bad_input(
            "text to match may not contain the NUL character (U+0000)",
        ));
    }
    Ok(())
}

/// `%text%`-style pattern for LIKE, with the wildcards in `text` escaped.
fn like_pattern(text: &str, prefix_only: bool) -> LikeExpr {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = if prefix_only {
        format!("{escaped}%")
    } else {
        format!("%{escaped}%")
    };
    LikeExpr::new(pattern).escape('\\')
}

impl Where {
    /// An empty condition on `table`.
    pub fn new(table: &'static str) -> Self {
        Self {
            table,
            cond: Condition::all(),
            terms: 0,
            values: 0,
            required: Vec::new(),
            plain: true,
        }
    }

    /// The table the condition is on.
    pub fn table(&self) -> &'static str {
        self.table
    }

    fn col(&self, column: &'static str) -> Expr {
        Expr::col((self.table, column))
    }

    /// Adds one comparison that binds `values` values.
    fn add(mut self, cond: impl Into<Condition>, values: usize) -> Self {
        self.terms += 1;
        self.values += values;
        self.plain = false;
        self.cond = self.cond.add(cond.into());
        self
    }

    /// Adds `column op value`, remembered as required (in the schema's words, for the
    /// message that names it).
    fn add_plain(
        self,
        column: &str,
        op: Cmp,
        value: impl Debug,
        cond: impl Into<Condition>,
    ) -> Self {
        let field: String = column
            .split('_')
            .enumerate()
            .map(|(i, w)| match (i, w.get(..1)) {
                (0, _) | (_, None) => w.to_owned(),
                (_, Some(first)) => first.to_uppercase() + &w[1..],
            })
            .collect();
        let op = match op {
            Cmp::Eq => "=",
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
        };
        let key = format!("{field} {op} {value:?}");
        let plain = self.plain;
        let mut w = self.add(cond, 1);
        w.plain = plain;
        w.required.push(key);
        w
    }

    /// Adds nested filters, joined by `join`, counting what they weigh.
    fn add_nested(mut self, parts: Vec<Where>, join: fn() -> Condition) -> Self {
        self.plain = false;
        self.terms += parts.iter().map(|w| w.terms).sum::<usize>();
        self.values += parts.iter().map(|w| w.values).sum::<usize>();
        let conditions = parts.into_iter().map(|w| w.cond).collect();
        self.cond = self.cond.add(balanced(conditions, join));
        self
    }

    fn null_check(self, column: &'static str, is_null: Option<bool>) -> Self {
        match is_null {
            Some(true) => {
                let c = self.col(column).is_null();
                self.add(c, 0)
            }
            Some(false) => {
                let c = self.col(column).is_not_null();
                self.add(c, 0)
            }
            None => self,
        }
    }

    /// Adds `column <op> value` for each comparison given a value.
    fn compare<V: Into<Value> + Debug>(
        mut self,
        column: &'static str,
        ops: impl IntoIterator<Item = (Cmp, Option<V>)>,
    ) -> Self {
        for (op, value) in ops {
            if let Some(v) = value {
                let key = Verbatim(format!("{v:?}"));
                let (a, b) = (self.col(column), Expr::val(v));
                let c = match op {
                    Cmp::Eq => a.eq(b),
                    Cmp::Gt => a.gt(b),
                    Cmp::Gte => a.gte(b),
                    Cmp::Lt => a.lt(b),
                    Cmp::Lte => a.lte(b),
                };
                self = self.add_plain(column, op, key, c);
            }
        }
        self
    }

    /// The row's own id or a reference column, matched by global ids of `kind`.
    pub fn id(self, column: &'static str, kind: NodeKind, f: &Option<IdFilter>) -> ApiResult<Self> {
        let Some(f) = f else { return Ok(self) };
        let mut w = self.null_check(column, f.is_null);
        if let Some(id) = &f.eq {
            let row = decode_as(id, kind)?;
            let c = w.col(column).eq(row);
            w = w.add_plain(column, Cmp::Eq, row, c);
        }
        if let Some(ids) = &f.any {
            too_many(ids.len())?;
            let ids = ids
                .iter()
                .map(|id| decode_as(id, kind))
                .collect::<ApiResult<Vec<_>>>()?;
            let n = ids.len();
            let c = w.col(column).is_in(ids);
            w = w.add(c, n);
        }
        Ok(w)
    }

    /// A text column.
    pub fn text(self, column: &'static str, f: &Option<StringFilter>) -> ApiResult<Self> {
        let Some(f) = f else { return Ok(self) };
        let texts = [&f.eq, &f.contains, &f.starts_with].into_iter().flatten();
        for text in texts.chain(f.any.iter().flatten()) {
            check_text(text)?;
        }
        let mut w = self.null_check(column, f.is_null);
        if let Some(v) = &f.eq {
            let c = w.col(column).eq(v.clone());
            w = w.add_plain(column, Cmp::Eq, v, c);
        }
        if let Some(vs) = &f.any {
            too_many(vs.len())?;
            let c = w.col(column).is_in(vs.iter().cloned());
            w = w.add(c, vs.len());
        }
        for (text, prefix_only) in [(&f.contains, false), (&f.starts_with, true)] {
            if let Some(t) = text {
                let c = Expr::expr(Func::lower(w.col(column))).like(like_pattern(t, prefix_only));
                w = w.add(c, 1);
            }
        }
        Ok(w)
    }

    /// A whole-number column.
    pub fn int(self, column: &'static str, f: &Option<IntFilter>) -> ApiResult<Self> {
        let Some(f) = f else { return Ok(self) };
        let mut w = self.null_check(column, f.is_null).compare(
            column,
            [
                (Cmp::Eq, f.eq),
                (Cmp::Gt, f.gt),
                (Cmp::Gte, f.gte),
                (Cmp::Lt, f.lt),
                (Cmp::Lte, f.lte),
            ],
        );
        if let Some(vs) = &f.any {
            too_many(vs.len())?;
            let c = w.col(column).is_in(vs.iter().copied());
            w = w.add(c, vs.len());
        }
        Ok(w)
    }

    /// A decimal column.
    pub fn float(self, column: &'static str, f: &Option<FloatFilter>) -> Self {
        let Some(f) = f else { return self };
        self.null_check(column, f.is_null).compare(
            column,
            [
                (Cmp::Gt, f.gt),
                (Cmp::Gte, f.gte),
                (Cmp::Lt, f.lt),
                (Cmp::Lte, f.lte),
            ],
        )
    }

    /// A date column.
    pub fn date(self, column: &'static str, f: &Option<DateFilter>) -> ApiResult<Self> {
        let Some(f) = f else { return Ok(self) };
        let d = |v: Option<Date>| v.map(|d| d.0);
        let mut w = self.null_check(column, f.is_null).compare(
            column,
            [
                (Cmp::Eq, d(f.eq)),
                (Cmp::Gt, d(f.gt)),
                (Cmp::Gte, d(f.gte)),
                (Cmp::Lt, d(f.lt)),
                (Cmp::Lte, d(f.lte)),
            ],
        );
        if let Some(vs) = &f.any {
            too_many(vs.len())?;
            let c = w.col(column).is_in(vs.iter().map(|d| d.0));
            w = w.add(c, vs.len());
        }
        Ok(w)
    }

    /// A timestamp column.
    pub fn moment(self, column: &'static str, f: &Option<DateTimeFilter>) -> Self {
        let Some(f) = f else { return self };
        self.compare(
            column,
            [
                (Cmp::Gt, f.gt),
                (Cmp::Gte, f.gte),
                (Cmp::Lt, f.lt),
                (Cmp::Lte, f.lte),
            ],
        )
    }

    /// A boolean column.
    pub fn boolean(self, column: &'static str, f: Option<bool>) -> Self {
        match f {
            Some(v) => {
                let c = self.col(column).eq(v);
                self.add_plain(column, Cmp::Eq, v, c)
            }
            None => self,
        }
    }

    /// An enumerated column.
    pub fn enumeration<T: InputType + EnumType + Debug>(
        self,
        column: &'static str,
        f: &Option<EnumFilter<T>>,
    ) -> ApiResult<Self> {
        let Some(f) = f else { return Ok(self) };
        let mut w = self;
        if let Some(v) = f.eq {
            let name = enums::db_name(v);
            let c = w.col(column).eq(name);
            w = w.add_plain(column, Cmp::Eq, name, c);
        }
        if let Some(vs) = &f.any {
            too_many(vs.len())?;
            let c = w.col(column).is_in(vs.iter().map(|v| enums::db_name(*v)));
            w = w.add(c, vs.len());
        }
        Ok(w)
    }

    /// `and`, `or` and `not` of nested filters of the same type.
    pub fn combine<F: FilterInput>(
        self,
        and: &Option<Vec<F>>,
        or: &Option<Vec<F>>,
        not: &Option<Box<F>>,
    ) -> ApiResult<Self> {
        let mut w = self;
        if let Some(all) = and {
            let parts: Vec<Where> = all.iter().map(F::to_where).collect::<ApiResult<_>>()?;
            let required: Vec<String> = parts.iter().flat_map(|p| p.required.clone()).collect();
            w = w.add_nested(parts, Condition::all);
            w.required.extend(required);
        }
        if let Some(any) = or {
            if any.is_empty() {
                // An empty `or` matches nothing, as an empty disjunction should.
                w = w.add(Expr::val(1).eq(0), 0);
            } else {
                let parts = any.iter().map(F::to_where).collect::<ApiResult<_>>()?;
                w = w.add_nested(parts, Condition::any);
            }
        }
        if let Some(f) = not {
            let mut inner = f.to_where()?;
            if inner.plain
                && !inner.required.is_empty()
                && inner.required.iter().all(|r| w.required.contains(r))
            {
                return Err(ApiError::bad_input(format!(
                    "this filter can match nothing: it requires `{}` and excludes it under \
                     `not`; drop one of the two",
                    inner.required.join(" and ")
                )));
            }
            inner.cond = inner.cond.not();
            w = w.add_nested(vec![inner], Condition::all);
        }
        Ok(w)
    }

    /// Rows with a related row that matches `f`: `EXISTS (SELECT 1 FROM f's table WHERE
    /// f's table.foreign = this table.column AND f)`. `EXISTS` is never null, so `not` of
    /// it also keeps rows with no related row at all.
    pub fn related<F: FilterInput>(
        self,
        column: &'static str,
        foreign: &'static str,
        f: Option<&F>,
    ) -> ApiResult<Self> {
        let Some(f) = f else { return Ok(self) };
        let inner = f.to_where()?;
        let cond = Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(inner.table)
                .and_where(Expr::col((inner.table, foreign)).equals((self.table, column)))
                .cond_where(inner.cond.clone())
                .to_owned(),
        );
        let (terms, values) = (inner.terms, inner.values);
        let mut w = self.add(cond, values);
        w.terms += terms;
        Ok(w)
    }

    /// Rows linked through `link` (`link.own` = this table's id, `link.other` = the
    /// related row's id) to a row that matches `f`.
    pub fn linked<F: FilterInput>(
        self,
        link: &'static str,
        own: &'static str,
        other: &'static str,
        f: Option<&F>,
    ) -> ApiResult<Self> {
        let Some(target) = f else { return Ok(self) };
        self.related(
            "id",
            own,
            Some(&LinkTo {
                link,
                other,
                target,
            }),
        )
    }

    /// Rows whose dated link (`since` to `until`, either end open when unknown) is in
    /// force on `day`.
    pub fn valid_on(self, day: Option<Date>) -> Self {
        let Some(Date(day)) = day else { return self };
        let (since, until) = (self.col("since"), self.col("until"));
        let cond = Condition::all()
            .add(
                Condition::any()
                    .add(since.clone().is_null())
                    .add(since.lte(day)),
            )
            .add(
                Condition::any()
                    .add(until.clone().is_null())
                    .add(until.gte(day)),
            );
        self.add(cond, 2)
    }
}

/// The filter on a link table that a [`Where::linked`] condition runs: the link's rows
/// whose other end matches the target filter.
#[derive(Debug)]
struct LinkTo<'a, F> {
    link: &'static str,
    other: &'static str,
    target: &'a F,
}

impl<F: FilterInput> FilterInput for LinkTo<'_, F> {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new(self.link).related(self.other, "id", Some(self.target))
    }
}
