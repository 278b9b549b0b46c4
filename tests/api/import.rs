//! `ctgraph import`: ACLED's real exports (read from `../shared/data/acled/`, skipped with a
//! message where absent), small files written by the tests for every kind of bad input, the
//! command's report and exit codes, and ctgraph's own JSON format, on both backends.

use std::path::{Path, PathBuf};

use ctgraph::graphql::enums::UnmappedReason;
use ctgraph::ingest::import::{ImportError, Options, Summary, import_file};

use crate::helpers::{TestApp, both, skip};

/// The real ACLED exports, or `None` (with a message) where `../shared` is absent.
fn shared(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/acled")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        skip("ACLED import tests with real data: ../shared/data/acled/ is absent");
        None
    }
}

/// The older ACLED layout's header (that of the shared export).
const HEADER: &[&str] = &[
    "data_id",
    "iso",
    "event_id_cnty",
    "event_id_no_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    "iso3",
];

/// A row: a KP battle between the army and the TTP, with `changes` applied.
fn row(changes: &[(&str, &str)]) -> Vec<String> {
    let base = [
        ("data_id", "1"),
        ("iso", "586"),
        ("event_id_cnty", "TST1"),
        ("event_id_no_cnty", "1"),
        ("event_date", "14-Mar-25"),
        ("year", "2025"),
        ("time_precision", "1"),
        ("event_type", "Battles"),
        ("sub_event_type", "Armed clash"),
        ("actor1", "Military Forces of Pakistan (2018-)"),
        ("assoc_actor_1", ""),
        ("inter1", "1"),
        ("actor2", "TTP: Tehreek-i-Taliban Pakistan"),
        ("assoc_actor_2", ""),
        ("inter2", "2"),
        ("interaction", "12"),
        ("region", "Southern Asia"),
        ("country", "Pakistan"),
        ("admin1", "Khyber Pakhtunkhwa"),
        ("admin2", "Bannu"),
        ("admin3", "Bannu"),
        ("location", "Bannu"),
        ("latitude", "32.9889"),
        ("longitude", "70.6056"),
        ("geo_precision", "1"),
        ("source", "Dawn (Pakistan); Express Tribune (Pakistan)"),
        ("source_scale", "National"),
        (
            "notes",
            "On 14 March 2025, security forces clashed with TTP militants near Bannu.",
        ),
        ("fatalities", "3"),
        ("timestamp", "1742000000"),
        ("iso3", "PAK"),
    ];
    base.iter()
        .map(|(k, v)| {
            changes
                .iter()
                .find(|(c, _)| c == k)
                .map_or(*v, |(_, n)| *n)
                .to_owned()
        })
        .collect()
}

/// A CSV file of `HEADER` and `rows`.
fn csv_text(rows: &[Vec<String>]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).expect("header");
    for r in rows {
        out.write_record(r).expect("row");
    }
    String::from_utf8(out.into_inner().expect("csv")).expect("utf-8")
}

/// A temporary file of its own, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: impl AsRef<[u8]>) -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ctgraph-import-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn import(app: &TestApp, path: &Path) -> Result<Summary, ImportError> {
    import_file(app.db(), path, &Options::default(), &mut |_, _| {}).await
}

async fn acled_rows(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'acled'")
        .await
        + app
            .scalar("SELECT COUNT(*) FROM community_actions WHERE dataset = 'acled'")
            .await
}

/// The rows of the small file the mapping tests use: an operation, armed resistance by a
/// peace committee, a protest against terrorism, a protest about something else, and an
/// arrest of militants, with coarse dates among them.
fn mapping_rows() -> Vec<Vec<String>> {
    vec![
        row(&[("time_precision", "2")]),
        row(&[
            ("event_id_cnty", "TST2"),
            ("time_precision", "3"),
            ("event_date", "15 March 2025"),
            ("actor1", "Kurram Peace Committee"),
            ("inter1", "4"),
            ("admin2", "Kurram"),
            ("location", "Parachinar"),
            (
                "notes",
                "Members of a peace committee repulsed a TTP attack on their village.",
            ),
        ]),
        row(&[
            ("event_id_cnty", "TST3"),
            ("event_date", "2025-03-16"),
            ("event_type", "Protests"),
            ("sub_event_type", "Peaceful protest"),
            ("actor1", "Protesters (Pakistan)"),
            ("assoc_actor_1", "Traders (Pakistan)"),
            ("inter1", "6"),
            ("actor2", ""),
            ("inter2", "0"),
            ("admin2", "Swat"),
            ("location", "Mingora"),
            ("latitude", "34.7717"),
            ("longitude", "72.3602"),
            (
                "notes",
                "Traders protested against terrorism in Mingora after a wave of extortion threats.",
            ),
            ("fatalities", "0"),
        ]),
        row(&[
            ("event_id_cnty", "TST4"),
            ("event_type", "Protests"),
            ("sub_event_type", "Peaceful protest"),
            ("actor1", "Protesters (Pakistan)"),
            ("inter1", "6"),
            ("actor2", ""),
            ("inter2", "0"),
            ("notes", "Teachers protested over unpaid salaries."),
            ("fatalities", "0"),
        ]),
        row(&[
            ("event_id_cnty", "TST5"),
            ("event_type", "Strategic developments"),
            ("sub_event_type", "Arrests"),
            ("actor1", "Police Forces of Pakistan (2018-)"),
            ("admin2", "Dera Ismail Khan"),
            (
                "notes",
                "Police arrested two suspected militants. Unspecified number of fatalities coded as 3.",
            ),
        ]),
    ]
}

both! {
    async fn the_shared_acled_exports_import_and_importing_again_changes_nothing(app: TestApp) {
        let (Some(older), Some(current)) = (shared("pakistan-2020-apr-may.csv"), shared("current-layout-sample.csv")) else { return };
        let s = import(&app, &older).await.expect("imports");
        assert_eq!(s.rows, 236, "{s}");
        let unmapped: usize = s.unmapped.iter().map(|(_, n)| n).sum();
        assert_eq!(s.operations.inserted + s.attacks.inserted + s.community_actions.inserted + unmapped, 236, "every row is counted: {s}");
        assert_eq!(s.unmapped_records.inserted, unmapped, "and every unmapped row kept: {s}");
        // The one battle the army began against a militant group: BLF in Panjgur. The TTP's
        // attack on a check post in North Waziristan (actor1 the TTP) is an attack on the army.
        assert_eq!((s.operations.inserted, s.attacks.inserted), (1, 6), "{s}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'acled' AND external_id = 'PAK57224'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM attacks a JOIN attack_organizations ao ON ao.attack_id = a.id \
            JOIN organizations g ON g.id = ao.organization_id WHERE a.external_id = 'PAK57377' AND a.kind = 'ARMED_ASSAULT' \
            AND ((g.name = 'TTP: Tehreek-i-Taliban Pakistan' AND ao.role = 'PERPETRATOR') OR (g.name = 'Military Forces of Pakistan (2018-)' AND ao.role = 'TARGET'))").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM provinces WHERE name = 'Khyber Pakhtunkhwa'").await, 1, "no second KP");
        // ACLED's fatalities total has no split: it is the total, and the split counts stay unknown.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'acled' AND (militants_killed IS NOT NULL OR security_killed IS NOT NULL OR civilians_killed IS NOT NULL)").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'acled' AND fatalities = 4 AND fatalities_by_convention = false").await, 1);
        // Every row cites the export with its event id, and its outlets.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations o WHERE o.dataset = 'acled' AND EXISTS (SELECT 1 FROM citations c \
            JOIN sources s ON s.id = c.source_id AND s.kind = 'DATASET' WHERE c.subject_type = 'Operation' AND c.subject_id = o.id AND c.locator = o.external_id)").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE name = 'BLF: Baloch Liberation Front' AND kind = 'MILITANT_GROUP'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operation_organizations oo JOIN organizations g ON g.id = oo.organization_id \
            WHERE g.name = 'Military Forces of Pakistan (2018-)' AND oo.role = 'CONDUCTED_BY'").await, 1);

        let again = import(&app, &older).await.expect("imports again");
        assert_eq!(again.changed(), 0, "{again}");
        assert_eq!((again.operations.unchanged, again.attacks.unchanged, again.unmapped_records.unchanged), (1, 6, 229));

        let s = import(&app, &current).await.expect("the current layout imports");
        assert_eq!(s.rows, 2, "{s}");
        assert_eq!(s.unmapped, vec![(UnmappedReason::OtherDevelopment, 1), (UnmappedReason::Protest, 1)],
            "a settlers' land seizure and a protest are neither: {s}");
    }
}

both! {
    async fn who_acted_decides_what_an_afghan_event_becomes_and_every_row_is_kept(app: TestApp) {
        let Some(file) = shared("afghanistan-2020-mar.csv") else { return };
        let s = import(&app, &file).await.expect("imports");
        let counts = (s.rows, s.operations.inserted, s.attacks.inserted, s.community_actions.inserted, s.unmapped_records.inserted);
        assert_eq!(counts, (496, 38, 377, 51, 30), "{s}");
        // Afghan forces' operation against the Taliban (actor1 the army): conducted by the army.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations o JOIN operation_organizations oo ON oo.operation_id = o.id \
            JOIN organizations g ON g.id = oo.organization_id WHERE o.external_id = 'AFG44341' \
            AND ((g.name = 'Military Forces of Afghanistan (2014-)' AND oo.role = 'CONDUCTED_BY') OR (g.name = 'Taliban' AND oo.role = 'TARGETED'))").await, 2);
        // NATO's airstrike on the Taliban: an operation by external forces.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations o JOIN operation_organizations oo ON oo.operation_id = o.id \
            JOIN organizations g ON g.id = oo.organization_id WHERE o.external_id = 'AFG44325' \
            AND g.name LIKE 'NATO%' AND oo.role = 'CONDUCTED_BY'").await, 1);
        // The Taliban attacked and Afghan forces repulsed them (actor1 the Taliban): an attack
        // by the Taliban on the army, its total of deaths unsplit.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE external_id = 'AFG44631'").await, 0);
        let attack = app.data(r#"{ attacks(filter: { hasOrganizations: { role: { eq: PERPETRATOR }, organization: { name: { eq: "Taliban" } } },
            description: { contains: "repulsed" }, fatalities: { eq: 12 } }) { totalCount nodes { kind date fatalities securityKilled
            district { name } organizations(orderBy: { field: NAME }) { edges { role node { name } } } } } }"#, serde_json::json!({})).await;
        let node = &attack["attacks"]["nodes"][0];
        assert_eq!((&node["kind"], &node["fatalities"], &node["securityKilled"]), (&"ARMED_ASSAULT".into(), &12.into(), &serde_json::Value::Null), "{attack}");
        assert_eq!(node["organizations"]["edges"], serde_json::json!([
            { "role": "TARGET", "node": { "name": "Military Forces of Afghanistan (2014-)" } },
            { "role": "PERPETRATOR", "node": { "name": "Taliban" } },
        ]), "{attack}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM attacks WHERE external_id = 'AFG44631'").await, 1);
        // A pro-government militia resisting the Taliban: a community action, the militia a
        // peace committee and the Taliban its opponent.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM community_actions c JOIN community_action_actors a ON a.community_action_id = c.id \
            JOIN organizations g ON g.id = a.organization_id WHERE c.external_id = 'AFG44289' AND c.kind = 'ARMED_RESISTANCE' \
            AND ((g.name = 'Militia (Pro-Government)' AND g.kind = 'PEACE_COMMITTEE' AND a.role = 'ACTOR') OR (g.name = 'Taliban' AND a.role = 'OPPONENT'))").await, 2);

        // Every row not mapped is kept, with its file, line, reason and record.
        // Afghan forces' attack on civilians is not counter-terrorism: kept aside, with why.
        let by_key = app.data(r#"{ unmappedRecords(filter: { key: { eq: "AFG44622" } }) { totalCount nodes { dataset key line reason raw } } }"#, serde_json::json!({})).await;
        let record = &by_key["unmappedRecords"]["nodes"][0];
        assert_eq!((&record["dataset"], &record["line"], &record["reason"]), (&"acled".into(), &13.into(), &"FORCES_ON_CIVILIANS".into()), "{by_key}");
        assert_eq!(record["raw"]["actor2"], "Civilians (Afghanistan)");
        assert_eq!(record["raw"]["sub_event_type"], "Attack");
        let file_name = file.display().to_string();
        let attacks = app.data("query($file: String!) { unmappedRecords(filter: { file: { eq: $file }, reason: { eq: ATTACK } }, first: 2) { totalCount } \
            attacks { totalCount } bombings: attacks(filter: { kind: { eq: BOMBING } }) { totalCount } }",
            serde_json::json!({ "file": file_name })).await;
        assert_eq!((&attacks["unmappedRecords"]["totalCount"], &attacks["attacks"]["totalCount"], &attacks["bombings"]["totalCount"]),
            (&0.into(), &377.into(), &63.into()), "{attacks}");
        let other = app.data(r#"{ unmappedRecords(filter: { dataset: { eq: "acled" }, reason: { in: [PROTEST, OTHER_DEVELOPMENT] } }) { totalCount } }"#, serde_json::json!({})).await;
        assert_eq!(other["unmappedRecords"]["totalCount"], 15, "{other}");

        let again = import(&app, &file).await.expect("imports again");
        assert_eq!(again.changed(), 0, "{again}");
    }
}

both! {
    async fn a_row_without_an_event_id_is_keyed_by_data_id_and_column_order_changes_nothing(app: TestApp) {
        let philippines = row(&[("event_id_cnty", "PHL1"), ("iso", "608"), ("country", "Philippines"), ("admin1", "Sulu"),
            ("admin2", "Jolo"), ("location", "Jolo"), ("actor1", "Military Forces of the Philippines (2016-)"),
            ("actor2", "Abu Sayyaf Group"), ("notes", "Troops clashed with Abu Sayyaf militants near Jolo.")]);
        let rows = vec![row(&[]), row(&[("event_id_cnty", ""), ("data_id", "6996791"), ("actor1", "Taliban"), ("inter1", "2"),
            ("actor2", "Military Forces of Pakistan (2018-)"), ("inter2", "1")]), philippines];
        let file = TempFile::new("events.csv", csv_text(&rows));
        let s = import(&app, file.path()).await.expect("imports");
        assert_eq!((s.operations.inserted, s.attacks.inserted, s.unmapped_records.inserted), (2, 1, 0), "{s}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM attacks WHERE external_id = 'data_id:6996791'").await, 1);
        // "the Philippines" in a state force's name is the Philippines.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations o JOIN countries c ON c.id = o.base_country_id \
            WHERE o.name = 'Military Forces of the Philippines (2016-)' AND c.iso_code = 'PH'").await, 1);

        // The same rows with their columns in reverse order, at the same path: nothing changed.
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(HEADER.iter().rev()).expect("header");
        for r in &rows {
            out.write_record(r.iter().rev()).expect("row");
        }
        std::fs::write(file.path(), out.into_inner().expect("csv")).expect("rewrite");
        let again = import(&app, file.path()).await.expect("imports reordered");
        assert_eq!(again.changed(), 0, "{again}");
        assert_eq!((again.operations.unchanged, again.attacks.unchanged), (2, 1), "{again}");

        // Without `event_id_cnty` or `data_id`, the row is refused by name.
        let keyless = vec![row(&[("event_id_cnty", ""), ("data_id", "")])];
        let keyless = TempFile::new("keyless.csv", csv_text(&keyless));
        let refused = import(&app, keyless.path()).await.expect_err("a row without a key");
        assert!(refused.to_string().contains("event_id_cnty"), "{refused}");
    }
}

both! {
    async fn events_map_to_operations_and_community_actions_and_a_changed_row_updates(app: TestApp) {
        let file = TempFile::new("events.csv", csv_text(&mapping_rows()));
        let s = import(&app, file.path()).await.expect("imports");
        assert_eq!((s.operations.inserted, s.community_actions.inserted), (2, 2), "{s}");
        assert_eq!(s.unmapped, vec![(UnmappedReason::Protest, 1)]);
        // Coarse dates start their period: ACLED's week is centred on the coded day.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE external_id = 'TST1' AND start_date = '2025-03-11' AND date_precision = 'WEEK'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM community_actions WHERE external_id = 'TST2' AND date = '2025-03-01' AND date_precision = 'MONTH' AND kind = 'ARMED_RESISTANCE'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM community_actions WHERE external_id = 'TST3' AND kind = 'OTHER' AND date_precision = 'DAY'").await, 1);
        // Existing districts are matched (Bannu is the seed's), new ones created with a point.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM districts WHERE name = 'Bannu'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM districts d JOIN provinces p ON p.id = d.province_id \
            WHERE d.name = 'Swat' AND p.iso_code = 'PK-KP' AND d.latitude > 34.7 AND d.longitude > 72.3").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM community_action_districts cd JOIN districts d ON d.id = cd.district_id \
            JOIN community_actions c ON c.id = cd.community_action_id WHERE d.name = 'Kurram' AND c.dataset = 'acled'").await, 1);
        // Actors are organizations of the right kind, linked with their part.
        for (name, kind) in [("Kurram Peace Committee", "PEACE_COMMITTEE"), ("Military Forces of Pakistan (2018-)", "SECURITY_FORCE"), ("Police Forces of Pakistan (2018-)", "SECURITY_FORCE"), ("TTP: Tehreek-i-Taliban Pakistan", "MILITANT_GROUP")] {
            assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM organizations WHERE name = '{name}' AND kind = '{kind}'")).await, 1, "{name}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE name LIKE 'Protesters%' OR name LIKE 'Traders%'").await, 0, "labels are not organizations");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM community_action_actors a JOIN organizations g ON g.id = a.organization_id WHERE g.name LIKE 'TTP%' AND a.role = 'OPPONENT'").await, 1);
        // The battle's and the arrest's target.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operation_organizations a JOIN organizations g ON g.id = a.organization_id WHERE g.name LIKE 'TTP%' AND a.role = 'TARGETED'").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations o JOIN countries c ON c.id = o.base_country_id WHERE o.name LIKE 'Military Forces of Pakistan%' AND c.iso_code = 'PK'").await, 1);
        // Outlets are sources, cited by every row along with the export.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM sources WHERE dataset = 'acled' AND kind = 'NEWS'").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM citations c JOIN operations o ON o.id = c.subject_id AND c.subject_type = 'Operation' WHERE o.external_id = 'TST1'").await, 3);
        // The API serves them like any row.
        let data = app.data(r#"{ operations(filter: { title: { eq: "Armed clash in Bannu" } }) { nodes { datePrecision startDate militantsKilled district { name province { isoCode } } } } }"#, serde_json::json!({})).await;
        assert_eq!(data["operations"]["nodes"][0]["district"]["province"]["isoCode"], "PK-KP");
        assert_eq!(data["operations"]["nodes"][0]["militantsKilled"], serde_json::Value::Null);
        // A total the notes call a convention says so.
        let arrest = app.data(r#"{ operations(filter: { fatalitiesByConvention: true }) { nodes { title fatalities fatalitiesByConvention militantsKilled } } }"#, serde_json::json!({})).await;
        assert_eq!(arrest["operations"]["nodes"], serde_json::json!([{ "title": "Arrests in Bannu", "fatalities": 3,
            "fatalitiesByConvention": true, "militantsKilled": null }]), "{arrest}");

        let again = import(&app, file.path()).await.expect("imports again");
        assert_eq!(again.changed(), 0, "{again}");

        // A changed row updates, keyed by its event id; one that now maps elsewhere moves.
        let mut rows = mapping_rows();
        rows[0] = row(&[("time_precision", "2"), ("notes", "Revised: security forces clashed with TTP militants near Bannu.")]);
        rows[1] = row(&[("event_id_cnty", "TST2"), ("event_type", "Protests"), ("actor1", "Protesters (Pakistan)"), ("inter1", "6"), ("notes", "A protest over power cuts.")]);
        let changed = TempFile::new("events.csv", csv_text(&rows));
        let s = import(&app, changed.path()).await.expect("imports the changed file");
        assert_eq!(s.operations.updated, 1, "{s}");
        assert_eq!(s.operations.unchanged, 1, "{s}");
        assert_eq!(s.community_actions.removed, 1, "{s}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'acled'").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE external_id = 'TST1' AND summary LIKE 'Revised%'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM citations c JOIN operations o ON o.id = c.subject_id AND c.subject_type = 'Operation' WHERE o.external_id = 'TST1'").await, 3, "citations replaced, not doubled");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM community_actions WHERE external_id = 'TST2'").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM unmapped_records WHERE external_id = 'TST2' AND reason = 'PROTEST' AND line = 3").await, 1);
    }
}

/// Every kind of bad input: the file, its contents, and what the message must say.
fn bad_inputs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = |id: &str| row(&[("event_id_cnty", id)]);
    let with = |changes: &[(&str, &str)]| csv_text(&[good("OK1"), row(changes)]).into_bytes();
    let mut extra = csv_text(&[good("OK1")]);
    extra.push_str(
        &csv_text(&[row(&[("event_id_cnty", "X")])])
            .lines()
            .nth(1)
            .map(|l| format!("{l},surplus\n"))
            .unwrap_or_default(),
    );
    let missing_column = {
        let header: Vec<&str> = HEADER.iter().copied().filter(|h| *h != "notes").collect();
        format!("{}\n", header.join(",")).into_bytes()
    };
    let short_row = {
        let mut text = csv_text(&[good("OK1")]);
        text.push_str("1,586,SHORT,1,14-Mar-25\n");
        text.into_bytes()
    };
    vec![
        (
            "missing-column.csv",
            missing_column,
            ":1:notes: missing column notes",
        ),
        (
            "extra-column.csv",
            extra.into_bytes(),
            ":3:32: 32 fields, but the header has 31 columns",
        ),
        (
            "short-row.csv",
            short_row,
            ":3:year: missing: the row has 5 fields",
        ),
        (
            "bad-date.csv",
            with(&[("event_id_cnty", "B"), ("event_date", "31-Feb-25")]),
            ":3:event_date: \"31-Feb-25\" is not a date",
        ),
        (
            "latitude.csv",
            with(&[("event_id_cnty", "B"), ("latitude", "95.5")]),
            ":3:latitude: 95.5 is out of range (-90 to 90)",
        ),
        (
            "precision.csv",
            with(&[("event_id_cnty", "B"), ("time_precision", "4")]),
            ":3:time_precision: \"4\" is not an ACLED time precision",
        ),
        (
            "geo.csv",
            with(&[("event_id_cnty", "B"), ("geo_precision", "7")]),
            ":3:geo_precision: \"7\" is not an ACLED geo precision",
        ),
        (
            "duplicate.csv",
            with(&[("event_id_cnty", "OK1")]),
            ":3:event_id_cnty: duplicate event id \"OK1\": line 2 has it too",
        ),
        ("empty.csv", Vec::new(), ":1:1: the file is empty (0 bytes)"),
        (
            "binary.csv",
            b"event_id_cnty,event_date\nPK1,\x00\x01\x02\xff".to_vec(),
            ":2:5: a NUL byte: this is a binary file",
        ),
        (
            "latin1.csv",
            [csv_text(&[good("OK1")]).as_bytes(), b"caf\xe9\n"].concat(),
            ":3:4: byte 0xE9 is not UTF-8",
        ),
    ]
}

both! {
    async fn every_bad_input_is_named_by_file_line_and_column_and_writes_nothing(app: TestApp) {
        for (name, contents, expected) in bad_inputs() {
            let file = TempFile::new(name, contents);
            let err = import(&app, file.path()).await.expect_err(name).to_string();
            let place = format!("{}{expected}", file.path().display());
            assert!(err.contains(&place), "{name}: expected {place:?} in:\n{err}");
            assert_eq!(acled_rows(&app).await, 0, "{name}: nothing written");
        }
    }
}

both! {
    async fn a_bom_crlf_line_ends_and_quoted_newlines_are_read_and_lines_stay_right(app: TestApp) {
        let rows = vec![
            row(&[("notes", "A note\nover two lines, \"quoted\".")]),
            row(&[("event_id_cnty", "TST2"), ("latitude", "-91")]),
        ];
        let text = csv_text(&rows).replace('\n', "\r\n");
        let file = TempFile::new("crlf.csv", [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat());
        // The quoted newline makes the second row start on line 4.
        let err = import(&app, file.path()).await.expect_err("bad latitude").to_string();
        assert!(err.contains(&format!("{}:4:latitude:", file.path().display())), "{err}");
        let good = TempFile::new("crlf.csv", [b"\xEF\xBB\xBF".as_slice(), csv_text(&rows[..1]).replace('\n', "\r\n").as_bytes()].concat());
        let s = import(&app, good.path()).await.expect("imports");
        assert_eq!(s.operations.inserted, 1, "{s}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE summary LIKE 'A note%over two lines, \"quoted\".'").await, 1, "a quoted line break is part of the value");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE raw LIKE '{\"data_id\":\"1\",\"iso\":\"586\",%'").await, 1, "the BOM is not part of the first column's name");
    }
}

fn ctgraph(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ctgraph"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("ctgraph runs")
}

#[tokio::test]
async fn the_command_fails_whole_by_default_and_skip_invalid_writes_the_valid_rows_and_a_report() {
    let Some(url) = crate::helpers::fresh_database(crate::helpers::Backend::Sqlite).await else {
        return;
    };
    let mut rows = mapping_rows();
    rows.push(row(&[("event_id_cnty", "BAD1"), ("event_date", "someday")]));
    rows.push(row(&[("event_id_cnty", "BAD2"), ("longitude", "200")]));
    let file = TempFile::new("mixed.csv", csv_text(&rows));
    let path = file.path().display().to_string();

    let out = ctgraph(&["import", "--database-url", &url, &path]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{path}:7:event_date: \"someday\" is not a date")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{path}:8:longitude: 200 is out of range")),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 invalid rows, nothing written"),
        "{stderr}"
    );
    let db = ctgraph::db::Db::connect(&url).await.expect("connect");
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            use sea_orm::ConnectionTrait;
            let row = db
                .conn()
                .query_one_raw(sea_orm::Statement::from_string(
                    db.conn().get_database_backend(),
                    sql,
                ))
                .await;
            row.expect("query")
                .expect("row")
                .try_get_by_index::<i64>(0)
                .expect("count")
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM operations WHERE dataset = 'acled'").await,
        0
    );

    let out = ctgraph(&["import", "--skip-invalid", "--database-url", &url, &path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("operations: 2 inserted, 0 updated, 0 unchanged"),
        "{stdout}"
    );
    assert!(stdout.contains("invalid, skipped: 2"), "{stdout}");
    assert_eq!(
        count("SELECT COUNT(*) FROM operations WHERE dataset = 'acled'").await,
        2
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM community_actions WHERE dataset = 'acled'").await,
        2
    );
    let report =
        std::fs::read_to_string(format!("{path}.skipped.csv")).expect("a report beside the file");
    let mut reader = csv::Reader::from_reader(report.as_bytes());
    let lines: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert_eq!(
        (lines[0][1].as_str(), lines[0][2].as_str()),
        ("7", "event_date")
    );
    assert_eq!(
        (lines[1][1].as_str(), lines[1][2].as_str()),
        ("8", "longitude")
    );
    assert!(
        lines[0][4].starts_with("1,586,BAD1,"),
        "the raw row: {:?}",
        lines[0][4]
    );

    // Again with the report elsewhere: nothing changes.
    let elsewhere = TempFile::new("report.csv", "");
    let out = ctgraph(&[
        "import",
        "--skip-invalid",
        "--report",
        &elsewhere.path().display().to_string(),
        "--database-url",
        &url,
        &path,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(", 0 changed,"), "{stdout}");
    assert!(
        std::fs::read_to_string(elsewhere.path())
            .expect("report")
            .lines()
            .count()
            == 3
    );

    let unknown = TempFile::new("events.txt", "x");
    let out = ctgraph(&[
        "import",
        "--database-url",
        &url,
        &unknown.path().display().to_string(),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format"));
    drop(db);
    let db_path = url
        .trim_start_matches("sqlite://")
        .trim_end_matches("?mode=rwc");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db_path}{suffix}"));
    }
}

both! {
    async fn a_json_dataset_imports_under_its_own_name_and_again_changes_nothing(app: TestApp) {
        let dataset = serde_json::json!({
            "dataset": "field-notes",
            "sources": [{ "key": "notes", "title": "Field notes", "kind": "REPORT" }],
            "countries": [{ "isoCode": "PK", "name": "Pakistan", "cite": [{ "source": "notes" }] }],
            "provinces": [{ "isoCode": "PK-KP", "country": "PK", "name": "Khyber Pakhtunkhwa", "cite": [{ "source": "notes" }] }],
            "districts": [{ "key": "tank", "province": "PK-KP", "name": "Tank", "cite": [{ "source": "notes" }] }],
            "organizations": [{ "key": "ttp", "name": "TTP (field notes)", "kind": "MILITANT_GROUP", "cite": [{ "source": "notes" }] }],
            "operations": [{ "key": "op1", "title": "Search operation in Tank", "kind": "CORDON_AND_SEARCH", "startDate": "2025-04-02",
                "datePrecision": "DAY", "district": "tank", "cite": [{ "source": "notes", "quote": "A search operation in Tank." }] }],
            "attacks": [{ "key": "attack1", "kind": "SUICIDE_ATTACK", "date": "2025-04-01", "datePrecision": "DAY", "district": "tank",
                "fatalities": 3, "organizations": [{ "organization": "ttp", "role": "PERPETRATOR" }],
                "cite": [{ "source": "notes", "quote": "A suicide bomber struck a checkpoint in Tank." }] }]
        });
        let file = TempFile::new("notes.json", dataset.to_string());
        let s = import(&app, file.path()).await.expect("imports");
        assert!(s.changed() > 0, "{s}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE dataset = 'field-notes' AND external_id = 'op1'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM provinces WHERE iso_code = 'PK-KP'").await, 1);
        let attack = app.data(r#"{ attacks(filter: { kind: { eq: SUICIDE_ATTACK } }) { nodes { date fatalities district { name }
            organizations { edges { role node { name } } } citations { nodes { quote } } } } }"#, serde_json::json!({})).await;
        assert_eq!(attack["attacks"]["nodes"], serde_json::json!([{ "date": "2025-04-01", "fatalities": 3, "district": { "name": "Tank" },
            "organizations": { "edges": [{ "role": "PERPETRATOR", "node": { "name": "TTP (field notes)" } }] },
            "citations": { "nodes": [{ "quote": "A suicide bomber struck a checkpoint in Tank." }] } }]), "{attack}");
        let again = import(&app, file.path()).await.expect("imports again");
        assert_eq!(again.changed(), 0, "{again}");

        let broken = TempFile::new("broken.json", "{\n  \"sources\": [\n    { \"key\": 1 }\n  ]\n}");
        let err = import(&app, broken.path()).await.expect_err("malformed").to_string();
        assert!(err.starts_with(&format!("{}:3:", broken.path().display())), "{err}");

        // An operation's startDate is required, so "no date at all" cannot be its precision.
        let mut undated = dataset.clone();
        undated["operations"][0]["key"] = "op2".into();
        undated["operations"][0]["datePrecision"] = "UNKNOWN".into();
        let undated = TempFile::new("undated.json", undated.to_string());
        let err = import(&app, undated.path()).await.expect_err("UNKNOWN precision").to_string();
        assert!(err.contains("cannot be UNKNOWN; use YEAR"), "{err}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operations WHERE external_id = 'op2'").await, 0);
    }
}

#[test]
fn nothing_from_shared_is_committed() {
    // The real data stays in ../shared (DESIGN: the project commits none of it).
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    walk(&path, found);
                }
            } else if [
                "pakistan-2020-apr-may.csv",
                "current-layout-sample.csv",
                "pakistan-districts.csv",
            ]
            .contains(&name.as_str())
            {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(Path::new(env!("CARGO_MANIFEST_DIR")), &mut found);
    assert!(
        found.is_empty(),
        "files from ../shared in the repository: {found:?}"
    );
}

both! {
    async fn a_merged_organization_stays_merged_when_its_file_is_imported_again(app: TestApp) {
        use serde_json::json;
        let Some(path) = shared("pakistan-2020-apr-may.csv") else { return };
        import(&app, &path).await.expect("imports");
        // The actor the import made that most operations name, merged into the seed's Taliban.
        let data = app
            .data("{ organizations(first: 100) { nodes { id name operations { totalCount } } } }", json!({}))
            .await;
        let all = data["organizations"]["nodes"].as_array().expect("organizations");
        let taliban = all.iter().find(|o| o["name"] == "Taliban").expect("the seed's Taliban")["id"].clone();
        let seed = ["Taliban", "Pakistani security forces", "Karak peace committee"];
        let busiest = all
            .iter()
            .filter(|o| !seed.iter().any(|s| o["name"] == *s))
            .max_by_key(|o| o["operations"]["totalCount"].as_i64())
            .expect("an imported actor");
        assert!(busiest["operations"]["totalCount"].as_i64() > Some(0), "{busiest}");
        let key = crate::curation::editor(&app, "alice").await;
        let merge = r#"mutation($input: MergeInput!) { mergeOrganizations(input: $input) { userErrors { message } } }"#;
        let input = json!({ "input": { "keep": taliban, "merge": busiest["id"],
            "citations": [{ "source": { "title": "A later report", "kind": "NEWS" }, "quote": "They are the Taliban." }] } });
        let (_, body) = crate::curation::as_key(&app, Some(&key), merge, input).await;
        assert_eq!(body["data"]["mergeOrganizations"]["userErrors"], json!([]), "{body}");
        let organizations = app.scalar("SELECT COUNT(*) FROM organizations").await;
        let links = app.scalar("SELECT COUNT(*) FROM operation_organizations").await;

        let again = import(&app, &path).await.expect("imports again");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, organizations, "the merged actor is not made again: {again}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM operation_organizations").await, links, "{again}");
        assert_eq!(again.changed(), 0, "{again}");
    }
}

both! {
    async fn international_forces_criminals_social_media_and_undisclosed_sources_get_their_kinds(app: TestApp) {
        let somalia = row(&[("event_id_cnty", "SOM1"), ("iso", "706"), ("country", "Somalia"), ("iso3", "SOM"), ("admin1", "Lower Shabelle"),
            ("admin2", "Marka"), ("location", "Marka"), ("latitude", "1.7159"), ("longitude", "44.7717"),
            ("actor1", "AMISOM: African Union Mission in Somalia (2007-2022)"), ("inter1", "8"), ("actor2", "Al Shabaab"), ("inter2", "2"),
            ("source", "Twitter; Undisclosed Source"), ("notes", "AMISOM troops clashed with Al Shabaab militants near Marka.")]);
        let philippines = row(&[("event_id_cnty", "PHL2"), ("iso", "608"), ("country", "Philippines"), ("iso3", "PHL"), ("admin1", "Metro Manila"),
            ("admin2", "Manila"), ("location", "Tondo"), ("latitude", "14.6186"), ("longitude", "120.9676"),
            ("actor1", "Police Forces of the Philippines (2016-)"), ("actor2", "Armed Drug Suspects (Philippines)"), ("inter2", "3"),
            ("source", "Telegram"), ("notes", "Police shot dead two armed drug suspects in Tondo.")]);
        let afghanistan = row(&[("event_id_cnty", "AFG1"), ("iso", "4"), ("country", "Afghanistan"), ("iso3", "AFG"), ("admin1", "Kabul"),
            ("admin2", "Kabul"), ("location", "Kabul"), ("latitude", "34.5167"), ("longitude", "69.1833"),
            ("event_type", "Explosions/Remote violence"), ("sub_event_type", "Suicide bomb"), ("actor1", "Taliban"), ("inter1", "2"),
            ("actor2", "Police Forces of Afghanistan (2014-2021)"), ("inter2", "1"), ("source", "Local Network"),
            ("notes", "A Taliban suicide bomber struck a police checkpoint in Kabul.")]);
        let file = TempFile::new("world.csv", csv_text(&[somalia, philippines, afghanistan]));
        let s = import(&app, file.path()).await.expect("imports");
        assert_eq!((s.operations.inserted, s.attacks.inserted), (2, 1), "{s}");
        let kinds = app.data(r#"{ organizations(filter: { name: { in: ["AMISOM: African Union Mission in Somalia (2007-2022)",
            "Armed Drug Suspects (Philippines)", "Police Forces of the Philippines (2016-)"] } }, orderBy: { field: NAME }) { nodes { name kind baseCountry { isoCode } } }
            sources(filter: { title: { in: ["Twitter", "Telegram", "Undisclosed Source", "Local Network"] } }, orderBy: { field: TITLE }) { nodes { title kind } }
            attacks(filter: { kind: { eq: SUICIDE_ATTACK } }) { nodes { district { name } organizations(orderBy: { field: NAME }) { edges { role node { kind } } } } } }"#,
            serde_json::json!({})).await;
        assert_eq!(kinds["organizations"]["nodes"], serde_json::json!([
            { "name": "AMISOM: African Union Mission in Somalia (2007-2022)", "kind": "INTERNATIONAL_FORCE", "baseCountry": null },
            { "name": "Armed Drug Suspects (Philippines)", "kind": "CRIMINAL_GROUP", "baseCountry": null },
            { "name": "Police Forces of the Philippines (2016-)", "kind": "SECURITY_FORCE", "baseCountry": { "isoCode": "PH" } },
        ]), "{kinds}");
        assert_eq!(kinds["sources"]["nodes"], serde_json::json!([
            { "title": "Local Network", "kind": "UNDISCLOSED" },
            { "title": "Telegram", "kind": "SOCIAL_MEDIA" },
            { "title": "Twitter", "kind": "SOCIAL_MEDIA" },
            { "title": "Undisclosed Source", "kind": "UNDISCLOSED" },
        ]), "{kinds}");
        assert_eq!(kinds["attacks"]["nodes"], serde_json::json!([{ "district": { "name": "Kabul" }, "organizations": { "edges": [
            { "role": "TARGET", "node": { "kind": "SECURITY_FORCE" } },
            { "role": "PERPETRATOR", "node": { "kind": "MILITANT_GROUP" } },
        ] } }]), "{kinds}");
    }
}

both! {
    async fn reclassifying_maps_the_records_an_older_importer_kept_without_the_file(app: TestApp) {
        let Some(file) = shared("afghanistan-2020-mar.csv") else { return };
        import(&app, &file).await.expect("imports");
        let cited = app.scalar("SELECT COUNT(*) FROM citations WHERE subject_type = 'Attack'").await;
        // The database as ctgraph kept it before attacks had a type: each attack an unmapped
        // record with the reason ATTACK, read from a file no longer at hand.
        for sql in [
            "INSERT INTO unmapped_records (dataset, external_id, file, line, reason, raw) \
             SELECT dataset, external_id, 'gone/afghanistan.csv', id, 'ATTACK', raw FROM attacks",
            "DELETE FROM citations WHERE subject_type = 'Attack'",
            "DELETE FROM attacks",
        ] {
            app.execute(sql).await;
        }
        let before = app.scalar("SELECT COUNT(*) FROM unmapped_records WHERE reason = 'ATTACK'").await;
        assert_eq!(before, 377);
        let mut quiet = |_: u64, _: u64| {};
        let summaries = ctgraph::ingest::import::reclassify(app.db(), &mut quiet).await.expect("reclassifies");
        let gone = summaries.iter().find(|s| s.file == "gone/afghanistan.csv").expect("a summary of the old file");
        assert_eq!((gone.rows, gone.attacks.inserted, gone.unmapped_records.removed), (377, 377, 377), "{gone}");
        let other: Vec<_> = summaries.iter().filter(|s| s.file != "gone/afghanistan.csv").collect();
        assert!(other.iter().all(|s| s.changed() == 0), "the records still unmapped stay as they are: {other:?}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM unmapped_records").await, 30);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM attacks a JOIN attack_organizations ao ON ao.attack_id = a.id \
            JOIN organizations g ON g.id = ao.organization_id WHERE a.external_id = 'AFG44631' AND g.name = 'Taliban' AND ao.role = 'PERPETRATOR'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM citations WHERE subject_type = 'Attack'").await, cited, "cited as the import cites them");
        // Nothing left to map: a second run changes nothing, and importing the file agrees.
        let again = ctgraph::ingest::import::reclassify(app.db(), &mut quiet).await.expect("again");
        assert!(again.iter().all(|s| s.changed() == 0), "{again:?}");
        let imported = import(&app, &file).await.expect("imports again");
        assert_eq!(imported.changed(), 0, "{imported}");
    }
}

both! {
    async fn attack_stats_agree_with_the_attacks_they_sum(app: TestApp) {
        let Some(file) = shared("afghanistan-2020-mar.csv") else { return };
        import(&app, &file).await.expect("imports");
        let filter = serde_json::json!({ "kind": { "eq": "BOMBING" } });
        let items = app.data("query($f: AttackFilter) { attacks(filter: $f, first: 100) { totalCount nodes {
            date datePrecision fatalities district { id } organizations { nodes { id } } } } }", serde_json::json!({ "f": filter })).await;
        let attacks = items["attacks"]["nodes"].as_array().cloned().unwrap_or_default();
        assert_eq!(items["attacks"]["totalCount"], 63, "{items}");
        type Buckets = std::collections::BTreeMap<String, (i64, Option<i64>)>;
        let expected = |keys: &dyn Fn(&serde_json::Value) -> Vec<String>| {
            let mut buckets = Buckets::new();
            for a in &attacks {
                for k in keys(a) {
                    let b = buckets.entry(k).or_insert((0, None));
                    b.0 += 1;
                    if let Some(n) = a["fatalities"].as_i64() {
                        b.1 = Some(b.1.unwrap_or(0) + n);
                    }
                }
            }
            buckets
        };
        let stats = async |group_by: &str, key: &str| {
            let q = format!("query($f: AttackFilter) {{ attackStats(filter: $f, groupBy: {group_by}) {{ node {{ id }} periodStart attacks fatalities }} }}");
            let data = app.data(&q, serde_json::json!({ "f": filter })).await;
            let mut buckets = Buckets::new();
            for b in data["attackStats"].as_array().into_iter().flatten() {
                let k = if key == "node" { b["node"]["id"].to_string() } else { b["periodStart"].to_string() };
                buckets.insert(k, (b["attacks"].as_i64().unwrap_or(-1), b["fatalities"].as_i64()));
            }
            buckets
        };
        assert_eq!(stats("DISTRICT", "node").await, expected(&|a| vec![a["district"]["id"].to_string()]));
        // An attack by no organization (an unidentified armed group) counts in the bucket without a node.
        let organizations = |a: &serde_json::Value| {
            let ids: Vec<String> = a["organizations"]["nodes"].as_array().into_iter().flatten().map(|o| o["id"].to_string()).collect();
            if ids.is_empty() { vec!["null".to_owned()] } else { ids }
        };
        assert_eq!(stats("ORGANIZATION", "node").await, expected(&organizations));
        let month = |a: &serde_json::Value| {
            let placed = a["datePrecision"] == "DAY" || a["datePrecision"] == "MONTH";
            let date = a["date"].as_str().unwrap_or_default();
            vec![if placed { serde_json::json!(format!("{}-01", &date[..7])).to_string() } else { "null".to_owned() }]
        };
        assert_eq!(stats("MONTH", "period").await, expected(&month));
        let all = stats("null", "node").await;
        assert_eq!(all.values().next(), Some(&(63, expected(&|_| vec![String::new()]).values().next().and_then(|b| b.1))));
    }
}

both! {
    async fn attacks_export_as_csv_and_geojson_with_their_perpetrators_and_targets(app: TestApp) {
        let Some(file) = shared("afghanistan-2020-mar.csv") else { return };
        import(&app, &file).await.expect("imports");
        let filter = serde_json::json!({ "kind": { "eq": "BOMBING" } });
        let order = serde_json::json!({ "field": "FATALITIES", "direction": "DESC" });
        let (content_type, text) = crate::export::export(&app, "/export/attacks.csv", &filter, Some(&order)).await;
        assert_eq!(content_type, "text/csv; charset=utf-8");
        let rows = crate::export::records(&text);
        let header: Vec<&str> = rows[0].iter().collect();
        assert_eq!(&header[..4], ["id", "kind", "date", "datePrecision"], "{text}");
        let column = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no {name} column"));
        // The same attacks as the connection, in its order.
        let listed = app.data("query($f: AttackFilter, $o: AttackOrder) { attacks(filter: $f, orderBy: $o, first: 100) { nodes { id fatalities
            organizations(orderBy: { field: NAME }) { edges { role node { name } } } } } }",
            serde_json::json!({ "f": filter, "o": order })).await;
        let nodes = listed["attacks"]["nodes"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len() - 1, nodes.len());
        assert_eq!(nodes.len(), 63);
        for (row, node) in rows[1..].iter().zip(&nodes) {
            assert_eq!(&row[0], node["id"].as_str().unwrap_or_default());
            assert_eq!(row[column("fatalities")], node["fatalities"].to_string());
            let names = |role: &str| node["organizations"]["edges"].as_array().into_iter().flatten()
                .filter(|e| e["role"] == role).filter_map(|e| e["node"]["name"].as_str()).collect::<Vec<_>>().join("; ");
            assert_eq!((&row[column("perpetrators")], &row[column("targets")]), (names("PERPETRATOR").as_str(), names("TARGET").as_str()));
        }
        let (content_type, text) = crate::export::export(&app, "/export/attacks.geojson", &filter, None).await;
        assert_eq!(content_type, "application/geo+json");
        let collection: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let features = collection["features"].as_array().cloned().unwrap_or_default();
        let attacks: Vec<_> = features.iter().filter(|f| f["properties"]["type"] == "Attack").collect();
        let districts: Vec<_> = features.iter().filter(|f| f["properties"]["type"] == "District").collect();
        assert_eq!(attacks.len(), 63);
        // Every attack with a district counts in it, whether or not the district has a point yet.
        let placed = attacks.iter().filter(|f| !f["properties"]["districtId"].is_null()).count() as i64;
        assert_eq!(districts.iter().filter_map(|d| d["properties"]["attacks"].as_i64()).sum::<i64>(), placed);
        // A misspelt filter field is refused, not read as no filter.
        let (status, _, body) = app.get_text("/export/attacks.csv?filter=%7B%22knd%22%3A%7B%7D%7D").await;
        assert_eq!(status, axum::http::StatusCode::BAD_REQUEST, "{body:?}");
    }
}
