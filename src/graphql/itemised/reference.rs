//! The reference computation of itemised figures: one statement whose subqueries read each
//! figure's columns, correct on both backends but slow on PostgreSQL, whose planner cannot
//! turn those correlated conditions into index lookups (9 s for one figure at 20,000
//! operations). Kept to test the fast path against, over generated graphs.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

use super::Itemised;
use crate::error::ApiResult;

/// The last day an operation may have started on, given its date precision (a `MONTH`
/// operation is dated to the first of its month); null when its date is not known.
pub(super) fn last_possible_day(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => {
            "CASE o.date_precision WHEN 'DAY' THEN o.start_date \
             WHEN 'WEEK' THEN o.start_date + 6 \
             WHEN 'MONTH' THEN (o.start_date + INTERVAL '1 month' - INTERVAL '1 day')::date \
             WHEN 'QUARTER' THEN (o.start_date + INTERVAL '3 months' - INTERVAL '1 day')::date \
             WHEN 'YEAR' THEN (o.start_date + INTERVAL '1 year' - INTERVAL '1 day')::date END"
        }
        _ => {
            "CASE o.date_precision WHEN 'DAY' THEN o.start_date \
             WHEN 'WEEK' THEN date(o.start_date, '+6 days') \
             WHEN 'MONTH' THEN date(o.start_date, '+1 month', '-1 day') \
             WHEN 'QUARTER' THEN date(o.start_date, '+3 months', '-1 day') \
             WHEN 'YEAR' THEN date(o.start_date, '+1 year', '-1 day') END"
        }
    }
}

/// An operation `o` lies in figure `f`'s scope: its province, or its districts, when it
/// names either.
pub(super) const OPERATION_IN_SCOPE: &str = "\
    (f.scope_province_id IS NULL OR EXISTS (SELECT 1 FROM districts d \
         WHERE d.id = o.district_id AND d.province_id = f.scope_province_id)) \
    AND (NOT EXISTS (SELECT 1 FROM reported_figure_districts s WHERE s.reported_figure_id = f.id) \
         OR o.district_id IN (SELECT s.district_id FROM reported_figure_districts s \
                              WHERE s.reported_figure_id = f.id))";

/// A community action `c` lies in figure `f`'s scope (its date is checked apart).
pub(super) const ACTION_IN_SCOPE: &str = "\
    (f.scope_province_id IS NULL OR EXISTS (SELECT 1 FROM community_action_districts cd \
         JOIN districts d ON d.id = cd.district_id \
         WHERE cd.community_action_id = c.id AND d.province_id = f.scope_province_id)) \
    AND (NOT EXISTS (SELECT 1 FROM reported_figure_districts s WHERE s.reported_figure_id = f.id) \
         OR EXISTS (SELECT 1 FROM community_action_districts cd \
                    JOIN reported_figure_districts s ON s.district_id = cd.district_id \
                    WHERE cd.community_action_id = c.id AND s.reported_figure_id = f.id))";

/// The statement for the figures `ids`: each metric's subqueries run only for the figures
/// of that metric (`CASE` evaluates lazily on both backends).
fn statement(ids: &[i32], backend: DatabaseBackend) -> String {
    let last = last_possible_day(backend);
    // Certainly in the period: every day the operation may have started on is in it.
    let placed = format!(
        "{OPERATION_IN_SCOPE} AND (f.period_start IS NULL OR o.start_date >= f.period_start) \
         AND (f.period_end IS NULL OR ({last}) <= f.period_end)"
    );
    // Perhaps in the period: some of those days are in it, not all.
    let perhaps = format!(
        "{OPERATION_IN_SCOPE} AND NOT ({placed}) \
         AND (f.period_end IS NULL OR o.start_date <= f.period_end) \
         AND (f.period_start IS NULL OR ({last}) IS NULL OR ({last}) >= f.period_start)"
    );
    let per_metric = |within: &str| {
        let sum = |column: &str| {
            format!("(SELECT COALESCE(SUM(o.{column}), 0) FROM operations o WHERE {within})")
        };
        format!(
            "WHEN f.metric = 'OPERATIONS' THEN (SELECT COUNT(*) FROM operations o WHERE {within}) \
             WHEN f.metric = 'DISTRICTS_WITH_OPERATIONS' THEN \
               (SELECT COUNT(DISTINCT o.district_id) FROM operations o WHERE {within}) \
             WHEN f.metric = 'MILITANTS_KILLED' THEN {} \
             WHEN f.metric = 'MILITANTS_ARRESTED' THEN {} \
             WHEN f.metric = 'SECURITY_KILLED' THEN {} \
             WHEN f.metric = 'SECURITY_INJURED' THEN {} \
             WHEN f.metric = 'CIVILIANS_KILLED' THEN {}",
            sum("militants_killed"),
            sum("militants_arrested"),
            sum("security_killed"),
            sum("security_injured"),
            sum("civilians_killed"),
        )
    };
    // A figure about militants of one nationality counts individuals: those whose encounter
    // with an operation had the figure's outcome, or (perhaps) who are linked to none.
    let national =
        "f.nationality_id IS NOT NULL AND f.metric IN ('MILITANTS_KILLED', 'MILITANTS_ARRESTED')";
    let outcome = "CASE f.metric WHEN 'MILITANTS_KILLED' THEN 'KILLED' ELSE 'ARRESTED' END";
    let nationals = |within: &str| {
        format!(
            "(SELECT COUNT(*) FROM militants m WHERE m.nationality_id = f.nationality_id AND EXISTS ( \
               SELECT 1 FROM operation_militants om JOIN operations o ON o.id = om.operation_id \
               WHERE om.militant_id = m.id AND om.outcome = {outcome} AND {within}))"
        )
    };
    let ids = ids
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT f.id AS id, CAST(CASE \
           WHEN {national} THEN {national_placed} \
           {placed_metrics} \
           WHEN f.metric = 'COMMUNITY_ACTIONS' THEN (SELECT COUNT(*) FROM community_actions c \
             WHERE c.date IS NOT NULL AND (f.period_start IS NULL OR c.date >= f.period_start) \
             AND (f.period_end IS NULL OR c.date <= f.period_end) AND {ACTION_IN_SCOPE}) \
           ELSE 0 END AS BIGINT) AS itemised, \
         CAST(CASE \
           WHEN {national} THEN {national_perhaps} + (SELECT COUNT(*) FROM militants m \
             WHERE m.nationality_id = f.nationality_id AND m.status = {outcome} \
             AND NOT EXISTS (SELECT 1 FROM operation_militants om WHERE om.militant_id = m.id)) \
           {perhaps_metrics} \
           WHEN f.metric = 'COMMUNITY_ACTIONS' THEN (SELECT COUNT(*) FROM community_actions c \
             WHERE c.date IS NULL AND {ACTION_IN_SCOPE}) \
           ELSE 0 END AS BIGINT) AS uncertain \
         FROM reported_figures f WHERE f.id IN ({ids})",
        national_placed = nationals(&placed),
        national_perhaps = nationals(&perhaps),
        placed_metrics = per_metric(&placed),
        perhaps_metrics = per_metric(&perhaps),
    )
}

/// The itemised values of the figures `ids`, in one statement per 1,000 figures.
pub async fn itemised_reference(
    db: &DatabaseConnection,
    ids: &[i32],
) -> ApiResult<HashMap<i32, Itemised>> {
    let mut found = HashMap::with_capacity(ids.len());
    let backend = db.get_database_backend();
    // The ids are the database's own integers, written into the statement; no client text is.
    for chunk in ids.chunks(1000) {
        let rows = db
            .query_all_raw(Statement::from_string(backend, statement(chunk, backend)))
            .await?;
        for row in rows {
            let id: i32 = row.try_get("", "id")?;
            let value = row.try_get("", "itemised")?;
            let uncertain = row.try_get("", "uncertain")?;
            found.insert(id, Itemised { value, uncertain });
        }
    }
    Ok(found)
}
