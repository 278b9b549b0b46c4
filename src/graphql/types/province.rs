//! `Province`: a first-level administrative division.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::province::Model;

/// A first-level administrative division of a country, such as Khyber Pakhtunkhwa.
#[derive(Clone)]
pub struct Province(pub Model, pub Siblings<Model>);

impl NodeObject for Province {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A first-level administrative division of a country, such as Khyber Pakhtunkhwa.
#[Object]
impl Province {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Province.id(self.0.id)
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
        history_of(ctx, NodeKind::Province, self.0.id, &self.1, args)
    }

    /// Name as commonly written.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// ISO 3166-2 code, e.g. `PK-KP`; null when it has none.
    async fn iso_code(&self) -> Option<&str> {
        self.0.iso_code.as_deref()
    }

    /// The country it belongs to. The database requires it, so null only when it could not be
    /// loaded, with an error that says why.
    async fn country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "country_id", |m| Some(m.country_id))
                .await?
                .map(|(m, s)| Country(m, s)),
        )
    }

    /// Its districts.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<DistrictFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<DistrictOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<District>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("province_id"),
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

    /// Figures sources report for this province as a whole.
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
            Via::Column("scope_province_id"),
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

    /// The sources this Province rests on, each with the sentence quoted.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn citations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only citations matching this filter.")] filter: Option<CitationFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<CitationOrder>,
        #[graphql(desc = "Return at most this many citations from the start (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many citations from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Citation>> {
        citations_of(
            ctx,
            NodeKind::Province,
            self.0.id,
            &self.1,
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

/// Which provinces to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct ProvinceFilter {
    /// The Province's own id.
    pub id: Option<IdFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// ISO 3166-2 code.
    pub iso_code: Option<StringFilter>,
    /// The country.
    pub country: Option<IdFilter>,
    /// The country matches this filter.
    pub country_matches: Option<Box<CountryFilter>>,
    /// Some district of the province matches this filter.
    pub has_districts: Option<Box<DistrictFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<ProvinceFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<ProvinceFilter>>,
    /// This filter does not match.
    pub not: Option<Box<ProvinceFilter>>,
}

impl FilterInput for ProvinceFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("provinces")
            .id("id", NodeKind::Province, &self.id)?
            .text("name", &self.name)?
            .text("iso_code", &self.iso_code)?
            .id("country_id", NodeKind::Country, &self.country)?
            .related("country_id", "id", self.country_matches.as_deref())?
            .related("id", "province_id", self.has_districts.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order provinces.
    ProvinceOrder, ProvinceOrderField, default = Name;
    /// By name.
    Name => ("name", ColumnKind::Text, required),
}
