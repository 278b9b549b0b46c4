//! Merges of duplicates: two records of one organization, person or militant become one.
//! Every link, citation, member and affiliation of the merged node moves to the kept one, the
//! merged node's names become the kept one's aliases, and the change log keeps each node the
//! merge touched before and after, so that `undoMerge` puts the graph back as it was.

use std::collections::BTreeSet;

use async_graphql::{Context, ID, InputObject, Object};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, PrimaryKeyTrait, QueryFilter, QueryOrder,
};

use super::input::{Checks, CitationInput, Done, UserError, UserErrorCode};
use super::link::{Link, Reference};
use super::restore::Touched;
use super::write::Write;
use super::{node, payload, respond};
use crate::entity::{
    Revised, Table, change, change_node, citation, militant, organization, personnel,
};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeKind;
use crate::graphql::types::{Change, Militant, Organization, Personnel, decode_change_id};

payload!(
    /// What `mergeOrganizations` did.
    MergeOrganizationsPayload,
    organization: Organization
);
payload!(
    /// What `mergePersonnel` did.
    MergePersonnelPayload,
    personnel: Personnel
);
payload!(
    /// What `mergeMilitants` did.
    MergeMilitantsPayload,
    militant: Militant
);
payload!(
    /// What `undoMerge` did: `undone` is the merge it reversed.
    UndoMergePayload,
    undone: Change
);

/// Two records of one organization, person or militant, to become one.
#[derive(InputObject)]
pub struct MergeInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The node that stays.
    pub keep: ID,
    /// The revision of `keep` you read; refused with `CONFLICT` when it has changed since.
    pub keep_revision: Option<i32>,
    /// The duplicate: its links, citations, members and affiliations move to `keep`, its
    /// names join `keep`'s aliases, and it is deleted.
    pub merge: ID,
    /// The revision of `merge` you read; refused with `CONFLICT` when it has changed since.
    pub merge_revision: Option<i32>,
    /// What says the two are one: at least one citation, written on the kept node.
    pub citations: Vec<CitationInput>,
}

/// A merge to reverse.
#[derive(InputObject)]
pub struct UndoMergeInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The merge's change (`change { id }` of its payload, or a node's `history`).
    pub change_id: ID,
}

/// Merges of duplicate records, and their undoing.
#[derive(Default)]
pub struct MergeMutations;

#[Object]
impl MergeMutations {
    /// Merges two records of one organization (an imported actor that is the seed's group
    /// under another name): members, affiliations, operations, community actions and
    /// citations move to `keep`, which keeps the other's names as aliases. A link both had
    /// keeps `keep`'s role; the merged one's is kept in the change log, which `undoMerge`
    /// restores from.
    async fn merge_organizations(
        &self,
        ctx: &Context<'_>,
        input: MergeInput,
    ) -> ApiResult<Option<MergeOrganizationsPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "mergeOrganizations", cmid.as_deref()).await?;
        let done =
            merge::<organization::Entity, _>(&write, NodeKind::Organization, &input, |k, m| {
                k.aliases = aliases(&k.name, &k.aliases, Some(&m.name), &m.aliases);
                k.base_country_id = k.base_country_id.or(m.base_country_id);
                k.description = k.description.take().or(m.description.clone());
            })
            .await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Merges two records of one person of the security forces: their operations (a link
    /// both had keeps `keep`'s role and outcome), affiliations and citations move to `keep`.
    async fn merge_personnel(
        &self,
        ctx: &Context<'_>,
        input: MergeInput,
    ) -> ApiResult<Option<MergePersonnelPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "mergePersonnel", cmid.as_deref()).await?;
        let done = merge::<personnel::Entity, _>(&write, NodeKind::Personnel, &input, |k, m| {
            k.aliases = aliases(&k.name, &k.aliases, Some(&m.name), &m.aliases);
            k.rank = k.rank.take().or(m.rank.clone());
            k.organization_id = k.organization_id.or(m.organization_id);
            k.hometown = k.hometown.take().or(m.hometown.clone());
            k.hometown_district_id = k.hometown_district_id.or(m.hometown_district_id);
        })
        .await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Merges two records of one militant (an unnamed one a later source names): their
    /// operations (a link both had keeps `keep`'s outcome), affiliations and citations move
    /// to `keep`, which takes the other's name when it has none.
    async fn merge_militants(
        &self,
        ctx: &Context<'_>,
        input: MergeInput,
    ) -> ApiResult<Option<MergeMilitantsPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "mergeMilitants", cmid.as_deref()).await?;
        let done = merge::<militant::Entity, _>(&write, NodeKind::Militant, &input, |k, m| {
            let name = k.name.clone().unwrap_or_default();
            k.aliases = aliases(&name, &k.aliases, m.name.as_deref(), &m.aliases);
            if k.name.is_none()
                && let Some(name) = &m.name
            {
                // The kept record was unnamed: it takes the name, not as an alias.
                k.aliases = aliases(name, &k.aliases, None, "[]");
                k.name = Some(name.clone());
            }
            k.nationality_id = k.nationality_id.or(m.nationality_id);
            k.operating_country_id = k.operating_country_id.or(m.operating_country_id);
            k.organization_id = k.organization_id.or(m.organization_id);
            k.description = k.description.take().or(m.description.clone());
        })
        .await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Reverses a merge: every node it touched returns to its state before it (the merged
    /// node with its id, links, citations and names), provided none has changed since;
    /// `CONFLICT` names the later change to undo first.
    async fn undo_merge(
        &self,
        ctx: &Context<'_>,
        input: UndoMergeInput,
    ) -> ApiResult<Option<UndoMergePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "undoMerge", cmid.as_deref()).await?;
        let done = undo_merge(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }
}

/// `keep`'s aliases with `name` and `aliases` of the merged node added, without `keep`'s own
/// name or repeats (stored as a JSON array).
fn aliases(keep: &str, kept: &str, name: Option<&str>, merged: &str) -> String {
    let parse = |stored: &str| serde_json::from_str::<Vec<String>>(stored).unwrap_or_default();
    let mut seen = BTreeSet::from([keep.to_owned()]);
    let all: Vec<String> = parse(kept)
        .into_iter()
        .chain(name.map(str::to_owned))
        .chain(parse(merged))
        .filter(|a| seen.insert(a.clone()))
        .collect();
    serde_json::to_string(&all).unwrap_or_else(|_| "[]".to_owned())
}

/// Merges the `kind` node `input.merge` into `input.keep`, `absorb` taking what the kept
/// one lacks from the merged one.
async fn merge<E, A>(
    write: &Write,
    kind: NodeKind,
    input: &MergeInput,
    absorb: impl FnOnce(&mut E::Model, &E::Model),
) -> Done<E::Model>
where
    E: EntityTrait,
    E::Model: Revised + IntoActiveModel<A> + Table,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
{
    let mut checks = Checks::default();
    checks.citations(&input.citations);
    checks.done()?;
    let keep = write
        .current_at::<E>(
            kind,
            (&input.keep, "keep"),
            (input.keep_revision, "keepRevision"),
        )
        .await?;
    let merged = write
        .current_at::<E>(
            kind,
            (&input.merge, "merge"),
            (input.merge_revision, "mergeRevision"),
        )
        .await?;
    let (keep_id, merge_id) = (keep.id(), merged.id());
    if keep_id == merge_id {
        return Err(UserError::new(
            UserErrorCode::BadUserInput,
            &["merge"],
            "`keep` and `merge` name the same node: a node cannot be merged with itself",
        )
        .into());
    }
    // Every node whose state the merge changes, with its state before.
    let mut nodes = write.dependents(kind, merge_id, true).await?;
    nodes.extend([(kind, keep_id), (kind, merge_id)]);
    let mut before = Vec::with_capacity(nodes.len());
    for &(k, id) in &nodes {
        before.push(write.state(k, id).await?);
    }

    write.move_node(kind, merge_id, keep_id).await?;
    let read = keep.revision().unwrap_or_default();
    write.bump(kind, keep_id, read).await?;
    let mut model = keep.clone();
    absorb(&mut model, &merged);
    model.set_revision(read + 1);
    E::delete_by_id(merge_id).exec(write.txn()).await?;
    let kept = model
        .into_active_model()
        .reset_all()
        .update(write.txn())
        .await?;
    let cited = write.sources(&input.citations).await?;
    write.cite(kind, keep_id, &cited).await?;
    for (&(k, id), before) in nodes.iter().zip(before) {
        if (k, id) != (kind, keep_id) && (k, id) != (kind, merge_id) {
            write.touch(k, id).await?;
        }
        let after = write.state(k, id).await?;
        write.record(k, id, before, after).await?;
    }
    write.rederive_cross_border(kind, keep_id).await?;
    Ok(kept)
}

async fn undo_merge(write: &Write, input: &UndoMergeInput) -> Done<change::Model> {
    let not_found =
        |message: String| UserError::new(UserErrorCode::NotFound, &["changeId"], message);
    let id = decode_change_id(&input.change_id).map_err(|e| not_found(e.message()))?;
    let merge = change::Entity::find_by_id(id)
        .one(write.txn())
        .await?
        .ok_or_else(|| {
            not_found(format!(
                "no change has the id {:?}",
                input.change_id.as_str()
            ))
        })?;
    if !merge.mutation.starts_with("merge") {
        return Err(UserError::new(
            UserErrorCode::BadUserInput,
            &["changeId"],
            format!(
                "the change {:?} is a `{}`, not a merge; only merges can be undone",
                input.change_id.as_str(),
                merge.mutation
            ),
        )
        .into());
    }
    let touched = change_node::Entity::find()
        .filter(change_node::Column::ChangeId.eq(merge.id))
        .order_by_asc(change_node::Column::Id)
        .all(write.txn())
        .await?
        .iter()
        .map(Touched::from_log)
        .collect::<Result<Vec<_>, ApiError>>()?;
    write.restore(merge.id, &touched).await?;
    Ok(merge)
}

impl Write {
    /// Moves every link, citation and reference of the `kind` node `from` to `to`. A link
    /// or citation `to` has already stays as it is, and the moved one is dropped; an
    /// affiliation of an organization with itself is dropped.
    async fn move_node(&self, kind: NodeKind, from: i32, to: i32) -> Done<()> {
        for (link, column, other) in Link::of(kind) {
            self.move_rows(link.table, column, other, &[], (from, to))
                .await?;
        }
        let cited = [("subject_type", kind.name())];
        self.move_rows(
            citation::Model::NAME,
            "subject_id",
            "source_id",
            &cited,
            (from, to),
        )
        .await?;
        for reference in Reference::to(kind) {
            let column = reference.column;
            let mut update = Query::update();
            update
                .table(Alias::new(reference.holder.table()))
                .value(Alias::new(column), to)
                .and_where(Expr::col(Alias::new(column)).eq(from));
            self.txn.execute(&update).await?;
        }
        if kind == NodeKind::Organization {
            let (subject, target) = ("subject_organization_id", "target_organization_id");
            let mut delete = Query::delete();
            delete
                .from_table(Alias::new(NodeKind::Affiliation.table()))
                .and_where(Expr::col(Alias::new(subject)).eq(to))
                .and_where(Expr::col(Alias::new(target)).eq(to));
            self.txn.execute(&delete).await?;
        }
        Ok(())
    }

    /// In `table` (rows keyed by `column` and `other`, within `scope`), moves the rows of
    /// `from` to `to`, dropping those whose `other` `to` has already.
    async fn move_rows(
        &self,
        table: &str,
        column: &str,
        other: &str,
        scope: &[(&str, &str)],
        (from, to): (i32, i32),
    ) -> Done<()> {
        let col = |c: &str| Expr::col(Alias::new(c));
        let in_scope = |key: &str, id: i32| {
            scope
                .iter()
                .fold(Condition::all().add(col(key).eq(id)), |all, &(c, v)| {
                    all.add(col(c).eq(v))
                })
        };
        let mut taken = Query::select();
        taken
            .column(Alias::new(other))
            .from(Alias::new(table))
            .cond_where(in_scope(column, to));
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(table))
            .cond_where(in_scope(column, from).add(col(other).in_subquery(taken)));
        let mut update = Query::update();
        update
            .table(Alias::new(table))
            .value(Alias::new(column), to)
            .cond_where(in_scope(column, from));
        self.txn.execute(&delete).await?;
        self.txn.execute(&update).await?;
        Ok(())
    }
}
