//! Community actions: civilians resisting militancy, with the organizations that took part
//! (and their part) and the districts they happened in, created in one go, corrected, and
//! linked and unlinked one at a time. Each is cited and kept in the change log.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::sea_query::Value;

use super::input::{Checks, CitationInput, Done, Key, MAX_NAME, MAX_TEXT, UserErrorCode, within};
use super::link::{COMMUNITY_ACTION_ACTORS, COMMUNITY_ACTION_DISTRICTS, Ends, Link, relink};
use super::replace::Wanted;
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
    /// What `upsertCommunityAction` did.
    UpsertCommunityActionPayload,
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

/// A community action to create, or to bring in line with the input when the key has one
/// already.
#[derive(InputObject)]
pub struct UpsertCommunityActionInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the community action is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The community action as the dataset has it now. On a correction its fields replace
    /// the stored ones (absent ones clear) and its actors and districts the stored links.
    pub community_action: CreateCommunityActionInput,
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
        let done = create(&write, &input, None).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Creates a community action under a `(dataset, key)`, or brings the one that key names
    /// in line with the input; an input that matches what is stored changes nothing.
    async fn upsert_community_action(
        &self,
        ctx: &Context<'_>,
        input: UpsertCommunityActionInput,
    ) -> ApiResult<Option<UpsertCommunityActionPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertCommunityAction", cmid.as_deref()).await?;
        let done = upsert(&write, &input).await;
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

/// The links of a community action an upsert replaces.
const LINKED: [&Link; 2] = [&COMMUNITY_ACTION_ACTORS, &COMMUNITY_ACTION_DISTRICTS];

/// A community action's own fields as a create's `input` gives them, checked.
fn fields(input: &CreateCommunityActionInput) -> Done<community_action::Model> {
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
    Ok(model)
}

/// The actors and districts `input` names, each checked to exist and named once.
async fn wanted_links(write: &Write, input: &CreateCommunityActionInput) -> Done<Wanted> {
    let mut wanted = Wanted::default();
    for (i, actor) in input.actors.iter().enumerate() {
        let at = ["actors", &i.to_string(), "organizationId"];
        let role = vec![Some(db_name(actor.role).to_owned())];
        let id = &actor.organization_id;
        write
            .want(&mut wanted, &COMMUNITY_ACTION_ACTORS, id, role, &at)
            .await?;
    }
    for (i, district) in input.district_ids.iter().enumerate() {
        let at = ["districtIds", &i.to_string()];
        write
            .want(
                &mut wanted,
                &COMMUNITY_ACTION_DISTRICTS,
                district,
                Vec::new(),
                &at,
            )
            .await?;
    }
    Ok(wanted)
}

async fn create(
    write: &Write,
    input: &CreateCommunityActionInput,
    key: Option<&Key>,
) -> Done<community_action::Model> {
    let mut model = fields(input)?;
    (model.dataset, model.external_id) = Key::columns(key);
    let wanted = wanted_links(write, input).await?;
    let row = write
        .insert_row::<community_action::Entity, _>(model)
        .await?;
    write.add_links(row.id, &wanted).await?;
    let cited = write.sources(&input.citations).await?;
    write
        .created(NodeKind::CommunityAction, row.id, &cited)
        .await?;
    Ok(row)
}

async fn upsert(
    write: &Write,
    input: &UpsertCommunityActionInput,
) -> Done<community_action::Model> {
    let action = &input.community_action;
    let Some(before) = write.keyed::<community_action::Entity>(&input.key).await? else {
        return within(
            "communityAction",
            create(write, action, Some(&input.key)).await,
        );
    };
    within("communityAction", replace(write, before, action).await)
}

/// Brings the stored community action `before` in line with `input`: its fields and links.
async fn replace(
    write: &Write,
    before: community_action::Model,
    input: &CreateCommunityActionInput,
) -> Done<community_action::Model> {
    let mut model = fields(input)?;
    (model.id, model.revision) = (before.id, before.revision);
    (model.dataset, model.external_id) = (before.dataset.clone(), before.external_id.clone());
    model.raw = before.raw.clone();
    let wanted = wanted_links(write, input).await?;
    let (kind, id) = (NodeKind::CommunityAction, before.id);
    if model == before && write.has_links(kind, id, &LINKED, &wanted).await? {
        return Ok(before);
    }
    let updated = write
        .correct::<community_action::Entity, _>(kind, id, model, &input.citations)
        .await?;
    write.replace_links(kind, id, &LINKED, &wanted).await?;
    Ok(updated)
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
