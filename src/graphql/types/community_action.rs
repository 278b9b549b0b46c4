//! `CommunityAction`: civilians resisting militancy.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::community_action::Model;

/// How a community action reaches its districts.
const DISTRICTS: Via = Via::Link {
    table: "community_action_districts",
    parent: "community_action_id",
    child: "district_id",
};

/// Civilians resisting militancy: a declaration, a protection, an armed stand.
#[derive(Clone)]
pub struct CommunityAction(pub Model, pub Siblings<Model>);

impl NodeObject for CommunityAction {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// Civilians resisting militancy: a declaration, a protection, an armed stand.
#[Object]
impl CommunityAction {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::CommunityAction.id(self.0.id)
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
        history_of(ctx, NodeKind::CommunityAction, self.0.id, &self.1, args)
    }

    /// What kind of action it was.
    async fn kind(&self) -> ApiResult<CommunityActionKind> {
        from_db(&self.0.kind)
    }

    /// When it happened, to `datePrecision`; null when the sources give no date.
    async fn date(&self) -> Option<Date> {
        self.0.date.map(Date)
    }

    /// How precise `date` is.
    async fn date_precision(&self) -> ApiResult<DatePrecision> {
        from_db(&self.0.date_precision)
    }

    /// The place as the source names it (e.g. `Tirah Valley`); null when only districts are known.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// Who acted, as the source describes them (e.g. `dozens of locals`); null when only organizations are named.
    async fn actors_description(&self) -> Option<&str> {
        self.0.actors_description.as_deref()
    }

    /// What happened.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The district it took place in when that is exactly one; null when the place spans
    /// several districts (see `districts`) or none is known.
    async fn district(&self, ctx: &Context<'_>) -> ApiResult<Option<District>> {
        let first_two = PageArgs {
            first: Some(2),
            ..PageArgs::default()
        };
        let districts: Connection<District> = Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            DISTRICTS,
            None::<DistrictFilter>,
            None::<DistrictOrder>,
            first_two,
        )?;
        let mut nodes = districts.load_nodes(ctx).await?;
        Ok(if nodes.len() == 1 { nodes.pop() } else { None })
    }

    /// The districts it took place in: several when the place spans districts (e.g. Waziristan).
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
            DISTRICTS,
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

    /// Organizations involved, with their part: actor, supported or opponent.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn actors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OrganizationFilter>,
        #[graphql(
            desc = "Only the organizations whose part in this action matches (e.g. `{ role: { eq: ACTOR } }`)."
        )]
        link: Option<ParticipationFilter>,
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
    ) -> ApiResult<Connection<Organization, Participation>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "community_action_actors",
                parent: "community_action_id",
                child: "organization_id",
            },
            filter,
            link,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// The sources this CommunityAction rests on, each with the sentence quoted.
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
            NodeKind::CommunityAction,
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

/// Which community actions to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct CommunityActionFilter {
    /// The CommunityAction's own id.
    pub id: Option<IdFilter>,
    /// Kind.
    pub kind: Option<EnumFilter<CommunityActionKind>>,
    /// Date.
    pub date: Option<DateFilter>,
    /// Date precision.
    pub date_precision: Option<EnumFilter<DatePrecision>>,
    /// Place as reported.
    pub place: Option<StringFilter>,
    /// Description.
    pub description: Option<StringFilter>,
    /// It took place in some district matching this filter.
    pub has_districts: Option<Box<DistrictFilter>>,
    /// Some organization involved in it matches this filter.
    pub has_actors: Option<Box<OrganizationFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<CommunityActionFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<CommunityActionFilter>>,
    /// This filter does not match.
    pub not: Option<Box<CommunityActionFilter>>,
}

impl FilterInput for CommunityActionFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("community_actions")
            .id("id", NodeKind::CommunityAction, &self.id)?
            .enumeration("kind", &self.kind)?
            .date("date", &self.date)?
            .enumeration("date_precision", &self.date_precision)?
            .text("place", &self.place)?
            .text("description", &self.description)?
            .linked(
                "community_action_districts",
                "community_action_id",
                "district_id",
                self.has_districts.as_deref(),
            )?
            .linked(
                "community_action_actors",
                "community_action_id",
                "organization_id",
                self.has_actors.as_deref(),
            )?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order community actions.
    CommunityActionOrder, CommunityActionOrderField, default = Date, descending;
    /// By date (undated last).
    Date => ("date", ColumnKind::Date),
    /// By creation.
    Id => ("id", ColumnKind::Int, required),
}
