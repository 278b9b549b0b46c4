//! Which districts a community action took place in.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `community_action_districts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "community_action_districts")]
pub struct Model {
    /// The community action (`community_actions.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub community_action_id: i32,
    /// The district (`districts.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub district_id: i32,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
