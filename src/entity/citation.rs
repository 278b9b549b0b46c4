//! A citation: which source supports which row, with the quote, locator and confidence.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `citations`. A source is cited at most once per subject.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "citations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The source cited (`sources.id`).
    pub source_id: i32,
    /// The type of the row supported: `Country`, `Province`, `District`, `Operation`,
    /// `Personnel`, `Militant`, `Organization`, `Affiliation`, `CommunityAction` or
    /// `ReportedFigure`.
    pub subject_type: String,
    /// The id of the row supported, in the table `subject_type` names (not a foreign key).
    pub subject_id: i32,
    /// The source's own words; `None` when not quoted.
    #[sea_orm(column_type = "Text", nullable)]
    pub quote: Option<String>,
    /// Where in the source (page, paragraph, timestamp); `None` when not given.
    pub locator: Option<String>,
    /// Confidence: `CONFIRMED`, `REPORTED`, `ALLEGED` or `DISPUTED`.
    pub confidence: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
