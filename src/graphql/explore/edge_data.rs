//! What an edge of the graph carries: the members of the `GraphEdgeData` union. Typed clients
//! (graphql-js, Relay, Apollo, `gql`) refuse a selection of the union whose members have
//! same-named fields of different types side by side (graphql-js's
//! OverlappingFieldsCanBeMerged rule), so each member names its data after its kind
//! (`personnelRole`, `organizationRole`, ...); the shared names `role` and `outcome` stay,
//! deprecated, for the clients that already select them one member at a time.

use async_graphql::SimpleObject;

use crate::graphql::enums::{
    AttackRole, MilitantOutcome, OrganizationRole, ParticipationRole, PersonnelOutcome,
    PersonnelRole,
};
use crate::graphql::types::Affiliation;
use crate::graphql::types::{AttackInvolvement, Deployment, Encounter, Involvement, Participation};

/// What an edge of the graph carries beyond its kind.
#[derive(async_graphql::Union, Clone)]
#[graphql(name = "GraphEdgeData")]
pub enum EdgeData {
    /// A member of the security forces in an operation.
    Deployment(GraphDeployment),
    /// A militant in an operation.
    Encounter(GraphEncounter),
    /// An organization in an operation.
    Involvement(GraphInvolvement),
    /// An organization in a community action.
    Participation(GraphParticipation),
    /// The affiliation that is the edge.
    Affiliation(Affiliation),
    /// An organization in an attack.
    AttackInvolvement(GraphAttackInvolvement),
}

/// A member of the security forces in an operation.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Deployment")]
pub struct GraphDeployment {
    /// Their role; null when the sources do not say.
    #[graphql(
        deprecation = "Use `personnelRole`: `role` has another type on other members of `GraphEdgeData`, so typed clients cannot select it beside theirs."
    )]
    role: Option<PersonnelRole>,
    /// What happened to them.
    #[graphql(
        deprecation = "Use `personnelOutcome`: `outcome` has another type on other members of `GraphEdgeData`, so typed clients cannot select it beside theirs."
    )]
    outcome: PersonnelOutcome,
    /// Their role; null when the sources do not say.
    personnel_role: Option<PersonnelRole>,
    /// What happened to them.
    personnel_outcome: PersonnelOutcome,
}

/// A militant in an operation.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Encounter")]
pub struct GraphEncounter {
    /// What happened to them.
    #[graphql(
        deprecation = "Use `militantOutcome`: `outcome` has another type on other members of `GraphEdgeData`, so typed clients cannot select it beside theirs."
    )]
    outcome: MilitantOutcome,
    /// What happened to them.
    militant_outcome: MilitantOutcome,
}

/// An organization in an operation.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Involvement")]
pub struct GraphInvolvement {
    /// Its part in the operation.
    #[graphql(
        deprecation = "Use `organizationRole`: `role` has another type on other members of `GraphEdgeData`, so typed clients cannot select it beside theirs."
    )]
    role: OrganizationRole,
    /// Its part in the operation.
    organization_role: OrganizationRole,
}

/// An organization in a community action.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Participation")]
pub struct GraphParticipation {
    /// Its part in the action.
    #[graphql(
        deprecation = "Use `participationRole`: `role` has another type on other members of `GraphEdgeData`, so typed clients cannot select it beside theirs."
    )]
    role: ParticipationRole,
    /// Its part in the action.
    participation_role: ParticipationRole,
}

/// An organization in an attack. New, so it has only its own name for its data.
#[derive(SimpleObject, Clone)]
#[graphql(name = "AttackInvolvement")]
pub struct GraphAttackInvolvement {
    /// Its part in the attack.
    attack_role: AttackRole,
}

impl From<Deployment> for EdgeData {
    fn from(link: Deployment) -> Self {
        Self::Deployment(GraphDeployment {
            role: link.role,
            outcome: link.outcome,
            personnel_role: link.role,
            personnel_outcome: link.outcome,
        })
    }
}

impl From<Encounter> for EdgeData {
    fn from(link: Encounter) -> Self {
        Self::Encounter(GraphEncounter {
            outcome: link.outcome,
            militant_outcome: link.outcome,
        })
    }
}

impl From<Involvement> for EdgeData {
    fn from(link: Involvement) -> Self {
        Self::Involvement(GraphInvolvement {
            role: link.role,
            organization_role: link.role,
        })
    }
}

impl From<Participation> for EdgeData {
    fn from(link: Participation) -> Self {
        Self::Participation(GraphParticipation {
            role: link.role,
            participation_role: link.role,
        })
    }
}

impl From<AttackInvolvement> for EdgeData {
    fn from(link: AttackInvolvement) -> Self {
        Self::AttackInvolvement(GraphAttackInvolvement {
            attack_role: link.role,
        })
    }
}
