//! The GraphQL schema: types, connections, filters and loaders, and the limits every
//! public GraphQL API needs.

pub mod connection;
pub mod document_limits;
pub mod enums;
pub mod expansion;
pub mod explore;
pub mod filter;
pub mod ids;
pub mod itemised;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod page;
pub mod query;
pub mod scalars;
pub mod stats;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

/// The schema ctgraph serves.
pub type CtSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Builds the schema with the given limits. Each request adds its own `loaders::Batches`.
pub fn schema(limits: &limits::Limits) -> CtSchema {
    let mut builder = Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits.max_recursive_depth)
        .limit_directives(limits.max_directives)
        .extension(document_limits::DocumentLimits::from(limits));
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema(&limits::Limits::default()).sdl()
}
