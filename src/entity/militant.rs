//! A militant, named or not, with nationality, area of operation, group and status.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `militants`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "militants")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Name; `None` when the militant is unnamed.
    pub name: Option<String>,
    /// Other names and spellings, as a JSON array of strings (`[]` when none).
    #[sea_orm(column_type = "Text", default_value = "[]")]
    pub aliases: String,
    /// Nationality (`countries.id`); `None` when unknown.
    pub nationality_id: Option<i32>,
    /// The country they operate in (`countries.id`); `None` when unknown.
    pub operating_country_id: Option<i32>,
    /// The group they belong to (`organizations.id`); `None` when unknown.
    pub organization_id: Option<i32>,
    /// Status: `AT_LARGE`, `KILLED`, `ARRESTED`, `SURRENDERED` or `UNKNOWN`.
    pub status: String,
    /// Free-text description; `None` when there is none.
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Dataset the row was imported or seeded from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
