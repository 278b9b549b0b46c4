//! The GraphQL schema: types, connections, filters and loaders, and the limits every
//! public GraphQL API needs.

pub mod connection;
pub mod document_limits;
pub mod enums;
pub mod expansion;
pub mod explore;
pub mod field_order;
pub mod filter;
pub mod ids;
pub mod itemised;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod page;
pub mod query;
pub mod scalars;
pub mod search;
pub mod stats;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Request, Response, Schema};

use document_limits::DocumentLimits;

/// The schema ctgraph serves.
pub type CtSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// The schema with the limits on query documents: the one way requests are run.
#[derive(Clone)]
pub struct Api {
    schema: CtSchema,
    document_limits: DocumentLimits,
}

impl Api {
    /// The API under `limits`.
    pub fn new(limits: &limits::Limits) -> Self {
        Self {
            schema: schema(limits),
            document_limits: DocumentLimits::from(limits),
        }
    }

    /// Runs one request (which carries its own `loaders::Batches`): the document limits
    /// first, then the engine, which reuses the document parsed for them, then the data put
    /// in the query's field order. The limits are not a schema extension: with any extension
    /// registered, the engine sends every field of every row through the extension chain, a
    /// large share of a nested request's CPU time (see BENCHMARKS.md).
    pub async fn execute(&self, mut request: Request) -> Response {
        if let Err(error) = self.document_limits.check(&mut request) {
            return Response::from_errors(vec![error]);
        }
        let document = request.parsed_query().ok().cloned();
        let operation = request.operation_name.clone();
        let mut response = self.schema.execute(request).await;
        if let Some(document) = &document {
            field_order::in_query_order(&mut response.data, document, operation.as_deref());
        }
        response
    }
}

/// Builds the schema with the given limits (those the engine enforces; `Api` adds the rest).
fn schema(limits: &limits::Limits) -> CtSchema {
    let mut builder = Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits.max_recursive_depth)
        .limit_directives(limits.max_directives);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema(&limits::Limits::default()).sdl()
}
