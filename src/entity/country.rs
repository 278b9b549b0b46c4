//! A country, identified by its ISO 3166-1 alpha-2 code.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `countries`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "countries")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// ISO 3166-1 alpha-2 code, unique.
    #[sea_orm(column_type = "String(StringLen::N(2))", unique)]
    pub iso_code: String,
    /// Country name, unique.
    #[sea_orm(unique)]
    pub name: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
