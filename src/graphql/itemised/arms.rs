//! The itemised values on SQLite: one arm per figure, with its metric, period, province,
//! districts and nationality written in as constants, so that each arm is a range scan of an
//! index (operations by district and start date, or by start date) that stops at the period.

use chrono::{Months, NaiveDate};
use sea_orm::DatabaseBackend;

use super::reference;
use crate::entity::reported_figure::Model;
use crate::error::ApiResult;
use crate::graphql::enums::{FigureMetric, from_db};

/// The statement for `figures`: an arm each, joined by `UNION ALL`.
pub(super) fn statement(figures: &[&Model], backend: DatabaseBackend) -> ApiResult<String> {
    let arms = figures
        .iter()
        .map(|figure| Arm::new(figure, backend).map(|arm| arm.sql()))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(arms.join(" UNION ALL "))
}

/// One figure's part of the statement.
struct Arm<'a> {
    figure: &'a Model,
    metric: FigureMetric,
    backend: DatabaseBackend,
}

impl<'a> Arm<'a> {
    fn new(figure: &'a Model, backend: DatabaseBackend) -> ApiResult<Self> {
        Ok(Self {
            figure,
            metric: from_db(&figure.metric)?,
            backend,
        })
    }

    /// `SELECT id, itemised, uncertain` for the figure.
    fn sql(&self) -> String {
        let id = self.figure.id;
        let (itemised, uncertain) = match (self.metric, self.figure.nationality_id) {
            (FigureMetric::CommunityActions, _) => return self.actions(),
            (FigureMetric::MilitantsKilled, Some(nationality)) => {
                return self.nationals(nationality, "KILLED");
            }
            (FigureMetric::MilitantsArrested, Some(nationality)) => {
                return self.nationals(nationality, "ARRESTED");
            }
            (metric, _) => {
                let aggregate = |when: String| match Measure::of(metric) {
                    Measure::Count => format!("SUM(CASE WHEN {when} THEN 1 ELSE 0 END)"),
                    Measure::Districts => {
                        format!("COUNT(DISTINCT CASE WHEN {when} THEN o.district_id END)")
                    }
                    Measure::Sum(column) => format!("SUM(CASE WHEN {when} THEN o.{column} END)"),
                };
                (aggregate(self.placed()), aggregate(self.perhaps()))
            }
        };
        format!(
            "SELECT {id} AS id, CAST(COALESCE({itemised}, 0) AS BIGINT) AS itemised, \
             CAST(COALESCE({uncertain}, 0) AS BIGINT) AS uncertain FROM ({}) o",
            self.candidates()
        )
    }

    /// The operations that may count, as the union of index range scans: by scope (the
    /// figure's districts, or else its province, or else all) and by start date (no later
    /// than the period's end, no earlier than a year before its start, the longest a date's
    /// precision reaches; an operation of unknown precision may start any time before).
    fn candidates(&self) -> String {
        let column = match Measure::of(self.metric) {
            Measure::Sum(column) => format!(", o.{column}"),
            Measure::Count | Measure::Districts => String::new(),
        };
        let select = format!(
            "SELECT o.start_date, o.date_precision, o.district_id{column} FROM operations o WHERE "
        );
        let id = self.figure.id;
        let in_province = self.figure.scope_province_id.map(|p| {
            format!(
                " AND o.district_id IN (SELECT d.id FROM districts d WHERE d.province_id = {p})"
            )
        });
        let in_province = in_province.as_deref().unwrap_or_default();
        let scopes = [
            format!(
                "o.district_id IN (SELECT s.district_id FROM reported_figure_districts s \
                 WHERE s.reported_figure_id = {id}){in_province}"
            ),
            format!(
                "NOT EXISTS (SELECT 1 FROM reported_figure_districts s \
                 WHERE s.reported_figure_id = {id}){in_province}"
            ),
        ];
        let end = self
            .figure
            .period_end
            .map(|end| format!(" AND o.start_date <= {}", self.date(end)))
            .unwrap_or_default();
        let year_before = self
            .figure
            .period_start
            .and_then(|start| start.checked_sub_months(Months::new(12)));
        let mut dates = vec![match year_before {
            Some(earliest) => format!("{end} AND o.start_date >= {}", self.date(earliest)),
            None => end.clone(),
        }];
        if let Some(earliest) = year_before {
            dates.push(format!(
                "{end} AND o.date_precision = 'UNKNOWN' AND o.start_date < {}",
                self.date(earliest)
            ));
        }
        let mut arms = Vec::with_capacity(scopes.len() * dates.len());
        for scope in &scopes {
            for dates in &dates {
                arms.push(format!("{select}{scope}{dates}"));
            }
        }
        arms.join(" UNION ALL ")
    }

    /// An operation `o` certainly started within the period: every day it may have started on
    /// lies in it.
    fn placed(&self) -> String {
        let mut parts = Vec::new();
        if let Some(start) = self.figure.period_start {
            parts.push(format!("o.start_date >= {}", self.date(start)));
        }
        if let Some(end) = self.figure.period_end {
            parts.push(format!("({}) <= {}", self.last_day(), self.date(end)));
        }
        conjunction(parts)
    }

    /// An operation `o` may have started within the period, or may not.
    fn perhaps(&self) -> String {
        let mut parts = vec![format!("NOT ({})", self.placed())];
        if let Some(end) = self.figure.period_end {
            parts.push(format!("o.start_date <= {}", self.date(end)));
        }
        if let Some(start) = self.figure.period_start {
            let last = self.last_day();
            parts.push(format!(
                "(({last}) IS NULL OR ({last}) >= {})",
                self.date(start)
            ));
        }
        conjunction(parts)
    }

    /// An operation `o` lies in the figure's scope (for the correlated forms below).
    fn operation_in_scope(&self) -> String {
        let id = self.figure.id;
        let mut parts = Vec::new();
        if let Some(p) = self.figure.scope_province_id {
            parts.push(format!(
                "EXISTS (SELECT 1 FROM districts d WHERE d.id = o.district_id AND d.province_id = {p})"
            ));
        }
        parts.push(format!(
            "(NOT EXISTS (SELECT 1 FROM reported_figure_districts s WHERE s.reported_figure_id = {id}) \
             OR o.district_id IN (SELECT s.district_id FROM reported_figure_districts s \
                                  WHERE s.reported_figure_id = {id}))"
        ));
        conjunction(parts)
    }

    /// A figure about militants of one nationality counts individuals: those whose encounter
    /// with an operation had the figure's outcome, or (perhaps) who are linked to none.
    fn nationals(&self, nationality: i32, outcome: &str) -> String {
        let id = self.figure.id;
        let scope = self.operation_in_scope();
        let counted = |within: String| {
            format!(
                "(SELECT COUNT(*) FROM militants m WHERE m.nationality_id = {nationality} AND EXISTS ( \
                   SELECT 1 FROM operation_militants om JOIN operations o ON o.id = om.operation_id \
                   WHERE om.militant_id = m.id AND om.outcome = '{outcome}' AND {scope} AND {within}))"
            )
        };
        format!(
            "SELECT {id} AS id, CAST({} AS BIGINT) AS itemised, CAST({} + (SELECT COUNT(*) \
             FROM militants m WHERE m.nationality_id = {nationality} AND m.status = '{outcome}' \
             AND NOT EXISTS (SELECT 1 FROM operation_militants om WHERE om.militant_id = m.id)) \
             AS BIGINT) AS uncertain",
            counted(self.placed()),
            counted(self.perhaps()),
        )
    }

    /// Community actions count when dated within the period, perhaps when not dated at all.
    fn actions(&self) -> String {
        let id = self.figure.id;
        let mut scope = Vec::new();
        if let Some(p) = self.figure.scope_province_id {
            scope.push(format!(
                "EXISTS (SELECT 1 FROM community_action_districts cd JOIN districts d \
                 ON d.id = cd.district_id WHERE cd.community_action_id = c.id AND d.province_id = {p})"
            ));
        }
        scope.push(format!(
            "(NOT EXISTS (SELECT 1 FROM reported_figure_districts s WHERE s.reported_figure_id = {id}) \
             OR EXISTS (SELECT 1 FROM community_action_districts cd JOIN reported_figure_districts s \
                        ON s.district_id = cd.district_id \
                        WHERE cd.community_action_id = c.id AND s.reported_figure_id = {id}))"
        ));
        let scope = conjunction(scope);
        let mut dated = vec!["c.date IS NOT NULL".to_owned()];
        if let Some(start) = self.figure.period_start {
            dated.push(format!("c.date >= {}", self.date(start)));
        }
        if let Some(end) = self.figure.period_end {
            dated.push(format!("c.date <= {}", self.date(end)));
        }
        let dated = conjunction(dated);
        format!(
            "SELECT {id} AS id, \
             CAST((SELECT COUNT(*) FROM community_actions c WHERE {dated} AND {scope}) AS BIGINT) \
             AS itemised, \
             CAST((SELECT COUNT(*) FROM community_actions c WHERE c.date IS NULL AND {scope}) \
             AS BIGINT) AS uncertain"
        )
    }

    /// The last day an operation `o` may have started on; null when its date is not known.
    fn last_day(&self) -> &'static str {
        reference::last_possible_day(self.backend)
    }

    /// A date as a literal of the backend.
    fn date(&self, date: NaiveDate) -> String {
        let date = date.format("%Y-%m-%d");
        match self.backend {
            DatabaseBackend::Postgres => format!("DATE '{date}'"),
            _ => format!("'{date}'"),
        }
    }
}

/// What an operations metric adds up over the operations that count.
pub(super) enum Measure {
    /// The operations themselves.
    Count,
    /// The districts they lie in, each once.
    Districts,
    /// A column of theirs (unreported counts left out).
    Sum(&'static str),
}

impl Measure {
    pub(super) fn of(metric: FigureMetric) -> Self {
        match metric {
            FigureMetric::DistrictsWithOperations => Self::Districts,
            FigureMetric::MilitantsKilled => Self::Sum("militants_killed"),
            FigureMetric::MilitantsArrested => Self::Sum("militants_arrested"),
            FigureMetric::SecurityKilled => Self::Sum("security_killed"),
            FigureMetric::SecurityInjured => Self::Sum("security_injured"),
            FigureMetric::CiviliansKilled => Self::Sum("civilians_killed"),
            FigureMetric::Operations | FigureMetric::CommunityActions => Self::Count,
        }
    }
}

/// `parts` joined by `AND`; true when there are none.
fn conjunction(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "1 = 1".to_owned()
    } else {
        parts.join(" AND ")
    }
}
