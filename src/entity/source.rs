//! A source document (news story, official statement, report or dataset) that other rows cite.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `sources`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Title of the document.
    pub title: String,
    /// Who published it; `None` when unknown.
    pub publisher: Option<String>,
    /// Where it can be read; `None` when it has no address.
    pub url: Option<String>,
    /// Publication date; `None` when unknown.
    pub published_on: Option<Date>,
    /// Kind of source: `NEWS`, `OFFICIAL`, `REPORT`, `DATASET` or `SYNTHETIC`.
    pub kind: String,
    /// Free-text description; `None` when there is none.
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Dataset the row was imported or seeded from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
