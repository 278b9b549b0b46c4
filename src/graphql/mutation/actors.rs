//! Corrections of the people and organizations involved: a person of the security forces, a
//! militant (the next article names them), an organization (its aliases, its kind). Each is
//! cited, made against the revision read, and kept in the change log.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::input::{Checks, CitationInput, Done, MAX_NAME, MAX_TEXT, UserErrorCode};
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
    /// Rank as reported.
    pub rank: MaybeUndefined<String>,
    /// The force they serve in.
    pub organization_id: MaybeUndefined<ID>,
    /// Home town as reported.
    pub hometown: MaybeUndefined<String>,
    /// The district of the home town.
    pub hometown_district_id: MaybeUndefined<ID>,
    /// What is known of them.
    pub status: Option<PersonnelStatus>,
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
    /// Name; null when the sources name none.
    pub name: MaybeUndefined<String>,
    /// Other names, replacing the ones recorded (at most 50).
    pub aliases: Option<Vec<String>>,
    /// Country of nationality.
    pub nationality_id: MaybeUndefined<ID>,
    /// Country they operate from.
    pub operating_country_id: MaybeUndefined<ID>,
    /// The organization they belong to.
    pub organization_id: MaybeUndefined<ID>,
    /// What is known of them.
    pub status: Option<MilitantStatus>,
    /// Notes.
    pub description: MaybeUndefined<String>,
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
    /// Other names, replacing the ones recorded (at most 50).
    pub aliases: Option<Vec<String>>,
    /// What kind of organization it is.
    pub kind: Option<OrganizationKind>,
    /// The country it is based in.
    pub base_country_id: MaybeUndefined<ID>,
    /// Notes.
    pub description: MaybeUndefined<String>,
    /// What the correction rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// Corrections of people and organizations.
#[derive(Default)]
pub struct ActorMutations;

#[Object]
impl ActorMutations {
    /// Corrects a person of the security forces.
    async fn update_personnel(
        &self,
        ctx: &Context<'_>,
        input: UpdatePersonnelInput,
    ) -> ApiResult<Option<UpdatePersonnelPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updatePersonnel", cmid.as_deref()).await?;
        let done = update_personnel(&write, &input).await;
        respond(write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a militant: names them when a later source does, for instance.
    async fn update_militant(
        &self,
        ctx: &Context<'_>,
        input: UpdateMilitantInput,
    ) -> ApiResult<Option<UpdateMilitantPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateMilitant", cmid.as_deref()).await?;
        let done = update_militant(&write, &input).await;
        respond(write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects an organization.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> ApiResult<Option<UpdateOrganizationPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateOrganization", cmid.as_deref()).await?;
        let done = update_organization(&write, &input).await;
        respond(write, done, cmid, |m| node(ctx, m)).await
    }
}

/// Checks a list of aliases and returns it as stored (a JSON array).
fn aliases(checks: &mut Checks, aliases: &[String]) -> String {
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

async fn update_personnel(write: &Write, input: &UpdatePersonnelInput) -> Done<personnel::Model> {
    let before = write
        .current::<personnel::Entity>(NodeKind::Personnel, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    if let Some(name) = &input.name {
        model.name = name.trim().to_owned();
    }
    if let Some(status) = input.status {
        model.status = db_name(status).to_owned();
    }
    patch(&mut model.rank, &input.rank, Clone::clone);
    patch(&mut model.hometown, &input.hometown, Clone::clone);
    let mut checks = Checks::default();
    checks.text(&["name"], Some(&model.name), MAX_NAME, true);
    checks.text(&["rank"], model.rank.as_deref(), MAX_NAME, false);
    checks.text(&["hometown"], model.hometown.as_deref(), MAX_NAME, false);
    checks.citations(&input.citations);
    checks.done()?;
    let (organization, district) = (&input.organization_id, &input.hometown_district_id);
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
        .await?;
    write
        .correct::<personnel::Entity, _>(NodeKind::Personnel, before.id, model, &input.citations)
        .await
}

async fn update_militant(write: &Write, input: &UpdateMilitantInput) -> Done<militant::Model> {
    let before = write
        .current::<militant::Entity>(NodeKind::Militant, &input.id, input.revision)
        .await?;
    let mut model = before.clone();
    let mut checks = Checks::default();
    patch(&mut model.name, &input.name, |n: &String| {
        n.trim().to_owned()
    });
    patch(&mut model.description, &input.description, Clone::clone);
    if let Some(status) = input.status {
        model.status = db_name(status).to_owned();
    }
    if let Some(list) = &input.aliases {
        model.aliases = aliases(&mut checks, list);
    }
    checks.text(&["name"], model.name.as_deref(), MAX_NAME, false);
    checks.text(
        &["description"],
        model.description.as_deref(),
        MAX_TEXT,
        false,
    );
    checks.citations(&input.citations);
    checks.done()?;
    let countries = [
        (
            &input.nationality_id,
            "nationalityId",
            &mut model.nationality_id,
        ),
        (
            &input.operating_country_id,
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
            &input.organization_id,
            "organizationId",
            &mut model.organization_id,
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
    let mut checks = Checks::default();
    if let Some(name) = &input.name {
        model.name = name.trim().to_owned();
    }
    if let Some(kind) = input.kind {
        model.kind = db_name(kind).to_owned();
    }
    if let Some(list) = &input.aliases {
        model.aliases = aliases(&mut checks, list);
    }
    patch(&mut model.description, &input.description, Clone::clone);
    checks.text(&["name"], Some(&model.name), MAX_NAME, true);
    checks.text(
        &["description"],
        model.description.as_deref(),
        MAX_TEXT,
        false,
    );
    checks.citations(&input.citations);
    checks.done()?;
    write
        .reference(
            NodeKind::Country,
            &input.base_country_id,
            "baseCountryId",
            &mut model.base_country_id,
        )
        .await?;
    write
        .correct::<organization::Entity, _>(
            NodeKind::Organization,
            before.id,
            model,
            &input.citations,
        )
        .await
}
