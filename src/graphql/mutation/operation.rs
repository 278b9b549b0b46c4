//! Mutations of operations: create one with its district, people, organizations and
//! citations in one transaction; correct it against the revision read; delete it with its
//! links.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set};

use super::input::{
    Checks, CitationInput, Done, Key, MAX_NAME, MAX_TEXT, Refused, UserError, UserErrorCode, within,
};
use super::link::{
    Link, OPERATION_MILITANTS as MILITANTS, OPERATION_ORGANIZATIONS as ORGANIZATIONS,
    OPERATION_PERSONNEL as PERSONNEL,
};
use super::replace::Wanted;
use super::write::Write;
use super::{node, payload, respond};
use crate::entity::{
    militant, operation, operation_militant, operation_organization, operation_personnel, personnel,
};
use crate::error::ApiResult;
use crate::graphql::enums::{
    DatePrecision, MilitantOutcome, MilitantStatus, OperationKind, OrganizationRole,
    PersonnelOutcome, PersonnelRole, PersonnelStatus, db_name,
};
use crate::graphql::ids::NodeKind;
use crate::graphql::scalars::Date;
use crate::graphql::types::Operation;

payload!(
    /// What `createOperation` did.
    CreateOperationPayload,
    operation: Operation
);
payload!(
    /// What `upsertOperation` did.
    UpsertOperationPayload,
    operation: Operation
);
payload!(
    /// What `updateOperation` did.
    UpdateOperationPayload,
    operation: Operation
);
payload!(
    /// What `deleteOperation` did.
    DeleteOperationPayload,
    deleted_id: ID
);

/// A new operation, with what it links to.
#[derive(InputObject)]
pub struct CreateOperationInput {
    /// Echoed in the payload, for clients that match answers to requests.
    pub client_mutation_id: Option<String>,
    /// Short title.
    pub title: String,
    /// Kind.
    pub kind: OperationKind,
    /// First day (or the first day of the period `datePrecision` names).
    pub start_date: Date,
    /// Last day, not before `startDate`; null for one day or unknown.
    pub end_date: Option<Date>,
    /// How precise the dates are: as precise as the source says, never more.
    pub date_precision: DatePrecision,
    /// The district it took place in.
    pub district_id: Option<ID>,
    /// The place as reported.
    pub place: Option<String>,
    /// Militants killed; null when not reported.
    pub militants_killed: Option<i32>,
    /// Militants arrested; null when not reported.
    pub militants_arrested: Option<i32>,
    /// Security personnel killed; null when not reported.
    pub security_killed: Option<i32>,
    /// Security personnel injured; null when not reported.
    pub security_injured: Option<i32>,
    /// Civilians killed; null when not reported.
    pub civilians_killed: Option<i32>,
    /// Deaths in all, where the source gives a total without saying who died; null when it
    /// gives none. The counts above stay null then.
    pub fatalities: Option<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    #[graphql(default)]
    pub fatalities_by_convention: bool,
    /// Free-text summary.
    pub summary: Option<String>,
    /// Security personnel involved, existing or new.
    #[graphql(default)]
    pub personnel: Vec<OperationPersonnelInput>,
    /// Militants involved, existing or new.
    #[graphql(default)]
    pub militants: Vec<OperationMilitantInput>,
    /// Organizations involved.
    #[graphql(default)]
    pub organizations: Vec<OperationOrganizationInput>,
    /// What the operation rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A person of the security forces in an operation: an existing one (`personnelId`) or a
/// new one (`personnel`).
#[derive(InputObject)]
pub struct OperationPersonnelInput {
    /// An existing person.
    pub personnel_id: Option<ID>,
    /// A new person, created with the operation and cited by its citations.
    pub personnel: Option<NewPersonnelInput>,
    /// Their role in it; null when not reported.
    pub role: Option<PersonnelRole>,
    /// What became of them.
    pub outcome: PersonnelOutcome,
}

/// A new person of the security forces.
#[derive(InputObject)]
pub struct NewPersonnelInput {
    /// Name as reported.
    pub name: String,
    /// Rank as reported.
    pub rank: Option<String>,
    /// The force they serve in.
    pub organization_id: Option<ID>,
    /// What is known of them.
    pub status: PersonnelStatus,
}

/// A militant in an operation: an existing one (`militantId`) or a new one (`militant`).
#[derive(InputObject)]
pub struct OperationMilitantInput {
    /// An existing militant.
    pub militant_id: Option<ID>,
    /// A new militant, created with the operation and cited by its citations.
    pub militant: Option<NewMilitantInput>,
    /// What became of them.
    pub outcome: MilitantOutcome,
}

/// A new militant.
#[derive(InputObject)]
pub struct NewMilitantInput {
    /// Name; null when the source names none.
    pub name: Option<String>,
    /// The organization they belong to.
    pub organization_id: Option<ID>,
    /// What is known of them.
    pub status: MilitantStatus,
}

/// An organization's part in an operation.
#[derive(InputObject)]
pub struct OperationOrganizationInput {
    /// The organization.
    pub organization_id: ID,
    /// Its part.
    pub role: OrganizationRole,
}

/// An operation to create, or to bring in line with the input when the key has one already.
#[derive(InputObject)]
pub struct UpsertOperationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the operation is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The operation as the dataset has it now. On a correction its fields replace the
    /// stored ones (absent ones clear), its links replace the stored links, and people and
    /// militants are named by id (create new ones first).
    pub operation: CreateOperationInput,
}

/// A correction of an operation: the fields given change (null clears one), the rest stay.
#[derive(InputObject)]
pub struct UpdateOperationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The operation.
    pub id: ID,
    /// The revision the change was made against; refused with `CONFLICT` when the
    /// operation has changed since. Without it the change applies to whatever is current.
    pub revision: Option<i32>,
    /// Short title.
    pub title: Option<String>,
    /// Kind.
    pub kind: Option<OperationKind>,
    /// First day.
    pub start_date: Option<Date>,
    /// Last day.
    pub end_date: MaybeUndefined<Date>,
    /// How precise the dates are.
    pub date_precision: Option<DatePrecision>,
    /// The district.
    pub district_id: MaybeUndefined<ID>,
    /// The place as reported.
    pub place: MaybeUndefined<String>,
    /// Militants killed.
    pub militants_killed: MaybeUndefined<i32>,
    /// Militants arrested.
    pub militants_arrested: MaybeUndefined<i32>,
    /// Security personnel killed.
    pub security_killed: MaybeUndefined<i32>,
    /// Security personnel injured.
    pub security_injured: MaybeUndefined<i32>,
    /// Civilians killed.
    pub civilians_killed: MaybeUndefined<i32>,
    /// Deaths in all, where the source gives a total without saying who died.
    pub fatalities: MaybeUndefined<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    pub fatalities_by_convention: Option<bool>,
    /// Free-text summary.
    pub summary: MaybeUndefined<String>,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// The removal of an operation with its links and citations.
#[derive(InputObject)]
pub struct DeleteOperationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The operation.
    pub id: ID,
    /// The revision the deletion was decided on; refused with `CONFLICT` when the operation
    /// has changed since.
    pub revision: Option<i32>,
}

/// Mutations of operations.
#[derive(Default)]
pub struct OperationMutations;

#[Object]
impl OperationMutations {
    /// Records an operation with its district, people, organizations and citations, all or
    /// nothing. New people and militants given inline are created and cited with it.
    async fn create_operation(
        &self,
        ctx: &Context<'_>,
        input: CreateOperationInput,
    ) -> ApiResult<Option<CreateOperationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createOperation", cmid.as_deref()).await?;
        let done = create(&write, &input, None).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Creates an operation under a `(dataset, key)`, the JSON import's keys, or brings the
    /// one that key names in line with the input; an input that matches what is stored
    /// changes nothing (and records no change).
    async fn upsert_operation(
        &self,
        ctx: &Context<'_>,
        input: UpsertOperationInput,
    ) -> ApiResult<Option<UpsertOperationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertOperation", cmid.as_deref()).await?;
        let done = upsert(&write, &input).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Corrects an operation: the fields given, cited, against the revision read.
    async fn update_operation(
        &self,
        ctx: &Context<'_>,
        input: UpdateOperationInput,
    ) -> ApiResult<Option<UpdateOperationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateOperation", cmid.as_deref()).await?;
        let done = update(&write, &input).await;
        respond(ctx, write, done, cmid, |op| node(ctx, op)).await
    }

    /// Deletes an operation, its links and its citations (its people, militants and
    /// organizations stay).
    async fn delete_operation(
        &self,
        ctx: &Context<'_>,
        input: DeleteOperationInput,
    ) -> ApiResult<Option<DeleteOperationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "deleteOperation", cmid.as_deref()).await?;
        // An operation owns its links: they go with it, and nothing else names it.
        let done = write
            .delete(NodeKind::Operation, (&input.id, input.revision), false)
            .await;
        respond(ctx, write, done, cmid, |id| Ok(NodeKind::Operation.id(id))).await
    }
}

/// The checks of an operation's own fields, shared by create and update.
fn check_fields(checks: &mut Checks, m: &operation::Model) {
    checks.text(&["title"], Some(&m.title), MAX_NAME, true);
    checks.text(&["place"], m.place.as_deref(), MAX_NAME, false);
    checks.text(&["summary"], m.summary.as_deref(), MAX_TEXT, false);
    checks.count("militantsKilled", m.militants_killed);
    checks.count("militantsArrested", m.militants_arrested);
    checks.count("securityKilled", m.security_killed);
    checks.count("securityInjured", m.security_injured);
    checks.count("civiliansKilled", m.civilians_killed);
    checks.count("fatalities", m.fatalities);
    if m.fatalities_by_convention && m.fatalities.is_none() {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["fatalitiesByConvention"],
            "`fatalitiesByConvention` says what `fatalities` is: give the total with it",
        );
    }
    if m.end_date.is_some_and(|end| end < m.start_date) {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["endDate"],
            "`endDate` is before `startDate`",
        );
    }
    if m.date_precision == db_name(DatePrecision::Unknown) {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["datePrecision"],
            "an operation has a date: give the precision the source gives (DAY to YEAR)",
        );
    }
}

async fn create(
    write: &Write,
    input: &CreateOperationInput,
    key: Option<&Key>,
) -> Done<operation::Model> {
    check_create(input)?;
    let mut model = fields(input);
    (model.dataset, model.external_id) = Key::columns(key);
    let district = input.district_id.as_ref();
    model.district_id = write
        .existing_opt(NodeKind::District, district, &["districtId"])
        .await?;
    let cited = write.sources(&input.citations).await?;
    let created = write.insert_row::<operation::Entity, _>(model).await?;
    link(write, created.id, input, &cited).await?;
    write
        .created(NodeKind::Operation, created.id, &cited)
        .await?;
    Ok(created)
}

/// An operation's own fields as a create's `input` gives them.
fn fields(input: &CreateOperationInput) -> operation::Model {
    operation::Model {
        id: 0,
        revision: 1,
        title: input.title.trim().to_owned(),
        kind: db_name(input.kind).to_owned(),
        start_date: input.start_date.0,
        end_date: input.end_date.map(|d| d.0),
        date_precision: db_name(input.date_precision).to_owned(),
        district_id: None,
        place: input.place.clone(),
        militants_killed: input.militants_killed,
        militants_arrested: input.militants_arrested,
        security_killed: input.security_killed,
        security_injured: input.security_injured,
        civilians_killed: input.civilians_killed,
        fatalities: input.fatalities,
        fatalities_by_convention: input.fatalities_by_convention,
        summary: input.summary.clone(),
        dataset: None,
        external_id: None,
        raw: None,
    }
}

/// The checks of a create's input: its own fields, its citations, and the new people and
/// militants it gives inline.
fn check_create(input: &CreateOperationInput) -> Done<()> {
    let mut checks = Checks::default();
    check_fields(&mut checks, &fields(input));
    checks.citations(&input.citations);
    for (i, p) in input.personnel.iter().enumerate() {
        let at = i.to_string();
        match (&p.personnel_id, &p.personnel) {
            (Some(_), None) => {}
            (None, Some(new)) => {
                checks.text(
                    &["personnel", &at, "personnel", "name"],
                    Some(&new.name),
                    MAX_NAME,
                    true,
                );
                checks.text(
                    &["personnel", &at, "personnel", "rank"],
                    new.rank.as_deref(),
                    MAX_NAME,
                    false,
                );
            }
            _ => checks.refuse(
                UserErrorCode::BadUserInput,
                &["personnel", &at],
                "give `personnelId` or `personnel`, not both",
            ),
        }
    }
    for (i, m) in input.militants.iter().enumerate() {
        let at = i.to_string();
        match (&m.militant_id, &m.militant) {
            (Some(_), None) => {}
            (None, Some(new)) => {
                checks.text(
                    &["militants", &at, "militant", "name"],
                    new.name.as_deref(),
                    MAX_NAME,
                    false,
                );
            }
            _ => checks.refuse(
                UserErrorCode::BadUserInput,
                &["militants", &at],
                "give `militantId` or `militant`, not both",
            ),
        }
    }
    checks.done()
}

/// Writes the links `input` gives the operation `id`, creating the people and militants it
/// gives inline (cited by `cited`).
async fn link(
    write: &Write,
    id: i32,
    input: &CreateOperationInput,
    cited: &[(i32, &CitationInput)],
) -> Done<()> {
    let mut seen = std::collections::HashSet::new();
    for (i, p) in input.personnel.iter().enumerate() {
        let at = i.to_string();
        let person = match (&p.personnel_id, &p.personnel) {
            (Some(existing), _) => {
                write
                    .existing(
                        NodeKind::Personnel,
                        existing,
                        &["personnel", &at, "personnelId"],
                    )
                    .await?
            }
            (None, Some(new)) => {
                let organization = new.organization_id.as_ref();
                let field = ["personnel", &at, "personnel", "organizationId"];
                let organization_id = write
                    .existing_opt(NodeKind::Organization, organization, &field)
                    .await?;
                let person = personnel::ActiveModel {
                    id: NotSet,
                    revision: Set(1),
                    name: Set(new.name.trim().to_owned()),
                    aliases: Set("[]".to_owned()),
                    rank: Set(new.rank.clone()),
                    organization_id: Set(organization_id),
                    hometown: Set(None),
                    hometown_district_id: Set(None),
                    status: Set(db_name(new.status).to_owned()),
                    dataset: Set(None),
                    external_id: Set(None),
                }
                .insert(write.txn())
                .await?;
                write.created(NodeKind::Personnel, person.id, cited).await?;
                person.id
            }
            (None, None) => unreachable_input()?,
        };
        if !seen.insert((NodeKind::Personnel, person)) {
            return Err(duplicate(&["personnel", &at], "this person"));
        }
        operation_personnel::ActiveModel {
            operation_id: Set(id),
            personnel_id: Set(person),
            role: Set(p.role.map(|r| db_name(r).to_owned())),
            outcome: Set(db_name(p.outcome).to_owned()),
        }
        .insert(write.txn())
        .await?;
    }
    for (i, m) in input.militants.iter().enumerate() {
        let at = i.to_string();
        let militant_id = match (&m.militant_id, &m.militant) {
            (Some(existing), _) => {
                write
                    .existing(
                        NodeKind::Militant,
                        existing,
                        &["militants", &at, "militantId"],
                    )
                    .await?
            }
            (None, Some(new)) => {
                let organization = new.organization_id.as_ref();
                let field = ["militants", &at, "militant", "organizationId"];
                let organization_id = write
                    .existing_opt(NodeKind::Organization, organization, &field)
                    .await?;
                let created = militant::ActiveModel {
                    id: NotSet,
                    revision: Set(1),
                    name: Set(new.name.as_deref().map(str::trim).map(str::to_owned)),
                    aliases: Set("[]".to_owned()),
                    nationality_id: Set(None),
                    operating_country_id: Set(None),
                    organization_id: Set(organization_id),
                    status: Set(db_name(new.status).to_owned()),
                    description: Set(None),
                    dataset: Set(None),
                    external_id: Set(None),
                }
                .insert(write.txn())
                .await?;
                write.created(NodeKind::Militant, created.id, cited).await?;
                created.id
            }
            (None, None) => unreachable_input()?,
        };
        if !seen.insert((NodeKind::Militant, militant_id)) {
            return Err(duplicate(&["militants", &at], "this militant"));
        }
        operation_militant::ActiveModel {
            operation_id: Set(id),
            militant_id: Set(militant_id),
            outcome: Set(db_name(m.outcome).to_owned()),
        }
        .insert(write.txn())
        .await?;
    }
    for (i, o) in input.organizations.iter().enumerate() {
        let at = i.to_string();
        let organization = write
            .existing(
                NodeKind::Organization,
                &o.organization_id,
                &["organizations", &at, "organizationId"],
            )
            .await?;
        if !seen.insert((NodeKind::Organization, organization)) {
            return Err(duplicate(&["organizations", &at], "this organization"));
        }
        operation_organization::ActiveModel {
            operation_id: Set(id),
            organization_id: Set(organization),
            role: Set(db_name(o.role).to_owned()),
        }
        .insert(write.txn())
        .await?;
    }
    Ok(())
}

/// Refused before anything is written by the checks; here for the compiler.
fn unreachable_input<T>() -> Done<T> {
    Err(UserError::new(UserErrorCode::BadUserInput, &[], "a link names nothing").into())
}

fn duplicate(field: &[&str], what: &str) -> Refused {
    UserError::new(
        UserErrorCode::AlreadyExists,
        field,
        format!("{what} is linked to the operation twice; link it once"),
    )
    .into()
}

/// The operation `id` names, locked for this change; `NOT_FOUND` or `CONFLICT` refused.
async fn current(write: &Write, id: &ID, revision: Option<i32>) -> Done<operation::Model> {
    write
        .current::<operation::Entity>(NodeKind::Operation, id, revision)
        .await
}

async fn update(write: &Write, input: &UpdateOperationInput) -> Done<operation::Model> {
    let before = current(write, &input.id, input.revision).await?;
    let mut model = before.clone();
    if let Some(title) = &input.title {
        model.title = title.trim().to_owned();
    }
    if let Some(kind) = input.kind {
        model.kind = db_name(kind).to_owned();
    }
    if let Some(start) = input.start_date {
        model.start_date = start.0;
    }
    if let Some(precision) = input.date_precision {
        model.date_precision = db_name(precision).to_owned();
    }
    super::patch(&mut model.end_date, &input.end_date, |d| d.0);
    super::patch(&mut model.place, &input.place, Clone::clone);
    super::patch(&mut model.militants_killed, &input.militants_killed, |v| *v);
    super::patch(
        &mut model.militants_arrested,
        &input.militants_arrested,
        |v| *v,
    );
    super::patch(&mut model.security_killed, &input.security_killed, |v| *v);
    super::patch(&mut model.security_injured, &input.security_injured, |v| *v);
    super::patch(&mut model.civilians_killed, &input.civilians_killed, |v| *v);
    super::patch(&mut model.fatalities, &input.fatalities, |v| *v);
    if let Some(by_convention) = input.fatalities_by_convention {
        model.fatalities_by_convention = by_convention;
    }
    super::patch(&mut model.summary, &input.summary, Clone::clone);
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
        .correct::<operation::Entity, _>(NodeKind::Operation, before.id, model, &input.citations)
        .await
}

/// The links of an operation an upsert may replace.
const LINKED: [&Link; 3] = [&PERSONNEL, &MILITANTS, &ORGANIZATIONS];

/// The links `input` wants, each end named by id.
async fn wanted_links(write: &Write, input: &CreateOperationInput) -> Done<Wanted> {
    let mut wanted = Wanted::default();
    for (i, p) in input.personnel.iter().enumerate() {
        let at = ["personnel", &i.to_string(), "personnelId"];
        let Some(id) = &p.personnel_id else {
            return Err(UserError::new(
                UserErrorCode::BadUserInput,
                &at,
                "an upsert names people by `personnelId`: create new ones first \
                 (`createPersonnel`, `upsertPersonnel`)",
            )
            .into());
        };
        let data = vec![
            Some(db_name(p.outcome).to_owned()),
            p.role.map(|r| db_name(r).to_owned()),
        ];
        write.want(&mut wanted, &PERSONNEL, id, data, &at).await?;
    }
    for (i, m) in input.militants.iter().enumerate() {
        let at = ["militants", &i.to_string(), "militantId"];
        let Some(id) = &m.militant_id else {
            return Err(UserError::new(
                UserErrorCode::BadUserInput,
                &at,
                "an upsert names militants by `militantId`: create new ones first \
                 (`createMilitant`, `upsertMilitant`)",
            )
            .into());
        };
        let data = vec![Some(db_name(m.outcome).to_owned())];
        write.want(&mut wanted, &MILITANTS, id, data, &at).await?;
    }
    for (i, o) in input.organizations.iter().enumerate() {
        let at = ["organizations", &i.to_string(), "organizationId"];
        let data = vec![Some(db_name(o.role).to_owned())];
        let id = &o.organization_id;
        write
            .want(&mut wanted, &ORGANIZATIONS, id, data, &at)
            .await?;
    }
    Ok(wanted)
}

async fn upsert(write: &Write, input: &UpsertOperationInput) -> Done<operation::Model> {
    let op = &input.operation;
    let Some(before) = write.keyed::<operation::Entity>(&input.key).await? else {
        return within("operation", create(write, op, Some(&input.key)).await);
    };
    within("operation", replace(write, before, op).await)
}

/// Brings the stored operation `before` in line with `input`: its fields and its links.
async fn replace(
    write: &Write,
    before: operation::Model,
    input: &CreateOperationInput,
) -> Done<operation::Model> {
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
            .has_links(NodeKind::Operation, id, &LINKED, &wanted)
            .await?
    {
        return Ok(before);
    }
    let updated = write
        .correct::<operation::Entity, _>(NodeKind::Operation, id, model, &input.citations)
        .await?;
    write
        .replace_links(NodeKind::Operation, id, &LINKED, &wanted)
        .await?;
    Ok(updated)
}
