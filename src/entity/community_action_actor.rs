//! Which organizations took part in a community action, and on which side.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `community_action_actors`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "community_action_actors")]
pub struct Model {
    /// The community action (`community_actions.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub community_action_id: i32,
    /// The organization (`organizations.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i32,
    /// Role: `ACTOR`, `SUPPORTED` or `OPPONENT`.
    pub role: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
