//! `Operation`: one security-force action.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::operation::Model;

/// One security-force action: when and where it happened, who took part, and what it cost. Counts are null when the sources do not report them, never zero by default.
#[derive(Clone)]
pub struct Operation(pub Model, pub Siblings<Model>);

impl NodeObject for Operation {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// One security-force action: when and where it happened, who took part, and what it cost. Counts are null when the sources do not report them, never zero by default.
#[Object]
impl Operation {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Operation.id(self.0.id)
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
        history_of(ctx, NodeKind::Operation, self.0.id, &self.1, args)
    }

    /// Short descriptive title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What kind of operation it was.
    async fn kind(&self) -> ApiResult<OperationKind> {
        from_db(&self.0.kind)
    }

    /// First day, or the first day of the period `datePrecision` names.
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }

    /// Last day; null for a single day or when unknown.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }

    /// How precise `startDate` and `endDate` are.
    async fn date_precision(&self) -> ApiResult<DatePrecision> {
        from_db(&self.0.date_precision)
    }

    /// The place as the source names it (a village, a valley); null when only the district is known.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }

    /// Militants killed; null when not reported.
    async fn militants_killed(&self) -> Option<i32> {
        self.0.militants_killed
    }

    /// Militants arrested; null when not reported.
    async fn militants_arrested(&self) -> Option<i32> {
        self.0.militants_arrested
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

    /// What happened, in a sentence or two; null when there is nothing beyond the fields.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// The district it took place in; null when the sources do not place it.
    async fn district(&self, ctx: &Context<'_>) -> ApiResult<Option<District>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "district_id", |m| m.district_id)
                .await?
                .map(|(m, s)| District(m, s)),
        )
    }

    /// Security personnel who took part, with their role and what happened to them.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn personnel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<PersonnelFilter>,
        #[graphql(
            desc = "Only the people whose link to this operation matches: their role and what happened to them (e.g. `{ outcome: { eq: KILLED } }`)."
        )]
        link: Option<DeploymentFilter>,
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
    ) -> ApiResult<Connection<Personnel, Deployment>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "operation_personnel",
                parent: "operation_id",
                child: "personnel_id",
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

    /// Individual militants it met, with what happened to them. Militants the sources only count are in the casualty counts, not here.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn militants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<MilitantFilter>,
        #[graphql(
            desc = "Only the militants whose link to this operation matches: what happened to them (e.g. `{ outcome: { eq: ARRESTED } }`)."
        )]
        link: Option<EncounterFilter>,
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
    ) -> ApiResult<Connection<Militant, Encounter>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "operation_militants",
                parent: "operation_id",
                child: "militant_id",
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

    /// Organizations that conducted, supported or were targeted by it.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OrganizationFilter>,
        #[graphql(
            desc = "Only the organizations whose link to this operation matches: their part in it (e.g. `{ role: { eq: TARGETED } }`)."
        )]
        link: Option<InvolvementFilter>,
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
    ) -> ApiResult<Connection<Organization, Involvement>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "operation_organizations",
                parent: "operation_id",
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

    /// The sources this Operation rests on, each with the sentence quoted.
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
            NodeKind::Operation,
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

/// Which operations to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct OperationFilter {
    /// The Operation's own id.
    pub id: Option<IdFilter>,
    /// Title.
    pub title: Option<StringFilter>,
    /// Kind.
    pub kind: Option<EnumFilter<OperationKind>>,
    /// First day.
    pub start_date: Option<DateFilter>,
    /// Last day.
    pub end_date: Option<DateFilter>,
    /// Date precision.
    pub date_precision: Option<EnumFilter<DatePrecision>>,
    /// The district.
    pub district: Option<IdFilter>,
    /// Place as reported.
    pub place: Option<StringFilter>,
    /// Militants killed.
    pub militants_killed: Option<IntFilter>,
    /// Militants arrested.
    pub militants_arrested: Option<IntFilter>,
    /// Security personnel killed.
    pub security_killed: Option<IntFilter>,
    /// Security personnel injured.
    pub security_injured: Option<IntFilter>,
    /// Civilians killed.
    pub civilians_killed: Option<IntFilter>,
    /// Deaths in all, where a source gives only a total.
    pub fatalities: Option<IntFilter>,
    /// The total is a coding convention, not a count.
    pub fatalities_by_convention: Option<bool>,
    /// Summary.
    pub summary: Option<StringFilter>,
    /// The district matches this filter (for example, lies in a given province).
    pub district_matches: Option<Box<DistrictFilter>>,
    /// Some member of the security forces took part as this filter says (`{ outcome: { eq: KILLED } }`: operations in which personnel were killed).
    pub has_personnel: Option<Box<DeploymentFilter>>,
    /// Some individual militant met it as this filter says.
    pub has_militants: Option<Box<EncounterFilter>>,
    /// Some organization took part in it as this filter says.
    pub has_organizations: Option<Box<InvolvementFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<OperationFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<OperationFilter>>,
    /// This filter does not match.
    pub not: Option<Box<OperationFilter>>,
}

impl FilterInput for OperationFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("operations")
            .id("id", NodeKind::Operation, &self.id)?
            .text("title", &self.title)?
            .enumeration("kind", &self.kind)?
            .date("start_date", &self.start_date)?
            .date("end_date", &self.end_date)?
            .enumeration("date_precision", &self.date_precision)?
            .id("district_id", NodeKind::District, &self.district)?
            .text("place", &self.place)?
            .int("militants_killed", &self.militants_killed)?
            .int("militants_arrested", &self.militants_arrested)?
            .int("security_killed", &self.security_killed)?
            .int("security_injured", &self.security_injured)?
            .int("civilians_killed", &self.civilians_killed)?
            .int("fatalities", &self.fatalities)?
            .boolean("fatalities_by_convention", self.fatalities_by_convention)
            .text("summary", &self.summary)?
            .related("district_id", "id", self.district_matches.as_deref())?
            .related("id", "operation_id", self.has_personnel.as_deref())?
            .related("id", "operation_id", self.has_militants.as_deref())?
            .related("id", "operation_id", self.has_organizations.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order operations.
    OperationOrder, OperationOrderField, default = StartDate, descending;
    /// By first day.
    StartDate => ("start_date", ColumnKind::Date, required),
    /// By title.
    Title => ("title", ColumnKind::Text, required),
    /// By militants killed (unreported last).
    MilitantsKilled => ("militants_killed", ColumnKind::Int),
    /// By security personnel killed (unreported last).
    SecurityKilled => ("security_killed", ColumnKind::Int),
    /// By deaths in all, where a source gives only a total (unreported last).
    Fatalities => ("fatalities", ColumnKind::Int),
}
