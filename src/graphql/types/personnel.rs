//! `Personnel`: a member of the security forces.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::personnel::Model;

/// A member of the security forces.
#[derive(Clone)]
pub struct Personnel(pub Model, pub Siblings<Model>);

impl NodeObject for Personnel {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A member of the security forces.
#[Object]
impl Personnel {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Personnel.id(self.0.id)
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
        history_of(ctx, NodeKind::Personnel, self.0.id, &self.1, args)
    }

    /// Full name as reported.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Other names and spellings they are known by (a merged record's name, for one).
    async fn aliases(&self) -> ApiResult<Vec<String>> {
        parse_aliases(&self.0.aliases)
    }

    /// Rank, e.g. `Captain`; null when not reported.
    async fn rank(&self) -> Option<&str> {
        self.0.rank.as_deref()
    }

    /// Hometown as the source writes it; null when not reported.
    async fn hometown(&self) -> Option<&str> {
        self.0.hometown.as_deref()
    }

    /// What is known of them now.
    async fn status(&self) -> ApiResult<PersonnelStatus> {
        from_db(&self.0.status)
    }

    /// The force they serve in; null when the sources do not say.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "organization_id", |m| {
            m.organization_id
        })
        .await?
        .map(|(m, s)| Organization(m, s)))
    }

    /// The district their hometown lies in; null when unknown.
    async fn hometown_district(&self, ctx: &Context<'_>) -> ApiResult<Option<District>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "hometown_district_id", |m| {
                m.hometown_district_id
            })
            .await?
            .map(|(m, s)| District(m, s)),
        )
    }

    /// Operations they took part in, with their role and what happened to them.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OperationFilter>,
        #[graphql(
            desc = "Only the operations whose link to this person matches: their role and what happened to them."
        )]
        link: Option<DeploymentFilter>,
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
    ) -> ApiResult<Connection<Operation, Deployment>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "operation_personnel",
                parent: "personnel_id",
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

    /// Their own affiliations (this person is the subject) to organizations and countries.
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
            Via::Column("subject_personnel_id"),
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

    /// The sources this Personnel rests on, each with the sentence quoted.
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
            NodeKind::Personnel,
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

/// Which personnel to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct PersonnelFilter {
    /// The Personnel's own id.
    pub id: Option<IdFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// Rank.
    pub rank: Option<StringFilter>,
    /// The force.
    pub organization: Option<IdFilter>,
    /// Hometown.
    pub hometown: Option<StringFilter>,
    /// Hometown district.
    pub hometown_district: Option<IdFilter>,
    /// Status.
    pub status: Option<EnumFilter<PersonnelStatus>>,
    /// Their organization matches this filter.
    pub organization_matches: Option<Box<OrganizationFilter>>,
    /// They took part in some operation as this filter says.
    pub has_operations: Option<Box<DeploymentFilter>>,
    /// Some affiliation of theirs matches this filter.
    pub has_affiliations: Option<Box<AffiliationFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<PersonnelFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<PersonnelFilter>>,
    /// This filter does not match.
    pub not: Option<Box<PersonnelFilter>>,
}

impl FilterInput for PersonnelFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("personnel")
            .id("id", NodeKind::Personnel, &self.id)?
            .text("name", &self.name)?
            .text("rank", &self.rank)?
            .id(
                "organization_id",
                NodeKind::Organization,
                &self.organization,
            )?
            .text("hometown", &self.hometown)?
            .id(
                "hometown_district_id",
                NodeKind::District,
                &self.hometown_district,
            )?
            .enumeration("status", &self.status)?
            .related(
                "organization_id",
                "id",
                self.organization_matches.as_deref(),
            )?
            .related("id", "personnel_id", self.has_operations.as_deref())?
            .related(
                "id",
                "subject_personnel_id",
                self.has_affiliations.as_deref(),
            )?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order personnel.
    PersonnelOrder, PersonnelOrderField, default = Name;
    /// By name.
    Name => ("name", ColumnKind::Text, required),
}
