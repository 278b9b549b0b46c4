//! A province (first-level subdivision) of a country.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `provinces`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "provinces")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// The country the province belongs to (`countries.id`).
    pub country_id: i32,
    /// Province name, unique within its country.
    pub name: String,
    /// ISO 3166-2 code, unique; `None` when it has none.
    #[sea_orm(column_type = "String(StringLen::N(6))", nullable, unique)]
    pub iso_code: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
