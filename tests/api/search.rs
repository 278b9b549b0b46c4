//! `search`: full-text, ranked, paged, restricted by type, kept in step with the tables by
//! the database itself, and never a 500 whatever the user types.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, both};

const SEARCH: &str = r#"
query($q: String!, $types: [NodeType!], $first: Int, $after: String) {
  search(query: $q, types: $types, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      rank
      node {
        __typename
        id
        ... on Country { name }
        ... on Province { name }
        ... on District { name }
        ... on Operation { title }
        ... on Personnel { name }
        ... on Organization { name }
        ... on CommunityAction { place }
        ... on Source { title }
        ... on ReportedFigure { quote }
      }
    }
  }
}"#;

async fn search(app: &TestApp, variables: Value) -> Value {
    app.data(SEARCH, variables).await["search"].clone()
}

/// `Type: name` of each hit, in rank order.
fn hits(result: &Value) -> Vec<String> {
    result["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let n = &e["node"];
            let label = ["name", "title", "place", "quote"]
                .iter()
                .find_map(|f| n[f].as_str())
                .unwrap_or("");
            format!("{}: {label}", n["__typename"].as_str().unwrap_or("?"))
        })
        .collect()
}

async fn found(app: &TestApp, query: &str) -> Vec<String> {
    hits(&search(app, json!({ "q": query, "first": 100 })).await)
}

/// Inserts `n` operations in Bannu titled `<word> 1` ... `<word> n` with SQL, past the API.
async fn insert_operations(app: &TestApp, word: &str, n: usize) {
    let rows: Vec<String> = (1..=n)
        .map(|i| format!("('{word} {i}', 'RAID', '2025-03-01', 'DAY', (SELECT id FROM districts WHERE name = 'Bannu'))"))
        .collect();
    app.execute(&format!(
        "INSERT INTO operations (title, kind, start_date, date_precision, district_id) VALUES {}",
        rows.join(", ")
    ))
    .await;
}

both! {
    async fn finds_seed_entities_by_name_title_place_and_description(app: TestApp) {
        let husnain = found(&app, "Husnain").await;
        assert_eq!(husnain.first().map(String::as_str), Some("Personnel: Husnain Akhtar"), "{husnain:?}");
        assert!(husnain.contains(&"Operation: Mission in Dera Ismail Khan".to_owned()), "the summary names him: {husnain:?}");

        let result = search(&app, json!({ "q": "dera ismail" })).await;
        let mut dera = hits(&result);
        dera.sort();
        assert_eq!(dera, ["District: Dera Ismail Khan", "Operation: Mission in Dera Ismail Khan"]);
        assert_eq!(result["totalCount"], 2);

        let tirah = found(&app, "Tirah").await;
        assert!(tirah.contains(&"CommunityAction: Tirah Valley".to_owned()), "{tirah:?}");

        let jhelum = found(&app, "Jhelum").await;
        assert_eq!(jhelum.first().map(String::as_str), Some("District: Jhelum"), "a name above a hometown: {jhelum:?}");
        assert!(jhelum.contains(&"Personnel: Husnain Akhtar".to_owned()), "by hometown: {jhelum:?}");

        assert!(found(&app, "PK-KP").await.contains(&"Province: Khyber Pakhtunkhwa".to_owned()), "by ISO code");
        assert!(found(&app, "gazetteer").await.iter().any(|h| h.starts_with("Source: Pakistan districts gazetteer")));
        assert!(found(&app, "intervened nine times").await.iter().any(|h| h.starts_with("ReportedFigure: This year alone")));
        assert!(found(&app, "besiege").await.contains(&"CommunityAction: Tirah Valley".to_owned()), "by description");
    }
}

both! {
    async fn words_match_as_prefixes_ignoring_case_and_accents(app: TestApp) {
        for query in ["husn", "HUSNAIN akh", "Husnaín", "Hus\u{0301}nain", "ákhtar"] {
            assert!(found(&app, query).await.contains(&"Personnel: Husnain Akhtar".to_owned()), "{query}");
        }
        let waziristan = found(&app, "waziri").await;
        for district in ["North Waziristan", "Upper South Waziristan", "Lower South Waziristan"] {
            assert!(waziristan.contains(&format!("District: {district}")), "{district}: {waziristan:?}");
        }
        // Every word must match: nothing names both Jhelum and Karak.
        assert_eq!(found(&app, "jhelum karak").await, Vec::<String>::new());
        // Accents in stored text are folded too.
        app.execute("INSERT INTO organizations (name, kind) VALUES ('Sécurité Zébra', 'OTHER')").await;
        assert_eq!(found(&app, "securite zebra").await, ["Organization: Sécurité Zébra"]);
    }
}

both! {
    async fn a_title_match_ranks_above_a_body_match(app: TestApp) {
        app.execute(
            "INSERT INTO operations (title, kind, start_date, date_precision, summary) VALUES \
             ('Raid on a compound', 'RAID', '2025-03-02', 'DAY', 'Quorvex was named in the report.'), \
             ('Quorvex', 'RAID', '2025-03-01', 'DAY', 'A raid.')",
        )
        .await;
        let result = search(&app, json!({ "q": "quorvex" })).await;
        assert_eq!(hits(&result), ["Operation: Quorvex", "Operation: Raid on a compound"]);
        let ranks: Vec<f64> = result["edges"].as_array().into_iter().flatten().filter_map(|e| e["rank"].as_f64()).collect();
        assert!(ranks.len() == 2 && ranks[0] > ranks[1] && ranks[1] > 0.0, "{ranks:?}");
    }
}

both! {
    async fn types_restrict_the_hits(app: TestApp) {
        let districts = search(&app, json!({ "q": "khan", "types": ["DISTRICT"] })).await;
        assert_eq!(hits(&districts), ["District: Dera Ismail Khan"]);
        assert_eq!(districts["totalCount"], 1);
        let two = found(&app, "khan").await;
        assert!(two.len() >= 2, "{two:?}");
        let both_types = search(&app, json!({ "q": "khan", "types": ["OPERATION", "DISTRICT", "DISTRICT"] })).await;
        assert_eq!(both_types["totalCount"], 2);
        // Affiliations have no text of their own: never a hit.
        let none = search(&app, json!({ "q": "afghan", "types": ["AFFILIATION"] })).await;
        assert_eq!((none["totalCount"].clone(), hits(&none)), (json!(0), Vec::<String>::new()));
        let codes = app.error_codes(SEARCH, json!({ "q": "khan", "types": [] })).await;
        assert_eq!(codes, ["BAD_USER_INPUT"]);
    }
}

both! {
    async fn pages_walk_every_hit_once(app: TestApp) {
        insert_operations(&app, "Sweep", 25).await;
        let mut seen = Vec::new();
        let mut after = Value::Null;
        let mut pages = 0;
        loop {
            let page = search(&app, json!({ "q": "sweep", "first": 7, "after": after })).await;
            assert_eq!(page["totalCount"], 25);
            assert_eq!(page["pageInfo"]["hasPreviousPage"], pages > 0);
            seen.extend(page["edges"].as_array().into_iter().flatten().map(|e| e["node"]["id"].clone()));
            pages += 1;
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(pages, 4);
        let unique: HashSet<String> = seen.iter().map(Value::to_string).collect();
        assert_eq!((seen.len(), unique.len()), (25, 25), "every hit once");
        // Paging in any size gives the same order as one page.
        let all = search(&app, json!({ "q": "sweep", "first": 100 })).await;
        let ids: Vec<Value> = all["edges"].as_array().into_iter().flatten().map(|e| e["node"]["id"].clone()).collect();
        assert_eq!(ids, seen);
        // Past the end: empty, and it says a cursor was given.
        let end = all["pageInfo"]["endCursor"].clone();
        let past = search(&app, json!({ "q": "sweep", "after": end })).await;
        assert_eq!(past["edges"], json!([]));
        assert_eq!((past["pageInfo"]["hasPreviousPage"].clone(), past["pageInfo"]["hasNextPage"].clone()), (json!(true), json!(false)));
        let zero = search(&app, json!({ "q": "sweep", "first": 0 })).await;
        assert_eq!((zero["edges"].clone(), zero["pageInfo"]["hasNextPage"].clone()), (json!([]), json!(true)));
    }
}

both! {
    async fn the_index_follows_inserts_updates_and_deletes(app: TestApp) {
        app.execute("INSERT INTO organizations (name, kind, description) VALUES ('Zarbcorp', 'OTHER', 'A zyxtest group')").await;
        assert_eq!(found(&app, "zarbcorp").await, ["Organization: Zarbcorp"]);

        app.execute("UPDATE organizations SET name = 'Qwertcorp' WHERE name = 'Zarbcorp'").await;
        assert_eq!(found(&app, "zarbcorp").await, Vec::<String>::new(), "the old name is forgotten");
        assert_eq!(found(&app, "qwertcorp").await, ["Organization: Qwertcorp"]);
        // A change to a column that is not searched keeps the entry.
        app.execute("UPDATE organizations SET kind = 'MILITANT_GROUP' WHERE name = 'Qwertcorp'").await;
        assert_eq!(found(&app, "qwertcorp zyxtest").await, ["Organization: Qwertcorp"]);

        app.execute(r#"UPDATE districts SET aliases = '["D.I. Khan", "Derajat"]' WHERE name = 'Dera Ismail Khan'"#).await;
        assert_eq!(found(&app, "derajat").await, ["District: Dera Ismail Khan"], "aliases are searched");

        if app.db().conn().get_database_backend() == sea_orm::DbBackend::Sqlite {
            // REPLACE deletes the old row without firing delete triggers; the insert
            // trigger inherits its conflict mode and replaces the index row.
            app.execute("REPLACE INTO organizations (id, name, kind) SELECT id, 'Qwertcorp', 'OTHER' FROM organizations WHERE name = 'Qwertcorp'").await;
            assert_eq!(found(&app, "qwertcorp").await, ["Organization: Qwertcorp"]);
            assert_eq!(found(&app, "zyxtest").await, Vec::<String>::new(), "the replaced text is forgotten");
        }
        app.execute("DELETE FROM organizations WHERE name = 'Qwertcorp'").await;
        assert_eq!(found(&app, "qwertcorp").await, Vec::<String>::new(), "deleted rows leave the index");

        // Statements of many rows, as imports write them (PostgreSQL indexes per statement).
        app.execute("INSERT INTO organizations (name, kind) VALUES ('Alphacorp', 'OTHER'), ('Betacorp', 'OTHER')").await;
        app.execute("UPDATE organizations SET description = 'yzzyx' WHERE name IN ('Alphacorp', 'Betacorp')").await;
        let mut both = found(&app, "yzzyx").await;
        both.sort();
        assert_eq!(both, ["Organization: Alphacorp", "Organization: Betacorp"]);
        app.execute("INSERT INTO organizations (id, name, kind) SELECT id, name, kind FROM organizations \
                     WHERE name IN ('Alphacorp', 'Betacorp') ON CONFLICT (id) DO UPDATE \
                     SET name = CASE WHEN excluded.name = 'Alphacorp' THEN 'Gammacorp' ELSE excluded.name END").await;
        assert_eq!(found(&app, "alphacorp").await, Vec::<String>::new(), "an upsert's update re-indexes");
        assert_eq!(found(&app, "gammacorp yzzyx").await, ["Organization: Gammacorp"]);
        assert_eq!(found(&app, "betacorp yzzyx").await, ["Organization: Betacorp"], "an unchanged row keeps its entry");
        app.execute("DELETE FROM organizations WHERE name IN ('Gammacorp', 'Betacorp')").await;
        assert_eq!(found(&app, "yzzyx").await, Vec::<String>::new());
        let total = search(&app, json!({ "q": "zyxtest" })).await["totalCount"].clone();
        assert_eq!(total, 0);
    }
}

both! {
    async fn bad_input_is_a_user_error_never_a_500(app: TestApp) {
        let long = "a".repeat(10_000);
        for query in ["", "   ", "\"", "*", ":", "-", "\"*:-()^{}[]", "NEAR", "a NEAR b", "x OR y", "NOT z", "\u{0}", long.as_str(), &"b".repeat(201)] {
            let codes = app.error_codes(SEARCH, json!({ "q": query })).await;
            assert_eq!(codes, ["BAD_USER_INPUT"], "{:?}", query.get(..20));
        }
        for (first, after) in [(json!(-1), Value::Null), (json!(101), Value::Null), (Value::Null, json!("garbage")), (Value::Null, json!("c2VhcmNoOi0x"))] {
            let codes = app.error_codes(SEARCH, json!({ "q": "khan", "first": first, "after": after })).await;
            assert_eq!(codes, ["BAD_USER_INPUT"], "{first} {after}");
        }
        // A cursor of another list is refused too.
        let data = app.data("{ districts(first: 1) { pageInfo { endCursor } } }", json!({})).await;
        let codes = app.error_codes(SEARCH, json!({ "q": "khan", "after": data["districts"]["pageInfo"]["endCursor"] })).await;
        assert_eq!(codes, ["BAD_USER_INPUT"]);
        // Syntax around words is dropped, and odd letters and digits are words like others.
        for query in ["\"khan\"", "khan*", "title:khan", "-khan", "(khan)", "khan^2", "near", "²", "ـ", "ा", "👍 khan", "D.I. Khan", "'; DROP TABLE districts; --"] {
            app.data(SEARCH, json!({ "q": query })).await;
        }
        assert_eq!(found(&app, "\"khan\" -:*").await, found(&app, "khan").await);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM districts").await, 10);
    }
}

both! {
    async fn a_search_runs_a_constant_number_of_statements(app: TestApp) {
        insert_operations(&app, "Sweep", 30).await;
        let q = r#"query($first: Int) { search(query: "sweep", first: $first) {
            totalCount edges { rank node { ... on Operation { title district { name } } } } } }"#;
        // The search, the count, the operations (one statement), their districts (one).
        let (statements, data) = app.counted(q, json!({ "first": 20 })).await;
        assert_eq!(data["search"]["edges"].as_array().map(Vec::len), Some(20));
        assert_eq!(statements, 4);
        let (statements, _) = app.counted(q, json!({ "first": 3 })).await;
        assert_eq!(statements, 4);
        // Hits of several types: one statement for each type, however many hits it has.
        let (statements, data) = app.counted(SEARCH, json!({ "q": "k", "first": 100 })).await;
        let types: HashSet<String> = hits(&data["search"]).iter().filter_map(|h| h.split(':').next().map(str::to_owned)).collect();
        assert!(types.len() >= 3, "{types:?}");
        assert_eq!(statements, 2 + types.len() as u64, "{types:?}");
    }
}

both! {
    async fn the_migration_indexes_existing_rows_and_its_down_leaves_nothing(app: TestApp) {
        use migration::{Migrator, MigratorTrait};
        let conn = app.db().conn();
        // The search migration and every one after it: all but the first.
        let after_the_first = u32::try_from(Migrator::migrations().len() - 1).expect("a count");
        Migrator::down(conn, Some(after_the_first)).await.expect("search migration down");
        let leftovers = match conn.get_database_backend() {
            sea_orm::DbBackend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'search%'",
            _ => "SELECT (SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'search%') \
                  + (SELECT COUNT(*) FROM pg_proc WHERE proname LIKE 'search%') \
                  + (SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'search%')",
        };
        assert_eq!(app.scalar(leftovers).await, 0, "down drops every table, trigger and function");
        // Rows written while there is no index are found once it is back.
        insert_operations(&app, "Backfilled", 1).await;
        app.db().migrate().await.expect("search migration up again");
        assert_eq!(found(&app, "husnain akhtar").await.first().map(String::as_str), Some("Personnel: Husnain Akhtar"));
        assert_eq!(found(&app, "backfilled").await, ["Operation: Backfilled 1"]);
    }
}
