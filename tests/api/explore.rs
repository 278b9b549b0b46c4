//! `neighborhood` and `path`: the subgraph around a node and the shortest chain between two,
//! checked against the seed's facts and, on a generated graph, against a plain breadth-first
//! search in memory over the tables themselves.

use std::collections::{HashMap, HashSet, VecDeque};

use ctgraph::graphql::ids::{NodeKind, decode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, both};
use crate::nested::{grow, grow_tagged};

const NEIGHBORHOOD: &str = "query($id: ID!, $depth: Int, $types: [NodeType!], $first: Int, $asOf: Date) {
    neighborhood(id: $id, depth: $depth, types: $types, first: $first, asOf: $asOf) {
        truncated
        nodes { __typename id ... on District { name } ... on Operation { title } ... on Personnel { name } ... on Organization { name } ... on Province { name } ... on Country { name } }
        edges { id kind from to data { __typename ... on Deployment { role outcome } ... on Involvement { role } ... on Affiliation { kind since } } } } }";

const PATH: &str = "query($from: ID!, $to: ID!, $maxDepth: Int, $types: [NodeType!]) {
    path(from: $from, to: $to, maxDepth: $maxDepth, types: $types) { length nodes { id } edges { kind from to } } }";

fn names(graph: &Value) -> Vec<String> {
    graph["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            format!(
                "{}:{}",
                n["__typename"].as_str().unwrap_or_default(),
                n["name"].as_str().or(n["title"].as_str()).unwrap_or("?")
            )
        })
        .collect()
}

fn edge<'a>(graph: &'a Value, kind: &str) -> Vec<&'a Value> {
    graph["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == kind)
        .collect()
}

both! {
    async fn the_neighbourhood_of_the_mission(app: TestApp) {
        let mission = app.id_of(NodeKind::Operation, "operations", "title", "Mission in Dera Ismail Khan").await;
        let data = app.data(NEIGHBORHOOD, json!({ "id": mission })).await;
        let graph = &data["neighborhood"];
        assert_eq!(graph["truncated"], false);
        let mut around = names(graph);
        around.sort();
        assert_eq!(around, [
            "District:Dera Ismail Khan",
            "Operation:Mission in Dera Ismail Khan",
            "Organization:Pakistani security forces",
            "Personnel:Husnain Akhtar",
        ]);
        let took_part = edge(graph, "TOOK_PART_IN");
        assert_eq!(took_part.len(), 1);
        assert_eq!(took_part[0]["to"], mission.as_str(), "read from the person to the operation");
        assert_eq!(took_part[0]["data"], json!({ "__typename": "Deployment", "role": null, "outcome": "KILLED" }));
        assert_eq!(edge(graph, "INVOLVED_IN")[0]["data"]["role"], "CONDUCTED_BY");

        // Two links out: the captain's hometown, the district's province, the force's country.
        let data = app.data(NEIGHBORHOOD, json!({ "id": mission, "depth": 2 })).await;
        let around = names(&data["neighborhood"]);
        for name in ["District:Jhelum", "Province:Khyber Pakhtunkhwa", "Country:Pakistan"] {
            assert!(around.iter().any(|n| n == name), "{name} in {around:?}");
        }
        // Every edge joins two of the nodes, and none repeats.
        let graph = &data["neighborhood"];
        let ids: HashSet<&str> = graph["nodes"].as_array().into_iter().flatten().filter_map(|n| n["id"].as_str()).collect();
        let mut edge_ids = HashSet::new();
        for e in graph["edges"].as_array().into_iter().flatten() {
            assert!(ids.contains(e["from"].as_str().unwrap_or_default()) && ids.contains(e["to"].as_str().unwrap_or_default()), "{e}");
            assert!(edge_ids.insert(e["id"].to_string()), "edge repeated: {e}");
        }

        // Only organizations: the walk does not step onto other types.
        let data = app.data(NEIGHBORHOOD, json!({ "id": mission, "depth": 3, "types": ["ORGANIZATION"] })).await;
        assert_eq!(names(&data["neighborhood"]), ["Operation:Mission in Dera Ismail Khan", "Organization:Pakistani security forces"]);
    }
}

both! {
    async fn a_neighbourhood_is_capped_and_says_so(app: TestApp) {
        grow(&app, 3).await;
        let force = app.id_of(NodeKind::Organization, "organizations", "name", "Pakistani security forces").await;
        let data = app.data(NEIGHBORHOOD, json!({ "id": force, "depth": 2, "first": 10 })).await;
        assert_eq!(data["neighborhood"]["nodes"].as_array().map(Vec::len), Some(10));
        assert_eq!(data["neighborhood"]["truncated"], true);
        let data = app.data(NEIGHBORHOOD, json!({ "id": force, "depth": 1, "first": 500 })).await;
        assert_eq!(data["neighborhood"]["truncated"], false);
        let members = app.scalar("SELECT COUNT(*) FROM personnel").await;
        assert_eq!(edge(&data["neighborhood"], "MEMBER_OF").len() as i64, members);
    }
}

both! {
    async fn affiliations_in_force_on_a_day(app: TestApp) {
        grow(&app, 1).await;
        app.execute("UPDATE affiliations SET until = '2024-12-31' WHERE external_id = 'aff-0'").await;
        let group = app.id_of(NodeKind::Organization, "organizations", "external_id", "org-0").await;
        let afghanistan = app.id_of(NodeKind::Country, "countries", "iso_code", "AF").await;
        let linked = |data: &Value| edge(&data["neighborhood"], "AFFILIATED_WITH").iter().any(|e| e["to"] == afghanistan.as_str());
        let data = app.data(NEIGHBORHOOD, json!({ "id": group })).await;
        assert!(linked(&data));
        assert_eq!(edge(&data["neighborhood"], "AFFILIATED_WITH")[0]["data"]["kind"], "SANCTUARY");
        assert!(linked(&app.data(NEIGHBORHOOD, json!({ "id": group, "asOf": "2024-06-01" })).await));
        assert!(!linked(&app.data(NEIGHBORHOOD, json!({ "id": group, "asOf": "2025-03-01" })).await));
    }
}

both! {
    async fn walks_cost_one_statement_per_level(app: TestApp) {
        grow(&app, 1).await;
        let force = app.id_of(NodeKind::Organization, "organizations", "name", "Pakistani security forces").await;
        let q = "query($id: ID!) { neighborhood(id: $id, depth: 3, first: 500) { truncated nodes { id } edges { kind data { __typename } } } }";
        let (small, data) = app.counted(q, json!({ "id": force })).await;
        let seen = data["neighborhood"]["nodes"].as_array().map_or(0, Vec::len);
        grow_tagged(&app, 6, "more").await;
        let (large, data) = app.counted(q, json!({ "id": force })).await;
        assert!(data["neighborhood"]["nodes"].as_array().map_or(0, Vec::len) > seen);
        assert_eq!(small, large, "statements do not grow with the nodes reached");
        // The centre's check, three levels, and one load per type reached (at most 11).
        assert!(large <= 1 + 3 + 11, "{large} statements");

        let captain = app.id_of(NodeKind::Personnel, "personnel", "name", "Husnain Akhtar").await;
        let group = app.id_of(NodeKind::Organization, "organizations", "external_id", "org-2").await;
        let (n, data) = app.counted(PATH, json!({ "from": captain, "to": group, "maxDepth": 6 })).await;
        let length = data["path"]["length"].as_u64().expect("a path");
        // Two checks of the ends, at most one level per link of the path, and the loads.
        assert!(n <= 2 + length + 11, "{n} statements for a path of {length}");
    }
}

both! {
    async fn paths_are_shortest_and_absent_beyond_reach(app: TestApp) {
        let captain = app.id_of(NodeKind::Personnel, "personnel", "name", "Husnain Akhtar").await;
        let pakistan = app.id_of(NodeKind::Country, "countries", "iso_code", "PK").await;
        let data = app.data(PATH, json!({ "from": captain, "to": pakistan })).await;
        assert_eq!(data["path"]["length"], 2, "{data}");
        assert_eq!(data["path"]["nodes"][0]["id"], captain.as_str());
        assert_eq!(data["path"]["nodes"][2]["id"], pakistan.as_str());
        let same = app.data(PATH, json!({ "from": captain, "to": captain })).await;
        assert_eq!(same["path"]["length"], 0);
        assert_eq!(app.data(PATH, json!({ "from": captain, "to": pakistan, "maxDepth": 1 })).await["path"], Value::Null);
        // The unnamed Afghan nationals are linked to nothing but countries: they operated in
        // Pakistan, where the captain's force is based; without countries, no path.
        let afghan = app.scalar("SELECT CAST(MIN(id) AS BIGINT) FROM militants WHERE name IS NULL").await;
        let afghan = NodeKind::Militant.id(i32::try_from(afghan).unwrap_or_default()).to_string();
        let via_pakistan = app.data(PATH, json!({ "from": afghan, "to": captain, "maxDepth": 6 })).await;
        assert_eq!(via_pakistan["path"]["edges"][0]["kind"], "OPERATES_IN");
        assert_eq!(via_pakistan["path"]["length"], 3);
        let types = json!(["OPERATION", "ORGANIZATION", "DISTRICT"]);
        assert_eq!(app.data(PATH, json!({ "from": afghan, "to": captain, "maxDepth": 6, "types": types })).await["path"], Value::Null);
    }
}

both! {
    async fn exploring_rejects_bad_input(app: TestApp) {
        let captain = app.id_of(NodeKind::Personnel, "personnel", "name", "Husnain Akhtar").await;
        let missing = NodeKind::Personnel.id(999_999).to_string();
        let cases = [
            (NEIGHBORHOOD, json!({ "id": missing }), "NOT_FOUND"),
            (NEIGHBORHOOD, json!({ "id": "not-an-id" }), "BAD_USER_INPUT"),
            (NEIGHBORHOOD, json!({ "id": captain, "depth": 4 }), "BAD_USER_INPUT"),
            (NEIGHBORHOOD, json!({ "id": captain, "depth": 0 }), "BAD_USER_INPUT"),
            (NEIGHBORHOOD, json!({ "id": captain, "first": 501 }), "BAD_USER_INPUT"),
            (NEIGHBORHOOD, json!({ "id": captain, "types": ["PLANET"] }), "BAD_USER_INPUT"),
            (NEIGHBORHOOD, json!({ "id": captain, "types": [] }), "BAD_USER_INPUT"),
            (PATH, json!({ "from": captain, "to": missing }), "NOT_FOUND"),
            (PATH, json!({ "from": captain, "to": captain, "maxDepth": 7 }), "BAD_USER_INPUT"),
            (PATH, json!({ "from": captain, "to": captain, "maxDepth": -1 }), "BAD_USER_INPUT"),
        ];
        for (q, vars, code) in cases {
            assert_eq!(app.error_codes(q, vars.clone()).await, [code], "{vars}");
        }
    }
}

/// A small deterministic generator (a linear congruential one), so the graph is the same on
/// every run and backend.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Every link in the database, read straight from the tables: the graph `path` walks.
async fn adjacency(app: &TestApp) -> HashMap<String, HashSet<String>> {
    use NodeKind::*;
    let pairs: [(&str, NodeKind, NodeKind); 20] = [
        (
            "SELECT id, district_id FROM operations",
            Operation,
            District,
        ),
        ("SELECT id, province_id FROM districts", District, Province),
        ("SELECT id, country_id FROM provinces", Province, Country),
        (
            "SELECT personnel_id, operation_id FROM operation_personnel",
            Personnel,
            Operation,
        ),
        (
            "SELECT militant_id, operation_id FROM operation_militants",
            Militant,
            Operation,
        ),
        (
            "SELECT organization_id, operation_id FROM operation_organizations",
            Organization,
            Operation,
        ),
        (
            "SELECT organization_id, community_action_id FROM community_action_actors",
            Organization,
            CommunityAction,
        ),
        (
            "SELECT community_action_id, district_id FROM community_action_districts",
            CommunityAction,
            District,
        ),
        (
            "SELECT id, organization_id FROM personnel",
            Personnel,
            Organization,
        ),
        (
            "SELECT id, organization_id FROM militants",
            Militant,
            Organization,
        ),
        (
            "SELECT id, hometown_district_id FROM personnel",
            Personnel,
            District,
        ),
        (
            "SELECT id, nationality_id FROM militants",
            Militant,
            Country,
        ),
        (
            "SELECT id, operating_country_id FROM militants",
            Militant,
            Country,
        ),
        (
            "SELECT id, base_country_id FROM organizations",
            Organization,
            Country,
        ),
        (
            "SELECT subject_organization_id, target_organization_id FROM affiliations",
            Organization,
            Organization,
        ),
        (
            "SELECT subject_organization_id, target_country_id FROM affiliations",
            Organization,
            Country,
        ),
        (
            "SELECT subject_militant_id, target_country_id FROM affiliations",
            Militant,
            Country,
        ),
        (
            "SELECT subject_militant_id, target_organization_id FROM affiliations",
            Militant,
            Organization,
        ),
        (
            "SELECT id, scope_province_id FROM reported_figures",
            ReportedFigure,
            Province,
        ),
        (
            "SELECT reported_figure_id, district_id FROM reported_figure_districts",
            ReportedFigure,
            District,
        ),
    ];
    let mut graph: HashMap<String, HashSet<String>> = HashMap::new();
    for (sql, a, b) in pairs {
        for (x, y) in app.pairs(sql).await {
            let (x, y) = (a.id(x).to_string(), b.id(y).to_string());
            graph.entry(x.clone()).or_default().insert(y.clone());
            graph.entry(y).or_default().insert(x);
        }
    }
    graph
}

fn bfs(graph: &HashMap<String, HashSet<String>>, from: &str, to: &str) -> Option<usize> {
    let mut distance = HashMap::from([(from.to_owned(), 0)]);
    let mut queue = VecDeque::from([from.to_owned()]);
    while let Some(node) = queue.pop_front() {
        let d = distance[&node];
        if node == to {
            return Some(d);
        }
        for next in graph.get(&node).into_iter().flatten() {
            if !distance.contains_key(next) {
                distance.insert(next.clone(), d + 1);
                queue.push_back(next.clone());
            }
        }
    }
    None
}

both! {
    async fn paths_agree_with_a_plain_search_in_memory(app: TestApp) {
        // A sparse graph of organizations allied with each other, with militants in some:
        // long chains, dead ends and separate islands, no hub.
        let mut rng = Lcg(7);
        let groups = 80;
        for g in 0..groups {
            app.execute(&format!("INSERT INTO organizations (name, aliases, kind, dataset, external_id) VALUES ('Generated group {g}', '[]', 'MILITANT_GROUP', 'test-synthetic', 'gen-{g}')")).await;
        }
        let id = |g: u64| format!("(SELECT id FROM organizations WHERE external_id = 'gen-{g}')");
        for a in 0..90 {
            let (x, y) = (rng.below(groups), rng.below(groups));
            app.execute(&format!("INSERT INTO affiliations (kind, subject_organization_id, target_organization_id, cross_border, confidence, dataset, external_id) VALUES ('ALLIANCE', {}, {}, FALSE, 'ALLEGED', 'test-synthetic', 'gen-aff-{a}')", id(x), id(y))).await;
        }
        for m in 0..40 {
            app.execute(&format!("INSERT INTO militants (name, aliases, organization_id, status, dataset, external_id) VALUES ('Generated militant {m}', '[]', {}, 'AT_LARGE', 'test-synthetic', 'gen-m-{m}')", id(rng.below(groups)))).await;
        }
        let graph = adjacency(&app).await;
        let nodes: Vec<String> = {
            let mut n: Vec<String> = graph.keys().filter(|k| matches!(decode(k), Ok((NodeKind::Organization | NodeKind::Militant, _)))).cloned().collect();
            n.sort();
            n
        };
        let mut lengths = HashSet::new();
        for _ in 0..40 {
            let from = &nodes[rng.below(nodes.len() as u64) as usize];
            let to = &nodes[rng.below(nodes.len() as u64) as usize];
            let expected = bfs(&graph, from, to).filter(|d| *d <= 6);
            let data = app.data(PATH, json!({ "from": from, "to": to, "maxDepth": 6 })).await;
            let path = &data["path"];
            assert_eq!(path["length"].as_u64().map(|l| l as usize), expected, "{from} → {to}: {path}");
            lengths.insert(expected);
            if expected.is_none() {
                continue;
            }
            // The chain is made of real links, end to end.
            let ids: Vec<&str> = path["nodes"].as_array().into_iter().flatten().filter_map(|n| n["id"].as_str()).collect();
            assert_eq!((ids.first().copied(), ids.last().copied()), (Some(from.as_str()), Some(to.as_str())));
            for (pair, e) in ids.windows(2).zip(path["edges"].as_array().into_iter().flatten()) {
                assert!(graph[pair[0]].contains(pair[1]), "{} – {} is no link", pair[0], pair[1]);
                let ends = HashSet::from([e["from"].as_str().unwrap_or_default(), e["to"].as_str().unwrap_or_default()]);
                assert_eq!(ends, HashSet::from([pair[0], pair[1]]));
            }
        }
        assert!(lengths.len() >= 4, "the pairs cover several lengths and absences: {lengths:?}");
    }
}

/// GETs the Cytoscape export and parses it.
async fn cytoscape(app: &TestApp, query: &str) -> (u16, Value) {
    let (status, content_type, body) = app
        .get_text(&format!("/export/neighborhood.cyjs?{query}"))
        .await;
    let body = body.expect("a whole body");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    (status.as_u16(), serde_json::from_str(&body).expect("JSON"))
}

both! {
    async fn the_neighbourhood_exports_as_cytoscape_json(app: TestApp) {
        let mission = app.id_of(NodeKind::Operation, "operations", "title", "Mission in Dera Ismail Khan").await;
        let (status, doc) = cytoscape(&app, &format!("id={mission}&depth=2")).await;
        assert_eq!(status, 200, "{doc}");
        let graphql = app.data(NEIGHBORHOOD, json!({ "id": mission, "depth": 2 })).await;
        let nodes = doc["elements"]["nodes"].as_array().cloned().unwrap_or_default();
        let edges = doc["elements"]["edges"].as_array().cloned().unwrap_or_default();
        // The same walk as the GraphQL field, node for node and edge for edge.
        let ids = |v: &[Value], f: &dyn Fn(&Value) -> Value| v.iter().map(f).collect::<Vec<_>>();
        assert_eq!(ids(&nodes, &|n| n["data"]["id"].clone()), ids(graphql["neighborhood"]["nodes"].as_array().unwrap_or(&vec![]), &|n| n["id"].clone()));
        assert_eq!(edges.len(), graphql["neighborhood"]["edges"].as_array().map_or(0, Vec::len));
        assert_eq!(nodes[0]["data"], json!({ "id": mission, "label": "Mission in Dera Ismail Khan", "type": "Operation" }));
        let node_ids: HashSet<&str> = nodes.iter().filter_map(|n| n["data"]["id"].as_str()).collect();
        for e in &edges {
            assert!(node_ids.contains(e["data"]["source"].as_str().unwrap_or_default()) && node_ids.contains(e["data"]["target"].as_str().unwrap_or_default()), "{e}");
        }
        let killed = edges.iter().find(|e| e["data"]["kind"] == "TOOK_PART_IN").expect("the captain's edge");
        assert_eq!(killed["data"]["outcome"], "KILLED");
        assert_eq!(doc["data"]["truncated"], false);

        let (_, only) = cytoscape(&app, &format!("id={mission}&depth=3&types=ORGANIZATION,COMMUNITY_ACTION")).await;
        let types: HashSet<&str> = only["elements"]["nodes"].as_array().into_iter().flatten().filter_map(|n| n["data"]["type"].as_str()).collect();
        assert_eq!(types, HashSet::from(["Operation", "Organization", "CommunityAction"]));

        let missing = NodeKind::Operation.id(999_999).to_string();
        for (query, status) in [
            (format!("id={missing}"), 404),
            ("id=nonsense".to_owned(), 400),
            (format!("id={mission}&depth=4"), 400),
            (format!("id={mission}&first=0"), 400),
            (format!("id={mission}&types=PLANET"), 400),
            (format!("id={mission}&asOf=2025-13-01"), 400),
            (format!("id={mission}&colour=red"), 400),
            (String::new(), 400),
        ] {
            let (got, doc) = cytoscape(&app, &query).await;
            assert_eq!(got, status, "{query}: {doc}");
            assert!(doc["errors"][0]["extensions"]["code"].is_string(), "{doc}");
        }
    }
}

both! {
    async fn walks_count_their_nodes_in_the_query_cost(app: TestApp) {
        let captain = app.id_of(NodeKind::Personnel, "personnel", "name", "Husnain Akhtar").await;
        // Each of up to 500 nodes may expand two pages of 100: too costly to start.
        let q = "query($id: ID!) { neighborhood(id: $id, first: 500) { nodes { ... on District {
            operations(first: 100) { nodes { personnel(first: 100) { nodes { name } } } } } } } }";
        assert_eq!(app.error_codes(q, json!({ "id": captain })).await, ["QUERY_TOO_COMPLEX"]);
        // The same with a small cap is fine.
        let q = q.replace("first: 500", "first: 10");
        assert!(app.graphql(&q, json!({ "id": captain })).await.get("errors").is_none());
    }
}
