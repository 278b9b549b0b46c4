//! An aggregate figure as a source reported it: metric, value, period, scope and quote.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `reported_figures`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "reported_figures")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// What is counted: `OPERATIONS`, `DISTRICTS_WITH_OPERATIONS`, `MILITANTS_KILLED`,
    /// `MILITANTS_ARRESTED`, `SECURITY_KILLED`, `SECURITY_INJURED`, `CIVILIANS_KILLED` or
    /// `COMMUNITY_ACTIONS`.
    pub metric: String,
    /// The reported number, at least 0.
    pub value: i32,
    /// How the number was stated: `EXACT`, `AT_LEAST`, `MORE_THAN` or `APPROXIMATELY`.
    pub qualifier: String,
    /// First day of the period counted; `None` when not stated.
    pub period_start: Option<Date>,
    /// Last day of the period counted, not before `period_start`; `None` when not stated.
    pub period_end: Option<Date>,
    /// The province the figure covers (`provinces.id`); `None` when not limited to one.
    pub scope_province_id: Option<i32>,
    /// The scope as stated; `None` when not stated.
    pub scope_description: Option<String>,
    /// The nationality the figure is limited to (`countries.id`); `None` when not limited.
    pub nationality_id: Option<i32>,
    /// The source that reported it (`sources.id`).
    pub source_id: i32,
    /// The source's own words.
    #[sea_orm(column_type = "Text")]
    pub quote: String,
    /// Dataset the row was imported or seeded from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
