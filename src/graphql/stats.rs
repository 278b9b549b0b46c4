//! `operationStats` and `attackStats`: counts and casualty sums of operations or attacks,
//! bucketed by place, organization or period, each computed by one grouped SQL statement over
//! the same filter as the `operations` or `attacks` connection. Both are one [`Subject`] run
//! through [`buckets`].

use async_graphql::{Context, Enum, Object};
use chrono::{Days, Months, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseBackend};

use super::filter::FilterInput;
use super::filter::compile;
use super::ids::NodeKind;
use super::loaders::batches;
use super::node::{Node, load_nodes};
use super::scalars::Date;
use super::types::{AttackFilter, OperationFilter};
use crate::error::{ApiError, ApiResult};

/// What a kind of stats counts: its table, the date column periods bucket by, the link table
/// to its organizations, and the casualty columns every bucket sums.
struct Subject {
    table: &'static str,
    date: &'static str,
    /// The link table to organizations and its column naming the subject.
    organizations: (&'static str, &'static str),
    summed: &'static [&'static str],
}

const OPERATIONS: Subject = Subject {
    table: "operations",
    date: "start_date",
    organizations: ("operation_organizations", "operation_id"),
    summed: &[
        "militants_killed",
        "militants_arrested",
        "security_killed",
        "security_injured",
        "civilians_killed",
        "fatalities",
    ],
};

const ATTACKS: Subject = Subject {
    table: "attacks",
    date: "date",
    organizations: ("attack_organizations", "attack_id"),
    summed: &[
        "security_killed",
        "security_injured",
        "civilians_killed",
        "civilians_injured",
        "militants_killed",
        "abducted",
        "fatalities",
    ],
};

/// Most buckets one `operationStats` returns (days over thirteen years, or every district).
pub const MAX_BUCKETS: usize = 5000;

/// How `operationStats` buckets operations and `attackStats` attacks (each said of operations
/// here; attacks are bucketed alike, by their `date`).
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

    /// The first day of the bucket of the date column `date`, as `YYYY-MM-DD` text.
    fn period_start(self, date: &str, backend: DatabaseBackend) -> String {
        let postgres = backend == DatabaseBackend::Postgres;
        match (self, postgres) {
            (Self::Day, false) => date.to_owned(),
            (Self::Week, false) => format!("date({date}, '-6 days', 'weekday 1')"),
            (_, false) => format!("strftime('%Y-%m-01', {date})"),
            (Self::Day, true) => format!("to_char({date}, 'YYYY-MM-DD')"),
            (Self::Week, true) => format!("to_char(date_trunc('week', {date}), 'YYYY-MM-DD')"),
            (_, true) => format!("to_char(date_trunc('month', {date}), 'YYYY-MM-DD')"),
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

/// Counts and sums over one bucket of a [`Subject`]'s rows.
struct Bucket {
    /// Whether the bucket has a node or period: the rest go last.
    placed: bool,
    node: Option<Node>,
    period: Option<(NaiveDate, NaiveDate)>,
    count: i64,
    /// In the order of the subject's `summed`.
    sums: Vec<Option<i64>>,
}

/// Counts and sums over one bucket of operations.
pub struct OperationStats(Bucket);

/// Counts and sums over one bucket of operations. A sum is null when no operation in the bucket reports that count: unknown is not zero.
#[Object]
impl OperationStats {
    /// The district, province or organization of the bucket; null for groupings by period, and for the bucket of operations that have none.
    async fn node(&self) -> Option<&Node> {
        self.0.node.as_ref()
    }

    /// The first day of the bucket's period; null for other groupings, and for the bucket of operations dated too coarsely to place.
    async fn period_start(&self) -> Option<Date> {
        self.0.period.map(|(start, _)| Date(start))
    }

    /// The last day of the bucket's period; null exactly when `periodStart` is.
    async fn period_end(&self) -> Option<Date> {
        self.0.period.map(|(_, end)| Date(end))
    }

    /// Operations in the bucket.
    async fn operations(&self) -> i64 {
        self.0.count
    }

    /// Militants killed, summed over the operations that report it; null when none of them does.
    async fn militants_killed(&self) -> Option<i64> {
        self.0.sums[0]
    }

    /// Militants arrested, summed over the operations that report it; null when none of them does.
    async fn militants_arrested(&self) -> Option<i64> {
        self.0.sums[1]
    }

    /// Security personnel killed, summed over the operations that report it; null when none of them
    /// does.
    async fn security_killed(&self) -> Option<i64> {
        self.0.sums[2]
    }

    /// Security personnel injured, summed over the operations that report it; null when none of
    /// them does.
    async fn security_injured(&self) -> Option<i64> {
        self.0.sums[3]
    }

    /// Civilians killed, summed over the operations that report it; null when none of them does.
    async fn civilians_killed(&self) -> Option<i64> {
        self.0.sums[4]
    }

    /// Deaths in all, summed over the operations whose source gives only a total (ACLED's); null when none of them does. Never added to the counts by side.
    async fn fatalities(&self) -> Option<i64> {
        self.0.sums[5]
    }
}

/// Counts and sums over one bucket of attacks.
pub struct AttackStats(Bucket);

/// Counts and sums over one bucket of attacks. A sum is null when no attack in the bucket reports that count: unknown is not zero.
#[Object]
impl AttackStats {
    /// The district, province or organization (perpetrator or target) of the bucket; null for groupings by period, and for the bucket of attacks that have none.
    async fn node(&self) -> Option<&Node> {
        self.0.node.as_ref()
    }

    /// The first day of the bucket's period; null for other groupings, and for the bucket of attacks dated too coarsely to place.
    async fn period_start(&self) -> Option<Date> {
        self.0.period.map(|(start, _)| Date(start))
    }

    /// The last day of the bucket's period; null exactly when `periodStart` is.
    async fn period_end(&self) -> Option<Date> {
        self.0.period.map(|(_, end)| Date(end))
    }

    /// Attacks in the bucket.
    async fn attacks(&self) -> i64 {
        self.0.count
    }

    /// Security personnel killed, summed over the attacks that report it; null when none of them does.
    async fn security_killed(&self) -> Option<i64> {
        self.0.sums[0]
    }

    /// Security personnel injured, summed over the attacks that report it; null when none of them does.
    async fn security_injured(&self) -> Option<i64> {
        self.0.sums[1]
    }

    /// Civilians killed, summed over the attacks that report it; null when none of them does.
    async fn civilians_killed(&self) -> Option<i64> {
        self.0.sums[2]
    }

    /// Civilians injured, summed over the attacks that report it; null when none of them does.
    async fn civilians_injured(&self) -> Option<i64> {
        self.0.sums[3]
    }

    /// Attackers killed, summed over the attacks that report it; null when none of them does.
    async fn militants_killed(&self) -> Option<i64> {
        self.0.sums[4]
    }

    /// People abducted, summed over the attacks that report it; null when none of them does.
    async fn abducted(&self) -> Option<i64> {
        self.0.sums[5]
    }

    /// Deaths in all, summed over the attacks whose source gives only a total (ACLED's); null when none of them does. Never added to the counts by side.
    async fn fatalities(&self) -> Option<i64> {
        self.0.sums[6]
    }
}

/// The grouped statement over `subject`'s rows matching `filter`: one row per bucket, keyed
/// `bucket`, with the rows counted as `n`.
fn statement(
    subject: &Subject,
    filter: Option<&dyn FilterInput>,
    group_by: Option<StatsGrouping>,
    backend: DatabaseBackend,
) -> ApiResult<SelectStatement> {
    let table = subject.table;
    let mut s = Query::select();
    s.from(table);
    let bucket = Alias::new("bucket");
    match group_by {
        None => {
            s.expr_as(Expr::val(0), bucket.clone());
        }
        Some(StatsGrouping::District) => {
            s.expr_as(Expr::col((table, "district_id")), bucket.clone());
        }
        Some(StatsGrouping::Province) => {
            s.left_join(
                "districts",
                Expr::col(("districts", "id")).equals((table, "district_id")),
            )
            .expr_as(Expr::col(("districts", "province_id")), bucket.clone());
        }
        Some(StatsGrouping::Organization) => {
            let (link, parent) = subject.organizations;
            s.left_join(link, Expr::col((link, parent)).equals((table, "id")))
                .expr_as(Expr::col((link, "organization_id")), bucket.clone());
        }
        Some(period) => {
            let sql = format!(
                "CASE WHEN {table}.date_precision IN ({}) THEN {} END",
                period.precisions(),
                period.period_start(&format!("{table}.{}", subject.date), backend)
            );
            s.expr_as(Expr::cust(sql), bucket.clone());
        }
    }
    s.expr_as(Expr::col((table, "id")).count(), Alias::new("n"));
    for column in subject.summed {
        s.expr_as(Func::sum(Expr::col((table, *column))), Alias::new(*column));
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
    let filter = filter.as_ref().map(|f| f as &dyn FilterInput);
    let buckets = buckets(ctx, &OPERATIONS, filter, group_by).await?;
    Ok(buckets.into_iter().map(OperationStats).collect())
}

/// Runs `attackStats`.
pub async fn attack_stats(
    ctx: &Context<'_>,
    filter: Option<AttackFilter>,
    group_by: Option<StatsGrouping>,
) -> ApiResult<Vec<AttackStats>> {
    let filter = filter.as_ref().map(|f| f as &dyn FilterInput);
    let buckets = buckets(ctx, &ATTACKS, filter, group_by).await?;
    Ok(buckets.into_iter().map(AttackStats).collect())
}

/// The buckets of `subject`'s rows matching `filter`, grouped by `group_by`.
async fn buckets(
    ctx: &Context<'_>,
    subject: &Subject,
    filter: Option<&dyn FilterInput>,
    group_by: Option<StatsGrouping>,
) -> ApiResult<Vec<Bucket>> {
    let db = batches(ctx)?.db();
    let backend = db.get_database_backend();
    let rows = db
        .query_all(&statement(subject, filter, group_by, backend)?)
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
        let sums = subject
            .summed
            .iter()
            .map(|column| row.try_get::<Option<i64>>("", column))
            .collect::<Result<_, _>>()?;
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
        stats.push(Bucket {
            placed: key.is_some() || period.is_some() || group_by.is_none(),
            node: None,
            period,
            count: row.try_get("", "n")?,
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
        // The total of nothing is one bucket of zero rows.
        stats.push(Bucket {
            placed: true,
            node: None,
            period: None,
            count: 0,
            sums: vec![None; subject.summed.len()],
        });
    }
    // The bucket without a node or period, which SQL sorts first or last depending on the
    // backend, goes last; the rest keep SQL's order (by id or by date).
    stats.sort_by_key(|s| !s.placed);
    Ok(stats)
}
