//! Which members of personnel took part in which operation, in what role and with what outcome.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `operation_personnel`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "operation_personnel")]
pub struct Model {
    /// The operation (`operations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub operation_id: i32,
    /// The member of personnel (`personnel.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub personnel_id: i32,
    /// Role: `COMMANDER` or `PARTICIPANT`; `None` when not reported.
    pub role: Option<String>,
    /// What happened to them: `KILLED`, `INJURED` or `UNHARMED`.
    pub outcome: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
