//! `Militant`: an individual on the other side of an operation.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::militant::Model;

/// An individual on the militant side. Many are unnamed: the sources count them or describe them without a name.
#[derive(Clone)]
pub struct Militant(pub Model, pub Siblings<Model>);

impl NodeObject for Militant {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// An individual on the militant side. Many are unnamed: the sources count them or describe them without a name.
#[Object]
impl Militant {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Militant.id(self.0.id)
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
        history_of(ctx, NodeKind::Militant, self.0.id, &self.1, args)
    }

    /// Name as reported; null when the sources do not name them.
    #[graphql(
        deprecation = "Use `reportedName`. `name` is `String!` on the other members of \
                              `AffiliationSubject`, so typed clients cannot select it beside theirs."
    )]
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// Name as reported; null when the sources do not name them.
    async fn reported_name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// Other names and spellings it is known by.
    async fn aliases(&self) -> ApiResult<Vec<String>> {
        parse_aliases(&self.0.aliases)
    }

    /// What is known of them now.
    #[graphql(
        deprecation = "Use `militantStatus`. `Personnel.status` has another type, so typed \
                              clients cannot select both in one `AffiliationSubject` selection."
    )]
    async fn status(&self) -> ApiResult<MilitantStatus> {
        from_db(&self.0.status)
    }

    /// What is known of them now.
    async fn militant_status(&self) -> ApiResult<MilitantStatus> {
        from_db(&self.0.status)
    }

    /// How the sources describe them, when unnamed or to tell them apart; null when there is nothing to add.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Their nationality; null when not reported.
    async fn nationality(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "nationality_id", |m| {
            m.nationality_id
        })
        .await?
        .map(|(m, s)| Country(m, s)))
    }

    /// The country they were active in; null when unknown. `Affiliation.crossBorder` compares against it.
    async fn operating_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "operating_country_id", |m| {
                m.operating_country_id
            })
            .await?
            .map(|(m, s)| Country(m, s)),
        )
    }

    /// The group they belong to; null when not reported.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "organization_id", |m| {
            m.organization_id
        })
        .await?
        .map(|(m, s)| Organization(m, s)))
    }

    /// Operations that met them, with what happened to them.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OperationFilter>,
        #[graphql(
            desc = "Only the operations whose link to this militant matches: what happened to them."
        )]
        link: Option<EncounterFilter>,
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
    ) -> ApiResult<Connection<Operation, Encounter>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "operation_militants",
                parent: "militant_id",
                child: "operation_id",
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

    /// Their own affiliations (this militant is the subject): nationality, membership, links
    /// across the border.
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
            Via::Column("subject_militant_id"),
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

    /// The sources this Militant rests on, each with the sentence quoted.
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
            NodeKind::Militant,
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

/// Which militants to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct MilitantFilter {
    /// The Militant's own id.
    pub id: Option<IdFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// Nationality.
    pub nationality: Option<IdFilter>,
    /// Country of operation.
    pub operating_country: Option<IdFilter>,
    /// Group.
    pub organization: Option<IdFilter>,
    /// Status.
    pub status: Option<EnumFilter<MilitantStatus>>,
    /// Their organization matches this filter (`{ hasAffiliations: { crossBorder: true } }`: militants of an organization with a cross-border affiliation).
    pub organization_matches: Option<Box<OrganizationFilter>>,
    /// Their nationality matches this filter.
    pub nationality_matches: Option<Box<CountryFilter>>,
    /// They met some operation as this filter says.
    pub has_operations: Option<Box<EncounterFilter>>,
    /// Some affiliation of theirs matches this filter.
    pub has_affiliations: Option<Box<AffiliationFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<MilitantFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<MilitantFilter>>,
    /// This filter does not match.
    pub not: Option<Box<MilitantFilter>>,
}

impl FilterInput for MilitantFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("militants")
            .id("id", NodeKind::Militant, &self.id)?
            .text("name", &self.name)?
            .id("nationality_id", NodeKind::Country, &self.nationality)?
            .id(
                "operating_country_id",
                NodeKind::Country,
                &self.operating_country,
            )?
            .id(
                "organization_id",
                NodeKind::Organization,
                &self.organization,
            )?
            .enumeration("status", &self.status)?
            .related(
                "organization_id",
                "id",
                self.organization_matches.as_deref(),
            )?
            .related("nationality_id", "id", self.nationality_matches.as_deref())?
            .related("id", "militant_id", self.has_operations.as_deref())?
            .related(
                "id",
                "subject_militant_id",
                self.has_affiliations.as_deref(),
            )?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order militants.
    MilitantOrder, MilitantOrderField, default = Name;
    /// By name (unnamed last).
    Name => ("name", ColumnKind::Text),
    /// By creation.
    Id => ("id", ColumnKind::Int, required),
}
