//! `Organization`: an actor group.

use async_graphql::{Context, ID, InputObject, Object};

use super::prelude::*;
use crate::entity::organization::Model;

/// Any actor group: a militant group, a security force, a peace committee, a government body.
#[derive(Clone)]
pub struct Organization(pub Model, pub Siblings<Model>);

impl NodeObject for Organization {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// Any actor group: a militant group, a security force, a peace committee, a government body.
#[Object]
impl Organization {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Organization.id(self.0.id)
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
        history_of(ctx, NodeKind::Organization, self.0.id, &self.1, args)
    }

    /// Name as commonly written.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Other names and spellings it is known by.
    async fn aliases(&self) -> ApiResult<Vec<String>> {
        parse_aliases(&self.0.aliases)
    }

    /// What kind of group it is.
    async fn kind(&self) -> ApiResult<OrganizationKind> {
        from_db(&self.0.kind)
    }

    /// What the sources say it is; null when nothing beyond its name and kind.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The country it is based in; null when unknown.
    async fn base_country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        Ok(belongs_to(ctx, &self.0, &self.1, "base_country_id", |m| {
            m.base_country_id
        })
        .await?
        .map(|(m, s)| Country(m, s)))
    }

    /// Security personnel serving in it.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn members(
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
            Via::Column("organization_id"),
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

    /// Militants belonging to it.
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
            Via::Column("organization_id"),
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

    /// Operations it conducted, supported or was targeted by, with its role.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OperationFilter>,
        #[graphql(
            desc = "Only the operations whose link to this organization matches: its part in them."
        )]
        link: Option<InvolvementFilter>,
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
    ) -> ApiResult<Connection<Operation, Involvement>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "operation_organizations",
                parent: "organization_id",
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

    /// Its own affiliations to other organizations and countries.
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
            Via::Column("subject_organization_id"),
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

    /// Affiliations whose target is this organization (members, allies...).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn affiliated(
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
            Via::Column("target_organization_id"),
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

    /// Attacks it carried out or was struck by, with its part in each.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn attacks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<AttackFilter>,
        #[graphql(
            desc = "Only the attacks whose link to this organization matches: its part in them (e.g. `{ role: { eq: PERPETRATOR } }`)."
        )]
        link: Option<AttackInvolvementFilter>,
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
    ) -> ApiResult<Connection<Attack, AttackInvolvement>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "attack_organizations",
                parent: "organization_id",
                child: "attack_id",
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

    /// Community actions it took part in, supported by, or was opposed by.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn community_actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<CommunityActionFilter>,
        #[graphql(
            desc = "Only the community actions whose link to this organization matches: its part in them."
        )]
        link: Option<ParticipationFilter>,
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
    ) -> ApiResult<Connection<CommunityAction, Participation>> {
        Connection::nested_linked(
            ctx,
            self.0.id,
            &self.1,
            Via::Link {
                table: "community_action_actors",
                parent: "organization_id",
                child: "community_action_id",
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

    /// The sources this Organization rests on, each with the sentence quoted.
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
            NodeKind::Organization,
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

/// Which organizations to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct OrganizationFilter {
    /// The Organization's own id.
    pub id: Option<IdFilter>,
    /// Name.
    pub name: Option<StringFilter>,
    /// Kind.
    pub kind: Option<EnumFilter<OrganizationKind>>,
    /// Base country.
    pub base_country: Option<IdFilter>,
    /// The base country matches this filter.
    pub base_country_matches: Option<Box<CountryFilter>>,
    /// Some affiliation of its own (it is the subject) matches this filter.
    pub has_affiliations: Option<Box<AffiliationFilter>>,
    /// Some affiliation that targets it matches this filter.
    pub has_affiliated: Option<Box<AffiliationFilter>>,
    /// It took part in some operation as this filter says.
    pub has_operations: Option<Box<InvolvementFilter>>,
    /// Some member of the security forces in it matches this filter.
    pub has_members: Option<Box<PersonnelFilter>>,
    /// Some militant in it matches this filter.
    pub has_militants: Option<Box<MilitantFilter>>,
    /// It carried out or was struck by some attack as this filter says.
    pub has_attacks: Option<Box<AttackInvolvementFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<OrganizationFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<OrganizationFilter>>,
    /// This filter does not match.
    pub not: Option<Box<OrganizationFilter>>,
}

impl FilterInput for OrganizationFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("organizations")
            .id("id", NodeKind::Organization, &self.id)?
            .text("name", &self.name)?
            .enumeration("kind", &self.kind)?
            .id("base_country_id", NodeKind::Country, &self.base_country)?
            .related(
                "base_country_id",
                "id",
                self.base_country_matches.as_deref(),
            )?
            .related(
                "id",
                "subject_organization_id",
                self.has_affiliations.as_deref(),
            )?
            .related(
                "id",
                "target_organization_id",
                self.has_affiliated.as_deref(),
            )?
            .related("id", "organization_id", self.has_operations.as_deref())?
            .related("id", "organization_id", self.has_members.as_deref())?
            .related("id", "organization_id", self.has_militants.as_deref())?
            .related("id", "organization_id", self.has_attacks.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order organizations.
    OrganizationOrder, OrganizationOrderField, default = Name;
    /// By name.
    Name => ("name", ColumnKind::Text, required),
}
