//! Mutations of sources: the roots every citation hangs from.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::input::{Checks, Done, Key, MAX_NAME, MAX_TEXT, SourceInput, UserError, UserErrorCode};
use super::write::Write;
use super::{node, payload, respond};
use crate::auth::{Caller, Role};
use crate::entity::{citation, reported_figure, reported_figure_district, source};
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::{SourceKind, db_name};
use crate::graphql::ids::NodeKind;
use crate::graphql::scalars::Date;
use crate::graphql::types::Source;

payload!(
    /// What `createSource` did.
    CreateSourcePayload,
    source: Source
);

payload!(
    /// What `upsertSource` did.
    UpsertSourcePayload,
    source: Source
);
payload!(
    /// What `updateSource` did.
    UpdateSourcePayload,
    source: Source
);
payload!(
    /// What `deleteSource` did.
    DeleteSourcePayload,
    deleted_id: ID
);

/// A correction of a source's description: the fields given change (null clears one).
#[derive(InputObject)]
pub struct UpdateSourceInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The source.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when the source has changed since.
    pub revision: Option<i32>,
    /// Title.
    pub title: Option<String>,
    /// What kind of source it is.
    pub kind: Option<SourceKind>,
    /// Publisher.
    pub publisher: MaybeUndefined<String>,
    /// Where to read it.
    pub url: MaybeUndefined<String>,
    /// Publication date.
    pub published_on: MaybeUndefined<Date>,
    /// Notes on the source.
    pub description: MaybeUndefined<String>,
}

/// The removal of a source (an admin's key only).
#[derive(InputObject)]
pub struct DeleteSourceInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The source.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when the source has changed since.
    pub revision: Option<i32>,
    /// Also delete what rests on it: its citations and the figures it states. Without it, a
    /// source still cited is refused with `IN_USE`.
    #[graphql(default)]
    pub cascade: bool,
}

/// A new source.
#[derive(InputObject)]
pub struct CreateSourceInput {
    /// Echoed in the payload, for clients that match answers to requests.
    pub client_mutation_id: Option<String>,
    /// The source.
    pub source: SourceInput,
}

/// A source to create, or to bring in line with the input when the key has one already.
#[derive(InputObject)]
pub struct UpsertSourceInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the source is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The source as the dataset has it now; on a correction its fields replace the stored
    /// ones (absent ones clear).
    pub source: SourceInput,
}

/// Mutations of sources.
#[derive(Default)]
pub struct SourceMutations;

#[Object]
impl SourceMutations {
    /// Records a source, for citations to name by id.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        input: CreateSourceInput,
    ) -> ApiResult<Option<CreateSourcePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createSource", cmid.as_deref()).await?;
        let done = create(&write, &input.source, None).await;
        respond(ctx, write, done, cmid, |model| node(ctx, model)).await
    }

    /// Creates a source under a `(dataset, key)`, or brings the one that key names in line
    /// with the input; an input that matches what is stored changes nothing.
    async fn upsert_source(
        &self,
        ctx: &Context<'_>,
        input: UpsertSourceInput,
    ) -> ApiResult<Option<UpsertSourcePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertSource", cmid.as_deref()).await?;
        let done = upsert(&write, &input).await;
        respond(ctx, write, done, cmid, |model| node(ctx, model)).await
    }

    /// Corrects a source's description; the facts citing it are unchanged.
    async fn update_source(
        &self,
        ctx: &Context<'_>,
        input: UpdateSourceInput,
    ) -> ApiResult<Option<UpdateSourcePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateSource", cmid.as_deref()).await?;
        let done = update(&write, &input).await;
        respond(ctx, write, done, cmid, |model| node(ctx, model)).await
    }

    /// Deletes a source: an admin's key only. A source still cited is refused unless the
    /// input asks to delete what rests on it too.
    async fn delete_source(
        &self,
        ctx: &Context<'_>,
        input: DeleteSourceInput,
    ) -> ApiResult<Option<DeleteSourcePayload>> {
        if let Some(caller) = ctx.data_opt::<Caller>() {
            caller.require(Role::Admin, "`deleteSource`")?;
        }
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "deleteSource", cmid.as_deref()).await?;
        let done = delete(&write, &input).await;
        respond(ctx, write, done, cmid, |id| Ok(NodeKind::Source.id(id))).await
    }
}

/// The source `id` names, at the revision read; `NOT_FOUND` or `CONFLICT` refused.
async fn current(write: &Write, id: &ID, revision: Option<i32>) -> Done<source::Model> {
    write
        .current::<source::Entity>(NodeKind::Source, id, revision)
        .await
}

async fn update(write: &Write, input: &UpdateSourceInput) -> Done<source::Model> {
    let before = current(write, &input.id, input.revision).await?;
    let mut model = before.clone();
    if let Some(title) = &input.title {
        model.title = title.trim().to_owned();
    }
    if let Some(kind) = input.kind {
        model.kind = db_name(kind).to_owned();
    }
    super::patch(&mut model.publisher, &input.publisher, Clone::clone);
    super::patch(&mut model.url, &input.url, Clone::clone);
    super::patch(&mut model.published_on, &input.published_on, |d| d.0);
    super::patch(&mut model.description, &input.description, Clone::clone);
    let mut checks = Checks::default();
    checks.text(&["title"], Some(&model.title), MAX_NAME, true);
    checks.text(&["publisher"], model.publisher.as_deref(), MAX_NAME, false);
    checks.text(&["url"], model.url.as_deref(), MAX_NAME, false);
    checks.text(
        &["description"],
        model.description.as_deref(),
        MAX_TEXT,
        false,
    );
    checks.done()?;
    // A source is where facts come from: correcting its description needs no citation.
    write
        .correct::<source::Entity, _>(NodeKind::Source, before.id, model, &[])
        .await
}

async fn delete(write: &Write, input: &DeleteSourceInput) -> Done<i32> {
    let before = current(write, &input.id, input.revision).await?;
    let txn = write.txn();
    let citations = citation::Entity::find().filter(citation::Column::SourceId.eq(before.id));
    let figures =
        reported_figure::Entity::find().filter(reported_figure::Column::SourceId.eq(before.id));
    let (cited, stated) = (
        citations.clone().count(txn).await?,
        figures.clone().count(txn).await?,
    );
    if (cited > 0 || stated > 0) && !input.cascade {
        return Err(UserError::new(
            UserErrorCode::InUse,
            &["id"],
            format!(
                "{cited} citations and {stated} reported figures rest on this source; cite \
                 other sources first, or pass `cascade: true` to delete them with it"
            ),
        )
        .into());
    }
    let old = write.state(NodeKind::Source, before.id).await?;
    write
        .bump(NodeKind::Source, before.id, before.revision)
        .await?;
    for figure in figures.all(txn).await? {
        let state = write.state(NodeKind::ReportedFigure, figure.id).await?;
        reported_figure_district::Entity::delete_many()
            .filter(reported_figure_district::Column::ReportedFigureId.eq(figure.id))
            .exec(txn)
            .await?;
        citation::Entity::delete_many()
            .filter(citation::Column::SubjectType.eq(NodeKind::ReportedFigure.name()))
            .filter(citation::Column::SubjectId.eq(figure.id))
            .exec(txn)
            .await?;
        reported_figure::Entity::delete_by_id(figure.id)
            .exec(txn)
            .await?;
        write
            .record(NodeKind::ReportedFigure, figure.id, state, None)
            .await?;
    }
    citation::Entity::delete_many()
        .filter(citation::Column::SourceId.eq(before.id))
        .exec(txn)
        .await?;
    source::Entity::delete_by_id(before.id).exec(txn).await?;
    write.record(NodeKind::Source, before.id, old, None).await?;
    Ok(before.id)
}

async fn create(write: &Write, input: &SourceInput, key: Option<&Key>) -> Done<source::Model> {
    let mut checks = Checks::default();
    input.check(&mut checks, &["source"]);
    checks.done()?;
    let id = write.create_source(input, key).await?;
    let model = source::Entity::find_by_id(id).one(write.txn()).await?;
    Ok(model.ok_or_else(|| ApiError::Internal("a source vanished as it was made".into()))?)
}

async fn upsert(write: &Write, input: &UpsertSourceInput) -> Done<source::Model> {
    let Some(before) = write.keyed::<source::Entity>(&input.key).await? else {
        return create(write, &input.source, Some(&input.key)).await;
    };
    let mut checks = Checks::default();
    input.source.check(&mut checks, &["source"]);
    checks.done()?;
    let mut model = input.source.model();
    (model.id, model.revision) = (before.id, before.revision);
    (model.dataset, model.external_id) = (before.dataset.clone(), before.external_id.clone());
    write
        .upsert::<source::Entity, _>(NodeKind::Source, before, model, &[])
        .await
}
