//! An API key: who may change the graph. Only the key's hash is stored.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `api_keys`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Who holds it, unique: what the change log and the server's log name.
    pub name: String,
    /// `EDITOR` or `ADMIN`.
    pub role: String,
    /// SHA-256 of the key, in hex: the key itself is shown once, when made, and never stored.
    pub key_hash: String,
    /// When it was made.
    pub created_at: DateTimeUtc,
    /// When a request last carried it (to the minute); `None` when never.
    pub last_used_at: Option<DateTimeUtc>,
    /// When it was revoked; `None` while it is valid.
    pub revoked_at: Option<DateTimeUtc>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
