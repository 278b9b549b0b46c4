//! An imported record mapped to no node, kept with its raw record and the reason.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `unmapped_records`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "unmapped_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The dataset it was imported into (`acled`).
    pub dataset: String,
    /// Its key in the dataset (ACLED's `event_id_cnty`).
    pub external_id: String,
    /// The file it was last read from, as given to the import.
    pub file: String,
    /// The line of that file the record starts on.
    pub line: i32,
    /// Why it was not mapped: an `UnmappedReason`'s name.
    pub reason: String,
    /// The record as the file had it (for a CSV row, a JSON object of header → value).
    pub raw: String,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
