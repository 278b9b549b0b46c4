//! `District`: a second-level administrative division.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::district::Model;

/// A second-level administrative division, such as Dera Ismail Khan.
#[derive(Clone)]
pub struct District(pub Model, pub Siblings<Model>);

impl NodeObject for District {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A second-level administrative division, such as Dera Ismail Khan.
#[Object]
impl District {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::District.id(self.0.id)
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
        history_of(ctx, NodeKind::District, self.0.id, &self.1, args)
    }

    /// Name as commonly written.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Other names and spellings it is known by.
    async fn aliases(&self) -> ApiResult<Vec<String>> {
        parse_aliases(&self.0.aliases)
    }

    /// Latitude of a representative point (WGS 84); null when unknown. Approximate: a district seat or centre, not an official centroid.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }

    /// Longitude of a representative point (WGS 84); null when unknown.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }

    /// The province it lies in. The database requires it, so null only when it could not be loaded,
    /// with an error that says why.
    async fn province(&self, ctx: &Context<'_>) -> ApiResult<Option<Province>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "province_id", |m| {
            Some(m.province_id)
        })
        .await?
        .map(|(m, s)| Province(m, s)))
    }

    /// Operations that took place in this district.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OperationFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<OperationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Operation>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("district_id"),
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

    /// Attacks by armed groups in this district.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn attacks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<AttackFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<AttackOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Attack>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("district_id"),
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

    /// Community actions against militancy in this district.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn community_actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<CommunityActionFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<CommunityActionOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<CommunityAction>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "community_action_districts",
                parent: "district_id",
                child: "community_action_id",
            },
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

    /// Security personnel whose hometown lies in this district.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn personnel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<PersonnelFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<PersonnelOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Personnel>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("hometown_district_id"),
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

    /// Figures sources report for a set of districts including this one.
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
            Via::Link {
                table: "reported_figure_districts",
                parent: "district_id",
                child: "reported_figure_id",
            },
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

    /// The sources this District rests on, each with the sentence quoted.
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
            NodeKind::District,
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

/// Which districts to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct DistrictFilter {
    /// The District's own id.
    pub id: Option<IdFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// The province.
    pub province: Option<IdFilter>,
    /// Latitude.
    pub latitude: Option<FloatFilter>,
    /// Longitude.
    pub longitude: Option<FloatFilter>,
    /// The province matches this filter.
    pub province_matches: Option<Box<ProvinceFilter>>,
    /// Some operation in the district matches this filter.
    pub has_operations: Option<Box<OperationFilter>>,
    /// Some attack in the district matches this filter.
    pub has_attacks: Option<Box<AttackFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<DistrictFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<DistrictFilter>>,
    /// This filter does not match.
    pub not: Option<Box<DistrictFilter>>,
}

impl FilterInput for DistrictFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("districts")
            .id("id", NodeKind::District, &self.id)?
            .text("name", &self.name)?
            .id("province_id", NodeKind::Province, &self.province)?
            .float("latitude", &self.latitude)
            .float("longitude", &self.longitude)
            .related("province_id", "id", self.province_matches.as_deref())?
            .related("id", "district_id", self.has_operations.as_deref())?
            .related("id", "district_id", self.has_attacks.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order districts.
    DistrictOrder, DistrictOrderField, default = Name;
    /// By name.
    Name => ("name", ColumnKind::Text, required),
    /// South to north.
    Latitude => ("latitude", ColumnKind::Float),
    /// West to east.
    Longitude => ("longitude", ColumnKind::Float),
}
