//! Rate limits by cost, as GitHub's GraphQL API has them: each key, and each address for
//! requests without a key, has a budget of points per window (an hour by default); a query
//! costs one point plus one for every 10,000 of its complexity (the engine's measure: each
//! field once per row its enclosing pages may hold), so a page of districts costs 1 and the
//! README's nested query 48. Off unless a budget is given.
//!
//! The budgets are kept in the database (`rate_limits`), which every instance already
//! shares: a budget holds across instances with no other server to run, and one upsert per
//! operation charges it atomically (PostgreSQL locks the row; SQLite has one writer). Windows
//! are fixed and aligned to the epoch, so every instance agrees on when one resets.

use std::time::{SystemTime, UNIX_EPOCH};

use async_graphql::ServerError;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{DatabaseConnection, FromQueryResult};
use serde::Serialize;

use crate::error::{ApiError, code, server_error};

/// Complexity one point buys beyond the first.
const COMPLEXITY_PER_POINT: usize = 10_000;

/// The budgets: each a `serve` flag with an environment variable.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct RateLimits {
    /// Points a key may spend per window; 0 for no limit.
    #[arg(long = "rate-limit-key-points", env = "CTGRAPH_RATE_LIMIT_KEY_POINTS", default_value_t = RateLimits::OFF.key_points)]
    pub key_points: u64,
    /// Points an address may spend per window on requests without a key; 0 for no limit.
    #[arg(
        long = "rate-limit-anonymous-points",
        env = "CTGRAPH_RATE_LIMIT_ANONYMOUS_POINTS",
        default_value_t = RateLimits::OFF.anonymous_points
    )]
    pub anonymous_points: u64,
    /// The window's length, in seconds.
    #[arg(long = "rate-limit-window-secs", env = "CTGRAPH_RATE_LIMIT_WINDOW_SECS", default_value_t = RateLimits::OFF.window_secs)]
    pub window_secs: u64,
}

impl RateLimits {
    /// No budgets, hourly windows: the default.
    pub const OFF: Self = Self {
        key_points: 0,
        anonymous_points: 0,
        window_secs: 3600,
    };

    /// Whether any budget is set.
    pub fn enabled(&self) -> bool {
        self.key_points > 0 || self.anonymous_points > 0
    }
}

/// Whose budget a request spends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// An editor key's, by its id.
    Key(i32),
    /// An address's (or `unknown`, in-process).
    Address(String),
}

impl Subject {
    fn row(&self) -> String {
        match self {
            Self::Key(id) => format!("key:{id}"),
            Self::Address(address) => format!("address:{address}"),
        }
    }

    fn budget(&self, limits: &RateLimits) -> u64 {
        match self {
            Self::Key(_) => limits.key_points,
            Self::Address(_) => limits.anonymous_points,
        }
    }
}

/// What one operation was charged, and what is left: the answer's `extensions.rateLimit`
/// and its `RateLimit-*` headers.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    /// The operation's cost in points.
    pub cost: u64,
    /// The budget per window.
    pub limit: u64,
    /// Points left in this window.
    pub remaining: u64,
    /// When the window resets, in Unix seconds.
    pub reset_at: u64,
    /// Seconds until it resets.
    pub reset_in: u64,
}

/// The cost in points of an operation of `complexity`.
pub fn points(complexity: usize) -> u64 {
    1 + (complexity / COMPLEXITY_PER_POINT) as u64
}

#[derive(FromQueryResult)]
struct Spent {
    spent: i64,
}

/// An operation the budget could not pay for: what is left, and the error that says so.
#[derive(Debug)]
pub struct Refused {
    /// The budget's state (unknown when the database failed); nothing was charged.
    pub charge: Option<Charge>,
    /// `RATE_LIMITED`, with `retryAfter` and `rateLimit` in its extensions.
    pub error: ServerError,
}

/// Charges `cost` to `subject`'s budget: the charge, `None` when its budget is unlimited, or
/// the refusal (and nothing charged) when the budget cannot pay.
pub async fn charge(
    db: &DatabaseConnection,
    limits: &RateLimits,
    subject: &Subject,
    cost: u64,
) -> Result<Option<Charge>, Box<Refused>> {
    let limit = subject.budget(limits);
    if limit == 0 {
        return Ok(None);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let window = Ord::max(limits.window_secs, 1);
    let start = now - now % window;
    let reset_at = start + window;
    let reset_in = reset_at - now;
    let at = |spent: u64| Charge {
        cost,
        limit,
        remaining: limit.saturating_sub(spent),
        reset_at,
        reset_in,
    };
    let refuse = |spent: u64| {
        let whose = match subject {
            Subject::Key(_) => "this key",
            Subject::Address(_) => "this address (send a key for a budget of its own)",
        };
        let message = if cost > limit {
            format!(
                "this operation costs {cost} points, more than the {limit} {whose} may spend \
                 in {window} s: ask for smaller pages or fewer fields"
            )
        } else {
            format!(
                "rate limit: {whose} has spent {spent} of its {limit} points for this window \
                 and this operation costs {cost}; the budget resets in {reset_in} s"
            )
        };
        let mut error = server_error(code::RATE_LIMITED, message, None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("retryAfter", reset_in);
        extensions.set(
            "rateLimit",
            async_graphql::to_value(at(spent)).unwrap_or_default(),
        );
        Box::new(Refused {
            charge: Some(at(spent)),
            error,
        })
    };
    if cost > limit {
        return Err(refuse(0));
    }
    let (table, column) = (Alias::new("rate_limits"), |c: &str| Alias::new(c));
    let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    // A new window starts the count again; in the current one the charge is made only if
    // the budget can pay it, and the upsert then returns no row.
    let mut upsert = Query::insert();
    upsert.into_table(table.clone()).columns([
        column("subject"),
        column("window_start"),
        column("spent"),
    ]);
    upsert
        .values([
            subject.row().into(),
            to_i64(start).into(),
            to_i64(cost).into(),
        ])
        .map_err(|e| failed(ApiError::Internal(e.to_string())))?;
    upsert
        .on_conflict(
            OnConflict::column(column("subject"))
                .value(
                    column("spent"),
                    Expr::cust(
                        "CASE WHEN rate_limits.window_start = excluded.window_start \
                         THEN rate_limits.spent + excluded.spent ELSE excluded.spent END",
                    ),
                )
                .value(column("window_start"), Expr::cust("excluded.window_start"))
                .action_and_where(Expr::cust(format!(
                    "rate_limits.window_start <> excluded.window_start \
                     OR rate_limits.spent + excluded.spent <= {limit}"
                )))
                .to_owned(),
        )
        .returning_col(column("spent"));
    let backend = db.get_database_backend();
    let charged = Spent::find_by_statement(backend.build(&upsert))
        .one(db)
        .await
        .map_err(|e| failed(e.into()))?;
    if let Some(Spent { spent }) = charged {
        return Ok(Some(at(u64::try_from(spent).unwrap_or(0))));
    }
    let current = Query::select()
        .column(column("spent"))
        .from(table)
        .and_where(Expr::col(column("subject")).eq(subject.row()))
        .to_owned();
    let spent = Spent::find_by_statement(backend.build(&current))
        .one(db)
        .await
        .map_err(|e| failed(e.into()))?
        .map_or(limit, |s| u64::try_from(s.spent).unwrap_or(limit));
    Err(refuse(spent))
}

/// The budget could not be read or charged (the database failed): the request is refused
/// with the database's error, and nothing is known to be charged.
fn failed(error: ApiError) -> Box<Refused> {
    let error = async_graphql::Error::from(error).into_server_error(async_graphql::Pos::default());
    Box::new(Refused {
        charge: None,
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_costs_a_point_and_one_per_ten_thousand_of_complexity() {
        assert_eq!(points(0), 1);
        assert_eq!(points(9_999), 1);
        assert_eq!(points(10_000), 2);
        assert_eq!(points(480_000), 49);
    }
}
