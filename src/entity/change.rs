//! A change to the graph: one mutation or one imported file, by whom and when.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `changes`; the nodes it touched are its `change_nodes`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    /// Primary key, increasing: a later change has a larger id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// When it was committed (the transaction's time).
    pub at: DateTimeUtc,
    /// The key that made it (`api_keys.id`); `None` for imports from the command line.
    pub key_id: Option<i32>,
    /// Who made it: the key's name, or `import <file>`.
    pub actor: String,
    /// The mutation's field name (`createOperation`), or `import`.
    pub mutation: String,
    /// The client's `clientMutationId`, when it sent one.
    pub client_mutation_id: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
