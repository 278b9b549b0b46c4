//! What link tables say about an edge: a person's role and fate in an operation, a
//! militant's fate, an organization's part. Flattened into the edge types; filtered by the
//! `*Filter`s here when a filter reaches through a link (`has…`) or narrows a link connection
//! (its `link` argument).

use async_graphql::SimpleObject;

use super::super::connection::EdgeData;
use super::super::enums::*;
use super::super::filter::{EnumFilter, FilterInput, Where};
use super::{
    AttackFilter, CommunityActionFilter, MilitantFilter, OperationFilter, OrganizationFilter,
    PersonnelFilter,
};
use crate::entity::{
    attack_organization, community_action_actor, operation_militant, operation_organization,
    operation_personnel,
};
use crate::error::ApiResult;

/// A member of the security forces in an operation.
#[derive(SimpleObject, Clone, Debug)]
// Only ever flattened into edges, so this name never reaches the schema; `Deployment` is
// `GraphEdgeData`'s member (see `explore::edge_data`).
#[graphql(name = "DeploymentLink")]
pub struct Deployment {
    /// Their role; null when the sources do not say.
    pub role: Option<PersonnelRole>,
    /// What happened to them.
    pub outcome: PersonnelOutcome,
}

impl EdgeData for Deployment {
    type Row = operation_personnel::Model;
    const NAME: &'static str = "Deployment";
    fn from_row(row: &Self::Row) -> ApiResult<Self> {
        Ok(Self {
            role: from_db_opt(row.role.as_deref())?,
            outcome: from_db(&row.outcome)?,
        })
    }
}

/// A militant in an operation.
#[derive(SimpleObject, Clone, Debug)]
// Only ever flattened into edges, so this name never reaches the schema; `Encounter` is
// `GraphEdgeData`'s member (see `explore::edge_data`).
#[graphql(name = "EncounterLink")]
pub struct Encounter {
    /// What happened to them.
    pub outcome: MilitantOutcome,
}

impl EdgeData for Encounter {
    type Row = operation_militant::Model;
    const NAME: &'static str = "Encounter";
    fn from_row(row: &Self::Row) -> ApiResult<Self> {
        Ok(Self {
            outcome: from_db(&row.outcome)?,
        })
    }
}

/// An organization in an operation.
#[derive(SimpleObject, Clone, Debug)]
// Only ever flattened into edges, so this name never reaches the schema; `Involvement` is
// `GraphEdgeData`'s member (see `explore::edge_data`).
#[graphql(name = "InvolvementLink")]
pub struct Involvement {
    /// Its part in the operation.
    pub role: OrganizationRole,
}

impl EdgeData for Involvement {
    type Row = operation_organization::Model;
    const NAME: &'static str = "Involvement";
    fn from_row(row: &Self::Row) -> ApiResult<Self> {
        Ok(Self {
            role: from_db(&row.role)?,
        })
    }
}

/// An organization in a community action.
#[derive(SimpleObject, Clone, Debug)]
// Only ever flattened into edges, so this name never reaches the schema; `Participation` is
// `GraphEdgeData`'s member (see `explore::edge_data`).
#[graphql(name = "ParticipationLink")]
pub struct Participation {
    /// Its part in the action.
    pub role: ParticipationRole,
}

impl EdgeData for Participation {
    type Row = community_action_actor::Model;
    const NAME: &'static str = "Participation";
    fn from_row(row: &Self::Row) -> ApiResult<Self> {
        Ok(Self {
            role: from_db(&row.role)?,
        })
    }
}

/// An organization in an attack.
#[derive(SimpleObject, Clone, Debug)]
// Only ever flattened into edges, so this name never reaches the schema; `AttackInvolvement`
// is `GraphEdgeData`'s member (see `explore::edge_data`).
#[graphql(name = "AttackInvolvementLink")]
pub struct AttackInvolvement {
    /// Its part in the attack.
    pub role: AttackRole,
}

impl EdgeData for AttackInvolvement {
    type Row = attack_organization::Model;
    const NAME: &'static str = "AttackInvolvement";
    fn from_row(row: &Self::Row) -> ApiResult<Self> {
        Ok(Self {
            role: from_db(&row.role)?,
        })
    }
}

/// Matches the operations a member of the security forces took part in, by role and fate and
/// by either end. Used by `hasPersonnel` on operations, `hasOperations` on personnel, and the
/// `link` argument of `Operation.personnel` and `Personnel.operations`.
#[derive(async_graphql::InputObject, Debug, Default)]
pub struct DeploymentFilter {
    /// Their role in the operation.
    pub role: Option<EnumFilter<PersonnelRole>>,
    /// What happened to them.
    pub outcome: Option<EnumFilter<PersonnelOutcome>>,
    /// The operation matches this filter.
    pub operation: Option<Box<OperationFilter>>,
    /// The member of the security forces matches this filter.
    pub personnel: Option<Box<PersonnelFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<DeploymentFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<DeploymentFilter>>,
    /// This filter does not match.
    pub not: Option<Box<DeploymentFilter>>,
}

impl FilterInput for DeploymentFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("operation_personnel")
            .enumeration("role", &self.role)?
            .enumeration("outcome", &self.outcome)?
            .related("operation_id", "id", self.operation.as_deref())?
            .related("personnel_id", "id", self.personnel.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

/// Matches the operations an individual militant met, by fate and by either end. Used by
/// `hasMilitants`, `hasOperations` on militants, and the `link` argument of `Operation.militants`
/// and `Militant.operations`.
#[derive(async_graphql::InputObject, Debug, Default)]
pub struct EncounterFilter {
    /// What happened to the militant.
    pub outcome: Option<EnumFilter<MilitantOutcome>>,
    /// The operation matches this filter.
    pub operation: Option<Box<OperationFilter>>,
    /// The militant matches this filter.
    pub militant: Option<Box<MilitantFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<EncounterFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<EncounterFilter>>,
    /// This filter does not match.
    pub not: Option<Box<EncounterFilter>>,
}

impl FilterInput for EncounterFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("operation_militants")
            .enumeration("outcome", &self.outcome)?
            .related("operation_id", "id", self.operation.as_deref())?
            .related("militant_id", "id", self.militant.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

/// Matches an organization's part in operations, by role and by either end. Used by
/// `hasOrganizations`, `hasOperations` on organizations, and the `link` argument of
/// `Operation.organizations` and `Organization.operations`.
#[derive(async_graphql::InputObject, Debug, Default)]
pub struct InvolvementFilter {
    /// The organization's part.
    pub role: Option<EnumFilter<OrganizationRole>>,
    /// The operation matches this filter.
    pub operation: Option<Box<OperationFilter>>,
    /// The organization matches this filter.
    pub organization: Option<Box<OrganizationFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<InvolvementFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<InvolvementFilter>>,
    /// This filter does not match.
    pub not: Option<Box<InvolvementFilter>>,
}

impl FilterInput for InvolvementFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("operation_organizations")
            .enumeration("role", &self.role)?
            .related("operation_id", "id", self.operation.as_deref())?
            .related("organization_id", "id", self.organization.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

/// Matches an organization's part in community actions, by role and by either end. Used by
/// the `link` argument of `CommunityAction.actors` and `Organization.communityActions`.
#[derive(async_graphql::InputObject, Debug, Default)]
pub struct ParticipationFilter {
    /// The organization's part.
    pub role: Option<EnumFilter<ParticipationRole>>,
    /// The community action matches this filter.
    pub community_action: Option<Box<CommunityActionFilter>>,
    /// The organization matches this filter.
    pub organization: Option<Box<OrganizationFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<ParticipationFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<ParticipationFilter>>,
    /// This filter does not match.
    pub not: Option<Box<ParticipationFilter>>,
}

impl FilterInput for ParticipationFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("community_action_actors")
            .enumeration("role", &self.role)?
            .related(
                "community_action_id",
                "id",
                self.community_action.as_deref(),
            )?
            .related("organization_id", "id", self.organization.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

/// Matches an organization's part in attacks, by role and by either end. Used by
/// `hasOrganizations` on attacks, `hasAttacks` on organizations, and the `link` argument of
/// `Attack.organizations` and `Organization.attacks`.
#[derive(async_graphql::InputObject, Debug, Default)]
pub struct AttackInvolvementFilter {
    /// The organization's part.
    pub role: Option<EnumFilter<AttackRole>>,
    /// The attack matches this filter.
    pub attack: Option<Box<AttackFilter>>,
    /// The organization matches this filter.
    pub organization: Option<Box<OrganizationFilter>>,
    /// Every one of these filters matches.
    pub and: Option<Vec<AttackInvolvementFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<AttackInvolvementFilter>>,
    /// This filter does not match.
    pub not: Option<Box<AttackInvolvementFilter>>,
}

impl FilterInput for AttackInvolvementFilter {
    fn to_where(&self) -> ApiResult<Where> {
        Where::new("attack_organizations")
            .enumeration("role", &self.role)?
            .related("attack_id", "id", self.attack.as_deref())?
            .related("organization_id", "id", self.organization.as_deref())?
            .combine(&self.and, &self.or, &self.not)
    }
}
