//! An organization: militant group, security force, peace committee, government body or other.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `organizations`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Organization name, unique.
    #[sea_orm(unique)]
    pub name: String,
    /// Other names and spellings, as a JSON array of strings (`[]` when none).
    #[sea_orm(column_type = "Text", default_value = "[]")]
    pub aliases: String,
    /// Kind: `MILITANT_GROUP`, `SECURITY_FORCE`, `PEACE_COMMITTEE`, `GOVERNMENT_BODY` or `OTHER`.
    pub kind: String,
    /// The country it is based in (`countries.id`); `None` when unknown.
    pub base_country_id: Option<i32>,
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
