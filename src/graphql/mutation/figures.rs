//! Reported figures: an aggregate a source states ("over 80 militants in 20 days"), never
//! itemised. A figure is its source's statement, so its citation is the figure itself: the
//! source and the quote; a correction (a ministry's new count) carries citations of its own.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::input::{Checks, CitationInput, Done, Key, MAX_NAME, UserErrorCode, within};
use super::link::{Link, REPORTED_FIGURE_DISTRICTS};
use super::replace::Wanted;
use super::write::Write;
use super::{node, patch, payload, respond};
use crate::entity::reported_figure;
use crate::error::ApiResult;
use crate::graphql::enums::{FigureMetric, FigureQualifier, db_name};
use crate::graphql::ids::NodeKind;
use crate::graphql::scalars::Date;
use crate::graphql::types::ReportedFigure;

payload!(
    /// What `createReportedFigure` did.
    CreateReportedFigurePayload,
    reported_figure: ReportedFigure
);
payload!(
    /// What `upsertReportedFigure` did.
    UpsertReportedFigurePayload,
    reported_figure: ReportedFigure
);
payload!(
    /// What `updateReportedFigure` did.
    UpdateReportedFigurePayload,
    reported_figure: ReportedFigure
);

/// A new reported figure.
#[derive(InputObject)]
pub struct CreateReportedFigureInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// What it counts.
    pub metric: FigureMetric,
    /// The number as the source gives it.
    pub value: i32,
    /// How the number is meant ("over 80": `MORE_THAN`).
    pub qualifier: FigureQualifier,
    /// First day of the period it covers, if the source says.
    pub period_start: Option<Date>,
    /// Last day of the period; not before `periodStart`.
    pub period_end: Option<Date>,
    /// The province it covers.
    pub scope_province_id: Option<ID>,
    /// The scope as the source words it ("11 districts of KPK").
    pub scope_description: Option<String>,
    /// The districts it covers, where the source names them.
    #[graphql(default)]
    pub scope_district_ids: Vec<ID>,
    /// The nationality it counts, when it counts one ("three Afghan nationals").
    pub nationality_id: Option<ID>,
    /// The source stating it and its words: the figure's own citation.
    pub citation: CitationInput,
}

/// A reported figure to create, or to bring in line with the input when the key has one
/// already.
#[derive(InputObject)]
pub struct UpsertReportedFigureInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the figure is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The figure as the dataset has it now. On a correction its fields, its citation and
    /// its districts replace the stored ones (absent ones clear); name the source by
    /// `sourceId` for the same upsert to find nothing to change.
    pub reported_figure: CreateReportedFigureInput,
}

/// A correction of a reported figure: the fields given change (null clears). Its source and
/// quote stay: they are what was stated.
#[derive(InputObject)]
pub struct UpdateReportedFigureInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The figure.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// What it counts.
    pub metric: Option<FigureMetric>,
    /// The number.
    pub value: Option<i32>,
    /// How the number is meant.
    pub qualifier: Option<FigureQualifier>,
    /// First day of the period.
    pub period_start: MaybeUndefined<Date>,
    /// Last day of the period.
    pub period_end: MaybeUndefined<Date>,
    /// The province it covers.
    pub scope_province_id: MaybeUndefined<ID>,
    /// The scope as the source words it.
    pub scope_description: MaybeUndefined<String>,
    /// The nationality it counts.
    pub nationality_id: MaybeUndefined<ID>,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// Reported figures, created and corrected.
#[derive(Default)]
pub struct FigureMutations;

#[Object]
impl FigureMutations {
    /// Records a figure a source states, with its scope.
    async fn create_reported_figure(
        &self,
        ctx: &Context<'_>,
        input: CreateReportedFigureInput,
    ) -> ApiResult<Option<CreateReportedFigurePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createReportedFigure", cmid.as_deref()).await?;
        let done = create(&write, &input, None).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Creates a reported figure under a `(dataset, key)`, or brings the one that key names
    /// in line with the input; an input that matches what is stored changes nothing.
    async fn upsert_reported_figure(
        &self,
        ctx: &Context<'_>,
        input: UpsertReportedFigureInput,
    ) -> ApiResult<Option<UpsertReportedFigurePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertReportedFigure", cmid.as_deref()).await?;
        let done = upsert(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a reported figure.
    async fn update_reported_figure(
        &self,
        ctx: &Context<'_>,
        input: UpdateReportedFigureInput,
    ) -> ApiResult<Option<UpdateReportedFigurePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateReportedFigure", cmid.as_deref()).await?;
        let done = update(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }
}

/// The checks of a figure's own fields, shared by create and update.
fn check(checks: &mut Checks, m: &reported_figure::Model) {
    checks.count("value", Some(m.value));
    checks.text(
        &["scopeDescription"],
        m.scope_description.as_deref(),
        MAX_NAME,
        false,
    );
    if let (Some(start), Some(end)) = (m.period_start, m.period_end)
        && end < start
    {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["periodEnd"],
            "`periodEnd` is before `periodStart`",
        );
    }
}

/// The links of a figure an upsert replaces.
const LINKED: [&Link; 1] = [&REPORTED_FIGURE_DISTRICTS];

/// A figure as a create's `input` gives it, checked, its references found and its source
/// named (a new one created), with the districts it covers.
async fn fields<'a>(
    write: &Write,
    input: &'a CreateReportedFigureInput,
) -> Done<(
    reported_figure::Model,
    Wanted,
    Vec<(i32, &'a CitationInput)>,
)> {
    let citation = std::slice::from_ref(&input.citation);
    let mut model = reported_figure::Model {
        id: 0,
        revision: 1,
        metric: db_name(input.metric).to_owned(),
        value: input.value,
        qualifier: db_name(input.qualifier).to_owned(),
        period_start: input.period_start.map(|d| d.0),
        period_end: input.period_end.map(|d| d.0),
        scope_province_id: None,
        scope_description: input.scope_description.clone(),
        nationality_id: None,
        source_id: 0,
        quote: input.citation.quote.trim().to_owned(),
        dataset: None,
        external_id: None,
    };
    let mut checks = Checks::default();
    check(&mut checks, &model);
    checks.citations(citation);
    checks.done()?;
    model.scope_province_id = write
        .existing_opt(
            NodeKind::Province,
            input.scope_province_id.as_ref(),
            &["scopeProvinceId"],
        )
        .await?;
    model.nationality_id = write
        .existing_opt(
            NodeKind::Country,
            input.nationality_id.as_ref(),
            &["nationalityId"],
        )
        .await?;
    let mut districts = Wanted::default();
    for (i, id) in input.scope_district_ids.iter().enumerate() {
        let at = ["scopeDistrictIds", &i.to_string()];
        let link = &REPORTED_FIGURE_DISTRICTS;
        write
            .want(&mut districts, link, id, Vec::new(), &at)
            .await?;
    }
    let cited = write.sources(citation).await?;
    model.source_id = cited.first().map(|(source, _)| *source).unwrap_or_default();
    Ok((model, districts, cited))
}

async fn create(
    write: &Write,
    input: &CreateReportedFigureInput,
    key: Option<&Key>,
) -> Done<reported_figure::Model> {
    let (mut model, districts, cited) = fields(write, input).await?;
    (model.dataset, model.external_id) = Key::columns(key);
    let figure = write
        .insert_row::<reported_figure::Entity, _>(model)
        .await?;
    write.add_links(figure.id, &districts).await?;
    write
        .created(NodeKind::ReportedFigure, figure.id, &cited)
        .await?;
    Ok(figure)
}

async fn upsert(write: &Write, input: &UpsertReportedFigureInput) -> Done<reported_figure::Model> {
    let figure = &input.reported_figure;
    let Some(before) = write.keyed::<reported_figure::Entity>(&input.key).await? else {
        return within(
            "reportedFigure",
            create(write, figure, Some(&input.key)).await,
        );
    };
    within("reportedFigure", replace(write, before, figure).await)
}

/// Brings the stored figure `before` in line with `input`: its fields, citation and
/// districts.
async fn replace(
    write: &Write,
    before: reported_figure::Model,
    input: &CreateReportedFigureInput,
) -> Done<reported_figure::Model> {
    let (mut model, districts, cited) = fields(write, input).await?;
    (model.id, model.revision) = (before.id, before.revision);
    (model.dataset, model.external_id) = (before.dataset.clone(), before.external_id.clone());
    let (kind, id) = (NodeKind::ReportedFigure, before.id);
    if model == before && write.has_links(kind, id, &LINKED, &districts).await? {
        return Ok(before);
    }
    // The citation is named once (a new source created once), then written.
    let updated = write
        .correct::<reported_figure::Entity, _>(kind, id, model, &[])
        .await?;
    write.cite(kind, id, &cited).await?;
    write.replace_links(kind, id, &LINKED, &districts).await?;
    Ok(updated)
}

async fn update(write: &Write, input: &UpdateReportedFigureInput) -> Done<reported_figure::Model> {
    let before = write
        .current::<reported_figure::Entity>(NodeKind::ReportedFigure, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    if let Some(metric) = input.metric {
        model.metric = db_name(metric).to_owned();
    }
    if let Some(value) = input.value {
        model.value = value;
    }
    if let Some(qualifier) = input.qualifier {
        model.qualifier = db_name(qualifier).to_owned();
    }
    patch(&mut model.period_start, &input.period_start, |d| d.0);
    patch(&mut model.period_end, &input.period_end, |d| d.0);
    patch(
        &mut model.scope_description,
        &input.scope_description,
        Clone::clone,
    );
    let mut checks = Checks::default();
    check(&mut checks, &model);
    checks.citations(&input.citations);
    checks.done()?;
    write
        .reference(
            NodeKind::Province,
            &input.scope_province_id,
            "scopeProvinceId",
            &mut model.scope_province_id,
        )
        .await?;
    write
        .reference(
            NodeKind::Country,
            &input.nationality_id,
            "nationalityId",
            &mut model.nationality_id,
        )
        .await?;
    write
        .correct::<reported_figure::Entity, _>(
            NodeKind::ReportedFigure,
            before.id,
            model,
            &input.citations,
        )
        .await
}
