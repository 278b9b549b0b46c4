//! An action by a local community for or against militants or the security forces.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `community_actions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "community_actions")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Kind: `DECLARATION_OF_SUPPORT`, `PROTECTION`, `ARMED_RESISTANCE`, `DEFENSE_OF_FACILITY` or `OTHER`.
    pub kind: String,
    /// When it happened (or the start of the period `date_precision` names); `None` when unknown.
    pub date: Option<Date>,
    /// How precise the date is: `DAY`, `WEEK`, `MONTH`, `QUARTER`, `YEAR` or `UNKNOWN`.
    pub date_precision: String,
    /// The place as reported; `None` when not reported.
    pub place: Option<String>,
    /// Who acted, as reported; `None` when not reported.
    pub actors_description: Option<String>,
    /// What happened.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Dataset the row was imported or seeded from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
    /// The dataset's record as imported (a CSV row as a JSON object of header → value);
    /// `None` for seeded rows and rows entered by hand.
    #[sea_orm(column_type = "Text", nullable)]
    pub raw: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
