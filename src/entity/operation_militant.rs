//! Which militants an operation met, and what happened to each.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `operation_militants`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "operation_militants")]
pub struct Model {
    /// The operation (`operations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub operation_id: i32,
    /// The militant (`militants.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub militant_id: i32,
    /// What happened to them: `KILLED`, `INJURED`, `ARRESTED`, `SURRENDERED` or `ESCAPED`.
    pub outcome: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
