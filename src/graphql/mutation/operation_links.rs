//! Mutations of an operation's links, each on its own: people of the security forces (with
//! role and outcome), militants (with outcome) and organizations (with role), attached and
//! detached. A link is a fact like any other: it carries citations (written on the
//! operation), and it changes both ends, whose revisions move and whose states the change log
//! keeps.

use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::EntityTrait;
use sea_orm::sea_query::Value;

use super::input::{Checks, CitationInput, Done};
use super::link::{
    Link, OPERATION_MILITANTS as MILITANTS, OPERATION_ORGANIZATIONS as ORGANIZATIONS,
    OPERATION_PERSONNEL as PERSONNEL,
};
use super::operation::current;
use super::write::Write;
use super::{node, payload, respond};
use crate::entity::operation;
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::{
    MilitantOutcome, OrganizationRole, PersonnelOutcome, PersonnelRole, db_name,
};
use crate::graphql::ids::NodeKind;
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
        let done = relink(&write, &PERSONNEL, ends, &input.citations, Some(data)).await;
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
        let done = relink(&write, &PERSONNEL, ends, &input.citations, None).await;
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
        let done = relink(&write, &MILITANTS, ends, &input.citations, Some(data)).await;
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
        let done = relink(&write, &MILITANTS, ends, &input.citations, None).await;
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
        let done = relink(&write, &ORGANIZATIONS, ends, &input.citations, Some(data)).await;
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
        let done = relink(&write, &ORGANIZATIONS, ends, &input.citations, None).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }
}

/// The two ends of a link as the input names them.
struct Ends<'a> {
    operation: &'a ID,
    revision: Option<i32>,
    other: &'a ID,
    /// The input field naming `other`.
    field: &'static str,
}

impl<'a> Ends<'a> {
    fn new(operation: &'a ID, revision: Option<i32>, other: &'a ID, field: &'static str) -> Self {
        Self {
            operation,
            revision,
            other,
            field,
        }
    }
}

/// Attaches (with `data`) or detaches (without) the link between the ends, cites it on the
/// operation, moves both ends' revisions and records both ends' states.
async fn relink(
    write: &Write,
    link: &Link,
    ends: Ends<'_>,
    citations: &[CitationInput],
    data: Option<Vec<(&'static str, Value)>>,
) -> Done<operation::Model> {
    let mut checks = Checks::default();
    checks.citations(citations);
    checks.done()?;
    let op = current(write, ends.operation, ends.revision).await?;
    let other = write
        .existing(link.child, ends.other, &[ends.field])
        .await?;
    let before = (
        write.state(NodeKind::Operation, op.id).await?,
        write.state(link.child, other).await?,
    );
    match data {
        Some(data) => {
            write
                .attach(link, (op.id, other), data, &[ends.field])
                .await?
        }
        None => write.detach(link, (op.id, other), &[ends.field]).await?,
    }
    write.bump(NodeKind::Operation, op.id, op.revision).await?;
    let other_revision = before
        .1
        .as_ref()
        .and_then(|s| s["revision"].as_i64())
        .and_then(|r| i32::try_from(r).ok())
        .ok_or_else(|| ApiError::Internal(format!("the {} has no revision", link.child.name())))?;
    write.bump(link.child, other, other_revision).await?;
    let cited = write.sources(citations).await?;
    write.cite(NodeKind::Operation, op.id, &cited).await?;
    let after = write.state(NodeKind::Operation, op.id).await?;
    write
        .record(NodeKind::Operation, op.id, before.0, after)
        .await?;
    let after = write.state(link.child, other).await?;
    write.record(link.child, other, before.1, after).await?;
    let model = operation::Entity::find_by_id(op.id)
        .one(write.txn())
        .await?;
    Ok(model.ok_or_else(|| ApiError::Internal("an operation vanished as it was linked".into()))?)
}
