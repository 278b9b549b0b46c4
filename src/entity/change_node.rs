//! One node a change touched, with its row before and after.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `change_nodes`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_nodes")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The change (`changes.id`).
    pub change_id: i32,
    /// The node's type, as in `citations.subject_type` (`Operation`, `Source`, ...).
    pub subject_type: String,
    /// The node's id in its table.
    pub subject_id: i32,
    /// The row before, as a JSON object of column → value; `None` when the change made it.
    #[sea_orm(column_type = "Text", nullable)]
    pub before: Option<String>,
    /// The row after; `None` when the change deleted it.
    #[sea_orm(column_type = "Text", nullable)]
    pub after: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
