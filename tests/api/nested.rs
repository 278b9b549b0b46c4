//! Nested queries: every relation is batched, so the statements a request runs grow with
//! the query's depth, never with the rows it returns.

use serde_json::json;

use crate::helpers::{TestApp, both};

/// The four-level query of the issue: districts → operations → personnel and militants →
/// organization → affiliations.
const FOUR_LEVELS: &str = r#"
query {
  districts {
    nodes {
      name
      operations {
        nodes {
          title
          personnel {
            edges { outcome node { name organization { name affiliations { nodes { kind crossBorder } } } } }
          }
          militants {
            edges { outcome node { name organization { name affiliations { nodes { kind crossBorder } } } } }
          }
        }
      }
    }
  }
}"#;

/// Adds `n` labelled synthetic operations to every district of the seed, each with two
/// personnel, two militants, their organizations and cross-border affiliations. Test data
/// only: it lives in the test's own database and cites nothing.
pub(crate) async fn grow(app: &TestApp, n: usize) {
    grow_tagged(app, n, "").await;
}

/// Like [`grow`]; `tag` keeps the keys of several calls apart.
pub(crate) async fn grow_tagged(app: &TestApp, n: usize, tag: &str) {
    for g in 0..3 {
        app.execute(&format!(
            "INSERT INTO organizations (name, aliases, kind, base_country_id, dataset, external_id) \
             VALUES ('Synthetic group {tag}{g}', '[]', 'MILITANT_GROUP', NULL, 'test-synthetic', 'org-{tag}{g}')"
        ))
        .await;
        app.execute(&format!(
            "INSERT INTO affiliations (kind, subject_organization_id, target_country_id, cross_border, confidence, dataset, external_id) \
             VALUES ('SANCTUARY', (SELECT id FROM organizations WHERE external_id = 'org-{tag}{g}'), (SELECT id FROM countries WHERE iso_code = 'AF'), TRUE, 'ALLEGED', 'test-synthetic', 'aff-{tag}{g}')"
        ))
        .await;
    }
    let districts = app.scalar("SELECT COUNT(*) FROM districts").await;
    for d in 1..=districts {
        for i in 0..n {
            let key = format!("op-{tag}{d}-{i}");
            app.execute(&format!(
                "INSERT INTO operations (title, kind, start_date, date_precision, district_id, militants_killed, dataset, external_id) \
                 VALUES ('Synthetic operation {key}', 'RAID', '2025-03-{day:02}', 'DAY', (SELECT id FROM districts ORDER BY id LIMIT 1 OFFSET {offset}), {i}, 'test-synthetic', '{key}')",
                day = 1 + i % 28,
                offset = d - 1,
            ))
            .await;
            for p in 0..2 {
                app.execute(&format!(
                    "INSERT INTO personnel (name, organization_id, status, dataset, external_id) \
                     VALUES ('Synthetic officer {key}-{p}', (SELECT id FROM organizations WHERE name = 'Pakistani security forces'), 'ACTIVE', 'test-synthetic', 'p-{key}-{p}')"
                ))
                .await;
                app.execute(&format!(
                    "INSERT INTO operation_personnel (operation_id, personnel_id, outcome) \
                     VALUES ((SELECT id FROM operations WHERE external_id = '{key}'), (SELECT id FROM personnel WHERE external_id = 'p-{key}-{p}'), 'UNHARMED')"
                ))
                .await;
                app.execute(&format!(
                    "INSERT INTO militants (name, aliases, organization_id, status, dataset, external_id) \
                     VALUES ('Synthetic militant {key}-{p}', '[]', (SELECT id FROM organizations WHERE external_id = 'org-{tag}{g}'), 'KILLED', 'test-synthetic', 'm-{key}-{p}')",
                    g = (i + p) % 3
                ))
                .await;
                app.execute(&format!(
                    "INSERT INTO operation_militants (operation_id, militant_id, outcome) \
                     VALUES ((SELECT id FROM operations WHERE external_id = '{key}'), (SELECT id FROM militants WHERE external_id = 'm-{key}-{p}'), 'KILLED')"
                ))
                .await;
            }
        }
    }
}

fn count_edges(data: &serde_json::Value, connection: &str) -> usize {
    data["districts"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["operations"]["nodes"].as_array().into_iter().flatten())
        .map(|o| o[connection]["edges"].as_array().map_or(0, Vec::len))
        .sum()
}

both! {
    async fn nested_query_runs_one_statement_per_level_whatever_the_rows(app: TestApp) {
        grow_tagged(&app, 1, "a").await;
        let (small, small_data) = app.counted(FOUR_LEVELS, json!({})).await;
        grow_tagged(&app, 7, "b").await;
        let (large, large_data) = app.counted(FOUR_LEVELS, json!({})).await;

        // The larger graph really returns many more rows...
        assert_eq!(count_edges(&small_data, "personnel"), 1 + 10 * 2);
        assert_eq!(count_edges(&large_data, "personnel"), 1 + 10 * 8 * 2);
        assert_eq!(count_edges(&large_data, "militants"), 10 * 8 * 2);
        // ...with exactly the same statements, one per relation and level: districts,
        // operations, personnel, militants, each side's organizations and their affiliations.
        assert_eq!(small, large, "statements grew with the rows returned");
        assert_eq!(large, 8);
    }
}

both! {
    async fn nested_pages_are_cut_in_sql_per_parent(app: TestApp) {
        grow(&app, 5).await;
        let query = r#"{ districts(first: 3) { nodes { name operations(first: 2) { totalCount pageInfo { hasNextPage } nodes { title } } } } }"#;
        let (statements, data) = app.counted(query, json!({})).await;
        let districts = data["districts"]["nodes"].as_array().expect("districts");
        let names: Vec<&str> = districts.iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Bannu", "Dera Ismail Khan", "Jhelum"]);
        // Five synthetic operations each; Dera Ismail Khan also has the article's one.
        for (district, total) in districts.iter().zip([5, 6, 5]) {
            let ops = &district["operations"];
            assert_eq!(ops["nodes"].as_array().map(Vec::len), Some(2), "{district}");
            assert_eq!(ops["pageInfo"]["hasNextPage"], json!(true));
            assert_eq!(ops["totalCount"], total, "{district}");
        }
        // One page of districts, one of operations for all of them, one grouped count.
        assert_eq!(statements, 3);
    }
}

both! {
    async fn every_relation_is_navigable_both_ways(app: TestApp) {
        let data = app
            .data(
                r#"{
                  personnel(filter: { name: { eq: "Husnain Akhtar" } }) { nodes {
                    operations { edges { outcome node { district { name province { country { isoCode } } } } } }
                    hometownDistrict { name personnel { nodes { name } } }
                    organization { members { totalCount } operations { edges { role node { title } } } }
                  } }
                  countries(filter: { isoCode: { eq: "AF" } }) { nodes {
                    militants { totalCount nodes { nationality { isoCode } operatingCountry { activeMilitants { totalCount } } } }
                    reportedFigures { nodes { value nationality { isoCode } } }
                    affiliations { nodes { crossBorder subject { ... on Militant { nationality { name } } } } }
                  } }
                  communityActions(filter: { place: { eq: "parts of Waziristan" } }) { nodes {
                    district { name }
                    districts(orderBy: { field: NAME }) { nodes { name communityActions { totalCount } } }
                  } }
                  organizations(filter: { name: { eq: "Taliban" } }) { nodes { communityActions { edges { role node { place } } } } }
                  reportedFigures(filter: { nationality: { isNull: false } }) { nodes { value qualifier nationality { name } scope { province { name reportedFigures { totalCount } } } source { reportedFigures { totalCount } citations { totalCount } } } }
                }"#,
                json!({}),
            )
            .await;
        let captain = &data["personnel"]["nodes"][0];
        assert_eq!(captain["operations"]["edges"][0]["outcome"], "KILLED");
        assert_eq!(captain["operations"]["edges"][0]["node"]["district"]["name"], "Dera Ismail Khan");
        assert_eq!(captain["operations"]["edges"][0]["node"]["district"]["province"]["country"]["isoCode"], "PK");
        assert_eq!(captain["hometownDistrict"]["name"], "Jhelum");
        assert_eq!(captain["hometownDistrict"]["personnel"]["nodes"][0]["name"], "Husnain Akhtar");
        assert_eq!(captain["organization"]["operations"]["edges"][0]["role"], "CONDUCTED_BY");

        let afghanistan = &data["countries"]["nodes"][0];
        assert_eq!(afghanistan["militants"]["totalCount"], 3);
        assert_eq!(afghanistan["militants"]["nodes"][0]["operatingCountry"]["activeMilitants"]["totalCount"], 3, "active in Pakistan");
        assert_eq!(afghanistan["reportedFigures"]["nodes"], json!([{ "value": 3, "nationality": { "isoCode": "AF" } }]));
        let affiliations = afghanistan["affiliations"]["nodes"].as_array().expect("affiliations");
        assert_eq!(affiliations.len(), 3);
        assert!(affiliations.iter().all(|a| a["crossBorder"] == true && a["subject"]["nationality"]["name"] == "Afghanistan"));

        let waziristan = &data["communityActions"]["nodes"][0];
        assert_eq!(waziristan["district"], serde_json::Value::Null, "spans three districts");
        let names: Vec<&str> = waziristan["districts"]["nodes"].as_array().expect("districts").iter().filter_map(|d| d["name"].as_str()).collect();
        assert_eq!(names, ["Lower South Waziristan", "North Waziristan", "Upper South Waziristan"]);

        assert_eq!(data["organizations"]["nodes"][0]["communityActions"]["edges"][0]["role"], "OPPONENT");
        assert_eq!(data["organizations"]["nodes"][0]["communityActions"]["edges"][0]["node"]["place"], "Tirah Valley");

        let afghans = &data["reportedFigures"]["nodes"][0];
        assert_eq!(afghans["value"], 3);
        assert_eq!(afghans["qualifier"], "EXACT");
        assert_eq!(afghans["scope"]["province"]["name"], "Khyber Pakhtunkhwa");
    }
}

both! {
    async fn node_and_nodes_resolve_global_ids(app: TestApp) {
        let data = app.data("{ operations { nodes { id title } } districts(first: 2) { nodes { id } } }", json!({})).await;
        let op = data["operations"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        let district = data["districts"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        let q = "query($id: ID!, $ids: [ID!]!) { node(id: $id) { id ... on Operation { title } } nodes(ids: $ids) { __typename id } }";
        let data = app.data(q, json!({ "id": op, "ids": [district, op] })).await;
        assert_eq!(data["node"]["title"], "Mission in Dera Ismail Khan");
        assert_eq!(data["nodes"][0]["__typename"], "District");
        assert_eq!(data["nodes"][1]["__typename"], "Operation");
    }
}

both! {
    async fn statements_do_not_grow_with_page_sizes(app: TestApp) {
        // 80 districts of about 250 operations each: pages of 100 under 80 districts make
        // the personnel level's parents 8,000 operations, past any IN-list chunking.
        let options = ctgraph::ingest::generate::Options { operations: 20_000, seed: 5 };
        ctgraph::ingest::generate::generate(app.db(), options, |_, _, _| {}).await.expect("generates");
        let q = |n: usize| format!(
            "{{ districts(first: 100, filter: {{ name: {{ startsWith: \"Synthetic\" }} }}) {{ totalCount nodes {{
                operations(first: {n}) {{ totalCount nodes {{
                    personnel(first: 10) {{ totalCount nodes {{ name organization {{ name affiliations(first: 5) {{ totalCount }} }} }} }}
                    militants(first: 10) {{ nodes {{ name }} }} }} }} }} }} }}"
        );
        let (small, _) = app.counted(&q(1), json!({})).await;
        let (large, data) = app.counted(&q(100), json!({})).await;
        let operations: usize = data["districts"]["nodes"].as_array().into_iter().flatten()
            .map(|d| d["operations"]["nodes"].as_array().map_or(0, Vec::len)).sum();
        assert!(operations > 5000, "{operations} operations on the page");
        assert_eq!(small, large, "the same statements for 1 and {operations} operations");
    }
}
