//! Affiliations: a dated, cited link from a person, militant or organization to an
//! organization or a country. `crossBorder` is derived from where both ends lie, never typed
//! in, and derived again when a correction or a merge moves an end's country; an organization
//! is never affiliated with itself, nor, through memberships, a member of itself.

use std::collections::BTreeSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::input::{Checks, CitationInput, Done, Key, UserError, UserErrorCode, within};
use super::link::Reference;
use super::write::Write;
use super::{node, patch, payload, respond};
use crate::entity::affiliation;
use crate::error::ApiResult;
use crate::graphql::enums::{AffiliationKind, Confidence, db_name};
use crate::graphql::ids::{NodeKind, decode};
use crate::graphql::scalars::Date;
use crate::graphql::types::Affiliation;
use crate::ingest::crosses_border;

payload!(
    /// What `createAffiliation` did.
    CreateAffiliationPayload,
    affiliation: Affiliation
);
payload!(
    /// What `upsertAffiliation` did.
    UpsertAffiliationPayload,
    affiliation: Affiliation
);
payload!(
    /// What `updateAffiliation` did.
    UpdateAffiliationPayload,
    affiliation: Affiliation
);

/// A new affiliation.
#[derive(InputObject)]
pub struct CreateAffiliationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// What kind of link it is.
    pub kind: AffiliationKind,
    /// Who is affiliated: a `Personnel`, `Militant` or `Organization` id.
    pub subject_id: ID,
    /// With what: an `Organization` or `Country` id.
    pub target_id: ID,
    /// Since when, if the source says.
    pub since: Option<Date>,
    /// Until when, if the source says; not before `since`.
    pub until: Option<Date>,
    /// How firmly the sources state it.
    #[graphql(default_with = "Confidence::Reported")]
    pub confidence: Confidence,
    /// What it rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// An affiliation to create, or to bring in line with the input when the key has one already.
#[derive(InputObject)]
pub struct UpsertAffiliationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the affiliation is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The affiliation as the dataset has it now: on a correction its ends, kind, dates and
    /// confidence replace the stored ones (absent dates clear).
    pub affiliation: CreateAffiliationInput,
}

/// A correction of an affiliation: the fields given change (null clears). Its ends do not
/// change: delete it and create another.
#[derive(InputObject)]
pub struct UpdateAffiliationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The affiliation.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// What kind of link it is.
    pub kind: Option<AffiliationKind>,
    /// Since when.
    pub since: MaybeUndefined<Date>,
    /// Until when; not before `since`.
    pub until: MaybeUndefined<Date>,
    /// How firmly the sources state it.
    pub confidence: Option<Confidence>,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// Affiliations, created and corrected.
#[derive(Default)]
pub struct AffiliationMutations;

#[Object]
impl AffiliationMutations {
    /// Records an affiliation; its `crossBorder` is derived from where both ends lie.
    async fn create_affiliation(
        &self,
        ctx: &Context<'_>,
        input: CreateAffiliationInput,
    ) -> ApiResult<Option<CreateAffiliationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createAffiliation", cmid.as_deref()).await?;
        let done = create(&write, &input, None).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Creates an affiliation under a `(dataset, key)`, or brings the one that key names in
    /// line with the input; an input that matches what is stored changes nothing.
    async fn upsert_affiliation(
        &self,
        ctx: &Context<'_>,
        input: UpsertAffiliationInput,
    ) -> ApiResult<Option<UpsertAffiliationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertAffiliation", cmid.as_deref()).await?;
        let done = upsert(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects an affiliation's kind, dates or confidence.
    async fn update_affiliation(
        &self,
        ctx: &Context<'_>,
        input: UpdateAffiliationInput,
    ) -> ApiResult<Option<UpdateAffiliationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateAffiliation", cmid.as_deref()).await?;
        let done = update(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }
}

/// The checks of an affiliation's own fields, shared by create and update.
fn check(checks: &mut Checks, m: &affiliation::Model) {
    if let (Some(since), Some(until)) = (m.since, m.until)
        && until < since
    {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["until"],
            "`until` is before `since`",
        );
    }
}

/// The node `id` names, which must be of one of the `allowed` kinds; `NOT_FOUND` at `field`.
async fn end(write: &Write, id: &ID, allowed: &[NodeKind], field: &str) -> Done<(NodeKind, i32)> {
    let kind = match decode(id) {
        Ok((kind, _)) if allowed.contains(&kind) => kind,
        Ok((kind, _)) => {
            let names: Vec<&str> = allowed.iter().map(|k| k.name()).collect();
            return Err(UserError::new(
                UserErrorCode::NotFound,
                &[field],
                format!(
                    "{:?} is a {}; this field takes a {}",
                    id.as_str(),
                    kind.name(),
                    names.join(" or ")
                ),
            )
            .into());
        }
        Err(e) => {
            return Err(UserError::new(UserErrorCode::NotFound, &[field], e.message()).into());
        }
    };
    Ok((kind, write.existing(kind, id, &[field]).await?))
}

/// An affiliation as a create's `input` gives it, checked: its ends found (never the same
/// node, never a membership cycle) and `crossBorder` derived from them.
async fn fields(write: &Write, input: &CreateAffiliationInput) -> Done<affiliation::Model> {
    use NodeKind as K;
    let mut model = affiliation::Model {
        id: 0,
        revision: 1,
        kind: db_name(input.kind).to_owned(),
        subject_personnel_id: None,
        subject_militant_id: None,
        subject_organization_id: None,
        target_organization_id: None,
        target_country_id: None,
        cross_border: false,
        since: input.since.map(|d| d.0),
        until: input.until.map(|d| d.0),
        confidence: db_name(input.confidence).to_owned(),
        dataset: None,
        external_id: None,
    };
    let mut checks = Checks::default();
    check(&mut checks, &model);
    checks.citations(&input.citations);
    checks.done()?;
    let subject = end(
        write,
        &input.subject_id,
        &[K::Personnel, K::Militant, K::Organization],
        "subjectId",
    )
    .await?;
    let target = end(
        write,
        &input.target_id,
        &[K::Organization, K::Country],
        "targetId",
    )
    .await?;
    if subject == target {
        return Err(UserError::new(
            UserErrorCode::BadUserInput,
            &["targetId"],
            "an organization is not affiliated with itself",
        )
        .into());
    }
    let pick = |(kind, id): (K, i32), wanted: K| (kind == wanted).then_some(id);
    model.subject_personnel_id = pick(subject, K::Personnel);
    model.subject_militant_id = pick(subject, K::Militant);
    model.subject_organization_id = pick(subject, K::Organization);
    model.target_organization_id = pick(target, K::Organization);
    model.target_country_id = pick(target, K::Country);
    if input.kind == AffiliationKind::Membership {
        write.no_cycle(&model, "targetId").await?;
    }
    model.cross_border = crosses_border(write.txn(), subject, target).await?;
    Ok(model)
}

/// `ALREADY_EXISTS` when another affiliation says what `model` says.
async fn unique(write: &Write, model: &affiliation::Model) -> Done<()> {
    use affiliation::Column as C;
    // `= NULL` matches nothing: an absent end or date is matched as absent.
    fn is<V: Into<sea_orm::Value>>(column: C, value: Option<V>) -> sea_orm::sea_query::SimpleExpr {
        match value {
            Some(v) => column.eq(v),
            None => column.is_null(),
        }
    }
    let same = affiliation::Entity::find()
        .filter(C::Kind.eq(&model.kind))
        .filter(is(C::SubjectPersonnelId, model.subject_personnel_id))
        .filter(is(C::SubjectMilitantId, model.subject_militant_id))
        .filter(is(C::SubjectOrganizationId, model.subject_organization_id))
        .filter(is(C::TargetOrganizationId, model.target_organization_id))
        .filter(is(C::TargetCountryId, model.target_country_id))
        .filter(is(C::Since, model.since))
        .filter(is(C::Until, model.until))
        .filter(C::Id.ne(model.id))
        .count(write.txn())
        .await?;
    if same > 0 {
        return Err(UserError::new(
            UserErrorCode::AlreadyExists,
            &[],
            "this affiliation is recorded already; cite it with `updateAffiliation`",
        )
        .into());
    }
    Ok(())
}

async fn create(
    write: &Write,
    input: &CreateAffiliationInput,
    key: Option<&Key>,
) -> Done<affiliation::Model> {
    let mut model = fields(write, input).await?;
    unique(write, &model).await?;
    (model.dataset, model.external_id) = Key::columns(key);
    write
        .insert::<affiliation::Entity, _>(NodeKind::Affiliation, model, &input.citations)
        .await
}

async fn upsert(write: &Write, input: &UpsertAffiliationInput) -> Done<affiliation::Model> {
    let fields_of = &input.affiliation;
    let Some(before) = write.keyed::<affiliation::Entity>(&input.key).await? else {
        return within(
            "affiliation",
            create(write, fields_of, Some(&input.key)).await,
        );
    };
    let done = async {
        let mut model = fields(write, fields_of).await?;
        (model.id, model.revision) = (before.id, before.revision);
        (model.dataset, model.external_id) = (before.dataset.clone(), before.external_id.clone());
        unique(write, &model).await?;
        let citations = &fields_of.citations;
        write
            .upsert::<affiliation::Entity, _>(NodeKind::Affiliation, before, model, citations)
            .await
    };
    within("affiliation", done.await)
}

async fn update(write: &Write, input: &UpdateAffiliationInput) -> Done<affiliation::Model> {
    let before = write
        .current::<affiliation::Entity>(NodeKind::Affiliation, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    if let Some(kind) = input.kind {
        model.kind = db_name(kind).to_owned();
    }
    if let Some(confidence) = input.confidence {
        model.confidence = db_name(confidence).to_owned();
    }
    patch(&mut model.since, &input.since, |d| d.0);
    patch(&mut model.until, &input.until, |d| d.0);
    let mut checks = Checks::default();
    check(&mut checks, &model);
    checks.citations(&input.citations);
    checks.done()?;
    if input.kind == Some(AffiliationKind::Membership) {
        write.no_cycle(&model, "kind").await?;
    }
    write
        .correct::<affiliation::Entity, _>(
            NodeKind::Affiliation,
            before.id,
            model,
            &input.citations,
        )
        .await
}

/// An affiliation's subject and target, as stored.
fn ends(m: &affiliation::Model) -> Option<((NodeKind, i32), (NodeKind, i32))> {
    use NodeKind as K;
    let subject = [
        (K::Personnel, m.subject_personnel_id),
        (K::Militant, m.subject_militant_id),
        (K::Organization, m.subject_organization_id),
    ];
    let target = [
        (K::Organization, m.target_organization_id),
        (K::Country, m.target_country_id),
    ];
    let first = |ends: &[(K, Option<i32>)]| ends.iter().find_map(|&(k, id)| Some((k, id?)));
    Some((first(&subject)?, first(&target)?))
}

impl Write {
    /// Derives `crossBorder` again for the affiliations whose ends' countries a change of
    /// the `kind` node `id` may have moved (its own, and for an organization its members'),
    /// recording each that changed.
    pub(super) async fn rederive_cross_border(&self, kind: NodeKind, id: i32) -> Done<()> {
        let mut nodes = vec![(kind, id)];
        if kind == NodeKind::Organization {
            for member in [NodeKind::Personnel, NodeKind::Militant] {
                for row in self
                    .ids(member.table(), "id", "organization_id", id)
                    .await?
                {
                    nodes.push((member, row));
                }
            }
        }
        let mut affiliations = BTreeSet::new();
        for (k, row) in nodes {
            for reference in Reference::to(k).filter(|r| r.holder == NodeKind::Affiliation) {
                let table = reference.holder.table();
                affiliations.extend(self.ids(table, "id", reference.column, row).await?);
            }
        }
        for row in affiliations {
            let Some(model) = affiliation::Entity::find_by_id(row).one(self.txn()).await? else {
                continue;
            };
            let Some((subject, target)) = ends(&model) else {
                continue;
            };
            let derived = crosses_border(self.txn(), subject, target).await?;
            if derived == model.cross_border {
                continue;
            }
            let before = self.state(NodeKind::Affiliation, row).await?;
            let mut update = Query::update();
            update
                .table(Alias::new(NodeKind::Affiliation.table()))
                .value(Alias::new("cross_border"), derived)
                .and_where(Expr::col(Alias::new("id")).eq(row));
            self.txn().execute(&update).await?;
            if self.recorded(NodeKind::Affiliation, row).await?.is_none() {
                self.touch(NodeKind::Affiliation, row).await?;
            }
            let after = self.state(NodeKind::Affiliation, row).await?;
            self.record(NodeKind::Affiliation, row, before, after)
                .await?;
        }
        Ok(())
    }

    /// Refuses (at `field`) the membership `m` when its target organization is already,
    /// through memberships, a member of its subject.
    async fn no_cycle(&self, m: &affiliation::Model, field: &str) -> Done<()> {
        let (Some(member), Some(of)) = (m.subject_organization_id, m.target_organization_id) else {
            return Ok(());
        };
        if self.member_of(of, member).await? {
            return Err(UserError::new(
                UserErrorCode::BadUserInput,
                &[field],
                "the target is already, through memberships, a member of the subject: this \
                 membership would make a cycle",
            )
            .into());
        }
        Ok(())
    }

    /// Whether organization `member` is, through one or more memberships, a member of
    /// organization `of`.
    async fn member_of(&self, member: i32, of: i32) -> Done<bool> {
        let (subject, target) = ("subject_organization_id", "target_organization_id");
        let mut seen = BTreeSet::from([member]);
        let mut frontier = vec![member];
        while !frontier.is_empty() {
            let mut step = Query::select();
            step.column(Alias::new(target))
                .from(Alias::new(NodeKind::Affiliation.table()))
                .and_where(Expr::col(Alias::new("kind")).eq(db_name(AffiliationKind::Membership)))
                .and_where(Expr::col(Alias::new(subject)).is_in(frontier.clone()))
                .and_where(Expr::col(Alias::new(target)).is_not_null());
            let mut next = Vec::new();
            for row in self.txn().query_all(&step).await? {
                let id: i32 = row.try_get("", target)?;
                if id == of {
                    return Ok(true);
                }
                if seen.insert(id) {
                    next.push(id);
                }
            }
            frontier = next;
        }
        Ok(false)
    }
}
