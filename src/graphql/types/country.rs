//! `Country`: a sovereign state.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::country::Model;

/// A sovereign state.
#[derive(Clone)]
pub struct Country(pub Model, pub Siblings<Model>);

impl NodeObject for Country {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A sovereign state.
#[Object]
impl Country {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Country.id(self.0.id)
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
        history_of(ctx, NodeKind::Country, self.0.id, &self.1, args)
    }

    /// ISO 3166-1 alpha-2 code, e.g. `PK`.
    async fn iso_code(&self) -> &str {
        &self.0.iso_code
    }

    /// English short name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its first-level divisions.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn provinces(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<ProvinceFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<ProvinceOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Province>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("country_id"),
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

    /// Organizations based in this country.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OrganizationFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<OrganizationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Organization>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("base_country_id"),
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

    /// Militants who are nationals of this country.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn militants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<MilitantFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<MilitantOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Militant>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("nationality_id"),
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

    /// Militants active in this country (their `operatingCountry`), whatever their nationality.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn active_militants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<MilitantFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<MilitantOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Militant>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("operating_country_id"),
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

    /// Figures that count only nationals of this country (e.g. Afghan nationals killed).
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
            Via::Column("nationality_id"),
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

    /// Affiliations whose target is this country (nationality, sanctuary, support...).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn affiliations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<AffiliationFilter>,
        #[graphql(
            desc = "Only links in force on this day (`since` on or before it, `until` on or after it; a missing end is open)."
        )]
        as_of: Option<Date>,
        #[graphql(desc = "Order of the list.")] order_by: Option<AffiliationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Affiliation>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("target_country_id"),
            AffiliationFilter::in_force(filter, as_of),
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// The sources this Country rests on, each with the sentence quoted.
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
            NodeKind::Country,
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

/// Which countries to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct CountryFilter {
    /// The Country's own id.
    pub id: Option<IdFilter>,
    /// ISO 3166-1 alpha-2 code.
    pub iso_code: Option<StringFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// Some province of the country matches this filter.
    pub has_provinces: Option<Box<ProvinceFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<CountryFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<CountryFilter>>,
    /// This filter does not match.
    pub not: Option<Box<CountryFilter>>,
}

impl FilterInput for CountryFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("countries")
            .id("id", NodeKind::Country, &self.id)?
            .text("iso_code", &self.iso_code)?
            .text("name", &self.name)?
            .related("id", "country_id", self.has_provinces.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order countries.
    CountryOrder, CountryOrderField, default = Name;
    /// By name.
    Name => ("name", ColumnKind::Text, required),
    /// By ISO code.
    IsoCode => ("iso_code", ColumnKind::Text, required),
}
