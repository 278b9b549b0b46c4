//! Which organizations conducted, supported or were targeted by an operation.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `operation_organizations`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "operation_organizations")]
pub struct Model {
    /// The operation (`operations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub operation_id: i32,
    /// The organization (`organizations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i32,
    /// Role: `CONDUCTED_BY`, `SUPPORTED_BY` or `TARGETED`.
    pub role: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
