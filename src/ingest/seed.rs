//! The seed dataset: the March 2025 Khyber Pakhtunkhwa article as data (`data/seed/*.json`,
//! embedded in the binary), loaded in one transaction. Rows are matched by their natural
//! key (ISO codes, names) or by their seed key, and written only when they differ, so
//! loading twice changes nothing; any error rolls the whole load back.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow, bail};
use async_graphql::resolver_utils::EnumType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, NotSet,
    PaginatorTrait, QueryFilter,
};

use super::dataset::*;
use crate::db::{Db, Turn, begin_turn};
use crate::entity::*;
use crate::graphql::enums::{self, *};
use crate::graphql::ids::NodeKind;

/// The `dataset` of every seeded row.
pub const SEED_DATASET: &str = "ctgraph-seed";

/// The seed files, in the order they are merged.
const FILES: &[(&str, &str)] = &[
    ("sources.json", include_str!("../../data/seed/sources.json")),
    ("places.json", include_str!("../../data/seed/places.json")),
    ("actors.json", include_str!("../../data/seed/actors.json")),
    ("events.json", include_str!("../../data/seed/events.json")),
    ("figures.json", include_str!("../../data/seed/figures.json")),
];

/// What a load did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Rows inserted or updated.
    pub written: usize,
    /// Rows already as the dataset has them.
    pub unchanged: usize,
}

/// The seed dataset, parsed.
pub fn dataset() -> anyhow::Result<Dataset> {
    let mut all = Dataset::default();
    for (name, text) in FILES {
        let part: Dataset =
            serde_json::from_str(text).with_context(|| format!("data/seed/{name} is malformed"))?;
        all.merge(part);
    }
    Ok(all)
}

/// Loads the seed dataset.
pub async fn load(db: &Db) -> anyhow::Result<Report> {
    let data = dataset()?;
    Ok(load_dataset_unless(db, &data, SEED_DATASET, false)
        .await?
        .unwrap_or_default())
}

/// Loads the seed dataset if the database holds no data yet, as `serve` does on start-up;
/// `None` when it already held some.
pub async fn load_if_empty(db: &Db) -> anyhow::Result<Option<Report>> {
    load_dataset_unless(db, &dataset()?, SEED_DATASET, true).await
}

/// Loads `data` as part of the seed in one transaction: all of it, or on error nothing.
pub async fn load_dataset(db: &Db, data: &Dataset) -> anyhow::Result<Report> {
    load_named_dataset(db, data, SEED_DATASET).await
}

/// Loads `data` in one transaction, its provenanced rows labelled `dataset` (rows are
/// matched by that label and their key, so loading it again updates instead of duplicating).
pub async fn load_named_dataset(db: &Db, data: &Dataset, dataset: &str) -> anyhow::Result<Report> {
    Ok(load_dataset_unless(db, data, dataset, false)
        .await?
        .unwrap_or_default())
}

async fn load_dataset_unless(
    db: &Db,
    data: &Dataset,
    dataset: &str,
    only_if_empty: bool,
) -> anyhow::Result<Option<Report>> {
    // Loads take turns with every other change: instances starting together on an empty
    // database must not seed it twice.
    let txn = begin_turn(db.conn(), Turn::Write).await?;
    if only_if_empty && source::Entity::find().count(&txn).await? > 0 {
        return Ok(None);
    }
    let mut loader = Loader {
        txn: &txn,
        dataset,
        keys: HashMap::new(),
        report: Report::default(),
    };
    loader.load(data).await?;
    let report = loader.report;
    if report.written > 0 {
        let actor = if dataset == SEED_DATASET {
            "seed".to_owned()
        } else {
            format!("import {dataset}")
        };
        super::record_load(&txn, actor).await?;
    }
    txn.commit().await?;
    Ok(Some(report))
}

/// Checks a value is one of the enum `T`'s, for a message that names the row.
fn check<T: EnumType>(value: &str, what: &str) -> anyhow::Result<String> {
    enums::from_db::<T>(value).map_err(|_| {
        let allowed: Vec<&str> = T::items().iter().map(|i| i.name).collect();
        anyhow!("{what}: {value:?} is not one of {}", allowed.join(", "))
    })?;
    Ok(value.to_owned())
}

/// An operation always has a `startDate`, so its precision says how far to trust that date and
/// cannot be `UNKNOWN`; a source that gives no date at all is at best `YEAR`.
/// The precision of a date that is known (an operation's `startDate`, an attack's `date`).
fn known_precision(value: &str, what: &str) -> anyhow::Result<String> {
    let precision = check::<DatePrecision>(value, "datePrecision")?;
    if precision == "UNKNOWN" {
        bail!(
            "datePrecision: {what}, so its precision cannot be UNKNOWN; use YEAR (the year it falls in) or finer"
        );
    }
    Ok(precision)
}

fn json_list(values: &[String]) -> String {
    serde_json::Value::from(values.to_vec()).to_string()
}

/// Inserts `$model` when `$existing` is `None`, updates the row when it differs, and counts.
macro_rules! save {
    ($self:ident, $module:ident, $existing:expr, $model:expr) => {{
        let existing: Option<$module::Model> = $existing;
        let mut model: $module::Model = $model;
        match existing {
            Some(old) => {
                model.id = old.id;
                if let Some(revision) = old.revision() {
                    model.set_revision(revision);
                }
                if old == model {
                    $self.report.unchanged += 1;
                } else {
                    if let Some(revision) = old.revision() {
                        model.set_revision(revision + 1);
                    }
                    model
                        .clone()
                        .into_active_model()
                        .reset_all()
                        .update($self.txn)
                        .await?;
                    $self.report.written += 1;
                }
                model.id
            }
            None => {
                let mut active = model.into_active_model().reset_all();
                active.id = NotSet;
                $self.report.written += 1;
                active.insert($self.txn).await?.id
            }
        }
    }};
}

/// Like `save!` for link tables, whose key is the pair they link.
macro_rules! save_link {
    ($self:ident, $module:ident, $key:expr, $model:expr) => {{
        let model: $module::Model = $model;
        match $module::Entity::find_by_id($key).one($self.txn).await? {
            Some(old) if old == model => $self.report.unchanged += 1,
            Some(_) => {
                model
                    .into_active_model()
                    .reset_all()
                    .update($self.txn)
                    .await?;
                $self.report.written += 1;
            }
            None => {
                model
                    .into_active_model()
                    .reset_all()
                    .insert($self.txn)
                    .await?;
                $self.report.written += 1;
            }
        }
    }};
}

struct Loader<'a> {
    txn: &'a DatabaseTransaction,
    /// The `dataset` of every provenanced row written.
    dataset: &'a str,
    /// Ids of rows loaded so far, by type and key.
    keys: HashMap<(NodeKind, String), i32>,
    report: Report,
}

impl Loader<'_> {
    fn id(&self, kind: NodeKind, key: &str) -> anyhow::Result<i32> {
        self.keys
            .get(&(kind, key.to_owned()))
            .copied()
            .ok_or_else(|| {
                anyhow!(
                    "unknown {} {key:?}: define it before referring to it",
                    kind.name()
                )
            })
    }

    fn opt_id(&self, kind: NodeKind, key: &Option<String>) -> anyhow::Result<Option<i32>> {
        key.as_deref().map(|k| self.id(kind, k)).transpose()
    }

    fn source_id(&self, key: &str) -> anyhow::Result<i32> {
        self.id(NodeKind::Source, key)
    }

    async fn load(&mut self, d: &Dataset) -> anyhow::Result<()> {
        for row in &d.sources {
            self.source(row)
                .await
                .with_context(|| format!("source {:?}", row.key))?;
        }
        for row in &d.countries {
            self.country(row)
                .await
                .with_context(|| format!("country {:?}", row.iso_code))?;
        }
        for row in &d.provinces {
            self.province(row)
                .await
                .with_context(|| format!("province {:?}", row.iso_code))?;
        }
        for row in &d.districts {
            self.district(row)
                .await
                .with_context(|| format!("district {:?}", row.key))?;
        }
        for row in &d.organizations {
            self.organization(row)
                .await
                .with_context(|| format!("organization {:?}", row.key))?;
        }
        for row in &d.personnel {
            self.personnel(row)
                .await
                .with_context(|| format!("personnel {:?}", row.key))?;
        }
        for row in &d.militants {
            self.militant(row)
                .await
                .with_context(|| format!("militant {:?}", row.key))?;
        }
        for row in &d.operations {
            self.operation(row)
                .await
                .with_context(|| format!("operation {:?}", row.key))?;
        }
        for row in &d.affiliations {
            self.affiliation(row)
                .await
                .with_context(|| format!("affiliation {:?}", row.key))?;
        }
        for row in &d.community_actions {
            self.community_action(row)
                .await
                .with_context(|| format!("community action {:?}", row.key))?;
        }
        for row in &d.reported_figures {
            self.reported_figure(row)
                .await
                .with_context(|| format!("reported figure {:?}", row.key))?;
        }
        for row in &d.attacks {
            self.attack(row)
                .await
                .with_context(|| format!("attack {:?}", row.key))?;
        }
        Ok(())
    }

    async fn cite(&mut self, kind: NodeKind, id: i32, cites: &[Cite]) -> anyhow::Result<()> {
        if cites.is_empty() {
            bail!("cites no source: every seeded row must rest on one");
        }
        // A row holds one citation per source; a second would overwrite the first on every
        // load, and the seed would never settle.
        for (i, c) in cites.iter().enumerate() {
            if cites[..i].iter().any(|earlier| earlier.source == c.source) {
                bail!(
                    "cites source {:?} twice: put both sentences in one citation",
                    c.source
                );
            }
        }
        for c in cites {
            let source_id = self.source_id(&c.source)?;
            let existing = citation::Entity::find()
                .filter(citation::Column::SubjectType.eq(kind.name()))
                .filter(citation::Column::SubjectId.eq(id))
                .filter(citation::Column::SourceId.eq(source_id))
                .one(self.txn)
                .await?;
            save!(
                self,
                citation,
                existing,
                citation::Model {
                    id: 0,
                    source_id,
                    subject_type: kind.name().to_owned(),
                    subject_id: id,
                    quote: c.quote.clone(),
                    locator: c.locator.clone(),
                    confidence: check::<Confidence>(&c.confidence, "confidence")?,
                }
            );
        }
        Ok(())
    }

    async fn by_external_id<E: EntityTrait>(
        &self,
        key: &str,
        dataset: E::Column,
        external_id: E::Column,
    ) -> anyhow::Result<Option<E::Model>> {
        Ok(E::find()
            .filter(dataset.eq(self.dataset))
            .filter(external_id.eq(key))
            .one(self.txn)
            .await?)
    }

    async fn source(&mut self, r: &SourceRow) -> anyhow::Result<()> {
        use source::Column as C;
        let existing = self
            .by_external_id::<source::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        let id = save!(
            self,
            source,
            existing,
            source::Model {
                id: 0,
                revision: 1,
                title: r.title.clone(),
                publisher: r.publisher.clone(),
                url: r.url.clone(),
                published_on: r.published_on,
                kind: check::<SourceKind>(&r.kind, "kind")?,
                description: r.description.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
            }
        );
        self.keys.insert((NodeKind::Source, r.key.clone()), id);
        Ok(())
    }

    async fn country(&mut self, r: &CountryRow) -> anyhow::Result<()> {
        let existing = country::Entity::find()
            .filter(country::Column::IsoCode.eq(&r.iso_code))
            .one(self.txn)
            .await?;
        let id = save!(
            self,
            country,
            existing,
            country::Model {
                id: 0,
                revision: 1,
                iso_code: r.iso_code.clone(),
                name: r.name.clone()
            }
        );
        self.keys
            .insert((NodeKind::Country, r.iso_code.clone()), id);
        self.cite(NodeKind::Country, id, &r.cite).await
    }

    async fn province(&mut self, r: &ProvinceRow) -> anyhow::Result<()> {
        let existing = province::Entity::find()
            .filter(province::Column::IsoCode.eq(&r.iso_code))
            .one(self.txn)
            .await?;
        let id = save!(
            self,
            province,
            existing,
            province::Model {
                id: 0,
                revision: 1,
                country_id: self.id(NodeKind::Country, &r.country)?,
                name: r.name.clone(),
                iso_code: Some(r.iso_code.clone()),
            }
        );
        self.keys
            .insert((NodeKind::Province, r.iso_code.clone()), id);
        self.cite(NodeKind::Province, id, &r.cite).await
    }

    async fn district(&mut self, r: &DistrictRow) -> anyhow::Result<()> {
        let province_id = self.id(NodeKind::Province, &r.province)?;
        let existing = district::Entity::find()
            .filter(district::Column::ProvinceId.eq(province_id))
            .filter(district::Column::Name.eq(&r.name))
            .one(self.txn)
            .await?;
        let id = save!(
            self,
            district,
            existing,
            district::Model {
                id: 0,
                revision: 1,
                province_id,
                name: r.name.clone(),
                aliases: json_list(&r.aliases),
                latitude: r.latitude,
                longitude: r.longitude,
            }
        );
        self.keys.insert((NodeKind::District, r.key.clone()), id);
        self.cite(NodeKind::District, id, &r.cite).await
    }

    async fn organization(&mut self, r: &OrganizationRow) -> anyhow::Result<()> {
        use organization::Column as C;
        let existing = self
            .by_external_id::<organization::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        if existing.is_none() {
            // Names are unique: a group another dataset already holds is the same group.
            // Cite it, but leave its row and provenance to the dataset it came from.
            let named = organization::Entity::find()
                .filter(C::Name.eq(&r.name))
                .one(self.txn)
                .await?;
            if let Some(other) = named {
                self.report.unchanged += 1;
                self.keys
                    .insert((NodeKind::Organization, r.key.clone()), other.id);
                return self.cite(NodeKind::Organization, other.id, &r.cite).await;
            }
        }
        let id = save!(
            self,
            organization,
            existing,
            organization::Model {
                id: 0,
                revision: 1,
                name: r.name.clone(),
                aliases: json_list(&r.aliases),
                kind: check::<OrganizationKind>(&r.kind, "kind")?,
                base_country_id: self.opt_id(NodeKind::Country, &r.base_country)?,
                description: r.description.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
            }
        );
        self.keys
            .insert((NodeKind::Organization, r.key.clone()), id);
        self.cite(NodeKind::Organization, id, &r.cite).await
    }

    async fn personnel(&mut self, r: &PersonnelRow) -> anyhow::Result<()> {
        use personnel::Column as C;
        let existing = self
            .by_external_id::<personnel::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        // The seed names no aliases; a curator's (a merge's) are kept.
        let aliases = existing
            .as_ref()
            .map_or_else(|| "[]".to_owned(), |e| e.aliases.clone());
        let id = save!(
            self,
            personnel,
            existing,
            personnel::Model {
                id: 0,
                revision: 1,
                name: r.name.clone(),
                aliases,
                rank: r.rank.clone(),
                organization_id: self.opt_id(NodeKind::Organization, &r.organization)?,
                hometown: r.hometown.clone(),
                hometown_district_id: self.opt_id(NodeKind::District, &r.hometown_district)?,
                status: check::<PersonnelStatus>(&r.status, "status")?,
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
            }
        );
        self.keys.insert((NodeKind::Personnel, r.key.clone()), id);
        self.cite(NodeKind::Personnel, id, &r.cite).await
    }

    async fn militant(&mut self, r: &MilitantRow) -> anyhow::Result<()> {
        use militant::Column as C;
        let existing = self
            .by_external_id::<militant::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        let id = save!(
            self,
            militant,
            existing,
            militant::Model {
                id: 0,
                revision: 1,
                name: r.name.clone(),
                aliases: json_list(&r.aliases),
                nationality_id: self.opt_id(NodeKind::Country, &r.nationality)?,
                operating_country_id: self.opt_id(NodeKind::Country, &r.operating_country)?,
                organization_id: self.opt_id(NodeKind::Organization, &r.organization)?,
                status: check::<MilitantStatus>(&r.status, "status")?,
                description: r.description.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
            }
        );
        self.keys.insert((NodeKind::Militant, r.key.clone()), id);
        self.cite(NodeKind::Militant, id, &r.cite).await
    }

    async fn operation(&mut self, r: &OperationRow) -> anyhow::Result<()> {
        use operation::Column as C;
        let existing = self
            .by_external_id::<operation::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        let id = save!(
            self,
            operation,
            existing,
            operation::Model {
                id: 0,
                revision: 1,
                title: r.title.clone(),
                kind: check::<OperationKind>(&r.kind, "kind")?,
                start_date: r.start_date,
                end_date: r.end_date,
                date_precision: known_precision(&r.date_precision, "an operation has a startDate")?,
                district_id: self.opt_id(NodeKind::District, &r.district)?,
                place: r.place.clone(),
                militants_killed: r.militants_killed,
                militants_arrested: r.militants_arrested,
                security_killed: r.security_killed,
                security_injured: r.security_injured,
                civilians_killed: r.civilians_killed,
                fatalities: r.fatalities,
                fatalities_by_convention: r.fatalities_by_convention,
                summary: r.summary.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
                raw: None,
            }
        );
        self.keys.insert((NodeKind::Operation, r.key.clone()), id);
        for link in &r.personnel {
            let personnel_id = self.id(NodeKind::Personnel, &link.personnel)?;
            save_link!(
                self,
                operation_personnel,
                (id, personnel_id),
                operation_personnel::Model {
                    operation_id: id,
                    personnel_id,
                    role: link
                        .role
                        .as_deref()
                        .map(|r| check::<PersonnelRole>(r, "role"))
                        .transpose()?,
                    outcome: check::<PersonnelOutcome>(&link.outcome, "outcome")?,
                }
            );
        }
        for link in &r.militants {
            let militant_id = self.id(NodeKind::Militant, &link.militant)?;
            save_link!(
                self,
                operation_militant,
                (id, militant_id),
                operation_militant::Model {
                    operation_id: id,
                    militant_id,
                    outcome: check::<MilitantOutcome>(&link.outcome, "outcome")?,
                }
            );
        }
        for link in &r.organizations {
            let organization_id = self.id(NodeKind::Organization, &link.organization)?;
            save_link!(
                self,
                operation_organization,
                (id, organization_id),
                operation_organization::Model {
                    operation_id: id,
                    organization_id,
                    role: check::<OrganizationRole>(&link.role, "role")?,
                }
            );
        }
        self.cite(NodeKind::Operation, id, &r.cite).await
    }

    async fn attack(&mut self, r: &AttackRow) -> anyhow::Result<()> {
        use attack::Column as C;
        let existing = self
            .by_external_id::<attack::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        if r.fatalities_by_convention && r.fatalities.is_none() {
            bail!("`fatalitiesByConvention` says what `fatalities` is: give the total with it");
        }
        let id = save!(
            self,
            attack,
            existing,
            attack::Model {
                id: 0,
                revision: 1,
                kind: check::<AttackKind>(&r.kind, "kind")?,
                date: r.date,
                date_precision: known_precision(&r.date_precision, "an attack has a date")?,
                district_id: self.opt_id(NodeKind::District, &r.district)?,
                place: r.place.clone(),
                security_killed: r.security_killed,
                security_injured: r.security_injured,
                civilians_killed: r.civilians_killed,
                civilians_injured: r.civilians_injured,
                militants_killed: r.militants_killed,
                abducted: r.abducted,
                fatalities: r.fatalities,
                fatalities_by_convention: r.fatalities_by_convention,
                description: r.description.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
                raw: None,
            }
        );
        self.keys.insert((NodeKind::Attack, r.key.clone()), id);
        for link in &r.organizations {
            let organization_id = self.id(NodeKind::Organization, &link.organization)?;
            save_link!(
                self,
                attack_organization,
                (id, organization_id),
                attack_organization::Model {
                    attack_id: id,
                    organization_id,
                    role: check::<AttackRole>(&link.role, "role")?,
                }
            );
        }
        self.cite(NodeKind::Attack, id, &r.cite).await
    }

    fn entity_ref(&self, r: &EntityRef, allowed: &[NodeKind]) -> anyhow::Result<(NodeKind, i32)> {
        let given: Vec<(NodeKind, &String)> = [
            (NodeKind::Personnel, &r.personnel),
            (NodeKind::Militant, &r.militant),
            (NodeKind::Organization, &r.organization),
            (NodeKind::Country, &r.country),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        match given.as_slice() {
            [(kind, key)] if allowed.contains(kind) => Ok((*kind, self.id(*kind, key)?)),
            _ => {
                let names: Vec<&str> = allowed.iter().map(|k| k.name()).collect();
                bail!("must name exactly one of: {}", names.join(", "))
            }
        }
    }

    async fn affiliation(&mut self, r: &AffiliationRow) -> anyhow::Result<()> {
        use NodeKind as K;
        use affiliation::Column as C;
        let (subject_kind, subject) = self
            .entity_ref(&r.subject, &[K::Personnel, K::Militant, K::Organization])
            .context("subject")?;
        let (target_kind, target) = self
            .entity_ref(&r.target, &[K::Organization, K::Country])
            .context("target")?;
        let cross_border =
            super::crosses_border(self.txn, (subject_kind, subject), (target_kind, target)).await?;
        let pick = |kind: K, wanted: K, id: i32| (kind == wanted).then_some(id);
        let existing = self
            .by_external_id::<affiliation::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        let id = save!(
            self,
            affiliation,
            existing,
            affiliation::Model {
                id: 0,
                revision: 1,
                kind: check::<AffiliationKind>(&r.kind, "kind")?,
                subject_personnel_id: pick(subject_kind, K::Personnel, subject),
                subject_militant_id: pick(subject_kind, K::Militant, subject),
                subject_organization_id: pick(subject_kind, K::Organization, subject),
                target_organization_id: pick(target_kind, K::Organization, target),
                target_country_id: pick(target_kind, K::Country, target),
                cross_border,
                since: r.since,
                until: r.until,
                confidence: check::<Confidence>(&r.confidence, "confidence")?,
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
            }
        );
        self.keys.insert((K::Affiliation, r.key.clone()), id);
        self.cite(K::Affiliation, id, &r.cite).await
    }

    async fn community_action(&mut self, r: &CommunityActionRow) -> anyhow::Result<()> {
        use community_action::Column as C;
        let existing = self
            .by_external_id::<community_action::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        let id = save!(
            self,
            community_action,
            existing,
            community_action::Model {
                id: 0,
                revision: 1,
                kind: check::<CommunityActionKind>(&r.kind, "kind")?,
                date: r.date,
                date_precision: check::<DatePrecision>(&r.date_precision, "datePrecision")?,
                place: r.place.clone(),
                actors_description: r.actors_description.clone(),
                description: r.description.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
                raw: None,
            }
        );
        self.keys
            .insert((NodeKind::CommunityAction, r.key.clone()), id);
        for key in &r.districts {
            let district_id = self.id(NodeKind::District, key)?;
            save_link!(
                self,
                community_action_district,
                (id, district_id),
                community_action_district::Model {
                    community_action_id: id,
                    district_id,
                }
            );
        }
        for link in &r.actors {
            let organization_id = self.id(NodeKind::Organization, &link.organization)?;
            save_link!(
                self,
                community_action_actor,
                (id, organization_id),
                community_action_actor::Model {
                    community_action_id: id,
                    organization_id,
                    role: check::<ParticipationRole>(&link.role, "role")?,
                }
            );
        }
        self.cite(NodeKind::CommunityAction, id, &r.cite).await
    }

    async fn reported_figure(&mut self, r: &ReportedFigureRow) -> anyhow::Result<()> {
        use reported_figure::Column as C;
        let source_id = self.source_id(&r.source)?;
        let existing = self
            .by_external_id::<reported_figure::Entity>(&r.key, C::Dataset, C::ExternalId)
            .await?;
        let id = save!(
            self,
            reported_figure,
            existing,
            reported_figure::Model {
                id: 0,
                revision: 1,
                metric: check::<FigureMetric>(&r.metric, "metric")?,
                value: r.value,
                qualifier: check::<FigureQualifier>(&r.qualifier, "qualifier")?,
                period_start: r.period_start,
                period_end: r.period_end,
                scope_province_id: self.opt_id(NodeKind::Province, &r.scope_province)?,
                scope_description: r.scope_description.clone(),
                nationality_id: self.opt_id(NodeKind::Country, &r.nationality)?,
                source_id,
                quote: r.quote.clone(),
                dataset: Some(self.dataset.to_owned()),
                external_id: Some(r.key.clone()),
            }
        );
        self.keys
            .insert((NodeKind::ReportedFigure, r.key.clone()), id);
        for key in &r.scope_districts {
            let district_id = self.id(NodeKind::District, key)?;
            save_link!(
                self,
                reported_figure_district,
                (id, district_id),
                reported_figure_district::Model {
                    reported_figure_id: id,
                    district_id,
                }
            );
        }
        // A figure is its own citation: the quote is on the row; cite it too, so every
        // node answers `citations` the same way.
        let cite = Cite {
            source: r.source.clone(),
            quote: Some(r.quote.clone()),
            locator: None,
            confidence: "REPORTED".into(),
        };
        self.cite(NodeKind::ReportedFigure, id, &[cite]).await
    }
}
