//! `Source`: where a fact comes from.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::source::Model;

/// Where facts come from: a news report, an official statement, a dataset.
#[derive(Clone)]
pub struct Source(pub Model, pub Siblings<Model>);

impl NodeObject for Source {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// Where facts come from: a news report, an official statement, a dataset.
#[Object]
impl Source {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Source.id(self.0.id)
    }

    /// 1 when recorded, one more with each change. An update or delete given the revision
    /// you read is refused with `CONFLICT` when the node has changed since.
    async fn revision(&self) -> i32 {
        self.0.revision
    }

    /// Its changes, newest first: who changed it, when, by which mutation, and its row
    /// before and after each.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<NodeChange>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        history_of(ctx, NodeKind::Source, self.0.id, &self.1, args)
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Publisher; null when the source does not name one.
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }

    /// Where to read it; null when unknown.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// Publication date; null when unknown.
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }

    /// What kind of source it is.
    async fn kind(&self) -> ApiResult<SourceKind> {
        from_db(&self.0.kind)
    }

    /// Notes on the source; null when none.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Every fact that rests on this source, with the sentence it rests on.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn citations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<CitationFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<CitationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Citation>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("source_id"),
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// The aggregate figures this source states.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn reported_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<ReportedFigureFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<ReportedFigureOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<ReportedFigure>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("source_id"),
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }
}

/// Which sources to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct SourceFilter {
    /// The Source's own id.
    pub id: Option<IdFilter>,
    /// Title.
    pub title: Option<StringFilter>,
    /// Publisher.
    pub publisher: Option<StringFilter>,
    /// Kind.
    pub kind: Option<EnumFilter<SourceKind>>,
    /// Publication date.
    pub published_on: Option<DateFilter>,
    /// Every one of these filters matches.
    pub and: Option<Vec<SourceFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<SourceFilter>>,
    /// This filter does not match.
    pub not: Option<Box<SourceFilter>>,
}

impl FilterInput for SourceFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("sources")
            .id("id", NodeKind::Source, &self.id)?
            .text("title", &self.title)?
            .text("publisher", &self.publisher)?
            .enumeration("kind", &self.kind)?
            .date("published_on", &self.published_on)?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order sources.
    SourceOrder, SourceOrderField, default = Title;
    /// By title.
    Title => ("title", ColumnKind::Text, required),
    /// By publication date (unknown last).
    PublishedOn => ("published_on", ColumnKind::Date),
}
