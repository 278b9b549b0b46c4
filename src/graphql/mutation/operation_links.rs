//! Mutations of an operation's links, each on its own: people of the security forces (with
//! role and outcome), militants (with outcome) and organizations (with role), attached and
//! detached. A link is a fact like any other: it carries citations (written on the
//! operation), and it changes both ends, whose revisions move and whose states the change log
//! keeps.

use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::sea_query::Value;

use super::input::CitationInput;
use super::link::{
    Ends, OPERATION_MILITANTS as MILITANTS, OPERATION_ORGANIZATIONS as ORGANIZATIONS,
    OPERATION_PERSONNEL as PERSONNEL, relink,
};
use super::write::Write;
use super::{node, payload, respond};
use crate::entity::operation;
use crate::error::ApiResult;
use crate::graphql::enums::{
    MilitantOutcome, OrganizationRole, PersonnelOutcome, PersonnelRole, db_name,
};
use crate::graphql::types::Operation;

payload!(
    /// What `attachOperationPersonnel` did.
    AttachOperationPersonnelPayload,
    operation: Operation
);
payload!(
    /// What `detachOperationPersonnel` did.
    DetachOperationPersonnelPayload,
    operation: Operation
);
payload!(
    /// What `attachOperationMilitant` did.
    AttachOperationMilitantPayload,
    operation: Operation
);
payload!(
    /// What `detachOperationMilitant` did.
    DetachOperationMilitantPayload,
    operation: Operation
);
payload!(
    /// What `attachOperationOrganization` did.
    AttachOperationOrganizationPayload,
    operation: Operation
);
payload!(
    /// What `detachOperationOrganization` did.
    DetachOperationOrganizationPayload,
    operation: Operation
);

/// A person of the security forces in an operation.
#[derive(InputObject)]
pub struct AttachOperationPersonnelInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The operation.
    pub operation_id: ID,
    /// The operation's revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// The person.
    pub personnel_id: ID,
    /// Their role in it; null when not reported.
    pub role: Option<PersonnelRole>,
    /// What became of them.
    pub outcome: PersonnelOutcome,
    /// What the link rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A militant in an operation.
#[derive(InputObject)]
pub struct AttachOperationMilitantInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The operation.
    pub operation_id: ID,
    /// The operation's revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// The militant.
    pub militant_id: ID,
    /// What became of them.
    pub outcome: MilitantOutcome,
    /// What the link rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// An organization's part in an operation.
#[derive(InputObject)]
pub struct AttachOperationOrganizationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The operation.
    pub operation_id: ID,
    /// The operation's revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// The organization.
    pub organization_id: ID,
    /// Its part.
    pub role: OrganizationRole,
    /// What the link rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// The removal of a link of an operation: which one, and why (its citations).
#[derive(InputObject)]
pub struct DetachFromOperationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The operation.
    pub operation_id: ID,
    /// The operation's revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// The linked node: a person, a militant or an organization, as the mutation says.
    pub node_id: ID,
    /// What the removal rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// Mutations of an operation's links.
#[derive(Default)]
pub struct OperationLinkMutations;

#[Object]
impl OperationLinkMutations {
    /// Links a person of the security forces to an operation, with their role and outcome.
    async fn attach_operation_personnel(
        &self,
        ctx: &Context<'_>,
        input: AttachOperationPersonnelInput,
    ) -> ApiResult<Option<AttachOperationPersonnelPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "attachOperationPersonnel", cmid.as_deref()).await?;
        let data = vec![
            (
                "role",
                Value::from(input.role.map(|r| db_name(r).to_owned())),
            ),
            ("outcome", Value::from(db_name(input.outcome))),
        ];
        let ends = Ends::new(
            &input.operation_id,
            input.revision,
            &input.personnel_id,
            "personnelId",
        );
        let done =
            relink::<operation::Entity>(&write, &PERSONNEL, ends, &input.citations, Some(data))
                .await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Unlinks a person of the security forces from an operation.
    async fn detach_operation_personnel(
        &self,
        ctx: &Context<'_>,
        input: DetachFromOperationInput,
    ) -> ApiResult<Option<DetachOperationPersonnelPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "detachOperationPersonnel", cmid.as_deref()).await?;
        let ends = Ends::new(
            &input.operation_id,
            input.revision,
            &input.node_id,
            "nodeId",
        );
        let done =
            relink::<operation::Entity>(&write, &PERSONNEL, ends, &input.citations, None).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Links a militant to an operation, with their outcome.
    async fn attach_operation_militant(
        &self,
        ctx: &Context<'_>,
        input: AttachOperationMilitantInput,
    ) -> ApiResult<Option<AttachOperationMilitantPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "attachOperationMilitant", cmid.as_deref()).await?;
        let data = vec![("outcome", Value::from(db_name(input.outcome)))];
        let ends = Ends::new(
            &input.operation_id,
            input.revision,
            &input.militant_id,
            "militantId",
        );
        let done =
            relink::<operation::Entity>(&write, &MILITANTS, ends, &input.citations, Some(data))
                .await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Unlinks a militant from an operation.
    async fn detach_operation_militant(
        &self,
        ctx: &Context<'_>,
        input: DetachFromOperationInput,
    ) -> ApiResult<Option<DetachOperationMilitantPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "detachOperationMilitant", cmid.as_deref()).await?;
        let ends = Ends::new(
            &input.operation_id,
            input.revision,
            &input.node_id,
            "nodeId",
        );
        let done =
            relink::<operation::Entity>(&write, &MILITANTS, ends, &input.citations, None).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Links an organization to an operation, with its part.
    async fn attach_operation_organization(
        &self,
        ctx: &Context<'_>,
        input: AttachOperationOrganizationInput,
    ) -> ApiResult<Option<AttachOperationOrganizationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "attachOperationOrganization", cmid.as_deref()).await?;
        let data = vec![("role", Value::from(db_name(input.role)))];
        let ends = Ends::new(
            &input.operation_id,
            input.revision,
            &input.organization_id,
            "organizationId",
        );
        let done =
            relink::<operation::Entity>(&write, &ORGANIZATIONS, ends, &input.citations, Some(data))
                .await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Unlinks an organization from an operation.
    async fn detach_operation_organization(
        &self,
        ctx: &Context<'_>,
        input: DetachFromOperationInput,
    ) -> ApiResult<Option<DetachOperationOrganizationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "detachOperationOrganization", cmid.as_deref()).await?;
        let ends = Ends::new(
            &input.operation_id,
            input.revision,
            &input.node_id,
            "nodeId",
        );
        let done =
            relink::<operation::Entity>(&write, &ORGANIZATIONS, ends, &input.citations, None).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }
}
