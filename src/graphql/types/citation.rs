//! `Citation`: the link from any fact to the source it rests on, with the sentence quoted.

use async_graphql::{Context, InputObject, Object};

use super::prelude::*;
use crate::entity::citation::Model;
use crate::graphql::node::{Node, node_in_group};

/// A fact's source: which source, the sentence it rests on, and how firmly it is stated.
#[derive(Clone)]
pub struct Citation(pub Model, pub Siblings<Model>);

impl NodeObject for Citation {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A fact's source: which source, the sentence it rests on, and how firmly it is stated.
#[Object]
impl Citation {
    /// The sentence of the source the fact rests on; null when the fact is a reference
    /// value (a coordinate from a gazetteer) rather than a statement.
    async fn quote(&self) -> Option<&str> {
        self.0.quote.as_deref()
    }

    /// Where in the source to look (a paragraph, a row); null when the quote suffices.
    async fn locator(&self) -> Option<&str> {
        self.0.locator.as_deref()
    }

    /// How firmly the source states the fact.
    async fn confidence(&self) -> ApiResult<Confidence> {
        from_db(&self.0.confidence)
    }

    /// The source cited. The database requires it, so null only when it could not be loaded, with
    /// an error that says why.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "source_id", |m| Some(m.source_id))
                .await?
                .map(|(m, s)| Source(m, s)),
        )
    }

    /// The fact that is cited: any node; null only when that row no longer exists or could not be
    /// loaded (with an error that says why).
    async fn subject(&self, ctx: &Context<'_>) -> ApiResult<Option<Node>> {
        let kind = NodeKind::from_name(&self.0.subject_type).ok_or_else(|| {
            ApiError::Internal(format!("unknown cited type {:?}", self.0.subject_type))
        })?;
        node_in_group(ctx, &self.0, &self.1, kind, |m| {
            (m.subject_type == kind.name()).then_some(m.subject_id)
        })
        .await
    }
}

/// Which citations to return. Every field given must match; `and`, `or` and `not` combine
/// filters.
#[derive(InputObject, Debug, Default)]
pub struct CitationFilter {
    /// The source cited.
    pub source: Option<IdFilter>,
    /// The sentence quoted.
    pub quote: Option<StringFilter>,
    /// Where in the source to look.
    pub locator: Option<StringFilter>,
    /// How firmly the source states the fact.
    pub confidence: Option<EnumFilter<Confidence>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<CitationFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<CitationFilter>>,
    /// This filter does not match.
    pub not: Option<Box<CitationFilter>>,
}

impl FilterInput for CitationFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("citations")
            .id("source_id", NodeKind::Source, &self.source)?
            .text("quote", &self.quote)?
            .text("locator", &self.locator)?
            .enumeration("confidence", &self.confidence)?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order citations.
    CitationOrder, CitationOrderField, default = Id;
    /// In the order they were recorded.
    Id => ("id", ColumnKind::Int, required),
}

/// The citations of the `kind` row `id`, loaded with its `siblings`.
pub fn citations_of<M: crate::entity::Table>(
    ctx: &Context<'_>,
    kind: NodeKind,
    id: i32,
    siblings: &Siblings<M>,
    filter: Option<CitationFilter>,
    order: Option<CitationOrder>,
    args: PageArgs,
) -> ApiResult<Connection<Citation>> {
    let via = Via::Tagged {
        column: "subject_id",
        tag_column: "subject_type",
        tag: kind.name(),
    };
    Connection::nested(ctx, id, siblings, via, filter, order, args)
}
