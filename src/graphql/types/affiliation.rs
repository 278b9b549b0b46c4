//! `Affiliation`: a dated link from a person or organization to an organization or country.

use async_graphql::{Context, ID, InputObject, Object, Union};

use super::prelude::*;
use crate::entity::affiliation::Model;

/// A dated link from a person or an organization to an organization or a country.
#[derive(Clone)]
pub struct Affiliation(pub Model, pub Siblings<Model>);

impl NodeObject for Affiliation {
    type Model = Model;
    fn from_model(model: Model, siblings: Siblings<Model>) -> Self {
        Self(model, siblings)
    }
}

/// A dated link from a person or an organization to an organization or a country.
#[Object]
impl Affiliation {
    /// Global id, opaque and stable.
    pub async fn id(&self) -> ID {
        NodeKind::Affiliation.id(self.0.id)
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
        history_of(ctx, NodeKind::Affiliation, self.0.id, &self.1, args)
    }

    /// What kind of link it is.
    async fn kind(&self) -> ApiResult<AffiliationKind> {
        from_db(&self.0.kind)
    }

    /// Whether the target lies in a different country from the subject's country of operation. Derived when the link is recorded, never typed in; false when either country is unknown.
    async fn cross_border(&self) -> bool {
        self.0.cross_border
    }

    /// First day the link is known to hold; null when not reported.
    async fn since(&self) -> Option<Date> {
        self.0.since.map(Date)
    }

    /// Last day the link is known to hold; null when it still holds or is not reported.
    async fn until(&self) -> Option<Date> {
        self.0.until.map(Date)
    }

    /// How firmly the sources state it.
    async fn confidence(&self) -> ApiResult<Confidence> {
        from_db(&self.0.confidence)
    }

    /// Who or what is affiliated: exactly one of a person, militant or organization. The database
    /// requires it, so null only when it could not be loaded, with an error that says why.
    async fn subject(&self, ctx: &Context<'_>) -> ApiResult<Option<AffiliationSubject>> {
        let (m, s) = (&self.0, &self.1);
        Ok(if m.subject_personnel_id.is_some() {
            belongs_to(ctx, m, s, "subject_personnel_id", |m| {
                m.subject_personnel_id
            })
            .await?
            .map(|(p, s)| AffiliationSubject::Personnel(Personnel(p, s)))
        } else if m.subject_militant_id.is_some() {
            belongs_to(ctx, m, s, "subject_militant_id", |m| m.subject_militant_id)
                .await?
                .map(|(p, s)| AffiliationSubject::Militant(Militant(p, s)))
        } else {
            belongs_to(ctx, m, s, "subject_organization_id", |m| {
                m.subject_organization_id
            })
            .await?
            .map(|(o, s)| AffiliationSubject::Organization(Organization(o, s)))
        })
    }

    /// What it is affiliated to: an organization or a country. The database requires it, so null
    /// only when it could not be loaded, with an error that says why.
    async fn target(&self, ctx: &Context<'_>) -> ApiResult<Option<AffiliationTarget>> {
        let (m, s) = (&self.0, &self.1);
        Ok(if m.target_organization_id.is_some() {
            belongs_to(ctx, m, s, "target_organization_id", |m| {
                m.target_organization_id
            })
            .await?
            .map(|(o, s)| AffiliationTarget::Organization(Organization(o, s)))
        } else {
            belongs_to(ctx, m, s, "target_country_id", |m| m.target_country_id)
                .await?
                .map(|(c, s)| AffiliationTarget::Country(Country(c, s)))
        })
    }

    /// The sources this Affiliation rests on, each with the sentence quoted.
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
            NodeKind::Affiliation,
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

/// Which affiliations to return. Every field given must match; `and`, `or` and `not` combine filters.
#[derive(InputObject, Debug, Default)]
pub struct AffiliationFilter {
    /// The Affiliation's own id.
    pub id: Option<IdFilter>,
    /// Kind.
    pub kind: Option<EnumFilter<AffiliationKind>>,
    /// Cross-border or not.
    pub cross_border: Option<bool>,
    /// Confidence.
    pub confidence: Option<EnumFilter<Confidence>>,
    /// Subject, when a member of the security forces.
    pub subject_personnel: Option<IdFilter>,
    /// Subject, when a militant.
    pub subject_militant: Option<IdFilter>,
    /// Subject, when an organization.
    pub subject_organization: Option<IdFilter>,
    /// Target, when an organization.
    pub target_organization: Option<IdFilter>,
    /// Target, when a country.
    pub target_country: Option<IdFilter>,
    /// First day.
    pub since: Option<DateFilter>,
    /// Last day.
    pub until: Option<DateFilter>,
    /// In force on this day: `since` on or before it and `until` on or after it; a missing `since` or `until` leaves that end open.
    pub valid_on: Option<Date>,
    /// The subject is an organization matching this filter.
    pub subject_organization_matches: Option<Box<OrganizationFilter>>,
    /// The subject is a militant matching this filter.
    pub subject_militant_matches: Option<Box<MilitantFilter>>,
    /// The subject is a member of the security forces matching this filter.
    pub subject_personnel_matches: Option<Box<PersonnelFilter>>,
    /// The target is an organization matching this filter.
    pub target_organization_matches: Option<Box<OrganizationFilter>>,
    /// The target is a country matching this filter.
    pub target_country_matches: Option<Box<CountryFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<AffiliationFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<AffiliationFilter>>,
    /// This filter does not match.
    pub not: Option<Box<AffiliationFilter>>,
}

impl AffiliationFilter {
    /// `filter` narrowed to the links in force on `day`, for the `asOf` arguments.
    pub fn in_force(filter: Option<Self>, day: Option<Date>) -> Option<Self> {
        match day {
            None => filter,
            Some(day) => Some(Self {
                valid_on: Some(day),
                and: filter.map(|f| vec![f]),
                ..Self::default()
            }),
        }
    }
}

impl FilterInput for AffiliationFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("affiliations")
            .id("id", NodeKind::Affiliation, &self.id)?
            .enumeration("kind", &self.kind)?
            .boolean("cross_border", self.cross_border)
            .enumeration("confidence", &self.confidence)?
            .id(
                "subject_personnel_id",
                NodeKind::Personnel,
                &self.subject_personnel,
            )?
            .id(
                "subject_militant_id",
                NodeKind::Militant,
                &self.subject_militant,
            )?
            .id(
                "subject_organization_id",
                NodeKind::Organization,
                &self.subject_organization,
            )?
            .id(
                "target_organization_id",
                NodeKind::Organization,
                &self.target_organization,
            )?
            .id("target_country_id", NodeKind::Country, &self.target_country)?
            .date("since", &self.since)?
            .date("until", &self.until)?
            .valid_on(self.valid_on)
            .related(
                "subject_organization_id",
                "id",
                self.subject_organization_matches.as_deref(),
            )?
            .related(
                "subject_militant_id",
                "id",
                self.subject_militant_matches.as_deref(),
            )?
            .related(
                "subject_personnel_id",
                "id",
                self.subject_personnel_matches.as_deref(),
            )?
            .related(
                "target_organization_id",
                "id",
                self.target_organization_matches.as_deref(),
            )?
            .related(
                "target_country_id",
                "id",
                self.target_country_matches.as_deref(),
            )?
            .combine(&self.and, &self.or, &self.not)
    }
}

order_input! {
    /// How to order affiliations.
    AffiliationOrder, AffiliationOrderField, default = Id;
    /// By creation.
    Id => ("id", ColumnKind::Int, required),
    /// By first day (unknown last).
    Since => ("since", ColumnKind::Date),
}

/// The subject of an affiliation.
#[derive(Union)]
pub enum AffiliationSubject {
    /// A member of the security forces.
    Personnel(Personnel),
    /// A militant.
    Militant(Militant),
    /// An organization.
    Organization(Organization),
}

/// The target of an affiliation.
#[derive(Union)]
pub enum AffiliationTarget {
    /// An organization.
    Organization(Organization),
    /// A country.
    Country(Country),
}
