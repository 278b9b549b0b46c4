//! Places: countries, provinces and districts, created and corrected. Their names are unique
//! where the schema says (a country's ISO code, a district's name within its province), and
//! coordinates are a district's point in a gazetteer, cited like any other fact.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel};

use super::actors::aliases;
use super::input::{Checks, CitationInput, Done, MAX_NAME, UserError, UserErrorCode};
use super::write::Write;
use super::{node, patch, payload, respond};
use crate::entity::{Revised, Table, country, district, province};
use crate::error::ApiResult;
use crate::graphql::ids::NodeKind;
use crate::graphql::types::{Country, District, Province};

payload!(
    /// What `createCountry` did.
    CreateCountryPayload,
    country: Country
);
payload!(
    /// What `updateCountry` did.
    UpdateCountryPayload,
    country: Country
);
payload!(
    /// What `createProvince` did.
    CreateProvincePayload,
    province: Province
);
payload!(
    /// What `updateProvince` did.
    UpdateProvincePayload,
    province: Province
);
payload!(
    /// What `createDistrict` did.
    CreateDistrictPayload,
    district: District
);
payload!(
    /// What `updateDistrict` did.
    UpdateDistrictPayload,
    district: District
);

/// A country: its ISO code and name. On an update, the fields given change.
#[derive(InputObject)]
pub struct CountryInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The country to correct; absent to create one.
    pub id: Option<ID>,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// ISO 3166-1 alpha-2 code (`AF`); unique. Required to create.
    pub iso_code: Option<String>,
    /// Name. Required to create.
    pub name: Option<String>,
    /// What it rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A province (first-level division). On an update, the fields given change (null clears).
#[derive(InputObject)]
pub struct ProvinceInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The province to correct; absent to create one.
    pub id: Option<ID>,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// Name; unique within its country. Required to create.
    pub name: Option<String>,
    /// ISO 3166-2 code (`PK-KP`); unique.
    pub iso_code: MaybeUndefined<String>,
    /// The country it divides. Required to create.
    pub country_id: Option<ID>,
    /// What it rests on: at least one citation.
    pub citations: Vec<CitationInput>,
}

/// A district (second-level division). On an update, the fields given change (null clears).
#[derive(InputObject)]
pub struct DistrictInput {
    /// Echoed in the payload.
    pub client_mutation_id: Option<String>,
    /// The district to correct; absent to create one.
    pub id: Option<ID>,
    /// The revision you read; refused with `CONFLICT` when it has changed since.
    pub revision: Option<i32>,
    /// Name; unique within its province. Required to create.
    pub name: Option<String>,
    /// Other names and spellings (at most 50), replacing the ones recorded.
    pub aliases: Option<Vec<String>>,
    /// The province it lies in. Required to create.
    pub province_id: Option<ID>,
    /// Latitude of its point, -90 to 90.
    pub latitude: MaybeUndefined<f64>,
    /// Longitude of its point, -180 to 180.
    pub longitude: MaybeUndefined<f64>,
    /// What it rests on: at least one citation (a gazetteer for coordinates).
    pub citations: Vec<CitationInput>,
}

/// Countries, provinces and districts, created and corrected.
#[derive(Default)]
pub struct PlaceMutations;

#[Object]
impl PlaceMutations {
    /// Records a country (`id` absent).
    async fn create_country(
        &self,
        ctx: &Context<'_>,
        input: CountryInput,
    ) -> ApiResult<Option<CreateCountryPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createCountry", cmid.as_deref()).await?;
        let done = save_country(&write, &input, true).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a country (`id` given).
    async fn update_country(
        &self,
        ctx: &Context<'_>,
        input: CountryInput,
    ) -> ApiResult<Option<UpdateCountryPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateCountry", cmid.as_deref()).await?;
        let done = save_country(&write, &input, false).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Records a province (`id` absent).
    async fn create_province(
        &self,
        ctx: &Context<'_>,
        input: ProvinceInput,
    ) -> ApiResult<Option<CreateProvincePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createProvince", cmid.as_deref()).await?;
        let done = save_province(&write, &input, true).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a province (`id` given).
    async fn update_province(
        &self,
        ctx: &Context<'_>,
        input: ProvinceInput,
    ) -> ApiResult<Option<UpdateProvincePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateProvince", cmid.as_deref()).await?;
        let done = save_province(&write, &input, false).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Records a district (`id` absent).
    async fn create_district(
        &self,
        ctx: &Context<'_>,
        input: DistrictInput,
    ) -> ApiResult<Option<CreateDistrictPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createDistrict", cmid.as_deref()).await?;
        let done = save_district(&write, &input, true).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }

    /// Corrects a district (`id` given): its names, its province, its point.
    async fn update_district(
        &self,
        ctx: &Context<'_>,
        input: DistrictInput,
    ) -> ApiResult<Option<UpdateDistrictPayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "updateDistrict", cmid.as_deref()).await?;
        let done = save_district(&write, &input, false).await;
        respond(ctx, write, done, cmid, |m| node(ctx, m)).await
    }
}

/// Whether a create has its `id` absent and an update has it given; the row to start from.
async fn start<M, E>(
    write: &Write,
    kind: NodeKind,
    (id, revision): (&Option<ID>, Option<i32>),
    create: bool,
    blank: M,
) -> Done<(M, Option<M>)>
where
    E: sea_orm::EntityTrait<Model = M>,
    M: Revised + Clone,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i32>,
{
    match (id, create) {
        (None, true) => Ok((blank, None)),
        (Some(id), false) => {
            let before = write.current::<E>(kind, id, revision).await?;
            Ok((before.clone(), Some(before)))
        }
        (Some(_), true) => Err(UserError::new(
            UserErrorCode::BadUserInput,
            &["id"],
            "a create takes no `id`; to correct an existing node, use its update",
        )
        .into()),
        (None, false) => Err(UserError::new(
            UserErrorCode::BadUserInput,
            &["id"],
            "`id` is required: name the node to correct",
        )
        .into()),
    }
}

/// `ALREADY_EXISTS` at `field` when another row of `table` than `id` has `value` in `column`
/// (within `scope`, a column and its value, when given).
async fn unique(
    write: &Write,
    (table, id): (&str, i32),
    (column, value): (&str, &str),
    scope: Option<(&str, i32)>,
    field: &str,
) -> Done<()> {
    let mut select = Query::select();
    select
        .expr(Expr::val(1))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(column)).eq(value))
        .and_where(Expr::col(Alias::new("id")).ne(id));
    if let Some((scope, scoped)) = scope {
        select.and_where(Expr::col(Alias::new(scope)).eq(scoped));
    }
    match write.txn().query_one(&select).await? {
        Some(_) => Err(UserError::new(
            UserErrorCode::AlreadyExists,
            &[field],
            format!("{value:?} is taken: another one has it already"),
        )
        .into()),
        None => Ok(()),
    }
}

/// Inserts `model` as a new `kind` node, or saves it as a correction of `before`.
async fn save<E, A>(
    write: &Write,
    kind: NodeKind,
    model: E::Model,
    before: Option<E::Model>,
    citations: &[CitationInput],
) -> Done<E::Model>
where
    E: sea_orm::EntityTrait,
    E::Model: Revised + Table + IntoActiveModel<A>,
    A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
{
    match before {
        Some(before) => {
            write
                .correct::<E, A>(kind, before.id(), model, citations)
                .await
        }
        None => write.insert::<E, A>(kind, model, citations).await,
    }
}

/// Checks a required name: given on a create, never blank.
fn name(checks: &mut Checks, name: &str) {
    checks.text(&["name"], Some(name), MAX_NAME, true);
}

async fn save_country(write: &Write, input: &CountryInput, create: bool) -> Done<country::Model> {
    let blank = country::Model {
        id: 0,
        revision: 1,
        iso_code: String::new(),
        name: String::new(),
    };
    let ids = (&input.id, input.revision);
    let (mut model, before) =
        start::<_, country::Entity>(write, NodeKind::Country, ids, create, blank).await?;
    if let Some(code) = &input.iso_code {
        model.iso_code = code.trim().to_owned();
    }
    if let Some(n) = &input.name {
        model.name = n.trim().to_owned();
    }
    let mut checks = Checks::default();
    name(&mut checks, &model.name);
    if model.iso_code.len() != 2 || !model.iso_code.chars().all(|c| c.is_ascii_uppercase()) {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["isoCode"],
            "`isoCode` is an ISO 3166-1 alpha-2 code: two capital letters (`AF`)",
        );
    }
    checks.citations(&input.citations);
    checks.done()?;
    let table = (country::Model::NAME, model.id);
    unique(write, table, ("iso_code", &model.iso_code), None, "isoCode").await?;
    save::<country::Entity, _>(write, NodeKind::Country, model, before, &input.citations).await
}

async fn save_province(
    write: &Write,
    input: &ProvinceInput,
    create: bool,
) -> Done<province::Model> {
    let blank = province::Model {
        id: 0,
        revision: 1,
        country_id: 0,
        name: String::new(),
        iso_code: None,
    };
    let ids = (&input.id, input.revision);
    let (mut model, before) =
        start::<_, province::Entity>(write, NodeKind::Province, ids, create, blank).await?;
    if let Some(n) = &input.name {
        model.name = n.trim().to_owned();
    }
    patch(&mut model.iso_code, &input.iso_code, |c| {
        c.trim().to_owned()
    });
    let mut checks = Checks::default();
    name(&mut checks, &model.name);
    checks.text(&["isoCode"], model.iso_code.as_deref(), 6, false);
    if create && input.country_id.is_none() {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["countryId"],
            "`countryId` is required",
        );
    }
    checks.citations(&input.citations);
    checks.done()?;
    if let Some(id) = &input.country_id {
        model.country_id = write
            .existing(NodeKind::Country, id, &["countryId"])
            .await?;
    }
    let table = (province::Model::NAME, model.id);
    let country = Some(("country_id", model.country_id));
    unique(write, table, ("name", &model.name), country, "name").await?;
    if let Some(code) = &model.iso_code {
        unique(write, table, ("iso_code", code), None, "isoCode").await?;
    }
    save::<province::Entity, _>(write, NodeKind::Province, model, before, &input.citations).await
}

async fn save_district(
    write: &Write,
    input: &DistrictInput,
    create: bool,
) -> Done<district::Model> {
    let blank = district::Model {
        id: 0,
        revision: 1,
        province_id: 0,
        name: String::new(),
        aliases: "[]".to_owned(),
        latitude: None,
        longitude: None,
    };
    let ids = (&input.id, input.revision);
    let (mut model, before) =
        start::<_, district::Entity>(write, NodeKind::District, ids, create, blank).await?;
    if let Some(n) = &input.name {
        model.name = n.trim().to_owned();
    }
    patch(&mut model.latitude, &input.latitude, |v| *v);
    patch(&mut model.longitude, &input.longitude, |v| *v);
    let mut checks = Checks::default();
    name(&mut checks, &model.name);
    if let Some(list) = &input.aliases {
        model.aliases = aliases(&mut checks, list);
    }
    for (field, value, limit) in [
        ("latitude", model.latitude, 90.0),
        ("longitude", model.longitude, 180.0),
    ] {
        if value.is_some_and(|v| !(-limit..=limit).contains(&v)) {
            checks.refuse(
                UserErrorCode::BadUserInput,
                &[field],
                format!("`{field}` is in degrees, from -{limit} to {limit}"),
            );
        }
    }
    if model.latitude.is_some() != model.longitude.is_some() {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["longitude"],
            "a point has both `latitude` and `longitude`, or neither",
        );
    }
    if create && input.province_id.is_none() {
        checks.refuse(
            UserErrorCode::BadUserInput,
            &["provinceId"],
            "`provinceId` is required",
        );
    }
    checks.citations(&input.citations);
    checks.done()?;
    if let Some(id) = &input.province_id {
        model.province_id = write
            .existing(NodeKind::Province, id, &["provinceId"])
            .await?;
    }
    let table = (district::Model::NAME, model.id);
    let province = Some(("province_id", model.province_id));
    unique(write, table, ("name", &model.name), province, "name").await?;
    save::<district::Entity, _>(write, NodeKind::District, model, before, &input.citations).await
}
