//! `ReportedFigure`: an aggregate a source states.

use async_graphql::{Context, ID, InputObject, Object};

use super::super::itemised::{Itemised, itemised};
use super::super::loaders::once_per_request;
use super::prelude::*;
use crate::entity::reported_figure::Model;

/// An aggregate a source states ("over 80 militants in 20 days") rather than itemises. Kept as stated, with its qualifier and quote, never expanded into invented rows.
#[derive(Clone)]
pub struct ReportedFigure(pub Model, pub Siblings<Model>);

impl NodeObject for ReportedFigure {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// An aggregate a source states ("over 80 militants in 20 days") rather than itemises. Kept as stated, with its qualifier and quote, never expanded into invented rows.
#[Object]
impl ReportedFigure {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::ReportedFigure.id(self.0.id)
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
        history_of(ctx, NodeKind::ReportedFigure, self.0.id, &self.1, args)
    }

    /// What the database itemises that certainly falls in the same metric, period and scope: operations (or their summed counts) that started within the period (every day their date precision allows is in it), community actions dated within it, or, for a figure about militants of one nationality, those individuals whose encounter with such an operation had the figure's outcome. Compare with `value` to see how much of the figure the data accounts for.
    async fn itemised_value(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(self.itemised(ctx).await?.value)
    }

    /// What the database holds in scope that may or may not belong to the figure: operations dated too coarsely to tell (a mission dated only to March against a figure for March 1 to 20), undated community actions, militants of the nationality linked to no operation. Not part of `itemisedValue`.
    async fn itemised_uncertain(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(self.itemised(ctx).await?.uncertain)
    }

    /// `itemisedValue` as a share of `value` (1.0 when the data itemises all of it; above 1.0 when it holds more); null when `value` is 0.
    async fn coverage(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        let itemised = self.itemised(ctx).await?.value;
        Ok((self.0.value != 0).then(|| itemised as f64 / f64::from(self.0.value)))
    }

    /// `value` minus `itemisedValue`: what the source reports beyond what is itemised (negative when the data holds more).
    async fn difference(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(i64::from(self.0.value) - self.itemised(ctx).await?.value)
    }

    /// What it counts.
    async fn metric(&self) -> ApiResult<FigureMetric> {
        from_db(&self.0.metric)
    }

    /// The number as stated.
    async fn value(&self) -> i32 {
        self.0.value
    }

    /// How the number is meant: exact, at least, more than, about.
    async fn qualifier(&self) -> ApiResult<FigureQualifier> {
        from_db(&self.0.qualifier)
    }

    /// First day of the period it covers; null when not stated.
    async fn period_start(&self) -> Option<Date> {
        self.0.period_start.map(Date)
    }

    /// Last day of the period it covers; null when open or not stated.
    async fn period_end(&self) -> Option<Date> {
        self.0.period_end.map(Date)
    }

    /// The sentence that states it.
    async fn quote(&self) -> &str {
        &self.0.quote
    }

    /// The source that states it. The database requires it, so null only when it could not be
    /// loaded, with an error that says why.
    async fn source(&self, ctx: &Context<'_>) -> ApiResult<Option<Source>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "source_id", |m| Some(m.source_id))
                .await?
                .map(|(m, s)| Source(m, s)),
        )
    }

    /// The nationality it is restricted to (e.g. Afghan nationals); null when it counts everyone.
    async fn nationality(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "nationality_id", |m| {
            m.nationality_id
        })
        .await?
        .map(|(m, s)| Country(m, s)))
    }

    /// The area it covers: a province, or a set of districts.
    async fn scope(&self) -> FigureScope {
        FigureScope(self.0.clone(), self.1.clone())
    }

    /// The sources this ReportedFigure rests on, each with the sentence quoted.
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
            NodeKind::ReportedFigure,
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

/// Which reported figures to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct ReportedFigureFilter {
    /// The ReportedFigure's own id.
    pub id: Option<IdFilter>,
    /// Metric.
    pub metric: Option<EnumFilter<FigureMetric>>,
    /// Qualifier.
    pub qualifier: Option<EnumFilter<FigureQualifier>>,
    /// Value.
    pub value: Option<IntFilter>,
    /// Period start.
    pub period_start: Option<DateFilter>,
    /// Period end.
    pub period_end: Option<DateFilter>,
    /// Source.
    pub source: Option<IdFilter>,
    /// Province it covers.
    pub scope_province: Option<IdFilter>,
    /// Nationality it counts.
    pub nationality: Option<IdFilter>,
    /// The province it covers matches this filter.
    pub scope_province_matches: Option<Box<ProvinceFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<ReportedFigureFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<ReportedFigureFilter>>,
    /// This filter does not match.
    pub not: Option<Box<ReportedFigureFilter>>,
}

impl FilterInput for ReportedFigureFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("reported_figures")
            .id("id", NodeKind::ReportedFigure, &self.id)?
            .enumeration("metric", &self.metric)?
            .enumeration("qualifier", &self.qualifier)?
            .int("value", &self.value)?
            .date("period_start", &self.period_start)?
            .date("period_end", &self.period_end)?
            .id("source_id", NodeKind::Source, &self.source)?
            .id(
                "scope_province_id",
                NodeKind::Province,
                &self.scope_province,
            )?
            .id("nationality_id", NodeKind::Country, &self.nationality)?
            .related(
                "scope_province_id",
                "id",
                self.scope_province_matches.as_deref(),
            )?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order reported figures.
    ReportedFigureOrder, ReportedFigureOrderField, default = PeriodStart;
    /// By period start (unknown last).
    PeriodStart => ("period_start", ColumnKind::Date),
    /// By value.
    Value => ("value", ColumnKind::Int, required),
}

impl ReportedFigure {
    /// This figure's itemised value, computed for every figure of its group at once.
    async fn itemised(&self, ctx: &Context<'_>) -> ApiResult<Itemised> {
        let group = self.1.clone();
        let all = once_per_request(ctx, format!("itemised|{}", self.1.id()), |db| async move {
            itemised(&db, group.rows()).await
        })
        .await?;
        Ok(all.get(&self.0.id).copied().unwrap_or_default())
    }
}

/// The area a reported figure covers.
pub struct FigureScope(Model, Siblings<Model>);

/// The area a reported figure covers.
#[Object]
impl FigureScope {
    /// The province it covers as a whole; null when it covers districts instead.
    async fn province(&self, ctx: &Context<'_>) -> ApiResult<Option<Province>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "scope_province_id", |m| {
            m.scope_province_id
        })
        .await?
        .map(|(m, s)| Province(m, s)))
    }

    /// The districts it covers; empty when it covers a whole province.
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
        let via = Via::Link {
            table: "reported_figure_districts",
            parent: "reported_figure_id",
            child: "district_id",
        };
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            via,
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

    /// The area as the source words it (e.g. `11 districts of KPK`); null when it says no more than the province.
    async fn description(&self) -> Option<&str> {
        self.0.scope_description.as_deref()
    }
}
