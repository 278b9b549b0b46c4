//! The itemised values on PostgreSQL: the figures as a list of values, each walked by a
//! `LATERAL` subquery. Which scope a figure has (its districts, its province, or neither) is
//! a condition on the figure alone, so each of the subquery's arms either runs as an index
//! range scan (operations by district and start date, or by start date, between a year before
//! the period and its end) or not at all. One generic plan serves every figure: planning
//! time does not grow with the figures, as it does with an arm per figure (100 arms planned
//! in 3.8 s). Which rows count is decided by the reference's own conditions.

use chrono::{Months, NaiveDate};
use sea_orm::DatabaseBackend;

use super::reference::{ACTION_IN_SCOPE, OPERATION_IN_SCOPE, last_possible_day};
use crate::entity::reported_figure::Model;
use crate::error::ApiResult;
use crate::graphql::enums::{FigureMetric, db_name, from_db};

/// The statement for `figures`.
pub(super) fn statement(figures: &[&Model]) -> ApiResult<String> {
    let rows = figures
        .iter()
        .map(|figure| values(figure))
        .collect::<ApiResult<Vec<_>>>()?
        .join(", ");
    let last = last_possible_day(DatabaseBackend::Postgres);
    // The reference's conditions on the period; the scope is the candidates'.
    let placed = format!(
        "(f.period_start IS NULL OR o.start_date >= f.period_start) \
         AND (f.period_end IS NULL OR ({last}) <= f.period_end)"
    );
    let perhaps = format!(
        "NOT ({placed}) AND (f.period_end IS NULL OR o.start_date <= f.period_end) \
         AND (f.period_start IS NULL OR ({last}) IS NULL OR ({last}) >= f.period_start)"
    );
    let measure = "CASE f.metric WHEN 'OPERATIONS' THEN 1 \
        WHEN 'MILITANTS_KILLED' THEN o.militants_killed \
        WHEN 'MILITANTS_ARRESTED' THEN o.militants_arrested \
        WHEN 'SECURITY_KILLED' THEN o.security_killed \
        WHEN 'SECURITY_INJURED' THEN o.security_injured \
        WHEN 'CIVILIANS_KILLED' THEN o.civilians_killed END";
    let counted = |when: &str| {
        format!(
            "CAST(COALESCE(CASE WHEN f.metric = 'DISTRICTS_WITH_OPERATIONS' \
               THEN COUNT(DISTINCT CASE WHEN {when} THEN o.district_id END) \
               ELSE SUM(CASE WHEN {when} THEN {measure} END) END, 0) AS BIGINT)"
        )
    };
    let columns = "SELECT o.start_date, o.date_precision, o.district_id, o.militants_killed, \
        o.militants_arrested, o.security_killed, o.security_injured, o.civilians_killed \
        FROM operations o WHERE ";
    let in_period = "o.start_date BETWEEN f.lo AND f.hi";
    let candidates = [
        format!(
            "f.by_districts AND o.district_id IN (SELECT s.district_id \
             FROM reported_figure_districts s WHERE s.reported_figure_id = f.id) \
             AND (f.scope_province_id IS NULL OR o.district_id IN \
               (SELECT d.id FROM districts d WHERE d.province_id = f.scope_province_id)) \
             AND {in_period}"
        ),
        format!(
            "NOT f.by_districts AND f.scope_province_id IS NOT NULL AND o.district_id IN \
             (SELECT d.id FROM districts d WHERE d.province_id = f.scope_province_id) \
             AND {in_period}"
        ),
        format!("NOT f.by_districts AND f.scope_province_id IS NULL AND {in_period}"),
        // Of unknown precision, an operation may count whenever it started.
        format!(
            "o.date_precision = 'UNKNOWN' AND o.start_date < f.lo AND o.start_date <= f.hi \
             AND {OPERATION_IN_SCOPE}"
        ),
    ]
    .map(|condition| format!("{columns}{condition}"))
    .join(" UNION ALL ");
    let national = "f.nationality_id IS NOT NULL \
        AND f.metric IN ('MILITANTS_KILLED', 'MILITANTS_ARRESTED')";
    let outcome = "CASE f.metric WHEN 'MILITANTS_KILLED' THEN 'KILLED' ELSE 'ARRESTED' END";
    let nationals = |within: &str| {
        format!(
            "(SELECT COUNT(*) FROM militants m WHERE m.nationality_id = f.nationality_id AND EXISTS ( \
               SELECT 1 FROM operation_militants om JOIN operations o ON o.id = om.operation_id \
               WHERE om.militant_id = m.id AND om.outcome = {outcome} \
               AND {OPERATION_IN_SCOPE} AND {within}))"
        )
    };
    Ok(format!(
        "WITH given (id, metric, period_start, period_end, scope_province_id, nationality_id, \
           lo, hi) AS (VALUES {rows}), \
         f AS (SELECT given.*, EXISTS (SELECT 1 FROM reported_figure_districts s \
           WHERE s.reported_figure_id = given.id) AS by_districts FROM given) \
         SELECT f.id AS id, x.itemised AS itemised, x.uncertain AS uncertain \
         FROM f CROSS JOIN LATERAL (SELECT {placed_count} AS itemised, \
           {perhaps_count} AS uncertain FROM ({candidates}) o) x \
         WHERE f.metric <> 'COMMUNITY_ACTIONS' AND NOT ({national}) \
         UNION ALL \
         SELECT f.id, CAST({national_placed} AS BIGINT), CAST({national_perhaps} + \
           (SELECT COUNT(*) FROM militants m WHERE m.nationality_id = f.nationality_id \
            AND m.status = {outcome} \
            AND NOT EXISTS (SELECT 1 FROM operation_militants om WHERE om.militant_id = m.id)) \
           AS BIGINT) \
         FROM f WHERE {national} \
         UNION ALL \
         SELECT f.id, CAST((SELECT COUNT(*) FROM community_actions c WHERE c.date IS NOT NULL \
             AND (f.period_start IS NULL OR c.date >= f.period_start) \
             AND (f.period_end IS NULL OR c.date <= f.period_end) AND {ACTION_IN_SCOPE}) \
           AS BIGINT), \
           CAST((SELECT COUNT(*) FROM community_actions c WHERE c.date IS NULL \
             AND {ACTION_IN_SCOPE}) AS BIGINT) \
         FROM f WHERE f.metric = 'COMMUNITY_ACTIONS'",
        placed_count = counted(&placed),
        perhaps_count = counted(&perhaps),
        national_placed = nationals(&format!("({placed})")),
        national_perhaps = nationals(&format!("({perhaps})")),
    ))
}

/// One figure as a row of values: its own columns, then the start dates between which its
/// operations may lie (a year before the period, the longest a precision reaches, to its end).
fn values(figure: &Model) -> ApiResult<String> {
    let metric: FigureMetric = from_db(&figure.metric)?;
    let lo = figure
        .period_start
        .and_then(|start| start.checked_sub_months(Months::new(12)));
    Ok(format!(
        "({}, '{}', {}, {}, {}, {}, {}, {})",
        figure.id,
        db_name(metric),
        date(figure.period_start, "NULL"),
        date(figure.period_end, "NULL"),
        integer(figure.scope_province_id),
        integer(figure.nationality_id),
        date(lo, "'-infinity'"),
        date(figure.period_end, "'infinity'"),
    ))
}

fn date(date: Option<NaiveDate>, otherwise: &str) -> String {
    match date {
        Some(date) => format!("DATE '{}'", date.format("%Y-%m-%d")),
        None => format!("CAST({otherwise} AS DATE)"),
    }
}

fn integer(value: Option<i32>) -> String {
    value.map_or_else(|| "CAST(NULL AS INTEGER)".to_owned(), |v| v.to_string())
}
