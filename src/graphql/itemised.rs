//! What the database itemises against each `ReportedFigure`: the rows that fall in the
//! figure's metric, period and scope, counted for a whole group of figures in one statement.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::error::ApiResult;

/// The itemised value of one figure, and the rows of its metric that have no date or place
/// to say whether they fall in it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Itemised {
    /// Rows (or summed counts) that fall in the figure's period and scope.
    pub value: i64,
    /// Rows of the metric that cannot be placed in or out of the period.
    pub undated: i64,
}

/// An operation `o` falls in figure `f`: started within its period (either end open when
/// unknown) and in its scope (its province, or its districts, when it names either).
const OPERATION_IN_FIGURE: &str = "\
    (f.period_start IS NULL OR o.start_date >= f.period_start) \
    AND (f.period_end IS NULL OR o.start_date <= f.period_end) \
    AND (f.scope_province_id IS NULL OR EXISTS (SELECT 1 FROM districts d \
         WHERE d.id = o.district_id AND d.province_id = f.scope_province_id)) \
    AND (NOT EXISTS (SELECT 1 FROM reported_figure_districts s WHERE s.reported_figure_id = f.id) \
         OR o.district_id IN (SELECT s.district_id FROM reported_figure_districts s \
                              WHERE s.reported_figure_id = f.id))";

/// A community action `c` lies in figure `f`'s scope (its date is checked apart).
const ACTION_IN_SCOPE: &str = "\
    (f.scope_province_id IS NULL OR EXISTS (SELECT 1 FROM community_action_districts cd \
         JOIN districts d ON d.id = cd.district_id \
         WHERE cd.community_action_id = c.id AND d.province_id = f.scope_province_id)) \
    AND (NOT EXISTS (SELECT 1 FROM reported_figure_districts s WHERE s.reported_figure_id = f.id) \
         OR EXISTS (SELECT 1 FROM community_action_districts cd \
                    JOIN reported_figure_districts s ON s.district_id = cd.district_id \
                    WHERE cd.community_action_id = c.id AND s.reported_figure_id = f.id))";

/// Individual militants `m` of the figure's nationality with the fate its metric counts.
const NATIONALS: &str = "m.nationality_id = f.nationality_id AND m.status = \
    CASE f.metric WHEN 'MILITANTS_KILLED' THEN 'KILLED' ELSE 'ARRESTED' END";

/// The statement for the figures `ids`: each metric's subquery runs only for the figures
/// of that metric (`CASE` evaluates lazily on both backends).
fn statement(ids: &[i32]) -> String {
    let sum = |column: &str| {
        format!(
            "(SELECT COALESCE(SUM(o.{column}), 0) FROM operations o WHERE {OPERATION_IN_FIGURE})"
        )
    };
    let national =
        "f.nationality_id IS NOT NULL AND f.metric IN ('MILITANTS_KILLED', 'MILITANTS_ARRESTED')";
    let ids = ids
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT f.id AS id, CAST(CASE \
           WHEN {national} THEN (SELECT COUNT(*) FROM militants m WHERE {NATIONALS} AND EXISTS ( \
             SELECT 1 FROM operation_militants om JOIN operations o ON o.id = om.operation_id \
             WHERE om.militant_id = m.id AND {OPERATION_IN_FIGURE})) \
           WHEN f.metric = 'OPERATIONS' THEN (SELECT COUNT(*) FROM operations o WHERE {OPERATION_IN_FIGURE}) \
           WHEN f.metric = 'DISTRICTS_WITH_OPERATIONS' THEN \
             (SELECT COUNT(DISTINCT o.district_id) FROM operations o WHERE {OPERATION_IN_FIGURE}) \
           WHEN f.metric = 'MILITANTS_KILLED' THEN {killed} \
           WHEN f.metric = 'MILITANTS_ARRESTED' THEN {arrested} \
           WHEN f.metric = 'SECURITY_KILLED' THEN {security_killed} \
           WHEN f.metric = 'SECURITY_INJURED' THEN {security_injured} \
           WHEN f.metric = 'CIVILIANS_KILLED' THEN {civilians_killed} \
           WHEN f.metric = 'COMMUNITY_ACTIONS' THEN (SELECT COUNT(*) FROM community_actions c \
             WHERE c.date IS NOT NULL AND (f.period_start IS NULL OR c.date >= f.period_start) \
             AND (f.period_end IS NULL OR c.date <= f.period_end) AND {ACTION_IN_SCOPE}) \
           ELSE 0 END AS BIGINT) AS itemised, \
         CAST(CASE \
           WHEN {national} THEN (SELECT COUNT(*) FROM militants m WHERE {NATIONALS} \
             AND NOT EXISTS (SELECT 1 FROM operation_militants om WHERE om.militant_id = m.id)) \
           WHEN f.metric = 'COMMUNITY_ACTIONS' THEN (SELECT COUNT(*) FROM community_actions c \
             WHERE c.date IS NULL AND {ACTION_IN_SCOPE}) \
           ELSE 0 END AS BIGINT) AS undated \
         FROM reported_figures f WHERE f.id IN ({ids})",
        killed = sum("militants_killed"),
        arrested = sum("militants_arrested"),
        security_killed = sum("security_killed"),
        security_injured = sum("security_injured"),
        civilians_killed = sum("civilians_killed"),
    )
}

/// The itemised values of the figures `ids`, in one statement per 1,000 figures.
pub async fn itemised(db: &DatabaseConnection, ids: &[i32]) -> ApiResult<HashMap<i32, Itemised>> {
    let mut found = HashMap::with_capacity(ids.len());
    // The ids are the database's own integers, written into the statement; no client text is.
    for chunk in ids.chunks(1000) {
        let sql = statement(chunk);
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
        for row in rows {
            let id: i32 = row.try_get("", "id")?;
            let value = row.try_get("", "itemised")?;
            let undated = row.try_get("", "undated")?;
            found.insert(id, Itemised { value, undated });
        }
    }
    Ok(found)
}
