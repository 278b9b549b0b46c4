//! Which districts a reported figure covers.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `reported_figure_districts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "reported_figure_districts")]
pub struct Model {
    /// The reported figure (`reported_figures.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub reported_figure_id: i32,
    /// The district (`districts.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub district_id: i32,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
