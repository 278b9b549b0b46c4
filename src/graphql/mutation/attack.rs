//! Mutations of attacks: record one with its district, its perpetrators and targets and its
//! citations in one transaction; create or correct one under a dataset's key; correct it
//! against the revision read. `deleteAttack` is with the other deletes.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::input::{Checks, CitationInput, Done, Key, MAX_NAME, MAX_TEXT, UserErrorCode, within};
use super::link::{ATTACK_ORGANIZATIONS as ORGANIZATIONS, Link};
use super::replace::Wanted;
use super::write::Write;
use super::{node, payload, respond};
use crate::entity::attack;
use crate::error::ApiResult;
use crate::graphql::enums::{AttackKind, AttackRole, DatePrecision, db_name};
use crate::graphql::ids::NodeKind;
use crate::graphql::scalars::Date;
use crate::graphql::types::Attack;

payload!(
    /// What `createAttack` did.
    CreateAttackPayload,
    attack: Attack
);
payload!(
    /// What `upsertAttack` did.
    UpsertAttackPayload,
    attack: Attack
);
payload!(
    /// What `updateAttack` did.
    UpdateAttackPayload,
    attack: Attack
);

/// A new attack, with the organizations behind it and those it struck.
#[derive(InputObject)]
pub struct CreateAttackInput {
    /// Echoed in the payload, for clients that match answers to requests.
    pub client_mutation_id: Option<String>,
    /// Kind.
    pub kind: AttackKind,
    /// The day (or the first day of the period `datePrecision` names).
    pub date: Date,
    /// How precise the date is: as precise as the source says, never more.
    pub date_precision: DatePrecision,
    /// The district it took place in.
    pub district_id: Option<ID>,
    /// The place as reported.
    pub place: Option<String>,
    /// Security personnel killed; null when not reported.
    pub security_killed: Option<i32>,
    /// Security personnel injured; null when not reported.
    pub security_injured: Option<i32>,
    /// Civilians killed; null when not reported.
    pub civilians_killed: Option<i32>,
    /// Civilians injured; null when not reported.
    pub civilians_injured: Option<i32>,
    /// Attackers killed; null when not reported.
    pub militants_killed: Option<i32>,
    /// People abducted; null when not reported.
    pub abducted: Option<i32>,
    /// Deaths in all, where the source gives a total without saying who died; null when it
    /// gives none. The counts above stay null then.
    pub fatalities: Option<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    #[graphql(default)]
    pub fatalities_by_convention: bool,
    /// What happened, as the source tells it.
    pub description: Option<String>,
    /// The organizations behind it and those it struck.
    #[graphql(default)]
    pub organizations: Vec<AttackOrganizationInput>,
    /// What the attack rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// An organization's part in an attack.
#[derive(InputObject)]
pub struct AttackOrganizationInput {
    /// The organization.
    pub organization_id: ID,
    /// Its part.
    pub role: AttackRole,
}

/// An attack to create, or to bring in line with the input when the key has one already.
#[derive(InputObject)]
pub struct UpsertAttackInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the attack is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The attack as the dataset has it now. On a correction its fields replace the stored
    /// ones (absent ones clear) and its organizations replace the stored ones.
    pub attack: CreateAttackInput,
}

/// A correction of an attack: the fields given change (null clears one), the rest stay.
#[derive(InputObject)]
pub struct UpdateAttackInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The attack.
    pub id: ID,
    /// The revision the change was made against; refused with `CONFLICT` when the attack has
    /// changed since. Without it the change applies to whatever is current.
    pub revision: Option<i32>,
    /// Kind.
    pub kind: Option<AttackKind>,
    /// The day.
    pub date: Option<Date>,
    /// How precise the date is.
    pub date_precision: Option<DatePrecision>,
    /// The district.
    pub district_id: MaybeUndefined<ID>,
    /// The place as reported.
    pub place: MaybeUndefined<String>,
    /// Security personnel killed.
    pub security_killed: MaybeUndefined<i32>,
    /// Security personnel injured.
    pub security_injured: MaybeUndefined<i32>,
    /// Civilians killed.
    pub civilians_killed: MaybeUndefined<i32>,
    /// Civilians injured.
    pub civilians_injured: MaybeUndefined<i32>,
    /// Attackers killed.
    pub militants_killed: MaybeUndefined<i32>,
    /// People abducted.
    pub abducted: MaybeUndefined<i32>,
    /// Deaths in all, where the source gives a total without saying who died.
    pub fatalities: MaybeUndefined<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    pub fatalities_by_convention: Option<bool>,
    /// What happened.
    pub description: MaybeUndefined<String>,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// Mutations of attacks.
#[derive(Default)]
pub struct AttackMutations;

#[Object]
impl AttackMutations {
    /// Records an attack with its district, its perpetrators and targets and its citations,
    /// all or nothing.
    async fn create_attack(
        &self,
        ctx: &Context<'_>,
        input: CreateAttackInput,
    ) -> ApiResult<Option<CreateAttackPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createAttack", cmid.as_deref()).await?;
        let done = create(&write, &input, None).await;
        respond(ctx, write, done, cmid, |a| node(ctx, a)).await
    }

    /// Creates an attack under a `(dataset, key)`, the JSON import's keys, or brings the one
    /// that key names in line with the input; an input that matches what is stored changes
    /// nothing (and records no change).
    async fn upsert_attack(
        &self,
        ctx: &Context<'_>,
        input: UpsertAttackInput,
    ) -> ApiResult<Option<UpsertAttackPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertAttack", cmid.as_deref()).await?;
        let done = upsert(&write, &input).await;
        respond(ctx, write, done, cmid, |a| node(ctx, a)).await
    }

    /// Corrects an attack: the fields given, cited, against the revision read.
    async fn update_attack(
        &self,
        ctx: &Context<'_>,
        input: UpdateAttackInput,
    ) -> ApiResult<Option<UpdateAttackPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateAttack", cmid.as_deref()).await?;
        let done = update(&write, &input).await;
        respond(ctx, write, done, cmid, |a| node(ctx, a)).await
    }
}

/// The checks of an attack's own fields, shared by create and update.
fn check_fields(checks: &mut Checks, m: &attack::Model) {
    checks.text(&["place"], m.place.as_deref(), MAX_NAME, false);
    checks.text(&["description"], m.description.as_deref(), MAX_TEXT, false);
    checks.count("securityKilled", m.security_killed);
    checks.count("securityInjured", m.security_injured);
    checks.count("civiliansKilled", m.civilians_killed);
    checks.count("civiliansInjured", m.civilians_injured);
    checks.count("militantsKilled", m.militants_killed);
    checks.count("abducted", m.abducted);
    checks.count("fatalities", m.fatalities);
    if m.fatalities_by_convention && m.fatalities.is_none() {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["fatalitiesByConvention"],
            "`fatalitiesByConvention` says what `fatalities` is: give the total with it",
        );
    }
    if m.date_precision == db_name(DatePrecision::Unknown) {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["datePrecision"],
            "an attack has a date: give the precision the source gives (DAY to YEAR)",
        );
    }
}

/// An attack's own fields as a create's `input` gives them.
fn fields(input: &CreateAttackInput) -> attack::Model {
    attack::Model {
        id: 0,
        revision: 1,
        kind: db_name(input.kind).to_owned(),
        date: input.date.0,
        date_precision: db_name(input.date_precision).to_owned(),
        district_id: None,
        place: input.place.clone(),
        security_killed: input.security_killed,
        security_injured: input.security_injured,
        civilians_killed: input.civilians_killed,
        civilians_injured: input.civilians_injured,
        militants_killed: input.militants_killed,
        abducted: input.abducted,
        fatalities: input.fatalities,
        fatalities_by_convention: input.fatalities_by_convention,
        description: input.description.clone(),
        dataset: None,
        external_id: None,
        raw: None,
    }
}

fn check_create(input: &CreateAttackInput) -> Done<()> {
    let mut checks = Checks::default();
    check_fields(&mut checks, &fields(input));
    checks.citations(&input.citations);
    checks.done()
}

async fn create(
    write: &Write,
    input: &CreateAttackInput,
    key: Option<&Key>,
) -> Done<attack::Model> {
    check_create(input)?;
    let mut model = fields(input);
    (model.dataset, model.external_id) = Key::columns(key);
    let district = input.district_id.as_ref();
    model.district_id = write
        .existing_opt(NodeKind::District, district, &["districtId"])
        .await?;
    let wanted = wanted_links(write, input).await?;
    let cited = write.sources(&input.citations).await?;
    let created = write.insert_row::<attack::Entity, _>(model).await?;
    write.add_links(created.id, &wanted).await?;
    write.created(NodeKind::Attack, created.id, &cited).await?;
    Ok(created)
}

/// The links of an attack an upsert may replace.
const LINKED: [&Link; 1] = [&ORGANIZATIONS];

/// The links `input` wants: each organization once, with its role.
async fn wanted_links(write: &Write, input: &CreateAttackInput) -> Done<Wanted> {
    let mut wanted = Wanted::default();
    for (i, o) in input.organizations.iter().enumerate() {
        let at = ["organizations", &i.to_string(), "organizationId"];
        let data = vec![Some(db_name(o.role).to_owned())];
        write
            .want(&mut wanted, &ORGANIZATIONS, &o.organization_id, data, &at)
            .await?;
    }
    Ok(wanted)
}

async fn update(write: &Write, input: &UpdateAttackInput) -> Done<attack::Model> {
    let before = write
        .current::<attack::Entity>(NodeKind::Attack, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    if let Some(kind) = input.kind {
        model.kind = db_name(kind).to_owned();
    }
    if let Some(date) = input.date {
        model.date = date.0;
    }
    if let Some(precision) = input.date_precision {
        model.date_precision = db_name(precision).to_owned();
    }
    super::patch(&mut model.place, &input.place, Clone::clone);
    let counts = [
        (&mut model.security_killed, &input.security_killed),
        (&mut model.security_injured, &input.security_injured),
        (&mut model.civilians_killed, &input.civilians_killed),
        (&mut model.civilians_injured, &input.civilians_injured),
        (&mut model.militants_killed, &input.militants_killed),
        (&mut model.abducted, &input.abducted),
        (&mut model.fatalities, &input.fatalities),
    ];
    for (field, value) in counts {
        super::patch(field, value, |v| *v);
    }
    if let Some(by_convention) = input.fatalities_by_convention {
        model.fatalities_by_convention = by_convention;
    }
    super::patch(&mut model.description, &input.description, Clone::clone);
    let mut checks = Checks::default();
    check_fields(&mut checks, &model);
    checks.citations(&input.citations);
    checks.done()?;
    write
        .reference(
            NodeKind::District,
            &input.district_id,
            "districtId",
            &mut model.district_id,
        )
        .await?;
    write
        .correct::<attack::Entity, _>(NodeKind::Attack, before.id, model, &input.citations)
        .await
}

async fn upsert(write: &Write, input: &UpsertAttackInput) -> Done<attack::Model> {
    let attack = &input.attack;
    let Some(before) = write.keyed::<attack::Entity>(&input.key).await? else {
        return within("attack", create(write, attack, Some(&input.key)).await);
    };
    within("attack", replace(write, before, attack).await)
}

/// Brings the stored attack `before` in line with `input`: its fields and its links.
async fn replace(
    write: &Write,
    before: attack::Model,
    input: &CreateAttackInput,
) -> Done<attack::Model> {
    check_create(input)?;
    let mut model = fields(input);
    (model.id, model.revision) = (before.id, before.revision);
    (model.dataset, model.external_id) = (before.dataset.clone(), before.external_id.clone());
    model.raw = before.raw.clone();
    let district = input.district_id.as_ref();
    model.district_id = write
        .existing_opt(NodeKind::District, district, &["districtId"])
        .await?;
    let wanted = wanted_links(write, input).await?;
    let id = before.id;
    if model == before
        && write
            .has_links(NodeKind::Attack, id, &LINKED, &wanted)
            .await?
    {
        return Ok(before);
    }
    let updated = write
        .correct::<attack::Entity, _>(NodeKind::Attack, id, model, &input.citations)
        .await?;
    write
        .replace_links(NodeKind::Attack, id, &LINKED, &wanted)
        .await?;
    Ok(updated)
}
