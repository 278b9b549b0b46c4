//! `UnmappedRecord`: a record an import read and its rules mapped to no node (an attack, an
//! arrest of journalists, a protest), kept with the file, line, reason and the record itself,
//! so nothing read is lost and a rule change can map it later.

use async_graphql::{InputObject, Json, Object};
use serde_json::Value;

use super::prelude::*;
use crate::entity::unmapped_record::Model;

/// A record an import kept aside.
#[derive(Clone)]
pub struct UnmappedRecord(pub Model, pub Siblings<Model>);

impl NodeObject for UnmappedRecord {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A record an import read and mapped to no node, with why.
#[Object]
impl UnmappedRecord {
    /// The dataset it was imported into (`acled`).
    async fn dataset(&self) -> &str {
        &self.0.dataset
    }

    /// Its key in the dataset: ACLED's `event_id_cnty`, or `data_id:` and the row's `data_id`
    /// when it has none.
    async fn key(&self) -> &str {
        &self.0.external_id
    }

    /// The file it was last read from, as the import was given it.
    async fn file(&self) -> &str {
        &self.0.file
    }

    /// The line of that file the record starts on.
    async fn line(&self) -> i32 {
        self.0.line
    }

    /// Why no node was made of it.
    async fn reason(&self) -> ApiResult<UnmappedReason> {
        from_db(&self.0.reason)
    }

    /// The record as the file had it: for a CSV row, an object of column → value.
    async fn raw(&self) -> ApiResult<Json<Value>> {
        serde_json::from_str(&self.0.raw)
            .map(Json)
            .map_err(|e| ApiError::Internal(format!("an unmapped record is not JSON: {e}")))
    }
}

/// Which unmapped records to return. Every field given must match; `and`, `or` and `not`
/// combine filters.
#[derive(InputObject, Debug, Default)]
pub struct UnmappedRecordFilter {
    /// The dataset it was imported into.
    pub dataset: Option<StringFilter>,
    /// Its key in the dataset.
    pub key: Option<StringFilter>,
    /// The file it was read from.
    pub file: Option<StringFilter>,
    /// Why it was not mapped.
    pub reason: Option<EnumFilter<UnmappedReason>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<UnmappedRecordFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<UnmappedRecordFilter>>,
    /// This filter does not match.
    pub not: Option<Box<UnmappedRecordFilter>>,
}

impl FilterInput for UnmappedRecordFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("unmapped_records")
            .text("dataset", &self.dataset)?
            .text("external_id", &self.key)?
            .text("file", &self.file)?
            .enumeration("reason", &self.reason)?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order unmapped records: in the order they were kept unless given.
    UnmappedRecordOrder, UnmappedRecordOrderField, default = Id;
    /// In the order they were kept.
    Id => ("id", ColumnKind::Int, required),
    /// By key.
    Key => ("external_id", ColumnKind::Text, required),
}
