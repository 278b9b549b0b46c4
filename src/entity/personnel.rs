//! A named member of the security forces, with rank, unit, hometown and status.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `personnel`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "personnel")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Full name.
    pub name: String,
    /// Other names (a JSON array), such as a merged record's name.
    #[sea_orm(column_type = "Text", default_value = "[]")]
    pub aliases: String,
    /// Rank; `None` when unknown.
    pub rank: Option<String>,
    /// The organization they serve in (`organizations.id`); `None` when unknown.
    pub organization_id: Option<i32>,
    /// Hometown as reported; `None` when unknown.
    pub hometown: Option<String>,
    /// The district of the hometown (`districts.id`); `None` when unknown or not resolved.
    pub hometown_district_id: Option<i32>,
    /// Status: `ACTIVE`, `KILLED`, `INJURED` or `UNKNOWN`.
    pub status: String,
    /// Dataset the row was imported or seeded from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
