//! `operationStats`: operation counts and casualty sums, bucketed by place, organization or
//! period, computed by one grouped SQL statement over the same filter as `operations`.

use async_graphql::{Context, Enum, Object};
use chrono::{Days, Months, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseBackend};

use super::filter::compile;
use super::ids::NodeKind;
use super::loaders::batches;
use super::node::{Node, load_nodes};
use super::scalars::Date;
use super::types::OperationFilter;
use crate::error::{ApiError, ApiResult};

/// The casualty columns every bucket sums, with their GraphQL names.
const SUMMED: [&str; 5] = [
    "militants_killed",
    "militants_arrested",
    "security_killed",
    "security_injured",
    "civilians_killed",
];

/// Most buckets one `operationStats` returns (days over thirteen years, or every district).
pub const MAX_BUCKETS: usize = 5000;

/// How `operationStats` buckets operations.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsGrouping {
    /// By the district an operation took place in; operations not placed in a district form one bucket without a node.
    District,
    /// By the province of that district.
    Province,
    /// By each organization that took part, whatever its role: an operation with two organizations counts in both buckets; operations with none form one bucket without a node.
    Organization,
    /// By start day. Operations whose date is known only to the week or coarser form one bucket without a period.
    Day,
    /// By the week (Monday to Sunday) of the start date. Operations dated only to the month or coarser form one bucket without a period.
    Week,
    /// By the month of the start date. Operations dated to the day or the month count; those dated only to a week (which may straddle two months), quarter, year or not at all form one bucket without a period.
    Month,
}

impl StatsGrouping {
    /// The node kind buckets name, for groupings by a related row.
    fn kind(self) -> Option<NodeKind> {
        match self {
            Self::District => Some(NodeKind::District),
            Self::Province => Some(NodeKind::Province),
            Self::Organization => Some(NodeKind::Organization),
            Self::Day | Self::Week | Self::Month => None,
        }
    }

    /// The date precisions fine enough to place an operation in one bucket of this grouping.
    fn precisions(self) -> &'static str {
        match self {
            Self::Day => "'DAY'",
            Self::Week => "'DAY', 'WEEK'",
            _ => "'DAY', 'MONTH'",
        }
    }

    /// The first day of the bucket of `operations.start_date`, as `YYYY-MM-DD` text.
    fn period_start(self, backend: DatabaseBackend) -> &'static str {
        let postgres = backend == DatabaseBackend::Postgres;
        match (self, postgres) {
            (Self::Day, false) => "operations.start_date",
            (Self::Week, false) => "date(operations.start_date, '-6 days', 'weekday 1')",
            (_, false) => "strftime('%Y-%m-01', operations.start_date)",
            (Self::Day, true) => "to_char(operations.start_date, 'YYYY-MM-DD')",
            (Self::Week, true) => {
                "to_char(date_trunc('week', operations.start_date), 'YYYY-MM-DD')"
            }
            (_, true) => "to_char(date_trunc('month', operations.start_date), 'YYYY-MM-DD')",
        }
    }

    /// The last day of the bucket that starts on `start`.
    fn period_end(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Week => start.checked_add_days(Days::new(6)),
            Self::Month => start
                .checked_add_months(Months::new(1))
                .and_then(|d| d.pred_opt()),
            _ => Some(start),
        }
    }
}

/// Counts and sums over one bucket of operations.
pub struct OperationStats {
    /// Whether the bucket has a node or period: the rest go last.
    placed: bool,
    node: Option<Node>,
    period: Option<(NaiveDate, NaiveDate)>,
    operations: i64,
    sums: [Option<i64>; 5],
}

/// Counts and sums over one bucket of operations. A sum is null when no operation in the bucket reports that count: unknown is not zero.
#[Object]
impl OperationStats {
    /// The district, province or organization of the bucket; null for groupings by period, and for the bucket of operations that have none.
    async fn node(&self) -> Option<&Node> {
        self.node.as_ref()
    }

    /// The first day of the bucket's period; null for other groupings, and for the bucket of operations dated too coarsely to place.
    async fn period_start(&self) -> Option<Date> {
        self.period.map(|(start, _)| Date(start))
    }

    /// The last day of the bucket's period; null exactly when `periodStart` is.
    async fn period_end(&self) -> Option<Date> {
        self.period.map(|(_, end)| Date(end))
    }

    /// Operations in the bucket.
    async fn operations(&self) -> i64 {
        self.operations
    }

    /// Militants killed, summed over the operations that report it; null when none of them does.
    async fn militants_killed(&self) -> Option<i64> {
        self.sums[0]
    }

    /// Militants arrested, summed over the operations that report it; null when none of them does.
    async fn militants_arrested(&self) -> Option<i64> {
        self.sums[1]
    }

    /// Security personnel killed, summed over the operations that report it; null when none of them
    /// does.
    async fn security_killed(&self) -> Option<i64> {
        self.sums[2]
    }

    /// Security personnel injured, summed over the operations that report it; null when none of
    /// them does.
    async fn security_injured(&self) -> Option<i64> {
        self.sums[3]
    }

    /// Civilians killed, summed over the operations that report it; null when none of them does.
    async fn civilians_killed(&self) -> Option<i64> {
        self.sums[4]
    }
}

/// The grouped statement: one row per bucket, keyed `bucket`.
fn statement(
    filter: Option<&OperationFilter>,
    group_by: Option<StatsGrouping>,
    backend: DatabaseBackend,
) -> ApiResult<SelectStatement> {
    let mut s = Query::select();
    s.from("operations");
    let bucket = Alias::new("bucket");
    match group_by {
        None => {
            s.expr_as(Expr::val(0), bucket.clone());
        }
        Some(StatsGrouping::District) => {
            s.expr_as(Expr::col(("operations", "district_id")), bucket.clone());
        }
        Some(StatsGrouping::Province) => {
            s.left_join(
                "districts",
                Expr::col(("districts", "id")).equals(("operations", "district_id")),
            )
            .expr_as(Expr::col(("districts", "province_id")), bucket.clone());
        }
        Some(StatsGrouping::Organization) => {
            s.left_join(
                "operation_organizations",
                Expr::col(("operation_organizations", "operation_id")).equals(("operations", "id")),
            )
            .expr_as(
                Expr::col(("operation_organizations", "organization_id")),
                bucket.clone(),
            );
        }
        Some(period) => {
            let sql = format!(
                "CASE WHEN operations.date_precision IN ({}) THEN {} END",
                period.precisions(),
                period.period_start(backend)
            );
            s.expr_as(Expr::cust(sql), bucket.clone());
        }
    }
    s.expr_as(
        Expr::col(("operations", "id")).count(),
        Alias::new("operations"),
    );
    for column in SUMMED {
        s.expr_as(
            Func::sum(Expr::col(("operations", column))),
            Alias::new(column),
        );
    }
    if let Some(f) = filter {
        s.cond_where(compile(f)?);
    }
    // Grouping and ordering by position works alike on both backends, where an alias of an
    // expression does not.
    s.add_group_by([Expr::cust("1")]);
    s.order_by_expr(Expr::cust("1"), Order::Asc);
    s.limit(MAX_BUCKETS as u64 + 1);
    Ok(s)
}

/// Runs `operationStats`.
pub async fn operation_stats(
    ctx: &Context<'_>,
    filter: Option<OperationFilter>,
    group_by: Option<StatsGrouping>,
) -> ApiResult<Vec<OperationStats>> {
    let db = batches(ctx)?.db();
    let backend = db.get_database_backend();
    let rows = db
        .query_all(&statement(filter.as_ref(), group_by, backend)?)
        .await?;
    if rows.len() > MAX_BUCKETS {
        return Err(ApiError::TooComplex(format!(
            "more than {MAX_BUCKETS} buckets; narrow the filter or group by a coarser unit"
        )));
    }
    let kind = group_by.and_then(StatsGrouping::kind);
    let mut stats = Vec::with_capacity(rows.len());
    let mut keys = Vec::new();
    for row in rows {
        let mut sums = [None; 5];
        for (sum, column) in sums.iter_mut().zip(SUMMED) {
            *sum = row.try_get::<Option<i64>>("", column)?;
        }
        let period = match group_by {
            Some(g @ (StatsGrouping::Day | StatsGrouping::Week | StatsGrouping::Month)) => {
                let start = row.try_get::<Option<String>>("", "bucket")?;
                start
                    .map(|s| {
                        let start = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                            .map_err(|e| ApiError::Internal(format!("bucket {s:?}: {e}")))?;
                        let end = g.period_end(start).unwrap_or(start);
                        Ok::<_, ApiError>((start, end))
                    })
                    .transpose()?
            }
            _ => None,
        };
        let key = match kind {
            Some(kind) => row
                .try_get::<Option<i32>>("", "bucket")?
                .map(|id| (kind, id)),
            None => None,
        };
        keys.push(key);
        stats.push(OperationStats {
            placed: key.is_some() || period.is_some() || group_by.is_none(),
            node: None,
            period,
            operations: row.try_get("", "operations")?,
            sums,
        });
    }
    if kind.is_some() && ctx.look_ahead().field("node").exists() {
        let wanted: Vec<_> = keys.iter().flatten().copied().collect();
        let mut nodes = load_nodes(ctx, &wanted).await?.into_iter();
        for (stat, key) in stats.iter_mut().zip(&keys) {
            if key.is_some() {
                stat.node = nodes.next().flatten();
            }
        }
    }
    if stats.is_empty() && group_by.is_none() {
        // The total of nothing is one bucket of zero operations.
        stats.push(OperationStats {
            placed: true,
            node: None,
            period: None,
            operations: 0,
            sums: [None; 5],
        });
    }
    // The bucket without a node or period, which SQL sorts first or last depending on the
    // backend, goes last; the rest keep SQL's order (by id or by date).
    stats.sort_by_key(|s| !s.placed);
    Ok(stats)
}
