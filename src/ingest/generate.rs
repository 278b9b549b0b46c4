//! `ctgraph generate`: a deterministic synthetic graph (the same seed gives the same rows)
//! with the proportions of the real data, for benchmarks and demos. Every row is labelled:
//! names say "Synthetic", provenanced rows carry the dataset `ctgraph-synthetic`, and every
//! row cites one `Source` of kind SYNTHETIC. Written in multi-row inserts, in one transaction.

use std::collections::HashMap;

use anyhow::{Context as _, bail};
use chrono::{Datelike, Days, NaiveDate};
use sea_orm::sea_query::{Alias, Expr, Query, Value};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};

use crate::db::{Db, Turn, begin_turn};

/// The `dataset` of every generated row.
pub const DATASET: &str = "ctgraph-synthetic";

/// Most values one insert binds: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_VALUES: usize = 30_000;

/// Most operations one run generates: the rows are built in memory first (about 1 GB at
/// this size), and every id stays far inside `i32`.
pub const MAX_OPERATIONS: usize = 1_000_000;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Operations; every other table is sized in proportion.
    pub operations: usize,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
}

impl Options {
    /// Refuses sizes this generator does not make.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=MAX_OPERATIONS).contains(&self.operations) {
            bail!("--operations must be between 1 and {MAX_OPERATIONS}");
        }
        Ok(())
    }
}

/// Rows written, per table, in the order written.
pub type Report = Vec<(&'static str, usize)>;

/// A small, fast, deterministic generator (SplitMix64): the same seed gives the same graph
/// on every machine and backend (and the tests' generated queries reproduce from theirs).
pub struct Rng(u64);

impl Rng {
    /// The generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p` percent.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A value of `weighted` (value, weight in percent).
    fn weighted<T: Copy>(&mut self, weighted: &[(T, u64)]) -> T {
        let mut roll = self.next() % weighted.iter().map(|(_, w)| w).sum::<u64>();
        for (value, weight) in weighted {
            if roll < *weight {
                return *value;
            }
            roll -= weight;
        }
        weighted[0].0
    }

    fn day(&mut self) -> NaiveDate {
        let first = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        first
            .checked_add_days(Days::new(self.below(6 * 365) as u64))
            .unwrap_or(first)
    }
}

/// Rows of one table, written in batches.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.name);
        self.rows.push(row);
    }

    async fn write(
        self,
        txn: &DatabaseTransaction,
        progress: &mut impl FnMut(&str, usize, usize),
    ) -> anyhow::Result<(&'static str, usize)> {
        let total = self.rows.len();
        let per_batch = (MAX_VALUES / self.columns.len()).max(1);
        let mut done = 0;
        let mut rows = self.rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new(self.name))
                .columns(self.columns.iter().map(|c| Alias::new(*c)));
            for row in rows.by_ref().take(per_batch) {
                insert
                    .values(row.into_iter().map(Expr::val))
                    .with_context(|| format!("a row of {}", self.name))?;
                done += 1;
            }
            txn.execute(&insert)
                .await
                .with_context(|| format!("writing {}", self.name))?;
            progress(self.name, done, total);
        }
        Ok((self.name, total))
    }
}

/// The next free id of each table with one (rows get explicit ids so links can name them).
async fn next_ids(
    txn: &DatabaseTransaction,
    tables: &[&str],
) -> anyhow::Result<HashMap<String, i32>> {
    let mut next = HashMap::new();
    for t in tables {
        let sql = format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM {t}");
        let row = txn
            .query_one_raw(Statement::from_string(txn.get_database_backend(), sql))
            .await?
            .context("no row from MAX(id)")?;
        let max: i64 = row.try_get("", "n")?;
        next.insert(
            (*t).to_owned(),
            i32::try_from(max + 1).context("ids exhausted")?,
        );
    }
    Ok(next)
}

async fn country(txn: &DatabaseTransaction, iso: &str) -> anyhow::Result<i32> {
    let sql = format!("SELECT id FROM countries WHERE iso_code = '{iso}'");
    let row = txn
        .query_one_raw(Statement::from_string(txn.get_database_backend(), sql))
        .await?
        .with_context(|| {
            format!("country {iso} is missing: load the seed first (`ctgraph seed`)")
        })?;
    Ok(row.try_get("", "id")?)
}

/// `count` distinct numbers in `0..n` (fewer when `n` is smaller).
fn distinct(rng: &mut Rng, count: usize, n: usize) -> Vec<usize> {
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count.min(n) {
        let x = rng.below(n);
        if !picked.contains(&x) {
            picked.push(x);
        }
    }
    picked
}

fn v<T: Into<Value>>(x: T) -> Value {
    x.into()
}

fn none_int() -> Value {
    Value::Int(None)
}

fn none_text() -> Value {
    Value::String(None)
}

/// Generates the graph into `db`, calling `progress(table, written, total)` as it writes.
pub async fn generate(
    db: &Db,
    options: Options,
    mut progress: impl FnMut(&str, usize, usize),
) -> anyhow::Result<Report> {
    options.validate()?;
    let txn = begin_turn(db.conn(), Turn::Write).await?;
    let backend = txn.get_database_backend();
    let existing = txn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM sources WHERE dataset = '{DATASET}'"),
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if existing > 0 {
        bail!(
            "the database already holds generated data (dataset {DATASET}); generate into a fresh database"
        );
    }
    let pakistan = country(&txn, "PK").await?;
    let afghanistan = country(&txn, "AF").await?;
    let with_ids = [
        "sources",
        "provinces",
        "districts",
        "organizations",
        "personnel",
        "militants",
        "operations",
        "affiliations",
        "community_actions",
        "reported_figures",
        "attacks",
    ];
    let next = next_ids(&txn, &with_ids).await?;
    let first = |t: &str| next.get(t).copied().unwrap_or(1);

    let mut rng = Rng(options.seed);
    let n = options.operations;
    let sizes = Sizes::for_operations(n);
    let ext = |prefix: &str, i: usize| v(format!("{prefix}-{}-{i}", options.seed));
    let mut cited: Vec<(&'static str, i32)> = Vec::new();

    let source = first("sources");
    let mut sources = Table::new(
        "sources",
        &[
            "id",
            "title",
            "kind",
            "description",
            "dataset",
            "external_id",
        ],
    );
    sources.push(vec![
        v(source),
        v(format!("Synthetic data generated by ctgraph (seed {})", options.seed)),
        v("SYNTHETIC"),
        v(format!(
            "Generated by `ctgraph generate --operations {n} --seed {}`. Not real events: names, places, dates and counts are invented for benchmarks and demos.",
            options.seed
        )),
        v(DATASET),
        ext("source", 0),
    ]);

    // Places: synthetic provinces of Pakistan and Afghanistan, and their districts.
    let mut provinces = Table::new("provinces", &["id", "country_id", "name"]);
    let mut province_country = Vec::new();
    for i in 0..sizes.provinces {
        let c = if rng.chance(85) {
            pakistan
        } else {
            afghanistan
        };
        province_country.push(c);
        provinces.push(vec![
            v(first("provinces") + i as i32),
            v(c),
            v(format!("Synthetic province {i}")),
        ]);
        cited.push(("Province", first("provinces") + i as i32));
    }
    let mut districts = Table::new(
        "districts",
        &[
            "id",
            "province_id",
            "name",
            "aliases",
            "latitude",
            "longitude",
        ],
    );
    let mut district_province = Vec::with_capacity(sizes.districts);
    for i in 0..sizes.districts {
        let p = rng.below(sizes.provinces);
        district_province.push(p);
        let lat = 29.0 + (rng.below(8000) as f64) / 1000.0;
        let lon = 66.0 + (rng.below(8000) as f64) / 1000.0;
        districts.push(vec![
            v(first("districts") + i as i32),
            v(first("provinces") + p as i32),
            v(format!("Synthetic district {i}")),
            v("[]"),
            v(lat),
            v(lon),
        ]);
        cited.push(("District", first("districts") + i as i32));
    }
    let district = |i: usize| first("districts") + i as i32;

    // Organizations: security forces, militant groups, peace committees.
    let mut organizations = Table::new(
        "organizations",
        &[
            "id",
            "name",
            "aliases",
            "kind",
            "base_country_id",
            "description",
            "dataset",
            "external_id",
        ],
    );
    let (mut forces, mut groups, mut committees) = (Vec::new(), Vec::new(), Vec::new());
    let mut org_country = HashMap::new();
    for i in 0..sizes.organizations {
        let id = first("organizations") + i as i32;
        let kind = match i % 10 {
            0..=2 => "SECURITY_FORCE",
            3..=7 => "MILITANT_GROUP",
            _ => "PEACE_COMMITTEE",
        };
        let base = if kind == "MILITANT_GROUP" && rng.chance(25) {
            afghanistan
        } else {
            pakistan
        };
        match kind {
            "SECURITY_FORCE" => forces.push(id),
            "MILITANT_GROUP" => groups.push(id),
            _ => committees.push(id),
        }
        org_country.insert(id, base);
        let label = kind.to_lowercase().replace('_', " ");
        organizations.push(vec![
            v(id),
            v(format!("Synthetic {label} {i}")),
            v("[]"),
            v(kind),
            v(base),
            none_text(),
            v(DATASET),
            ext("org", i),
        ]);
        cited.push(("Organization", id));
    }

    // People: personnel of the forces, militants mostly of the groups.
    let ranks = [
        "Sepoy",
        "Naik",
        "Havildar",
        "Lieutenant",
        "Captain",
        "Major",
    ];
    let mut personnel = Table::new(
        "personnel",
        &[
            "id",
            "name",
            "rank",
            "organization_id",
            "hometown_district_id",
            "status",
            "dataset",
            "external_id",
        ],
    );
    let mut personnel_status = vec!["ACTIVE"; sizes.personnel];
    let mut militants = Table::new(
        "militants",
        &[
            "id",
            "name",
            "aliases",
            "nationality_id",
            "operating_country_id",
            "organization_id",
            "status",
            "dataset",
            "external_id",
        ],
    );
    let mut militant_status = vec!["AT_LARGE"; sizes.militants];

    // Operations and who took part.
    let mut operations = Table::new(
        "operations",
        &[
            "id",
            "title",
            "kind",
            "start_date",
            "date_precision",
            "district_id",
            "militants_killed",
            "militants_arrested",
            "security_killed",
            "security_injured",
            "civilians_killed",
            "summary",
            "dataset",
            "external_id",
        ],
    );
    let mut deployments = Table::new(
        "operation_personnel",
        &["operation_id", "personnel_id", "role", "outcome"],
    );
    let mut encounters = Table::new(
        "operation_militants",
        &["operation_id", "militant_id", "outcome"],
    );
    let mut involvements = Table::new(
        "operation_organizations",
        &["operation_id", "organization_id", "role"],
    );
    let mut per_province_year: HashMap<(usize, i32), i32> = HashMap::new();
    for i in 0..n {
        let id = first("operations") + i as i32;
        let kind = rng.weighted(&[
            ("INTELLIGENCE_BASED", 70),
            ("RAID", 10),
            ("CORDON_AND_SEARCH", 10),
            ("MILITARY_OFFENSIVE", 5),
            ("OTHER", 5),
        ]);
        let precision = rng.weighted(&[("DAY", 85), ("WEEK", 5), ("MONTH", 10)]);
        let mut day = rng.day();
        if precision == "MONTH" {
            day = day.with_day(1).unwrap_or(day);
        }
        let place = rng.chance(96).then(|| rng.below(sizes.districts));
        if let Some(d) = place {
            *per_province_year
                .entry((district_province[d], day.year()))
                .or_default() += 1;
        }
        let count = |rng: &mut Rng, unreported: u64, max: usize| -> Value {
            if rng.chance(unreported) {
                none_int()
            } else {
                v(rng.below(max + 1) as i32)
            }
        };
        operations.push(vec![
            v(id),
            v(format!("Synthetic operation {i}")),
            v(kind),
            v(day),
            v(precision),
            place.map_or_else(none_int, |d| v(district(d))),
            count(&mut rng, 10, 6),
            count(&mut rng, 60, 3),
            count(&mut rng, 50, 1),
            count(&mut rng, 60, 2),
            count(&mut rng, 80, 1),
            none_text(),
            v(DATASET),
            ext("op", i),
        ]);
        cited.push(("Operation", id));
        let taken = 1 + rng.below(3);
        for p in distinct(&mut rng, taken, sizes.personnel) {
            let outcome = rng.weighted(&[("UNHARMED", 92), ("INJURED", 6), ("KILLED", 2)]);
            if outcome != "UNHARMED" && personnel_status[p] == "ACTIVE" {
                personnel_status[p] = if outcome == "KILLED" {
                    "KILLED"
                } else {
                    "INJURED"
                };
            }
            let role = if deployments.rows.last().is_none_or(|r| r[0] != v(id)) {
                v("COMMANDER")
            } else {
                if rng.chance(50) {
                    v("PARTICIPANT")
                } else {
                    none_text()
                }
            };
            deployments.push(vec![
                v(id),
                v(first("personnel") + p as i32),
                role,
                v(outcome),
            ]);
        }
        let met = rng.below(4);
        for m in distinct(&mut rng, met, sizes.militants) {
            let outcome = rng.weighted(&[
                ("KILLED", 55),
                ("ARRESTED", 25),
                ("ESCAPED", 15),
                ("SURRENDERED", 5),
            ]);
            if militant_status[m] == "AT_LARGE" && outcome != "ESCAPED" {
                militant_status[m] = outcome;
            }
            encounters.push(vec![v(id), v(first("militants") + m as i32), v(outcome)]);
        }
        involvements.push(vec![v(id), v(*rng.pick(&forces)), v("CONDUCTED_BY")]);
        if rng.chance(60) {
            involvements.push(vec![v(id), v(*rng.pick(&groups)), v("TARGETED")]);
        }
    }
    for (p, status) in personnel_status.iter().enumerate() {
        let id = first("personnel") + p as i32;
        personnel.push(vec![
            v(id),
            v(format!("Synthetic officer {p}")),
            v(*rng.pick(&ranks)),
            v(*rng.pick(&forces)),
            v(district(rng.below(sizes.districts))),
            v(*status),
            v(DATASET),
            ext("personnel", p),
        ]);
        cited.push(("Personnel", id));
    }
    let mut militant_org = Vec::with_capacity(sizes.militants);
    for (m, status) in militant_status.iter().enumerate() {
        let id = first("militants") + m as i32;
        let nationality = if rng.chance(8) { afghanistan } else { pakistan };
        let org = rng.chance(80).then(|| *rng.pick(&groups));
        militant_org.push(org);
        militants.push(vec![
            v(id),
            if rng.chance(60) {
                v(format!("Synthetic militant {m}"))
            } else {
                none_text()
            },
            v("[]"),
            v(nationality),
            v(pakistan),
            org.map_or_else(none_int, v),
            v(*status),
            v(DATASET),
            ext("militant", m),
        ]);
        cited.push(("Militant", id));
    }

    // Affiliations: alliances among groups, sanctuaries across the border, memberships.
    let mut affiliations = Table::new(
        "affiliations",
        &[
            "id",
            "kind",
            "subject_militant_id",
            "subject_organization_id",
            "target_organization_id",
            "target_country_id",
            "cross_border",
            "since",
            "until",
            "confidence",
            "dataset",
            "external_id",
        ],
    );
    let mut a = 0usize;
    let mut affiliation = |rng: &mut Rng,
                           kind: &str,
                           subject: (Option<i32>, Option<i32>),
                           target: (Option<i32>, Option<i32>),
                           cross: bool| {
        let id = first("affiliations") + a as i32;
        let since = rng.day();
        let until = rng.chance(20).then(|| {
            since
                .checked_add_days(Days::new(30 + rng.below(900) as u64))
                .unwrap_or(since)
        });
        let row = vec![
            v(id),
            v(kind),
            subject.0.map_or_else(none_int, v),
            subject.1.map_or_else(none_int, v),
            target.0.map_or_else(none_int, v),
            target.1.map_or_else(none_int, v),
            v(cross),
            v(since),
            until.map_or(Value::ChronoDate(None), v),
            v(*rng.pick(&["REPORTED", "ALLEGED", "CONFIRMED"])),
            v(DATASET),
            ext("affiliation", a),
        ];
        a += 1;
        (id, row)
    };
    let country_of = |org: i32| org_country.get(&org).copied().unwrap_or(pakistan);
    for g in &groups {
        for _ in 0..(1 + rng.below(2)) {
            let other = *rng.pick(&groups);
            if other != *g {
                let (id, row) = affiliation(
                    &mut rng,
                    "ALLIANCE",
                    (None, Some(*g)),
                    (Some(other), None),
                    country_of(other) != country_of(*g),
                );
                affiliations.push(row);
                cited.push(("Affiliation", id));
            }
        }
        if rng.chance(30) {
            let (id, row) = affiliation(
                &mut rng,
                "SANCTUARY",
                (None, Some(*g)),
                (None, Some(afghanistan)),
                country_of(*g) != afghanistan,
            );
            affiliations.push(row);
            cited.push(("Affiliation", id));
        }
    }
    for (m, org) in militant_org.iter().enumerate() {
        if let Some(org) = org
            && rng.chance(5)
        {
            let subject = first("militants") + m as i32;
            // A militant operates in Pakistan: membership of a group based elsewhere crosses the border.
            let (id, row) = affiliation(
                &mut rng,
                "MEMBERSHIP",
                (Some(subject), None),
                (Some(*org), None),
                country_of(*org) != pakistan,
            );
            affiliations.push(row);
            cited.push(("Affiliation", id));
        }
    }

    // Community actions, each in one district with one or two organizations.
    let mut actions = Table::new(
        "community_actions",
        &[
            "id",
            "kind",
            "date",
            "date_precision",
            "place",
            "actors_description",
            "description",
            "dataset",
            "external_id",
        ],
    );
    let mut action_districts = Table::new(
        "community_action_districts",
        &["community_action_id", "district_id"],
    );
    let mut action_actors = Table::new(
        "community_action_actors",
        &["community_action_id", "organization_id", "role"],
    );
    for i in 0..sizes.community_actions {
        let id = first("community_actions") + i as i32;
        let dated = rng.chance(70);
        actions.push(vec![
            v(id),
            v(*rng.pick(&[
                "DECLARATION_OF_SUPPORT",
                "PROTECTION",
                "ARMED_RESISTANCE",
                "DEFENSE_OF_FACILITY",
            ])),
            if dated {
                v(rng.day())
            } else {
                Value::ChronoDate(None)
            },
            v(if dated { "DAY" } else { "UNKNOWN" }),
            none_text(),
            v("local residents"),
            v(format!("Synthetic community action {i}")),
            v(DATASET),
            ext("action", i),
        ]);
        cited.push(("CommunityAction", id));
        action_districts.push(vec![v(id), v(district(rng.below(sizes.districts)))]);
        action_actors.push(vec![v(id), v(*rng.pick(&committees)), v("ACTOR")]);
        if rng.chance(50) {
            action_actors.push(vec![v(id), v(*rng.pick(&forces)), v("SUPPORTED")]);
        }
    }

    // Reported figures: each province's operations in a year, as an aggregate would state them.
    let mut figures = Table::new(
        "reported_figures",
        &[
            "id",
            "metric",
            "value",
            "qualifier",
            "period_start",
            "period_end",
            "scope_province_id",
            "source_id",
            "quote",
            "dataset",
            "external_id",
        ],
    );
    let mut keys: Vec<_> = per_province_year.into_iter().collect();
    keys.sort();
    for (i, ((p, year), count)) in keys.into_iter().enumerate() {
        let id = first("reported_figures") + i as i32;
        figures.push(vec![
            v(id),
            v("OPERATIONS"),
            v(count + rng.below(5) as i32),
            v("AT_LEAST"),
            v(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()),
            v(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()),
            v(first("provinces") + p as i32),
            v(source),
            v(format!(
                "Synthetic: at least {count} operations in Synthetic province {p} in {year}."
            )),
            v(DATASET),
            ext("figure", i),
        ]);
        cited.push(("ReportedFigure", id));
    }

    // Attacks by the groups, on the forces or on no one named. Their own generator, so the
    // rest of the graph stays what the same seed gave before attacks existed.
    let mut rng = Rng(options.seed ^ 0x00A7_7AC4);
    let mut attacks = Table::new(
        "attacks",
        &[
            "id",
            "kind",
            "date",
            "date_precision",
            "district_id",
            "security_killed",
            "civilians_killed",
            "fatalities",
            "description",
            "dataset",
            "external_id",
        ],
    );
    let mut attack_organizations = Table::new(
        "attack_organizations",
        &["attack_id", "organization_id", "role"],
    );
    for i in 0..sizes.attacks {
        let id = first("attacks") + i as i32;
        let split = rng.chance(60);
        let count = |rng: &mut Rng| split.then(|| rng.below(8) as i32);
        let (security, civilians) = (count(&mut rng), count(&mut rng));
        attacks.push(vec![
            v(id),
            v(*rng.pick(&[
                "ARMED_ASSAULT",
                "ARMED_ASSAULT",
                "BOMBING",
                "SUICIDE_ATTACK",
                "REMOTE_VIOLENCE",
                "ABDUCTION",
            ])),
            v(rng.day()),
            v(*rng.pick(&["DAY", "DAY", "DAY", "WEEK", "MONTH"])),
            if rng.chance(95) {
                v(district(rng.below(sizes.districts)))
            } else {
                none_int()
            },
            security.map_or_else(none_int, v),
            civilians.map_or_else(none_int, v),
            (!split)
                .then(|| rng.below(12) as i32)
                .map_or_else(none_int, v),
            v(format!("Synthetic attack {i}")),
            v(DATASET),
            ext("attack", i),
        ]);
        cited.push(("Attack", id));
        attack_organizations.push(vec![v(id), v(*rng.pick(&groups)), v("PERPETRATOR")]);
        if rng.chance(70) {
            attack_organizations.push(vec![v(id), v(*rng.pick(&forces)), v("TARGET")]);
        }
    }

    let mut citations = Table::new(
        "citations",
        &["source_id", "subject_type", "subject_id", "confidence"],
    );
    for (kind, id) in cited {
        citations.push(vec![v(source), v(kind), v(id), v("REPORTED")]);
    }

    let mut report = Report::new();
    for table in [
        sources,
        provinces,
        districts,
        organizations,
        personnel,
        militants,
        operations,
        deployments,
        encounters,
        involvements,
        affiliations,
        actions,
        action_districts,
        action_actors,
        figures,
        attacks,
        attack_organizations,
        citations,
    ] {
        report.push(table.write(&txn, &mut progress).await?);
    }
    if backend == DbBackend::Postgres {
        // Rows came with explicit ids: move each sequence past them.
        for t in with_ids {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            );
            txn.execute_raw(Statement::from_string(backend, sql))
                .await?;
        }
    }
    super::record_load(&txn, "generate".to_owned()).await?;
    txn.commit().await?;
    db.analyze().await?;
    Ok(report)
}

/// How many rows of each kind a graph of `operations` operations has.
struct Sizes {
    provinces: usize,
    districts: usize,
    organizations: usize,
    personnel: usize,
    militants: usize,
    community_actions: usize,
    attacks: usize,
}

impl Sizes {
    fn for_operations(n: usize) -> Self {
        Self {
            provinces: (n / 5000).max(2),
            districts: (n / 250).max(10),
            organizations: (n / 400).max(20),
            personnel: (n / 2).max(10),
            militants: n.max(10),
            community_actions: (n / 20).max(1),
            attacks: (n / 4).max(1),
        }
    }
}
