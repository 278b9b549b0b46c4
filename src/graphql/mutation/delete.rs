//! Deletes of nodes. A node that others name (a district with operations, an organization
//! with members) is refused with `IN_USE` unless the input asks to cascade; then each link to
//! it is removed, each reference to it cleared and each affiliation with it deleted, and
//! every node that changed is recorded before and after. A node's own links (an operation's
//! people) and its citations go with it.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};

use super::input::{Done, UserError, UserErrorCode};
use super::link::{Link, Reference};
use super::write::Write;
use super::{payload, respond};
use crate::error::ApiResult;
use crate::graphql::ids::{NodeKind, decode_as};

/// A node to delete.
#[derive(InputObject)]
pub struct DeleteInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The node.
    pub id: ID,
    /// The revision the deletion was decided on; refused with `CONFLICT` when the node has
    /// changed since.
    pub revision: Option<i32>,
    /// When other nodes name this one: remove their links to it, clear their references to
    /// it and delete affiliations with it, instead of refusing with `IN_USE`.
    #[graphql(default)]
    pub cascade: bool,
}

payload!(
    /// What `deleteCountry` did.
    DeleteCountryPayload,
    deleted_id: ID
);
payload!(
    /// What `deleteProvince` did.
    DeleteProvincePayload,
    deleted_id: ID
);
payload!(
    /// What `deleteDistrict` did.
    DeleteDistrictPayload,
    deleted_id: ID
);
payload!(
    /// What `deleteOrganization` did.
    DeleteOrganizationPayload,
    deleted_id: ID
);
payload!(
    /// What `deletePersonnel` did.
    DeletePersonnelPayload,
    deleted_id: ID
);
payload!(
    /// What `deleteAffiliation` did.
    DeleteAffiliationPayload,
    deleted_id: ID
);
payload!(
    /// What `deleteCommunityAction` did.
    DeleteCommunityActionPayload,
    deleted_id: ID
);
payload!(
    /// What `deleteAttack` did.
    DeleteAttackPayload,
    deleted_id: ID
);
payload!(
    /// What `deleteReportedFigure` did.
    DeleteReportedFigurePayload,
    deleted_id: ID
);
payload!(
    /// What `deleteMilitant` did.
    DeleteMilitantPayload,
    deleted_id: ID
);

/// Deletes of places, people and organizations.
#[derive(Default)]
pub struct DeleteMutations;

#[Object]
impl DeleteMutations {
    /// Deletes a country; `IN_USE` while it has provinces (always: delete those first), or
    /// while organizations, militants, affiliations or figures name it, unless `cascade`.
    async fn delete_country(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteCountryPayload>> {
        deletion(ctx, NodeKind::Country, "deleteCountry", input).await
    }

    /// Deletes a province; `IN_USE` while it has districts (always: delete or move those
    /// first), or while figures name it, unless `cascade`.
    async fn delete_province(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteProvincePayload>> {
        deletion(ctx, NodeKind::Province, "deleteProvince", input).await
    }

    /// Deletes a district; `IN_USE` while operations, people, community actions or figures
    /// name it, unless `cascade`.
    async fn delete_district(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteDistrictPayload>> {
        deletion(ctx, NodeKind::District, "deleteDistrict", input).await
    }

    /// Deletes an organization; `IN_USE` while it has members, operations, community actions
    /// or affiliations, unless `cascade`. To fold a duplicate into another, merge instead.
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteOrganizationPayload>> {
        deletion(ctx, NodeKind::Organization, "deleteOrganization", input).await
    }

    /// Deletes a person of the security forces; `IN_USE` while operations or affiliations
    /// name them, unless `cascade`.
    async fn delete_personnel(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeletePersonnelPayload>> {
        deletion(ctx, NodeKind::Personnel, "deletePersonnel", input).await
    }

    /// Deletes a militant; `IN_USE` while operations or affiliations name them, unless
    /// `cascade`.
    async fn delete_militant(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteMilitantPayload>> {
        deletion(ctx, NodeKind::Militant, "deleteMilitant", input).await
    }

    /// Deletes a community action, with its links and citations.
    async fn delete_community_action(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteCommunityActionPayload>> {
        deletion(
            ctx,
            NodeKind::CommunityAction,
            "deleteCommunityAction",
            input,
        )
        .await
    }

    /// Deletes an attack, with its links and citations (its organizations stay).
    async fn delete_attack(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteAttackPayload>> {
        deletion(ctx, NodeKind::Attack, "deleteAttack", input).await
    }

    /// Deletes a reported figure, with its scope's districts and its citations.
    async fn delete_reported_figure(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteReportedFigurePayload>> {
        deletion(ctx, NodeKind::ReportedFigure, "deleteReportedFigure", input).await
    }

    /// Deletes an affiliation, with its citations.
    async fn delete_affiliation(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> ApiResult<Option<DeleteAffiliationPayload>> {
        deletion(ctx, NodeKind::Affiliation, "deleteAffiliation", input).await
    }
}

/// Runs the delete mutation `name` of a `kind` node.
async fn deletion<P: super::Payload<Field = ID>>(
    ctx: &Context<'_>,
    kind: NodeKind,
    name: &str,
    input: DeleteInput,
) -> ApiResult<Option<P>> {
    let cmid = input.client_mutation_id.clone();
    let write = Write::begin(ctx, name, cmid.as_deref()).await?;
    let done = write
        .delete(kind, (&input.id, input.revision), input.cascade)
        .await;
    respond(ctx, write, done, cmid, |id| Ok(kind.id(id))).await
}

impl Write {
    /// Deletes the `kind` node `node` (its id, and the revision read), with what it owns;
    /// see the module's doc.
    pub(super) async fn delete(
        &self,
        kind: NodeKind,
        (node, read): (&ID, Option<i32>),
        cascade: bool,
    ) -> Done<i32> {
        let not_found = |message: String| UserError::new(UserErrorCode::NotFound, &["id"], message);
        let id = decode_as(node, kind).map_err(|e| not_found(e.message()))?;
        let before = self.state(kind, id).await?.ok_or_else(|| {
            not_found(format!("no {} has the id {:?}", kind.name(), node.as_str()))
        })?;
        let revision = before["revision"].as_i64().unwrap_or_default() as i32;
        self.check_revision(kind, revision, read, "revision")?;
        let users = self.dependents(kind, id, false).await?;
        let restricted = Reference::to(kind)
            .filter(|r| r.restrict)
            .any(|r| users.iter().any(|&(k, _)| k == r.holder));
        if !users.is_empty() && (!cascade || restricted) {
            let mut counts = BTreeMap::<&str, usize>::new();
            for (k, _) in &users {
                *counts.entry(k.name()).or_default() += 1;
            }
            let named: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            let remedy = if restricted {
                "delete or move those first"
            } else {
                "pass `cascade: true` to unlink them, or merge this node into another"
            };
            return Err(UserError::new(
                UserErrorCode::InUse,
                &["id"],
                format!(
                    "the {} is named by {}: {remedy}",
                    kind.name(),
                    named.join(", ")
                ),
            )
            .into());
        }
        let touched = self.dependents(kind, id, true).await?;
        let mut befores = Vec::with_capacity(touched.len());
        for &(k, i) in &touched {
            befores.push(self.state(k, i).await?);
        }
        self.bump(kind, id, revision).await?;
        for (link, column, _) in Link::of(kind) {
            self.delete_where(link.table, column, id).await?;
        }
        for reference in Reference::to(kind) {
            if reference.holder == NodeKind::Affiliation {
                for affiliation in self
                    .ids(reference.holder.table(), "id", reference.column, id)
                    .await?
                {
                    self.uncite(NodeKind::Affiliation, affiliation).await?;
                    self.delete_where(reference.holder.table(), "id", affiliation)
                        .await?;
                }
            } else {
                let mut clear = Query::update();
                clear
                    .table(Alias::new(reference.holder.table()))
                    .value(Alias::new(reference.column), Expr::null())
                    .and_where(Expr::col(Alias::new(reference.column)).eq(id));
                self.txn.execute(&clear).await?;
            }
        }
        self.uncite(kind, id).await?;
        self.delete_where(kind.table(), "id", id).await?;
        self.record(kind, id, Some(before), None).await?;
        for (&(k, i), was) in touched.iter().zip(befores) {
            self.touch(k, i).await?;
            let after = self.state(k, i).await?;
            self.record(k, i, was, after).await?;
        }
        Ok(id)
    }

    /// The nodes that name the `kind` node `id`: the holders of references to it, and the
    /// other ends of its links (of every link when `owned`, else only of the links it does
    /// not own, as an operation owns its people's).
    pub(super) async fn dependents(
        &self,
        kind: NodeKind,
        id: i32,
        owned: bool,
    ) -> Done<BTreeSet<(NodeKind, i32)>> {
        let mut nodes = BTreeSet::new();
        for (link, column, other) in Link::of(kind) {
            if link.parent == kind && !owned {
                continue;
            }
            let other_kind = if link.parent == kind {
                link.child
            } else {
                link.parent
            };
            for row in self.ids(link.table, other, column, id).await? {
                nodes.insert((other_kind, row));
            }
        }
        for reference in Reference::to(kind) {
            let holder = reference.holder.table();
            for row in self.ids(holder, "id", reference.column, id).await? {
                nodes.insert((reference.holder, row));
            }
        }
        Ok(nodes)
    }

    /// The values of `column` in the rows of `table` whose `by` is `id`.
    pub(super) async fn ids(&self, table: &str, column: &str, by: &str, id: i32) -> Done<Vec<i32>> {
        let mut select = Query::select();
        select
            .column(Alias::new(column))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new(by)).eq(id));
        let rows = self.txn.query_all(&select).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get::<i32>("", column))
            .collect::<Result<_, _>>()?)
    }
}
