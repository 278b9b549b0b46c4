//! Reported figures: an aggregate a source states ("over 80 militants in 20 days"), never
//! itemised. A figure is its source's statement, so its citation is the figure itself: the
//! source and the quote; a correction (a ministry's new count) carries citations of its own.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::input::{Checks, CitationInput, Done, MAX_NAME, UserErrorCode};
use super::link::REPORTED_FIGURE_DISTRICTS;
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
        let done = create(&write, &input).await;
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

async fn create(write: &Write, input: &CreateReportedFigureInput) -> Done<reported_figure::Model> {
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
    checks.citations(std::slice::from_ref(&input.citation));
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
    let mut districts = Vec::with_capacity(input.scope_district_ids.len());
    for (i, id) in input.scope_district_ids.iter().enumerate() {
        let at = ["scopeDistrictIds", &i.to_string()];
        districts.push((write.existing(NodeKind::District, id, &at).await?, i));
    }
    let cited = write.sources(std::slice::from_ref(&input.citation)).await?;
    model.source_id = cited.first().map(|(source, _)| *source).unwrap_or_default();
    let figure = write
        .insert_row::<reported_figure::Entity, _>(model)
        .await?;
    for (district, i) in districts {
        let at = ["scopeDistrictIds", &i.to_string()];
        write
            .attach(
                &REPORTED_FIGURE_DISTRICTS,
                (figure.id, district),
                Vec::new(),
                &at,
            )
            .await?;
    }
    write
        .created(NodeKind::ReportedFigure, figure.id, &cited)
        .await?;
    Ok(figure)
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
