//! What the database itemises against each `ReportedFigure`: the rows that fall in the
//! figure's metric, period and scope, and those that may or may not (dated too coarsely to
//! tell, or not dated at all), for a whole group of figures in one statement.
//!
//! Each figure's rows must be found through indexes, stopping at its period and scope. A
//! statement that reads those from each figure's row through `OR`s (see `reference`, kept as
//! the reference both paths are tested against) leaves PostgreSQL's planner a correlated scan
//! of every operation per figure: 9 s for one figure at 20,000 operations. So the statement
//! is built per backend: on SQLite an arm per figure with its values written in (`arms`);
//! on PostgreSQL, whose planner takes time that grows faster than the arms, the figures as a
//! list of values walked by a `LATERAL` subquery whose conditions are all index ranges
//! (`lateral`).

mod arms;
mod lateral;
mod reference;

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

pub use reference::itemised_reference;

use crate::entity::reported_figure::Model;
use crate::error::ApiResult;

/// The itemised value of one figure, and what may or may not belong to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Itemised {
    /// Rows (or summed counts) that certainly fall in the figure's period and scope.
    pub value: i64,
    /// Rows (or summed counts) in scope that may or may not fall in the period.
    pub uncertain: i64,
}

/// Figures per statement: SQLite takes at most 500 arms in one compound SELECT.
const FIGURES_PER_STATEMENT: usize = 200;

/// The itemised values of `figures`, in one statement per 200 figures.
pub async fn itemised(
    db: &DatabaseConnection,
    figures: &[Model],
) -> ApiResult<HashMap<i32, Itemised>> {
    let backend = db.get_database_backend();
    let mut seen = HashSet::new();
    let figures: Vec<&Model> = figures.iter().filter(|f| seen.insert(f.id)).collect();
    let mut found = HashMap::with_capacity(figures.len());
    for chunk in figures.chunks(FIGURES_PER_STATEMENT) {
        // Every value written into the statement is the database's own (ids, dates, enum
        // values read back through their Rust types); no client text is.
        let sql = match backend {
            DatabaseBackend::Postgres => lateral::statement(chunk)?,
            _ => arms::statement(chunk, backend)?,
        };
        let rows = db
            .query_all_raw(Statement::from_string(backend, sql))
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
