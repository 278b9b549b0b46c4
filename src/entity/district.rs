//! A district within a province, with its other spellings and an optional location.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `districts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "districts")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// The province the district belongs to (`provinces.id`).
    pub province_id: i32,
    /// District name, unique within its province.
    pub name: String,
    /// Other names and spellings, as a JSON array of strings (`[]` when none).
    #[sea_orm(column_type = "Text", default_value = "[]")]
    pub aliases: String,
    /// Latitude in degrees, -90 to 90; `None` when unknown.
    pub latitude: Option<f64>,
    /// Longitude in degrees, -180 to 180; `None` when unknown.
    pub longitude: Option<f64>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
