//! What link tables say about an edge: a person's role and fate in an operation, a
//! militant's fate, an organization's part. Flattened into the edge types.

use async_graphql::SimpleObject;

use super::super::connection::EdgeData;
use super::super::enums::*;
use crate::entity::{
    community_action_actor, operation_militant, operation_organization, operation_personnel,
};
use crate::error::ApiResult;

/// A member of the security forces in an operation.
#[derive(SimpleObject, Clone, Debug)]
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
