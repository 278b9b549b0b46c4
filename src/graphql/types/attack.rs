//! `Attack`: an armed group's attack on the security forces or on civilians.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::attack::Model;

/// How an attack reaches the organizations behind it and those it struck.
const ORGANIZATIONS: Via = Via::Link {
    table: "attack_organizations",
    parent: "attack_id",
    child: "organization_id",
};

/// An armed group's attack on the security forces or on civilians: when and where, what kind, who carried it out and whom it struck, and what it cost. Counts are null when the sources do not report them, never zero by default.
#[derive(Clone)]
pub struct Attack(pub Model, pub Siblings<Model>);

impl NodeObject for Attack {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// An armed group's attack on the security forces or on civilians: when and where, what kind, who carried it out and whom it struck, and what it cost. Counts are null when the sources do not report them, never zero by default.
#[Object]
impl Attack {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Attack.id(self.0.id)
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
        history_of(ctx, NodeKind::Attack, self.0.id, &self.1, args)
    }

    /// What kind of attack it was.
    async fn kind(&self) -> ApiResult<AttackKind> {
        from_db(&self.0.kind)
    }

    /// The day, or the first day of the period `datePrecision` names.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }

    /// How precise `date` is.
    async fn date_precision(&self) -> ApiResult<DatePrecision> {
        from_db(&self.0.date_precision)
    }

    /// The place as the source names it (a village, a checkpoint); null when only the district is known.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// Security personnel killed; null when not reported.
    async fn security_killed(&self) -> Option<i32> {
        self.0.security_killed
    }

    /// Security personnel injured; null when not reported.
    async fn security_injured(&self) -> Option<i32> {
        self.0.security_injured
    }

    /// Civilians killed; null when not reported.
    async fn civilians_killed(&self) -> Option<i32> {
        self.0.civilians_killed
    }

    /// Civilians injured; null when not reported.
    async fn civilians_injured(&self) -> Option<i32> {
        self.0.civilians_injured
    }

    /// Attackers killed; null when not reported.
    async fn militants_killed(&self) -> Option<i32> {
        self.0.militants_killed
    }

    /// People abducted; null when not reported.
    async fn abducted(&self) -> Option<i32> {
        self.0.abducted
    }

    /// Deaths in all, as a source gives them without saying who died (ACLED's
    /// `fatalities`); null when no source gives a total. The counts by side stay null then:
    /// a total is never split by guess.
    async fn fatalities(&self) -> Option<i32> {
        self.0.fatalities
    }

    /// Whether the source says `fatalities` is a coding convention rather than a count
    /// (ACLED: "Unspecified number of fatalities coded as 3").
    async fn fatalities_by_convention(&self) -> bool {
        self.0.fatalities_by_convention
    }

    /// What happened, as the source tells it; null when there is no account.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The district it took place in; null when the sources do not place it.
    async fn district(&self, ctx: &Context<'_>) -> ApiResult<Option<District>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "district_id", |m| m.district_id)
                .await?
                .map(|(m, s)| District(m, s)),
        )
    }

    /// The organizations behind the attack and those it struck, each with its part.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OrganizationFilter>,
        #[graphql(
            desc = "Only the organizations whose part in this attack matches (e.g. `{ role: { eq: PERPETRATOR } }`)."
        )]
        link: Option<AttackInvolvementFilter>,
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
    ) -> ApiResult<Connection<Organization, AttackInvolvement>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            ORGANIZATIONS,
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

    /// The sources this Attack rests on, each with the sentence quoted.
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
            NodeKind::Attack,
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

/// Which attacks to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct AttackFilter {
    /// The Attack's own id.
    pub id: Option<IdFilter>,
    /// Kind.
    pub kind: Option<EnumFilter<AttackKind>>,
    /// Date.
    pub date: Option<DateFilter>,
    /// Date precision.
    pub date_precision: Option<EnumFilter<DatePrecision>>,
    /// The district.
    pub district: Option<IdFilter>,
    /// Place as reported.
    pub place: Option<StringFilter>,
    /// Security personnel killed.
    pub security_killed: Option<IntFilter>,
    /// Security personnel injured.
    pub security_injured: Option<IntFilter>,
    /// Civilians killed.
    pub civilians_killed: Option<IntFilter>,
    /// Civilians injured.
    pub civilians_injured: Option<IntFilter>,
    /// Attackers killed.
    pub militants_killed: Option<IntFilter>,
    /// People abducted.
    pub abducted: Option<IntFilter>,
    /// Deaths in all, where a source gives only a total.
    pub fatalities: Option<IntFilter>,
    /// The total is a coding convention, not a count.
    pub fatalities_by_convention: Option<bool>,
    /// Description.
    pub description: Option<StringFilter>,
    /// The district matches this filter (for example, lies in a given province).
    pub district_matches: Option<Box<DistrictFilter>>,
    /// Some organization took part in it as this filter says (`{ role: { eq: PERPETRATOR }, organization: { name: { eq: "Taliban" } } }`).
    pub has_organizations: Option<Box<AttackInvolvementFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<AttackFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<AttackFilter>>,
    /// This filter does not match.
    pub not: Option<Box<AttackFilter>>,
}

impl FilterInput for AttackFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("attacks")
            .id("id", NodeKind::Attack, &self.id)?
            .enumeration("kind", &self.kind)?
            .date("date", &self.date)?
            .enumeration("date_precision", &self.date_precision)?
            .id("district_id", NodeKind::District, &self.district)?
            .text("place", &self.place)?
            .int("security_killed", &self.security_killed)?
            .int("security_injured", &self.security_injured)?
            .int("civilians_killed", &self.civilians_killed)?
            .int("civilians_injured", &self.civilians_injured)?
            .int("militants_killed", &self.militants_killed)?
            .int("abducted", &self.abducted)?
            .int("fatalities", &self.fatalities)?
            .boolean("fatalities_by_convention", self.fatalities_by_convention)
            .text("description", &self.description)?
            .related("district_id", "id", self.district_matches.as_deref())?
            .related("id", "attack_id", self.has_organizations.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order attacks.
    AttackOrder, AttackOrderField, default = Date, descending;
    /// By date.
    Date => ("date", ColumnKind::Date, required),
    /// By deaths in all, where a source gives only a total (unreported last).
    Fatalities => ("fatalities", ColumnKind::Int),
    /// By security personnel killed (unreported last).
    SecurityKilled => ("security_killed", ColumnKind::Int),
    /// By civilians killed (unreported last).
    CiviliansKilled => ("civilians_killed", ColumnKind::Int),
    /// By creation.
    Id => ("id", ColumnKind::Int, required),
}
