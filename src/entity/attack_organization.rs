//! Which organizations carried out an attack, and which it struck.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `attack_organizations`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "attack_organizations")]
pub struct Model {
    /// The attack (`attacks.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub attack_id: i32,
    /// The organization (`organizations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i32,
    /// Role: `PERPETRATOR` or `TARGET`.
    pub role: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
