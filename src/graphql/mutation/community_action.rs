//! Community actions: civilians resisting militancy, with the organizations that took part
//! (and their part) and the districts they happened in, created in one go, corrected, and
//! linked and unlinked one at a time. Each is cited and kept in the change log.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::sea_query::Value;

use super::input::{Checks, CitationInput, Done, MAX_NAME, MAX_TEXT, UserErrorCode};
use super::link::{COMMUNITY_ACTION_ACTORS, COMMUNITY_ACTION_DISTRICTS, Ends, relink};
use super::write::Write;
use super::{node, patch, payload, respond};
use crate::entity::community_action;
use crate::error::ApiResult;
use crate::graphql::enums::{CommunityActionKind, DatePrecision, ParticipationRole, db_name};
use crate::graphql::ids::NodeKind;
use crate::graphql::scalars::Date;
use crate::graphql::types::CommunityAction;

payload!(
    /// What `createCommunityAction` did.
    CreateCommunityActionPayload,
    community_action: CommunityAction
);
payload!(
    /// What `updateCommunityAction` did.
    UpdateCommunityActionPayload,
    community_action: CommunityAction
);
payload!(
    /// What `attachCommunityActionActor` did.
    AttachCommunityActionActorPayload,
    community_action: CommunityAction
);
payload!(
    /// What `detachCommunityActionActor` did.
    DetachCommunityActionActorPayload,
    community_action: CommunityAction
);
payload!(
    /// What `attachCommunityActionDistrict` did.
    AttachCommunityActionDistrictPayload,
    community_action: CommunityAction
);
payload!(
    /// What `detachCommunityActionDistrict` did.
    DetachCommunityActionDistrictPayload,
    community_action: CommunityAction
);

/// An organization's part in a community action.
#[derive(InputObject)]
pub struct CommunityActionActorInput {
    /// The organization.
    pub organization_id: ID,
    /// Its part.
    pub role: ParticipationRole,
}

/// A new community action, with who took part and where.
#[derive(InputObject)]
pub struct CreateCommunityActionInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// What kind of action it was.
    pub kind: CommunityActionKind,
    /// What happened.
    pub description: String,
    /// When, as precisely as the source says; null when it does not.
    pub date: Option<Date>,
    /// How precise `date` is; `UNKNOWN` exactly when there is no date.
    #[graphql(default_with = "DatePrecision::Unknown")]
    pub date_precision: DatePrecision,
    /// The place as the source names it.
    pub place: Option<String>,
    /// Who acted, as the source puts it ("dozens of locals").
    pub actors_description: Option<String>,
    /// The organizations that took part.
    #[graphql(default)]
    pub actors: Vec<CommunityActionActorInput>,
    /// The districts it happened in.
    #[graphql(default)]
    pub district_ids: Vec<ID>,
    /// What it rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A correction of a community action: the fields given change (null clears).
#[derive(InputObject)]
pub struct UpdateCommunityActionInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The community action.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// What kind of action it was.
    pub kind: Option<CommunityActionKind>,
    /// What happened.
    pub description: Option<String>,
    /// When.
    pub date: MaybeUndefined<Date>,
    /// How precise `date` is; `UNKNOWN` exactly when there is no date.
    pub date_precision: Option<DatePrecision>,
    /// The place as the source names it.
    pub place: MaybeUndefined<String>,
    /// Who acted, as the source puts it.
    pub actors_description: MaybeUndefined<String>,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// An organization's part in a community action, to record.
#[derive(InputObject)]
pub struct AttachCommunityActionActorInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The community action.
    pub community_action_id: ID,
    /// Its revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// The organization.
    pub organization_id: ID,
    /// Its part.
    pub role: ParticipationRole,
    /// What the link rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A link of a community action to add (a district) or remove (a district, an actor).
#[derive(InputObject)]
pub struct CommunityActionLinkInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The community action.
    pub community_action_id: ID,
    /// Its revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// The linked node: a district or an organization, as the mutation says.
    pub node_id: ID,
    /// What the change rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// Community actions, created, corrected and linked.
#[derive(Default)]
pub struct CommunityActionMutations;

#[Object]
impl CommunityActionMutations {
    /// Records a community action with the organizations that took part and its districts.
    async fn create_community_action(
        &self,
        ctx: &Context<'_>,
        input: CreateCommunityActionInput,
    ) -> ApiResult<Option<CreateCommunityActionPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createCommunityAction", cmid.as_deref()).await?;
        let done = create(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a community action.
    async fn update_community_action(
        &self,
        ctx: &Context<'_>,
        input: UpdateCommunityActionInput,
    ) -> ApiResult<Option<UpdateCommunityActionPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateCommunityAction", cmid.as_deref()).await?;
        let done = update(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Records an organization's part in a community action.
    async fn attach_community_action_actor(
        &self,
        ctx: &Context<'_>,
        input: AttachCommunityActionActorInput,
    ) -> ApiResult<Option<AttachCommunityActionActorPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "attachCommunityActionActor", cmid.as_deref()).await?;
        let ends = Ends::new(
            &input.community_action_id,
            input.revision,
            &input.organization_id,
            "organizationId",
        );
        let data = vec![("role", Value::from(db_name(input.role)))];
        let done = relink::<community_action::Entity>(
            &write,
            &COMMUNITY_ACTION_ACTORS,
            ends,
            &input.citations,
            Some(data),
        )
        .await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Removes an organization from a community action.
    async fn detach_community_action_actor(
        &self,
        ctx: &Context<'_>,
        input: CommunityActionLinkInput,
    ) -> ApiResult<Option<DetachCommunityActionActorPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "detachCommunityActionActor", cmid.as_deref()).await?;
        let done = unlink(&write, &input, false).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Records a district a community action happened in.
    async fn attach_community_action_district(
        &self,
        ctx: &Context<'_>,
        input: CommunityActionLinkInput,
    ) -> ApiResult<Option<AttachCommunityActionDistrictPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "attachCommunityActionDistrict", cmid.as_deref()).await?;
        let ends = Ends::new(
            &input.community_action_id,
            input.revision,
            &input.node_id,
            "nodeId",
        );
        let done = relink::<community_action::Entity>(
            &write,
            &COMMUNITY_ACTION_DISTRICTS,
            ends,
            &input.citations,
            Some(Vec::new()),
        )
        .await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Removes a district from a community action.
    async fn detach_community_action_district(
        &self,
        ctx: &Context<'_>,
        input: CommunityActionLinkInput,
    ) -> ApiResult<Option<DetachCommunityActionDistrictPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "detachCommunityActionDistrict", cmid.as_deref()).await?;
        let done = unlink(&write, &input, true).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }
}

/// Removes the link `input` names: a district's (`district`) or an actor's.
async fn unlink(
    write: &Write,
    input: &CommunityActionLinkInput,
    district: bool,
) -> Done<community_action::Model> {
    let link = if district {
        &COMMUNITY_ACTION_DISTRICTS
    } else {
        &COMMUNITY_ACTION_ACTORS
    };
    let ends = Ends::new(
        &input.community_action_id,
        input.revision,
        &input.node_id,
        "nodeId",
    );
    relink::<community_action::Entity>(write, link, ends, &input.citations, None).await
}

/// The checks of a community action's own fields, shared by create and update.
fn check(checks: &mut Checks, m: &community_action::Model) {
    checks.text(&["description"], Some(&m.description), MAX_TEXT, true);
    checks.text(&["place"], m.place.as_deref(), MAX_NAME, false);
    checks.text(
        &["actorsDescription"],
        m.actors_description.as_deref(),
        MAX_NAME,
        false,
    );
    let unknown = m.date_precision == db_name(DatePrecision::Unknown);
    if m.date.is_some() == unknown {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["datePrecision"],
            "`datePrecision` is UNKNOWN exactly when there is no `date`: give the date with \
             the precision the source gives, or neither",
        );
    }
}

async fn create(
    write: &Write,
    input: &CreateCommunityActionInput,
) -> Done<community_action::Model> {
    let model = community_action::Model {
        id: 0,
        revision: 1,
        kind: db_name(input.kind).to_owned(),
        date: input.date.map(|d| d.0),
        date_precision: db_name(input.date_precision).to_owned(),
        place: input.place.as_ref().map(|p| p.trim().to_owned()),
        actors_description: input.actors_description.clone(),
        description: input.description.trim().to_owned(),
        dataset: None,
        external_id: None,
        raw: None,
    };
    let mut checks = Checks::default();
    check(&mut checks, &model);
    checks.citations(&input.citations);
    checks.done()?;
    let row = write
        .insert_row::<community_action::Entity, _>(model)
        .await?;
    for (i, actor) in input.actors.iter().enumerate() {
        let at = ["actors", &i.to_string(), "organizationId"];
        let organization = write
            .existing(NodeKind::Organization, &actor.organization_id, &at)
            .await?;
        let role = vec![("role", Value::from(db_name(actor.role)))];
        write
            .attach(&COMMUNITY_ACTION_ACTORS, (row.id, organization), role, &at)
            .await?;
    }
    for (i, district) in input.district_ids.iter().enumerate() {
        let at = ["districtIds", &i.to_string()];
        let district = write.existing(NodeKind::District, district, &at).await?;
        write
            .attach(
                &COMMUNITY_ACTION_DISTRICTS,
                (row.id, district),
                Vec::new(),
                &at,
            )
            .await?;
    }
    let cited = write.sources(&input.citations).await?;
    write
        .created(NodeKind::CommunityAction, row.id, &cited)
        .await?;
    Ok(row)
}

async fn update(
    write: &Write,
    input: &UpdateCommunityActionInput,
) -> Done<community_action::Model> {
    let before = write
        .current::<community_action::Entity>(NodeKind::CommunityAction, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    if let Some(kind) = input.kind {
        model.kind = db_name(kind).to_owned();
    }
    if let Some(description) = &input.description {
        model.description = description.trim().to_owned();
    }
    if let Some(precision) = input.date_precision {
        model.date_precision = db_name(precision).to_owned();
    }
    patch(&mut model.date, &input.date, |d| d.0);
    patch(&mut model.place, &input.place, |p| p.trim().to_owned());
    patch(
        &mut model.actors_description,
        &input.actors_description,
        Clone::clone,
    );
    let mut checks = Checks::default();
    check(&mut checks, &model);
    checks.citations(&input.citations);
    checks.done()?;
    write
        .correct::<community_action::Entity, _>(
            NodeKind::CommunityAction,
            before.id,
            model,
            &input.citations,
        )
        .await
}
