//! People and organizations involved: a person of the security forces, a militant (the next
//! article names them), an organization (its aliases, its kind), created and corrected. Each
//! is cited, corrected against the revision read, and kept in the change log.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::input::{
    Checks, CitationInput, Done, Key, MAX_NAME, MAX_TEXT, UserError, UserErrorCode, within,
};
use super::write::Write;
use super::{node, patch, payload, respond};
use crate::entity::{militant, organization, personnel};
use crate::error::ApiResult;
use crate::graphql::enums::{MilitantStatus, OrganizationKind, PersonnelStatus, db_name};
use crate::graphql::ids::NodeKind;
use crate::graphql::types::{Militant, Organization, Personnel};

/// Most aliases a node keeps.
const MAX_ALIASES: usize = 50;

payload!(
    /// What `createPersonnel` did.
    CreatePersonnelPayload,
    personnel: Personnel
);
payload!(
    /// What `createMilitant` did.
    CreateMilitantPayload,
    militant: Militant
);
payload!(
    /// What `createOrganization` did.
    CreateOrganizationPayload,
    organization: Organization
);
payload!(
    /// What `upsertPersonnel` did.
    UpsertPersonnelPayload,
    personnel: Personnel
);
payload!(
    /// What `upsertMilitant` did.
    UpsertMilitantPayload,
    militant: Militant
);
payload!(
    /// What `upsertOrganization` did.
    UpsertOrganizationPayload,
    organization: Organization
);
payload!(
    /// What `updatePersonnel` did.
    UpdatePersonnelPayload,
    personnel: Personnel
);
payload!(
    /// What `updateMilitant` did.
    UpdateMilitantPayload,
    militant: Militant
);
payload!(
    /// What `updateOrganization` did.
    UpdateOrganizationPayload,
    organization: Organization
);

/// What is known of a person of the security forces besides name and status; on an update,
/// the fields given change (null clears).
#[derive(InputObject, Default)]
pub struct PersonnelDetails {
    /// Other names (at most 50); on an update they replace the ones recorded.
    pub aliases: Option<Vec<String>>,
    /// Rank as reported.
    pub rank: MaybeUndefined<String>,
    /// The force they serve in.
    pub organization_id: MaybeUndefined<ID>,
    /// Home town as reported.
    pub hometown: MaybeUndefined<String>,
    /// The district of the home town.
    pub hometown_district_id: MaybeUndefined<ID>,
}

/// What is known of a militant besides their status; on an update, the fields given change
/// (null clears).
#[derive(InputObject, Default)]
pub struct MilitantDetails {
    /// Name; null when the sources name none.
    pub name: MaybeUndefined<String>,
    /// Other names (at most 50); on an update they replace the ones recorded.
    pub aliases: Option<Vec<String>>,
    /// Country of nationality.
    pub nationality_id: MaybeUndefined<ID>,
    /// Country they operate from.
    pub operating_country_id: MaybeUndefined<ID>,
    /// The organization they belong to.
    pub organization_id: MaybeUndefined<ID>,
    /// Notes.
    pub description: MaybeUndefined<String>,
}

/// What is known of an organization besides name and kind; on an update, the fields given
/// change (null clears).
#[derive(InputObject, Default)]
pub struct OrganizationDetails {
    /// Other names (at most 50); on an update they replace the ones recorded.
    pub aliases: Option<Vec<String>>,
    /// The country it is based in.
    pub base_country_id: MaybeUndefined<ID>,
    /// Notes.
    pub description: MaybeUndefined<String>,
}

/// A new person of the security forces.
#[derive(InputObject)]
pub struct CreatePersonnelInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// Name as reported.
    pub name: String,
    /// What is known of them.
    pub status: PersonnelStatus,
    /// The other fields, inlined into this input.
    #[graphql(flatten)]
    pub details: PersonnelDetails,
    /// What the record rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A new militant.
#[derive(InputObject)]
pub struct CreateMilitantInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// What is known of them.
    pub status: MilitantStatus,
    /// The other fields, inlined into this input.
    #[graphql(flatten)]
    pub details: MilitantDetails,
    /// What the record rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A new organization.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// Name; unique among organizations.
    pub name: String,
    /// What kind of organization it is.
    pub kind: OrganizationKind,
    /// The other fields, inlined into this input.
    #[graphql(flatten)]
    pub details: OrganizationDetails,
    /// What the record rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A correction of a person of the security forces: the fields given change (null clears).
#[derive(InputObject)]
pub struct UpdatePersonnelInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The person.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when the person has changed since.
    pub revision: Option<i32>,
    /// Name as reported.
    pub name: Option<String>,
    /// What is known of them.
    pub status: Option<PersonnelStatus>,
    /// The other fields, inlined into this input.
    #[graphql(flatten)]
    pub details: PersonnelDetails,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A correction of a militant: the fields given change (null clears).
#[derive(InputObject)]
pub struct UpdateMilitantInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The militant.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when the militant has changed since.
    pub revision: Option<i32>,
    /// What is known of them.
    pub status: Option<MilitantStatus>,
    /// The other fields, inlined into this input.
    #[graphql(flatten)]
    pub details: MilitantDetails,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A correction of an organization: the fields given change (null clears).
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The organization.
    pub id: ID,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// Name.
    pub name: Option<String>,
    /// What kind of organization it is.
    pub kind: Option<OrganizationKind>,
    /// The other fields, inlined into this input.
    #[graphql(flatten)]
    pub details: OrganizationDetails,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A person of the security forces to create, or to correct when the key has one already.
#[derive(InputObject)]
pub struct UpsertPersonnelInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the person is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The person; fields left out keep their value on a correction.
    pub personnel: CreatePersonnelInput,
}

/// A militant to create, or to correct when the key has one already.
#[derive(InputObject)]
pub struct UpsertMilitantInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the militant is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The militant; fields left out keep their value on a correction.
    pub militant: CreateMilitantInput,
}

/// An organization to create, or to correct when the key has one already.
#[derive(InputObject)]
pub struct UpsertOrganizationInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The dataset and key the organization is known by.
    #[graphql(flatten)]
    pub key: Key,
    /// The organization; fields left out keep their value on a correction.
    pub organization: CreateOrganizationInput,
}

/// People and organizations, created and corrected.
#[derive(Default)]
pub struct ActorMutations;

/// Runs a mutation of this module: `body` in the mutation's transaction, answered with its node.
macro_rules! run {
    ($ctx:ident, $input:ident, $name:literal, $body:ident) => {{
        let cmid = $input.client_mutation_id.clone();
        let write = Write::begin($ctx, $name, cmid.as_deref()).await?;
        let done = $body(&write, &$input).await;
        respond($ctx, write, done, cmid, |m| node($ctx, m)).await
    }};
}

#[Object]
impl ActorMutations {
    /// Records a person of the security forces.
    async fn create_personnel(
        &self,
        ctx: &Context<'_>,
        input: CreatePersonnelInput,
    ) -> ApiResult<Option<CreatePersonnelPayload>> {
        run!(ctx, input, "createPersonnel", create_personnel)
    }

    /// Records a militant, named or not.
    async fn create_militant(
        &self,
        ctx: &Context<'_>,
        input: CreateMilitantInput,
    ) -> ApiResult<Option<CreateMilitantPayload>> {
        run!(ctx, input, "createMilitant", create_militant)
    }

    /// Records an organization; `ALREADY_EXISTS` when one has the name (merge duplicates
    /// with `mergeOrganizations`).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> ApiResult<Option<CreateOrganizationPayload>> {
        run!(ctx, input, "createOrganization", create_organization)
    }

    /// Creates a person of the security forces under a `(dataset, key)`, or corrects the one
    /// that key names: the keys of the JSON import, so a client can sync a dataset.
    async fn upsert_personnel(
        &self,
        ctx: &Context<'_>,
        input: UpsertPersonnelInput,
    ) -> ApiResult<Option<UpsertPersonnelPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertPersonnel", cmid.as_deref()).await?;
        let done = upsert_personnel(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Creates a militant under a `(dataset, key)`, or corrects the one that key names.
    async fn upsert_militant(
        &self,
        ctx: &Context<'_>,
        input: UpsertMilitantInput,
    ) -> ApiResult<Option<UpsertMilitantPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertMilitant", cmid.as_deref()).await?;
        let done = upsert_militant(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Creates an organization under a `(dataset, key)`, or corrects the one that key names.
    async fn upsert_organization(
        &self,
        ctx: &Context<'_>,
        input: UpsertOrganizationInput,
    ) -> ApiResult<Option<UpsertOrganizationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "upsertOrganization", cmid.as_deref()).await?;
        let done = upsert_organization(&write, &input).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a person of the security forces.
    async fn update_personnel(
        &self,
        ctx: &Context<'_>,
        input: UpdatePersonnelInput,
    ) -> ApiResult<Option<UpdatePersonnelPayload>> {
        run!(ctx, input, "updatePersonnel", update_personnel)
    }

    /// Corrects a militant: names them when a later source does, for instance.
    async fn update_militant(
        &self,
        ctx: &Context<'_>,
        input: UpdateMilitantInput,
    ) -> ApiResult<Option<UpdateMilitantPayload>> {
        run!(ctx, input, "updateMilitant", update_militant)
    }

    /// Corrects an organization.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> ApiResult<Option<UpdateOrganizationPayload>> {
        run!(ctx, input, "updateOrganization", update_organization)
    }
}

/// Checks a list of aliases and returns it as stored (a JSON array).
pub(super) fn aliases(checks: &mut Checks, aliases: &[String]) -> String {
    if aliases.len() > MAX_ALIASES {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["aliases"],
            format!("at most {MAX_ALIASES} aliases"),
        );
    }
    for (i, alias) in aliases.iter().enumerate() {
        checks.text(&["aliases", &i.to_string()], Some(alias), MAX_NAME, true);
    }
    let trimmed: Vec<&str> = aliases.iter().map(|a| a.trim()).collect();
    serde_json::to_string(&trimmed).unwrap_or_else(|_| "[]".to_owned())
}

/// Applies a person's `name`, `status` and `details` to `model`, checked, with the
/// `citations` the change needs.
async fn personnel_fields(
    write: &Write,
    model: &mut personnel::Model,
    (name, status): (Option<&String>, Option<PersonnelStatus>),
    details: &PersonnelDetails,
    citations: &[CitationInput],
) -> Done<()> {
    if let Some(name) = name {
        model.name = name.trim().to_owned();
    }
    if let Some(status) = status {
        model.status = db_name(status).to_owned();
    }
    patch(&mut model.rank, &details.rank, Clone::clone);
    patch(&mut model.hometown, &details.hometown, Clone::clone);
    let mut checks = Checks::default();
    if let Some(list) = &details.aliases {
        model.aliases = aliases(&mut checks, list);
    }
    checks.text(&["name"], Some(&model.name), MAX_NAME, true);
    checks.text(&["rank"], model.rank.as_deref(), MAX_NAME, false);
    checks.text(&["hometown"], model.hometown.as_deref(), MAX_NAME, false);
    checks.citations(citations);
    checks.done()?;
    let (organization, district) = (&details.organization_id, &details.hometown_district_id);
    write
        .reference(
            NodeKind::Organization,
            organization,
            "organizationId",
            &mut model.organization_id,
        )
        .await?;
    write
        .reference(
            NodeKind::District,
            district,
            "hometownDistrictId",
            &mut model.hometown_district_id,
        )
        .await
}

/// Applies a militant's `status` and `details` to `model`, checked, with the `citations` the
/// change needs.
async fn militant_fields(
    write: &Write,
    model: &mut militant::Model,
    status: Option<MilitantStatus>,
    details: &MilitantDetails,
    citations: &[CitationInput],
) -> Done<()> {
    let mut checks = Checks::default();
    patch(&mut model.name, &details.name, |n: &String| {
        n.trim().to_owned()
    });
    patch(&mut model.description, &details.description, Clone::clone);
    if let Some(status) = status {
        model.status = db_name(status).to_owned();
    }
    if let Some(list) = &details.aliases {
        model.aliases = aliases(&mut checks, list);
    }
    checks.text(&["name"], model.name.as_deref(), MAX_NAME, false);
    checks.text(
        &["description"],
        model.description.as_deref(),
        MAX_TEXT,
        false,
    );
    checks.citations(citations);
    checks.done()?;
    let countries = [
        (
            &details.nationality_id,
            "nationalityId",
            &mut model.nationality_id,
        ),
        (
            &details.operating_country_id,
            "operatingCountryId",
            &mut model.operating_country_id,
        ),
    ];
    for (value, field, target) in countries {
        write
            .reference(NodeKind::Country, value, field, target)
            .await?;
    }
    write
        .reference(
            NodeKind::Organization,
            &details.organization_id,
            "organizationId",
            &mut model.organization_id,
        )
        .await
}

/// Applies an organization's `name`, `kind` and `details` to `model`, checked, with the
/// `citations` the change needs; `ALREADY_EXISTS` when another organization has the name.
async fn organization_fields(
    write: &Write,
    model: &mut organization::Model,
    (name, kind): (Option<&String>, Option<OrganizationKind>),
    details: &OrganizationDetails,
    citations: &[CitationInput],
) -> Done<()> {
    let mut checks = Checks::default();
    if let Some(name) = name {
        model.name = name.trim().to_owned();
    }
    if let Some(kind) = kind {
        model.kind = db_name(kind).to_owned();
    }
    if let Some(list) = &details.aliases {
        model.aliases = aliases(&mut checks, list);
    }
    patch(&mut model.description, &details.description, Clone::clone);
    checks.text(&["name"], Some(&model.name), MAX_NAME, true);
    checks.text(
        &["description"],
        model.description.as_deref(),
        MAX_TEXT,
        false,
    );
    checks.citations(citations);
    checks.done()?;
    let taken = organization::Entity::find()
        .filter(organization::Column::Name.eq(&model.name))
        .filter(organization::Column::Id.ne(model.id))
        .count(write.txn())
        .await?;
    if taken > 0 {
        return Err(UserError::new(
            UserErrorCode::AlreadyExists,
            &["name"],
            format!(
                "an organization is named {:?} already; to make the two one, use \
                 `mergeOrganizations`",
                model.name
            ),
        )
        .into());
    }
    write
        .reference(
            NodeKind::Country,
            &details.base_country_id,
            "baseCountryId",
            &mut model.base_country_id,
        )
        .await
}

async fn create_personnel(write: &Write, input: &CreatePersonnelInput) -> Done<personnel::Model> {
    new_personnel(write, input, None).await
}

async fn new_personnel(
    write: &Write,
    input: &CreatePersonnelInput,
    key: Option<&Key>,
) -> Done<personnel::Model> {
    let mut model = personnel::Model {
        id: 0,
        revision: 1,
        name: String::new(),
        aliases: "[]".to_owned(),
        rank: None,
        organization_id: None,
        hometown: None,
        hometown_district_id: None,
        status: String::new(),
        dataset: None,
        external_id: None,
    };
    (model.dataset, model.external_id) = Key::columns(key);
    let named = (Some(&input.name), Some(input.status));
    personnel_fields(write, &mut model, named, &input.details, &input.citations).await?;
    write
        .insert::<personnel::Entity, _>(NodeKind::Personnel, model, &input.citations)
        .await
}

async fn create_militant(write: &Write, input: &CreateMilitantInput) -> Done<militant::Model> {
    new_militant(write, input, None).await
}

async fn new_militant(
    write: &Write,
    input: &CreateMilitantInput,
    key: Option<&Key>,
) -> Done<militant::Model> {
    let mut model = militant::Model {
        id: 0,
        revision: 1,
        name: None,
        aliases: "[]".to_owned(),
        nationality_id: None,
        operating_country_id: None,
        organization_id: None,
        status: String::new(),
        description: None,
        dataset: None,
        external_id: None,
    };
    (model.dataset, model.external_id) = Key::columns(key);
    let status = Some(input.status);
    militant_fields(write, &mut model, status, &input.details, &input.citations).await?;
    write
        .insert::<militant::Entity, _>(NodeKind::Militant, model, &input.citations)
        .await
}

async fn create_organization(
    write: &Write,
    input: &CreateOrganizationInput,
) -> Done<organization::Model> {
    new_organization(write, input, None).await
}

async fn new_organization(
    write: &Write,
    input: &CreateOrganizationInput,
    key: Option<&Key>,
) -> Done<organization::Model> {
    let mut model = organization::Model {
        id: 0,
        revision: 1,
        name: String::new(),
        aliases: "[]".to_owned(),
        kind: String::new(),
        base_country_id: None,
        description: None,
        dataset: None,
        external_id: None,
    };
    (model.dataset, model.external_id) = Key::columns(key);
    let named = (Some(&input.name), Some(input.kind));
    organization_fields(write, &mut model, named, &input.details, &input.citations).await?;
    write
        .insert::<organization::Entity, _>(NodeKind::Organization, model, &input.citations)
        .await
}

async fn update_personnel(write: &Write, input: &UpdatePersonnelInput) -> Done<personnel::Model> {
    let before = write
        .current::<personnel::Entity>(NodeKind::Personnel, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    let named = (input.name.as_ref(), input.status);
    personnel_fields(write, &mut model, named, &input.details, &input.citations).await?;
    write
        .correct::<personnel::Entity, _>(NodeKind::Personnel, before.id, model, &input.citations)
        .await
}

async fn update_militant(write: &Write, input: &UpdateMilitantInput) -> Done<militant::Model> {
    let before = write
        .current::<militant::Entity>(NodeKind::Militant, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    militant_fields(
        write,
        &mut model,
        input.status,
        &input.details,
        &input.citations,
    )
    .await?;
    write
        .correct::<militant::Entity, _>(NodeKind::Militant, before.id, model, &input.citations)
        .await
}

async fn update_organization(
    write: &Write,
    input: &UpdateOrganizationInput,
) -> Done<organization::Model> {
    let before = write
        .current::<organization::Entity>(NodeKind::Organization, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    let named = (input.name.as_ref(), input.kind);
    organization_fields(write, &mut model, named, &input.details, &input.citations).await?;
    write
        .correct::<organization::Entity, _>(
            NodeKind::Organization,
            before.id,
            model,
            &input.citations,
        )
        .await
}

async fn upsert_personnel(write: &Write, input: &UpsertPersonnelInput) -> Done<personnel::Model> {
    let (key, fields) = (&input.key, &input.personnel);
    let Some(before) = write.keyed::<personnel::Entity>(key).await? else {
        return within("personnel", new_personnel(write, fields, Some(key)).await);
    };
    let mut model = before.clone();
    let named = (Some(&fields.name), Some(fields.status));
    let details = personnel_fields(write, &mut model, named, &fields.details, &fields.citations);
    within("personnel", details.await)?;
    write
        .upsert::<personnel::Entity, _>(NodeKind::Personnel, before, model, &fields.citations)
        .await
}

async fn upsert_militant(write: &Write, input: &UpsertMilitantInput) -> Done<militant::Model> {
    let (key, fields) = (&input.key, &input.militant);
    let Some(before) = write.keyed::<militant::Entity>(key).await? else {
        return within("militant", new_militant(write, fields, Some(key)).await);
    };
    let mut model = before.clone();
    let status = Some(fields.status);
    militant_fields(
        write,
        &mut model,
        status,
        &fields.details,
        &fields.citations,
    )
    .await?;
    write
        .upsert::<militant::Entity, _>(NodeKind::Militant, before, model, &fields.citations)
        .await
}

async fn upsert_organization(
    write: &Write,
    input: &UpsertOrganizationInput,
) -> Done<organization::Model> {
    let (key, fields) = (&input.key, &input.organization);
    let Some(before) = write.keyed::<organization::Entity>(key).await? else {
        return within(
            "organization",
            new_organization(write, fields, Some(key)).await,
        );
    };
    let mut model = before.clone();
    let named = (Some(&fields.name), Some(fields.kind));
    let details = organization_fields(write, &mut model, named, &fields.details, &fields.citations);
    within("organization", details.await)?;
    write
        .upsert::<organization::Entity, _>(NodeKind::Organization, before, model, &fields.citations)
        .await
}
