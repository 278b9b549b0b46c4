//! Writing classified ACLED events in one transaction: places (country, `admin1` → province,
//! `admin2` → district, matched by name or created), actors as organizations (matched by name
//! or created once), outlets and the export as sources, then operations, attacks and community
//! actions upserted in multi-row statements keyed by `(dataset, external_id)`, each with its
//! links and citations. A row is written only when it differs from what the database holds,
//! so importing the same file again writes nothing.

use std::collections::{HashMap, HashSet};

use anyhow::Context as _;
use chrono::NaiveDate;
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait as _, OnConflict, Query, ReturningClause, SimpleExpr, Value,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Statement};

use super::classify::{Class, Side, base_country, organization_kind, source_kind};
use super::event::{DATASET, Event};
use super::{Counts, Progress, countries};
use crate::db::{Db, Turn, begin_turn};
use crate::graphql::enums::{OrganizationKind, db_name};

/// Most values one statement binds: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_VALUES: usize = 30_000;

/// The external id of the source standing for ACLED's export itself.
const EXPORT_SOURCE: &str = "acled-export";

/// Rows in one file past which an import refreshes the planner's statistics.
const ANALYZE_AFTER: u64 = 10_000;

/// What writing did.
#[derive(Debug, Default)]
pub(super) struct Written {
    pub(super) operations: Counts,
    pub(super) attacks: Counts,
    pub(super) community_actions: Counts,
    pub(super) other: Counts,
    pub(super) unmapped: Counts,
}

/// Writes `events` (every valid row of one file, with what it is) in one transaction.
pub(super) async fn write(
    db: &Db,
    file: &str,
    events: &[(Event, Class)],
    progress: Progress<'_>,
) -> anyhow::Result<Written> {
    // Imports take turns with every other change: two creating the same organization at
    // once would make two.
    let txn = begin_turn(db.conn(), Turn::Write).await?;
    let total = events.len() as u64;
    progress(0, total);
    let mut w = Writer {
        txn: &txn,
        written: Written::default(),
    };
    let imported: Vec<&(Event, Class)> = events
        .iter()
        .filter(|(_, c)| !matches!(c, Class::Unmapped(_)))
        .collect();
    let places = w.places(&imported).await.context("writing places")?;
    let organizations = w
        .organizations(&imported)
        .await
        .context("writing organizations")?;
    let sources = w
        .sources(file, &imported)
        .await
        .context("writing sources")?;
    let ids: Vec<&str> = events.iter().map(|(e, _)| e.event_id.as_str()).collect();
    let ctx = Context {
        places,
        organizations,
        sources,
    };
    w.operations(&ctx, events, &ids, progress, total)
        .await
        .context("writing operations")?;
    w.attacks(&ctx, events, &ids)
        .await
        .context("writing attacks")?;
    w.community_actions(&ctx, events, &ids)
        .await
        .context("writing community actions")?;
    w.unmapped(file, events, &ids)
        .await
        .context("writing unmapped records")?;
    let written = w.written;
    let changed = written.operations.changed()
        + written.attacks.changed()
        + written.community_actions.changed()
        + written.other.changed()
        + written.unmapped.changed();
    if changed > 0 {
        crate::ingest::record_load(&txn, format!("import {file}")).await?;
    }
    txn.commit().await?;
    if total >= ANALYZE_AFTER {
        db.analyze().await?;
    }
    progress(total, total);
    Ok(written)
}

/// Ids resolved before the events are written.
struct Context {
    /// District id by event id (events without `admin2` have none).
    places: HashMap<String, i32>,
    /// Organization id by name.
    organizations: HashMap<String, i32>,
    /// Source id by outlet name, and the export's under [`EXPORT_SOURCE`].
    sources: HashMap<String, i32>,
}

struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    written: Written,
}

fn text(v: &str) -> Value {
    Value::from(v.to_owned())
}

fn opt_text(v: &str) -> Value {
    Value::String((!v.is_empty()).then(|| v.to_owned()))
}

/// Whether a stored raw record holds what `new` holds: the same columns with the same values,
/// in whatever order (a re-export may order its columns differently).
fn same_record(stored: Option<&str>, new: &str) -> bool {
    let parse =
        |text: &str| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).ok();
    stored == Some(new)
        || stored
            .and_then(parse)
            .is_some_and(|old| Some(old) == parse(new))
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// `IN (...)` over `values`, in chunks small enough to bind.
fn chunks<T>(values: &[T]) -> std::slice::Chunks<'_, T> {
    values.chunks(10_000)
}

impl Writer<'_> {
    async fn all<T: FromQueryResult>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> anyhow::Result<Vec<T>> {
        let backend = self.txn.get_database_backend();
        let rows = self
            .txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        rows.iter()
            .map(|r| T::from_query_result(r, "").map_err(anyhow::Error::from))
            .collect()
    }

    /// `?, ?, ?` or `$1, $2, $3` for `n` values after `offset` others.
    fn placeholders(&self, offset: usize, n: usize) -> String {
        let pg = self.txn.get_database_backend() == DbBackend::Postgres;
        (1..=n)
            .map(|i| {
                if pg {
                    format!("${}", offset + i)
                } else {
                    "?".to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Inserts rows in multi-row statements; with `upsert`, rows whose `(dataset, external_id)`
    /// exists update these columns instead. Returns `(id, value of the column)` of every row
    /// when `returning` names a text column.
    async fn insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
        upsert: Option<&[&str]>,
        returning: Option<&str>,
    ) -> anyhow::Result<Vec<(i32, Option<String>)>> {
        let mut out = Vec::new();
        let per = (MAX_VALUES / columns.len()).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut q = Query::insert();
            q.into_table(Alias::new(table))
                .columns(columns.iter().map(|c| Alias::new(*c)));
            for row in rows.by_ref().take(per) {
                q.values(row.into_iter().map(SimpleExpr::from))?;
            }
            if let Some(update) = upsert {
                // Only rows that differ get here, so each update is a change: a revision.
                let revision = Expr::col((Alias::new(table), Alias::new("revision"))).add(1);
                q.on_conflict(
                    OnConflict::columns([Alias::new("dataset"), Alias::new("external_id")])
                        .update_columns(update.iter().map(|c| Alias::new(*c)))
                        .value(Alias::new("revision"), revision)
                        .to_owned(),
                );
            }
            if let Some(key) = returning {
                q.returning(ReturningClause::Columns(vec![
                    Alias::new("id").into(),
                    Alias::new(key).into(),
                ]));
                for r in self.txn.query_all(&q).await? {
                    let id: i32 = r.try_get("", "id")?;
                    let ext: Option<String> = r.try_get("", key)?;
                    out.push((id, ext));
                }
            } else {
                self.txn.execute(&q).await?;
            }
        }
        Ok(out)
    }

    /// Upserts the rows of events into `table` by `(dataset, external_id)`, replacing the first
    /// `replaced` columns of a stored row, and pairs each written row's id with the event in
    /// `pending` (by event id) it was written from.
    async fn upsert_keyed<'e>(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
        replaced: usize,
        pending: &HashMap<&str, (&'e Event, Class)>,
    ) -> anyhow::Result<Vec<(i32, &'e Event, Class)>> {
        let returned = self
            .insert(
                table,
                columns,
                rows,
                Some(&columns[..replaced]),
                Some("external_id"),
            )
            .await?;
        Ok(returned
            .into_iter()
            .filter_map(|(id, ext)| {
                let (e, class) = pending.get(ext.as_deref()?)?;
                Some((id, *e, *class))
            })
            .collect())
    }

    async fn delete_in(&self, sql_before_in: &str, ids: &[i32]) -> anyhow::Result<()> {
        for chunk in chunks(ids) {
            let values: Vec<Value> = chunk.iter().map(|i| Value::from(*i)).collect();
            let sql = format!(
                "{sql_before_in} IN ({})",
                self.placeholders(0, values.len())
            );
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    self.txn.get_database_backend(),
                    sql,
                    values,
                ))
                .await?;
        }
        Ok(())
    }

    /// Countries, provinces and districts of the events, found or created; the district of
    /// each event that names one.
    async fn places(&mut self, events: &[&(Event, Class)]) -> anyhow::Result<HashMap<String, i32>> {
        #[derive(FromQueryResult)]
        struct Country {
            id: i32,
            iso_code: String,
        }
        #[derive(FromQueryResult)]
        struct Province {
            id: i32,
            country_id: i32,
            name: String,
        }
        #[derive(FromQueryResult)]
        struct District {
            id: i32,
            province_id: i32,
            name: String,
            aliases: String,
        }
        let mut country_ids: HashMap<String, i32> = self
            .all::<Country>("SELECT id, iso_code FROM countries", vec![])
            .await?
            .into_iter()
            .map(|c| (c.iso_code, c.id))
            .collect();
        let mut province_ids: HashMap<(i32, String), i32> = self
            .all::<Province>("SELECT id, country_id, name FROM provinces", vec![])
            .await?
            .into_iter()
            .map(|p| ((p.country_id, key(&p.name)), p.id))
            .collect();
        let mut district_ids: HashMap<(i32, String), i32> = HashMap::new();
        for d in self
            .all::<District>(
                "SELECT id, province_id, name, aliases FROM districts",
                vec![],
            )
            .await?
        {
            let aliases: Vec<String> = serde_json::from_str(&d.aliases).unwrap_or_default();
            for alias in aliases {
                district_ids
                    .entry((d.province_id, key(&alias)))
                    .or_insert(d.id);
            }
            // A district's own name wins over another's alias.
            district_ids.insert((d.province_id, key(&d.name)), d.id);
        }
        let mut by_event = HashMap::new();
        for (e, _) in events {
            let (code, name) = &e.country;
            let country_id = match country_ids.get(*code) {
                Some(id) => *id,
                None => {
                    let id = self.create_country(code, name).await?;
                    country_ids.insert((*code).to_owned(), id);
                    id
                }
            };
            if e.admin1.is_empty() {
                continue;
            }
            let province_id = match province_ids.get(&(country_id, key(&e.admin1))) {
                Some(id) => *id,
                None => {
                    let ids = self
                        .insert(
                            "provinces",
                            &["country_id", "name"],
                            vec![vec![country_id.into(), text(&e.admin1)]],
                            None,
                            Some("name"),
                        )
                        .await?;
                    let id = ids
                        .first()
                        .map(|r| r.0)
                        .context("no id for a new province")?;
                    self.written.other.inserted += 1;
                    province_ids.insert((country_id, key(&e.admin1)), id);
                    id
                }
            };
            if e.admin2.is_empty() {
                continue;
            }
            let district_id = match district_ids.get(&(province_id, key(&e.admin2))) {
                Some(id) => *id,
                None => {
                    // A new district gets the point of its first event coded to the place
                    // itself: a point in the district, like the gazetteer's, not a centroid.
                    let point = events
                        .iter()
                        .filter(|(o, _)| {
                            o.geo_precision == 1
                                && key(&o.admin2) == key(&e.admin2)
                                && key(&o.admin1) == key(&e.admin1)
                                && o.country.0 == e.country.0
                        })
                        .find_map(|(o, _)| o.point);
                    let ids = self
                        .insert(
                            "districts",
                            &["province_id", "name", "aliases", "latitude", "longitude"],
                            vec![vec![
                                province_id.into(),
                                text(&e.admin2),
                                text("[]"),
                                Value::Double(point.map(|p| p.0)),
                                Value::Double(point.map(|p| p.1)),
                            ]],
                            None,
                            Some("name"),
                        )
                        .await?;
                    let id = ids
                        .first()
                        .map(|r| r.0)
                        .context("no id for a new district")?;
                    self.written.other.inserted += 1;
                    district_ids.insert((province_id, key(&e.admin2)), id);
                    id
                }
            };
            by_event.insert(e.event_id.clone(), district_id);
        }
        Ok(by_event)
    }

    async fn create_country(&mut self, code: &str, name: &str) -> anyhow::Result<i32> {
        // Names are unique too: a name another code holds gets the ISO name instead.
        #[derive(FromQueryResult)]
        struct Count {
            n: i64,
        }
        let placeholder = self.placeholders(0, 1);
        let taken = self
            .all::<Count>(
                &format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM countries WHERE name = {placeholder}"
                ),
                vec![text(name)],
            )
            .await?
            .first()
            .is_some_and(|c| c.n > 0);
        let iso_name = countries::COUNTRIES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(name, |(_, _, n)| *n);
        let ids = self
            .insert(
                "countries",
                &["iso_code", "name"],
                vec![vec![text(code), text(if taken { iso_name } else { name })]],
                None,
                Some("name"),
            )
            .await?;
        self.written.other.inserted += 1;
        ids.first().map(|r| r.0).context("no id for a new country")
    }

    /// Organizations for every actor the imported events link, found by name (or by an
    /// alias: a merged organization's name, so a merge holds when the file is imported
    /// again) or created.
    async fn organizations(
        &mut self,
        events: &[&(Event, Class)],
    ) -> anyhow::Result<HashMap<String, i32>> {
        #[derive(FromQueryResult)]
        struct Named {
            id: i32,
            name: String,
            aliases: String,
        }
        #[derive(FromQueryResult)]
        struct Country {
            id: i32,
            iso_code: String,
            name: String,
        }
        let existing = self
            .all::<Named>("SELECT id, name, aliases FROM organizations", vec![])
            .await?;
        let aliases = existing.iter().flat_map(|o| {
            let names: Vec<String> = serde_json::from_str(&o.aliases).unwrap_or_default();
            names.into_iter().map(move |a| (a, o.id))
        });
        // A name wins over another organization's alias.
        let named = existing.iter().map(|o| (o.name.clone(), o.id));
        let mut ids: HashMap<String, i32> = aliases.chain(named).collect();
        let mut by_key: HashMap<String, i32> =
            ids.iter().map(|(name, id)| (key(name), *id)).collect();
        let stored = self
            .all::<Country>("SELECT id, iso_code, name FROM countries", vec![])
            .await?;
        let mut countries: HashMap<String, i32> =
            stored.iter().map(|c| (key(&c.name), c.id)).collect();
        let by_code: HashMap<&str, i32> =
            stored.iter().map(|c| (c.iso_code.as_str(), c.id)).collect();
        let mut new: Vec<(String, OrganizationKind)> = Vec::new();
        let mut planned: HashSet<String> = HashSet::new();
        for (e, class) in events {
            for (side, _) in linked_sides(e, *class) {
                for (i, name) in side.organizations().enumerate() {
                    if ids.contains_key(name) {
                        continue;
                    }
                    if let Some(id) = by_key.get(&key(name)) {
                        ids.insert(name.clone(), *id);
                    } else if planned.insert(key(name)) {
                        new.push((name.clone(), organization_kind(name, side, i == 0)));
                    }
                }
            }
        }
        // A state force's country ("Military Forces of the Philippines (2016-)"), found by
        // name or ISO code, or created as events' countries are.
        for (name, _) in &new {
            let Some(country) = base_country(name) else {
                continue;
            };
            if countries.contains_key(&key(country)) {
                continue;
            }
            let known = countries::COUNTRIES
                .iter()
                .find(|(_, _, n)| n.eq_ignore_ascii_case(country));
            let Some((_, code, iso_name)) = known else {
                continue;
            };
            let id = match by_code.get(code) {
                Some(id) => *id,
                None => self.create_country(code, iso_name).await?,
            };
            countries.insert(key(country), id);
        }
        let rows: Vec<Vec<Value>> = new
            .iter()
            .map(|(name, kind)| {
                vec![
                    text(name),
                    text("[]"),
                    text(db_name(*kind)),
                    Value::Int(base_country(name).and_then(|c| countries.get(&key(c)).copied())),
                    text("An actor as ACLED names it."),
                    text(DATASET),
                    text(name),
                ]
            })
            .collect();
        let created = self
            .insert(
                "organizations",
                &[
                    "name",
                    "aliases",
                    "kind",
                    "base_country_id",
                    "description",
                    "dataset",
                    "external_id",
                ],
                rows,
                None,
                Some("external_id"),
            )
            .await?;
        self.written.other.inserted += created.len();
        for (id, name) in created {
            if let Some(name) = name {
                by_key.insert(key(&name), id);
                ids.insert(name, id);
            }
        }
        // Names that differ from an existing one only in case.
        for (e, class) in events {
            for (side, _) in linked_sides(e, *class) {
                for name in side.organizations() {
                    if !ids.contains_key(name)
                        && let Some(id) = by_key.get(&key(name))
                    {
                        ids.insert(name.clone(), *id);
                    }
                }
            }
        }
        Ok(ids)
    }

    /// The export's source and one per outlet, found or created.
    async fn sources(
        &mut self,
        file: &str,
        events: &[&(Event, Class)],
    ) -> anyhow::Result<HashMap<String, i32>> {
        #[derive(FromQueryResult)]
        struct Existing {
            id: i32,
            external_id: String,
        }
        let p = self.placeholders(0, 1);
        let mut ids: HashMap<String, i32> = self
            .all::<Existing>(
                &format!("SELECT id, external_id FROM sources WHERE dataset = {p} AND external_id IS NOT NULL"),
                vec![text(DATASET)],
            )
            .await?
            .into_iter()
            .map(|s| (s.external_id, s.id))
            .collect();
        let mut rows = Vec::new();
        let mut planned = HashSet::new();
        if !ids.contains_key(EXPORT_SOURCE) {
            planned.insert(EXPORT_SOURCE.to_owned());
            rows.push(vec![
                text("ACLED (Armed Conflict Location & Event Data) export"),
                text("ACLED"),
                text("https://acleddata.com"),
                text("DATASET"),
                text(&format!(
                    "Events imported from an ACLED export (first: {file}); each row cites its event id as the locator and keeps the whole record."
                )),
                text(DATASET),
                text(EXPORT_SOURCE),
            ]);
        }
        for (e, _) in events {
            for outlet in &e.outlets {
                let ext = outlet_key(outlet);
                if !ids.contains_key(&ext) && planned.insert(ext.clone()) {
                    rows.push(vec![
                        text(outlet),
                        text(outlet),
                        Value::String(None),
                        text(db_name(source_kind(outlet))),
                        text("An outlet ACLED names as a source of its events."),
                        text(DATASET),
                        text(&ext),
                    ]);
                }
            }
        }
        let created = self
            .insert(
                "sources",
                &[
                    "title",
                    "publisher",
                    "url",
                    "kind",
                    "description",
                    "dataset",
                    "external_id",
                ],
                rows,
                None,
                Some("external_id"),
            )
            .await?;
        self.written.other.inserted += created.len();
        for (id, ext) in created {
            if let Some(ext) = ext {
                ids.insert(ext, id);
            }
        }
        Ok(ids)
    }

    /// Rows of `table` in the dataset with these external ids, in one statement: the ids go
    /// as one JSON array, not as a placeholder each (100,000 placeholders in chunks cost
    /// PostgreSQL seconds to plan).
    async fn existing<T: FromQueryResult>(
        &self,
        columns: &str,
        table: &str,
        ids: &[&str],
    ) -> anyhow::Result<Vec<T>> {
        let list = match self.txn.get_database_backend() {
            DbBackend::Postgres => "= ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))",
            _ => "IN (SELECT value FROM json_each(?))",
        };
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE dataset = {} AND external_id {list}",
            self.placeholders(0, 1),
        );
        let values = vec![text(DATASET), Value::from(serde_json::to_string(ids)?)];
        self.all::<T>(&sql, values).await
    }

    /// Citations of written rows: the export with the event id as locator and ACLED's notes
    /// as the quote, and every outlet. Earlier citations of these rows by this dataset's
    /// sources are replaced.
    async fn cite(
        &mut self,
        ctx: &Context,
        subject_type: &str,
        written: &[(i32, &Event, Class)],
        updated: &[i32],
    ) -> anyhow::Result<()> {
        let acled_sources: Vec<i32> = ctx.sources.values().copied().collect();
        if !updated.is_empty() {
            let sql = format!(
                "DELETE FROM citations WHERE subject_type = '{subject_type}' AND source_id IN ({}) AND subject_id",
                acled_sources
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.delete_in(&sql, updated).await?;
        }
        let export = *ctx
            .sources
            .get(EXPORT_SOURCE)
            .context("the export's source is missing")?;
        let mut rows = Vec::new();
        for (id, e, _) in written {
            rows.push(vec![
                Value::from(export),
                text(subject_type),
                Value::from(*id),
                opt_text(&e.notes),
                text(&e.event_id),
                text("REPORTED"),
            ]);
            let mut seen = HashSet::new();
            for outlet in &e.outlets {
                let Some(source) = ctx.sources.get(&outlet_key(outlet)) else {
                    continue;
                };
                if *source != export && seen.insert(*source) {
                    rows.push(vec![
                        Value::from(*source),
                        text(subject_type),
                        Value::from(*id),
                        Value::String(None),
                        Value::String(None),
                        text("REPORTED"),
                    ]);
                }
            }
        }
        self.insert(
            "citations",
            &[
                "source_id",
                "subject_type",
                "subject_id",
                "quote",
                "locator",
                "confidence",
            ],
            rows,
            None,
            None,
        )
        .await?;
        Ok(())
    }

    /// Deletes rows of an earlier import whose record now maps elsewhere, with their citations
    /// (their links go with them).
    async fn remove(&mut self, table: &str, subject_type: &str, ids: &[i32]) -> anyhow::Result<()> {
        self.delete_in(
            &format!("DELETE FROM citations WHERE subject_type = '{subject_type}' AND subject_id"),
            ids,
        )
        .await?;
        self.delete_in(&format!("DELETE FROM {table} WHERE id"), ids)
            .await
    }

    async fn operations(
        &mut self,
        ctx: &Context,
        events: &[(Event, Class)],
        ids: &[&str],
        progress: Progress<'_>,
        total: u64,
    ) -> anyhow::Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i32,
            external_id: String,
            title: String,
            kind: String,
            start_date: NaiveDate,
            date_precision: String,
            district_id: Option<i32>,
            place: Option<String>,
            fatalities: Option<i32>,
            fatalities_by_convention: bool,
            summary: Option<String>,
            raw: Option<String>,
        }
        let existing: HashMap<String, Row> = self
            .existing::<Row>(
                "id, external_id, title, kind, start_date, date_precision, district_id, place, \
                 fatalities, fatalities_by_convention, summary, raw",
                "operations",
                ids,
            )
            .await?
            .into_iter()
            .map(|r| (r.external_id.clone(), r))
            .collect();
        const COLUMNS: &[&str] = &[
            "title",
            "kind",
            "start_date",
            "date_precision",
            "district_id",
            "place",
            "fatalities",
            "fatalities_by_convention",
            "summary",
            "raw",
            "dataset",
            "external_id",
        ];
        let mut counts = Counts::default();
        let mut rows = Vec::new();
        let mut pending: HashMap<&str, (&Event, Class)> = HashMap::new();
        let mut updated_ids = Vec::new();
        let mut stale = Vec::new();
        for (e, class) in events {
            let Class::Operation { .. } = class else {
                if let Some(old) = existing.get(&e.event_id) {
                    stale.push(old.id);
                }
                continue;
            };
            let title = operation_title(e);
            let district_id = ctx.places.get(&e.event_id).copied();
            let place = (!e.location.is_empty()).then(|| e.location.clone());
            let summary = (!e.notes.is_empty()).then(|| e.notes.clone());
            if let Some(old) = existing.get(&e.event_id) {
                let same = old.title == title
                    && old.kind == "OTHER"
                    && old.start_date == e.date
                    && old.date_precision == e.precision
                    && old.district_id == district_id
                    && old.place == place
                    && old.fatalities == e.fatalities
                    && old.fatalities_by_convention == e.fatalities_by_convention
                    && old.summary == summary
                    && same_record(old.raw.as_deref(), &e.raw);
                if same {
                    counts.unchanged += 1;
                    continue;
                }
                counts.updated += 1;
                updated_ids.push(old.id);
            } else {
                counts.inserted += 1;
            }
            pending.insert(e.event_id.as_str(), (e, *class));
            rows.push(vec![
                text(&title),
                text("OTHER"),
                Value::from(e.date),
                text(e.precision),
                Value::Int(district_id),
                Value::String(place),
                Value::Int(e.fatalities),
                Value::Bool(Some(e.fatalities_by_convention)),
                Value::String(summary),
                text(&e.raw),
                text(DATASET),
                text(&e.event_id),
            ]);
        }
        progress(total / 2, total);
        let written = self
            .upsert_keyed("operations", COLUMNS, rows, 10, &pending)
            .await?;
        progress(total * 3 / 4, total);
        self.delete_in(
            "DELETE FROM operation_organizations WHERE operation_id",
            &updated_ids,
        )
        .await?;
        let mut links = Vec::new();
        for (id, e, class) in &written {
            let Class::Operation { forces } = class else {
                continue;
            };
            let (state, other) = if *forces == 1 {
                (&e.side1, &e.side2)
            } else {
                (&e.side2, &e.side1)
            };
            let mut seen = HashSet::new();
            for (side, roles) in [
                (state, ["CONDUCTED_BY", "SUPPORTED_BY"]),
                (other, ["TARGETED", "TARGETED"]),
            ] {
                for (i, name) in side.organizations().enumerate() {
                    if let Some(org) = ctx.organizations.get(name)
                        && seen.insert(*org)
                    {
                        let role = if i == 0 { roles[0] } else { roles[1] };
                        links.push(vec![Value::from(*id), Value::from(*org), text(role)]);
                    }
                }
            }
        }
        self.insert(
            "operation_organizations",
            &["operation_id", "organization_id", "role"],
            links,
            None,
            None,
        )
        .await?;
        self.cite(ctx, "Operation", &written, &updated_ids).await?;
        counts.removed = stale.len();
        self.remove("operations", "Operation", &stale).await?;
        self.written.operations = counts;
        Ok(())
    }

    /// Attacks, as operations are written: one row per event, its perpetrators and targets
    /// linked, the export and outlets cited. ACLED gives deaths only in all, so the split
    /// counts stay null.
    async fn attacks(
        &mut self,
        ctx: &Context,
        events: &[(Event, Class)],
        ids: &[&str],
    ) -> anyhow::Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i32,
            external_id: String,
            kind: String,
            date: NaiveDate,
            date_precision: String,
            district_id: Option<i32>,
            place: Option<String>,
            fatalities: Option<i32>,
            fatalities_by_convention: bool,
            description: Option<String>,
            raw: Option<String>,
        }
        let existing: HashMap<String, Row> = self
            .existing::<Row>(
                "id, external_id, kind, date, date_precision, district_id, place, fatalities, \
                 fatalities_by_convention, description, raw",
                "attacks",
                ids,
            )
            .await?
            .into_iter()
            .map(|r| (r.external_id.clone(), r))
            .collect();
        const COLUMNS: &[&str] = &[
            "kind",
            "date",
            "date_precision",
            "district_id",
            "place",
            "fatalities",
            "fatalities_by_convention",
            "description",
            "raw",
            "dataset",
            "external_id",
        ];
        let mut counts = Counts::default();
        let mut rows = Vec::new();
        let mut pending: HashMap<&str, (&Event, Class)> = HashMap::new();
        let mut updated_ids = Vec::new();
        let mut stale = Vec::new();
        for (e, class) in events {
            let Class::Attack { kind, .. } = class else {
                if let Some(old) = existing.get(&e.event_id) {
                    stale.push(old.id);
                }
                continue;
            };
            let kind = db_name(*kind);
            let district_id = ctx.places.get(&e.event_id).copied();
            let place = (!e.location.is_empty()).then(|| e.location.clone());
            let description = (!e.notes.is_empty()).then(|| e.notes.clone());
            if let Some(old) = existing.get(&e.event_id) {
                let same = old.kind == kind
                    && old.date == e.date
                    && old.date_precision == e.precision
                    && old.district_id == district_id
                    && old.place == place
                    && old.fatalities == e.fatalities
                    && old.fatalities_by_convention == e.fatalities_by_convention
                    && old.description == description
                    && same_record(old.raw.as_deref(), &e.raw);
                if same {
                    counts.unchanged += 1;
                    continue;
                }
                counts.updated += 1;
                updated_ids.push(old.id);
            } else {
                counts.inserted += 1;
            }
            pending.insert(e.event_id.as_str(), (e, *class));
            rows.push(vec![
                text(kind),
                Value::from(e.date),
                text(e.precision),
                Value::Int(district_id),
                Value::String(place),
                Value::Int(e.fatalities),
                Value::Bool(Some(e.fatalities_by_convention)),
                Value::String(description),
                text(&e.raw),
                text(DATASET),
                text(&e.event_id),
            ]);
        }
        let written = self
            .upsert_keyed("attacks", COLUMNS, rows, 9, &pending)
            .await?;
        self.delete_in(
            "DELETE FROM attack_organizations WHERE attack_id",
            &updated_ids,
        )
        .await?;
        let mut links = Vec::new();
        for (id, e, class) in &written {
            let mut seen = HashSet::new();
            for (side, by) in linked_sides(e, *class) {
                let role = if by { "PERPETRATOR" } else { "TARGET" };
                for name in side.organizations() {
                    if let Some(org) = ctx.organizations.get(name)
                        && seen.insert(*org)
                    {
                        links.push(vec![Value::from(*id), Value::from(*org), text(role)]);
                    }
                }
            }
        }
        self.insert(
            "attack_organizations",
            &["attack_id", "organization_id", "role"],
            links,
            None,
            None,
        )
        .await?;
        self.cite(ctx, "Attack", &written, &updated_ids).await?;
        counts.removed = stale.len();
        self.remove("attacks", "Attack", &stale).await?;
        self.written.attacks = counts;
        Ok(())
    }

    async fn community_actions(
        &mut self,
        ctx: &Context,
        events: &[(Event, Class)],
        ids: &[&str],
    ) -> anyhow::Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i32,
            external_id: String,
            kind: String,
            date: Option<NaiveDate>,
            date_precision: String,
            place: Option<String>,
            actors_description: Option<String>,
            description: String,
            raw: Option<String>,
        }
        let existing: HashMap<String, Row> = self
            .existing::<Row>(
                "id, external_id, kind, date, date_precision, place, actors_description, description, raw",
                "community_actions",
                ids,
            )
            .await?
            .into_iter()
            .map(|r| (r.external_id.clone(), r))
            .collect();
        const COLUMNS: &[&str] = &[
            "kind",
            "date",
            "date_precision",
            "place",
            "actors_description",
            "description",
            "raw",
            "dataset",
            "external_id",
        ];
        let mut counts = Counts::default();
        let mut rows = Vec::new();
        let mut pending: HashMap<&str, (&Event, Class)> = HashMap::new();
        let mut updated_ids = Vec::new();
        let mut stale = Vec::new();
        for (e, class) in events {
            let Class::Community { kind, actor } = class else {
                if let Some(old) = existing.get(&e.event_id) {
                    stale.push(old.id);
                }
                continue;
            };
            let kind = db_name(*kind);
            let actor = if *actor == 1 { &e.side1 } else { &e.side2 };
            let actors_description = Some(
                std::iter::once(&actor.actor)
                    .chain(&actor.associated)
                    .filter(|a| !a.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            )
            .filter(|s| !s.is_empty());
            let place = (!e.location.is_empty()).then(|| e.location.clone());
            let description = if e.notes.is_empty() {
                format!("{}: {}", e.event_type, e.sub_event_type)
            } else {
                e.notes.clone()
            };
            if let Some(old) = existing.get(&e.event_id) {
                let same = old.kind == kind
                    && old.date == Some(e.date)
                    && old.date_precision == e.precision
                    && old.place == place
                    && old.actors_description == actors_description
                    && old.description == description
                    && same_record(old.raw.as_deref(), &e.raw);
                if same {
                    counts.unchanged += 1;
                    continue;
                }
                counts.updated += 1;
                updated_ids.push(old.id);
            } else {
                counts.inserted += 1;
            }
            pending.insert(e.event_id.as_str(), (e, *class));
            rows.push(vec![
                text(kind),
                Value::from(e.date),
                text(e.precision),
                Value::String(place),
                Value::String(actors_description),
                text(&description),
                text(&e.raw),
                text(DATASET),
                text(&e.event_id),
            ]);
        }
        let written = self
            .upsert_keyed("community_actions", COLUMNS, rows, 7, &pending)
            .await?;
        self.delete_in(
            "DELETE FROM community_action_districts WHERE community_action_id",
            &updated_ids,
        )
        .await?;
        self.delete_in(
            "DELETE FROM community_action_actors WHERE community_action_id",
            &updated_ids,
        )
        .await?;
        let mut districts = Vec::new();
        let mut actors = Vec::new();
        for (id, e, class) in &written {
            if let Some(d) = ctx.places.get(&e.event_id) {
                districts.push(vec![Value::from(*id), Value::from(*d)]);
            }
            let Class::Community { actor, .. } = class else {
                continue;
            };
            let (actor, other) = if *actor == 1 {
                (&e.side1, &e.side2)
            } else {
                (&e.side2, &e.side1)
            };
            let mut seen = HashSet::new();
            for (side, role) in [(actor, "ACTOR"), (other, "OPPONENT")] {
                for name in side.organizations() {
                    if let Some(org) = ctx.organizations.get(name)
                        && seen.insert(*org)
                    {
                        actors.push(vec![Value::from(*id), Value::from(*org), text(role)]);
                    }
                }
            }
        }
        self.insert(
            "community_action_districts",
            &["community_action_id", "district_id"],
            districts,
            None,
            None,
        )
        .await?;
        self.insert(
            "community_action_actors",
            &["community_action_id", "organization_id", "role"],
            actors,
            None,
            None,
        )
        .await?;
        self.cite(ctx, "CommunityAction", &written, &updated_ids)
            .await?;
        counts.removed = stale.len();
        self.remove("community_actions", "CommunityAction", &stale)
            .await?;
        self.written.community_actions = counts;
        Ok(())
    }

    /// Keeps every event mapped to no node as an unmapped record (inserted, or replaced when
    /// its file, line, reason or columns changed), and forgets the record of one that maps now.
    async fn unmapped(
        &mut self,
        file: &str,
        events: &[(Event, Class)],
        ids: &[&str],
    ) -> anyhow::Result<()> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i32,
            external_id: String,
            file: String,
            line: i32,
            reason: String,
            raw: String,
        }
        let existing: HashMap<String, Row> = self
            .existing::<Row>(
                "id, external_id, file, line, reason, raw",
                "unmapped_records",
                ids,
            )
            .await?
            .into_iter()
            .map(|r| (r.external_id.clone(), r))
            .collect();
        let mut counts = Counts::default();
        let (mut rows, mut gone) = (Vec::new(), Vec::new());
        for (e, class) in events {
            let old = existing.get(&e.event_id);
            let Class::Unmapped(reason) = class else {
                if let Some(o) = old {
                    counts.removed += 1;
                    gone.push(o.id);
                }
                continue;
            };
            let (reason, line) = (db_name(*reason), i32::try_from(e.line).unwrap_or(i32::MAX));
            match old {
                Some(o)
                    if o.file == file
                        && o.line == line
                        && o.reason == reason
                        && same_record(Some(&o.raw), &e.raw) =>
                {
                    counts.unchanged += 1;
                    continue;
                }
                Some(o) => {
                    counts.updated += 1;
                    gone.push(o.id);
                }
                None => counts.inserted += 1,
            }
            rows.push(vec![
                text(DATASET),
                text(&e.event_id),
                text(file),
                Value::from(line),
                text(reason),
                text(&e.raw),
            ]);
        }
        self.delete_in("DELETE FROM unmapped_records WHERE id", &gone)
            .await?;
        let columns = ["dataset", "external_id", "file", "line", "reason", "raw"];
        self.insert("unmapped_records", &columns, rows, None, None)
            .await?;
        self.written.unmapped = counts;
        Ok(())
    }
}

/// The sides whose actors an imported event links, with whether each is the acting side.
fn linked_sides(e: &Event, class: Class) -> Vec<(&Side, bool)> {
    match class {
        Class::Operation { forces } => {
            let (s, o) = if forces == 1 {
                (&e.side1, &e.side2)
            } else {
                (&e.side2, &e.side1)
            };
            vec![(s, true), (o, false)]
        }
        Class::Attack { by: actor, .. } | Class::Community { actor, .. } => {
            let (s, o) = if actor == 1 {
                (&e.side1, &e.side2)
            } else {
                (&e.side2, &e.side1)
            };
            vec![(s, true), (o, false)]
        }
        Class::Unmapped(_) => vec![],
    }
}

fn outlet_key(outlet: &str) -> String {
    format!("outlet:{outlet}")
}

/// "Armed clash in Idak", or the district or province when ACLED names no place.
fn operation_title(e: &Event) -> String {
    let what = if e.sub_event_type.is_empty() {
        &e.event_type
    } else {
        &e.sub_event_type
    };
    let place = [&e.location, &e.admin2, &e.admin1]
        .into_iter()
        .find(|p| !p.is_empty());
    match place {
        Some(p) => format!("{what} in {p}"),
        None => what.clone(),
    }
}
