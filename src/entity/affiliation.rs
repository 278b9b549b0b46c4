//! A tie from one person, militant or organization to an organization or a country.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `affiliations`. Exactly one `subject_*` and exactly one `target_*` column is set.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "affiliations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Kind: `MEMBERSHIP`, `NATIONALITY`, `ALLIANCE`, `SUPPORT`, `SANCTUARY` or `CONNECTION`.
    pub kind: String,
    /// The subject when it is a member of personnel (`personnel.id`); `None` otherwise.
    pub subject_personnel_id: Option<i32>,
    /// The subject when it is a militant (`militants.id`); `None` otherwise.
    pub subject_militant_id: Option<i32>,
    /// The subject when it is an organization (`organizations.id`); `None` otherwise.
    pub subject_organization_id: Option<i32>,
    /// The target when it is an organization (`organizations.id`); `None` otherwise.
    pub target_organization_id: Option<i32>,
    /// The target when it is a country (`countries.id`); `None` otherwise.
    pub target_country_id: Option<i32>,
    /// Whether the tie crosses a national border.
    pub cross_border: bool,
    /// When the tie began; `None` when unknown.
    pub since: Option<Date>,
    /// When the tie ended, not before `since`; `None` when ongoing or unknown.
    pub until: Option<Date>,
    /// Confidence: `CONFIRMED`, `REPORTED`, `ALLEGED` or `DISPUTED`.
    pub confidence: String,
    /// Dataset the row was imported or seeded from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
