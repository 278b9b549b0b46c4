//! Compiled reads answer as the resolvers do. Random valid queries generated from the schema
//! (nested connections, filters, orders, cursors, fragments, aliases, directives, page sizes
//! 0 to 100) go to two apps on one generated graph, one resolving and one compiling; the
//! answers must be the same, errors included. `CTGRAPH_COMPILED_CASES` and
//! `CTGRAPH_COMPILED_SEED` run more, or others.

use std::collections::HashMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ctgraph::app::{App, Config};
use ctgraph::graphql::Reads;
use ctgraph::ingest::generate::{self, Rng};
use serde_json::{Value, json};

use crate::helpers::{TestApp, both};

/// Queries per backend unless `CTGRAPH_COMPILED_CASES` says otherwise.
const CASES: usize = 1_000;

both! {
    /// The same answers, compiled or resolved, over generated queries.
    async fn compiled_reads_answer_as_the_resolvers_do(resolved: TestApp) {
        generate::generate(resolved.db(), generate::Options { operations: 400, seed: 11 }, |_, _, _| {})
            .await
            .expect("generate a graph");
        let compiled = compiled_twin(&resolved).await;
        let cases = env_number("CTGRAPH_COMPILED_CASES").unwrap_or(CASES as u64) as usize;
        let seed = env_number("CTGRAPH_COMPILED_SEED").unwrap_or(1);
        let schema = SchemaModel::new(&std::fs::read_to_string("schema.graphql").expect("schema.graphql"));
        let mut generator = Generator { rng: Rng::new(seed), schema: &schema, cursors: HashMap::new() };
        let mut compiled_count = 0;
        for case in 0..cases {
            let (query, variables) = generator.query(&resolved).await;
            let before = compiled.db().statements();
            let (status_c, body_c) = post(&compiled, &query, &variables).await;
            let statements = compiled.db().statements() - before;
            let (status_r, body_r) = post(&resolved, &query, &variables).await;
            let (body_c, body_r) = (normalized(&body_c), normalized(&body_r));
            if (status_c, &body_c) != (status_r, &body_r) {
                panic!(
                    "case {case} (seed {seed}): the answers differ at {}\nquery: {query}\nvariables: {variables}\nstatus: compiled {status_c}, resolved {status_r}\nerrors: compiled {}, resolved {}",
                    difference(&body_c, &body_r, ""),
                    body_c["errors"],
                    body_r["errors"],
                );
            }
            // A compiled answer runs one statement per root connection and nothing else.
            if statements > 0 && statements == root_connections(&query) && body_c.get("errors").is_none() {
                compiled_count += 1;
            } else if std::env::var("CTGRAPH_COMPILED_DEBUG").is_ok() {
                eprintln!("not compiled ({statements} statements): {query}\n{}", body_c.to_string().chars().take(300).collect::<String>());
            }
        }
        eprintln!("compiled: {compiled_count} of {cases} generated queries were answered compiled");
        assert!(
            compiled_count * 3 >= cases,
            "only {compiled_count} of {cases} queries were compiled: the test no longer tests the compiler"
        );
    }
}

both! {
    /// One statement per root field, whatever the page sizes: the README's nested query at
    /// every size, and two root fields.
    async fn a_compiled_query_is_one_statement_per_root_field(resolved: TestApp) {
        let compiled = compiled_twin(&resolved).await;
        let nested = std::fs::read_to_string("bench/queries/nested.graphql").expect("nested.graphql");
        for page in [1, 3, 10] {
            let (statements, data) = compiled.counted(&nested, json!({ "page": page })).await;
            assert_eq!(statements, 1, "page {page}");
            assert_eq!(data, resolved.data(&nested, json!({ "page": page })).await, "page {page}");
        }
        let two = "{ __typename a: operations(first: 3) { totalCount nodes { title district { name } } } b: districts(last: 2) { pageInfo { hasPreviousPage endCursor } } }";
        let (statements, data) = compiled.counted(two, json!({})).await;
        assert_eq!(statements, 2);
        assert_eq!(data, resolved.data(two, json!({})).await);
    }
}

/// A second app on `resolved`'s database, compiling reads.
async fn compiled_twin(resolved: &TestApp) -> TestApp {
    let config = Config {
        reads: Reads::Compiled,
        ..Config::new(resolved.url.clone(), "127.0.0.1:0".parse().expect("addr"))
    };
    let app = App::build(config).await.expect("the compiling app starts");
    TestApp::adopt(app, resolved.url.clone(), resolved.backend)
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

async fn post(app: &TestApp, query: &str, variables: &Value) -> (StatusCode, Value) {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("request");
    app.send(request).await
}

/// The answer as compared: numbers as floats, errors in a stable order.
fn normalized(answer: &Value) -> Value {
    let mut answer = numbers(answer);
    // Field errors come in the order their resolvers fail, which the spec leaves open.
    if let Some(errors) = answer.get_mut("errors").and_then(Value::as_array_mut) {
        errors.sort_by_key(|e| e.to_string());
    }
    answer
}

/// JSON with every number a float: PostgreSQL writes `34` where Rust writes `34.0`, the same
/// number to every JSON reader.
fn numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(numbers).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), numbers(v))).collect())
        }
        other => other.clone(),
    }
}

/// Where `a` and `b` first differ, and how.
fn difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys_x: Vec<&String> = x.keys().collect();
            let keys_y: Vec<&String> = y.keys().collect();
            if keys_x != keys_y {
                return format!("{at}: keys {keys_x:?} (compiled) against {keys_y:?} (resolved)");
            }
            x.iter()
                .find(|(k, v)| y.get(*k) != Some(v))
                .map(|(k, v)| difference(v, &y[k], &format!("{at}.{k}")))
                .unwrap_or_default()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map(|(i, (v, w))| difference(v, w, &format!("{at}[{i}]")))
            .unwrap_or_default(),
        _ => format!("{at}: {a} (compiled) against {b} (resolved)"),
    }
}

/// Root fields of a generated query that are connections: its lines `  key: field(`.
fn root_connections(query: &str) -> u64 {
    query
        .lines()
        .filter(|line| {
            line.starts_with(ROOT_INDENT) && !line[ROOT_INDENT.len()..].starts_with([' ', '_', '}'])
        })
        .count() as u64
}

const ROOT_INDENT: &str = "  ";

/// Where the selection set closing `part` opens, if it ends with one.
fn selection_start(part: &str) -> Option<usize> {
    if !part.ends_with('}') {
        return None;
    }
    let mut depth = 0;
    for (at, c) in part.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// What the generator needs of the schema.
struct SchemaModel {
    /// Object types: each field's name, base type name, and whether it takes a required
    /// argument.
    objects: HashMap<String, Vec<(String, String, bool)>>,
    /// Input types: each field's name and base type name.
    inputs: HashMap<String, Vec<(String, String)>>,
    enums: HashMap<String, Vec<String>>,
    /// Unions and interfaces.
    abstracts: Vec<String>,
}

fn base(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(item) => base(item),
    }
}

impl SchemaModel {
    fn new(sdl: &str) -> Self {
        let document = parse_schema(sdl).expect("schema.graphql parses");
        let mut model = SchemaModel {
            objects: HashMap::new(),
            inputs: HashMap::new(),
            enums: HashMap::new(),
            abstracts: Vec::new(),
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(t) = definition else {
                continue;
            };
            let name = t.node.name.node.to_string();
            match t.node.kind {
                TypeKind::Object(object) => {
                    let fields = object
                        .fields
                        .iter()
                        .map(|f| {
                            let required = f.node.arguments.iter().any(|a| {
                                !a.node.ty.node.nullable && a.node.default_value.is_none()
                            });
                            (
                                f.node.name.node.to_string(),
                                base(&f.node.ty.node),
                                required,
                            )
                        })
                        .collect();
                    model.objects.insert(name, fields);
                }
                TypeKind::InputObject(input) => {
                    let fields = input
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), base(&f.node.ty.node)))
                        .collect();
                    model.inputs.insert(name, fields);
                }
                TypeKind::Enum(e) => {
                    let values = e
                        .values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect();
                    model.enums.insert(name, values);
                }
                TypeKind::Union(_) | TypeKind::Interface(_) => model.abstracts.push(name),
                TypeKind::Scalar => {}
            }
        }
        model
    }

    fn is_leaf(&self, ty: &str) -> bool {
        !self.objects.contains_key(ty) && !self.abstracts.iter().any(|a| a == ty)
    }

    /// The type of field `field` of object `ty`.
    fn field_type(&self, ty: &str, field: &str) -> Option<&str> {
        self.objects
            .get(ty)?
            .iter()
            .find(|(name, ..)| name == field)
            .map(|(_, t, _)| t.as_str())
    }
}

struct Generator<'a> {
    rng: Rng,
    schema: &'a SchemaModel,
    /// Cursors of root connections, by field and `orderBy` text, from the resolving app.
    cursors: HashMap<(String, String), Vec<String>>,
}

/// What a query being generated has used.
#[derive(Default)]
struct Draft {
    variables: serde_json::Map<String, Value>,
    definitions: Vec<String>,
    fragments: Vec<String>,
    aliases: usize,
    /// Connection fields used without an alias so far. async-graphql does not see that two
    /// of them with different arguments under one key conflict when their parents merge
    /// (the spec's FieldsInSetCanMerge), so the generator never writes such a document.
    connections: Vec<String>,
}

impl Draft {
    fn variable(&mut self, name: &str, ty: &str, value: Value) -> String {
        if !self.variables.contains_key(name) {
            self.variables.insert(name.to_owned(), value);
            self.definitions.push(format!("${name}: {ty}"));
        }
        format!("${name}")
    }
}

impl Generator<'_> {
    /// A query and its variables.
    async fn query(&mut self, resolved: &TestApp) -> (String, Value) {
        let mut draft = Draft::default();
        let roots: Vec<(String, String)> = self.schema.objects["Query"]
            .iter()
            .filter(|(_, ty, required)| !required && ty.ends_with("Connection"))
            .map(|(name, ty, _)| (name.clone(), ty.clone()))
            .collect();
        let mut lines = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            let (name, ty) = self.rng.pick(&roots).clone();
            if self.rarely_compiled(&ty) {
                continue;
            }
            let alias = self.alias(&mut draft);
            let args = self
                .connection_arguments(&name, &ty, 0, &mut draft, Some(resolved))
                .await;
            let selection = self.connection_selection(&ty, 1, 0, &mut draft);
            lines.push(format!("{ROOT_INDENT}{alias}{name}{args} {selection}"));
        }
        if lines.is_empty() {
            lines.push(format!("{ROOT_INDENT}districts {{ totalCount }}"));
        }
        if self.rng.chance(10) {
            lines.push(format!("{ROOT_INDENT}__typename"));
        }
        let definitions = if draft.definitions.is_empty() {
            String::new()
        } else {
            format!("({})", draft.definitions.join(", "))
        };
        let query = format!(
            "query Generated{definitions} {{\n{}\n}}\n{}",
            lines.join("\n"),
            draft.fragments.join("\n")
        );
        (query, Value::Object(draft.variables))
    }

    /// Whether to leave out a field of type `ty` most of the time: the compiler leaves
    /// reported figures and unions to the resolvers, and every such field sends its whole
    /// query there.
    fn rarely_compiled(&mut self, ty: &str) -> bool {
        let rare =
            ty.starts_with("ReportedFigure") || self.schema.abstracts.iter().any(|a| a == ty);
        rare && self.rng.chance(80)
    }

    fn alias(&mut self, draft: &mut Draft) -> String {
        if self.rng.chance(30) {
            draft.aliases += 1;
            format!("a{}: ", draft.aliases)
        } else {
            String::new()
        }
    }

    /// The arguments of connection field `field` of type `ty`; cursors at the root only.
    async fn connection_arguments(
        &mut self,
        field: &str,
        ty: &str,
        depth: usize,
        draft: &mut Draft,
        resolved: Option<&TestApp>,
    ) -> String {
        let node = self
            .schema
            .field_type(ty, "nodes")
            .unwrap_or_default()
            .to_owned();
        let mut args = Vec::new();
        let limit = if depth == 0 { 101 } else { 6 };
        let size = self.rng.below(limit);
        let backward = self.rng.chance(15);
        if self.rng.chance(85) {
            let size = if self.rng.chance(20) {
                draft.variable(
                    &format!("size{}", draft.variables.len()),
                    "Int",
                    json!(size),
                )
            } else {
                size.to_string()
            };
            args.push(format!(
                "{}: {size}",
                if backward { "last" } else { "first" }
            ));
        }
        let order_type = format!("{node}Order");
        let mut order = String::new();
        if self.rng.chance(50)
            && let Some(fields) = self.schema.inputs.get(&order_type)
            && let Some((_, field_enum)) = fields.iter().find(|(n, _)| n == "field")
        {
            let value = self.rng.pick(&self.schema.enums[field_enum]).clone();
            let direction = if self.rng.chance(50) { "ASC" } else { "DESC" };
            order = format!("{{ field: {value}, direction: {direction} }}");
            args.push(format!("orderBy: {order}"));
        }
        if self.rng.chance(35) {
            let filter = self.filter(&format!("{node}Filter"), 0);
            if let Some(filter) = filter {
                args.push(format!("filter: {filter}"));
            }
        }
        if let Some(app) = resolved
            && self.rng.chance(20)
        {
            let cursors = self.cursors(app, field, &order).await;
            if !cursors.is_empty() {
                let cursor = self.rng.pick(&cursors).clone();
                let name = if backward { "before" } else { "after" };
                let value = draft.variable(
                    &format!("cursor{}", draft.variables.len()),
                    "String",
                    json!(cursor),
                );
                args.push(format!("{name}: {value}"));
            }
        }
        if args.is_empty() {
            String::new()
        } else {
            format!("({})", args.join(", "))
        }
    }

    /// Cursors of root connection `field` in order `order`, fetched once.
    async fn cursors(&mut self, app: &TestApp, field: &str, order: &str) -> Vec<String> {
        let key = (field.to_owned(), order.to_owned());
        if let Some(cursors) = self.cursors.get(&key) {
            return cursors.clone();
        }
        let order_arg = if order.is_empty() {
            String::new()
        } else {
            format!(", orderBy: {order}")
        };
        let query = format!("{{ {field}(first: 40{order_arg}) {{ edges {{ cursor }} }} }}");
        let data = app.data(&query, json!({})).await;
        let cursors: Vec<String> = data[field]["edges"]
            .as_array()
            .map(|edges| {
                edges
                    .iter()
                    .filter_map(|e| e["cursor"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        self.cursors.insert(key, cursors.clone());
        cursors
    }

    /// A filter literal of input type `ty`, or `None` when it has nothing simple to set.
    fn filter(&mut self, ty: &str, depth: usize) -> Option<String> {
        let fields = self.schema.inputs.get(ty)?.clone();
        let mut parts = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            let (name, field_ty) = self.rng.pick(&fields).clone();
            let value = match field_ty.as_str() {
                "StringFilter" => Some(match self.rng.below(4) {
                    0 => "{ startsWith: \"Synthetic\" }".to_owned(),
                    1 => format!(
                        "{{ contains: \"{}\" }}",
                        self.rng.pick(&["1", "7", "operation", "a", "Bannu"])
                    ),
                    2 => format!("{{ isNull: {} }}", self.rng.chance(50)),
                    _ => "{ eq: \"Bannu\" }".to_owned(),
                }),
                "IntFilter" => Some(match self.rng.below(3) {
                    0 => format!("{{ gt: {} }}", self.rng.below(5)),
                    1 => format!("{{ lte: {} }}", self.rng.below(5)),
                    _ => format!("{{ isNull: {} }}", self.rng.chance(50)),
                }),
                "DateFilter" => Some(format!(
                    "{{ {}: \"2025-0{}-01\" }}",
                    self.rng.pick(&["gte", "lt"]),
                    1 + self.rng.below(9)
                )),
                "FloatFilter" => Some(format!("{{ gt: {}.5 }}", 30 + self.rng.below(6))),
                "Boolean" => Some(self.rng.chance(50).to_string()),
                "Date" => Some("\"2025-03-15\"".to_owned()),
                enum_filter
                    if self.schema.inputs.get(enum_filter).is_some_and(|f| {
                        f.iter()
                            .any(|(n, t)| n == "eq" && self.schema.enums.contains_key(t))
                    }) =>
                {
                    let eq = &self.schema.inputs[enum_filter]
                        .iter()
                        .find(|(n, _)| n == "eq")?
                        .1;
                    Some(format!(
                        "{{ eq: {} }}",
                        self.rng.pick(&self.schema.enums[eq])
                    ))
                }
                nested if nested.ends_with("Filter") && nested != "IdFilter" && depth < 1 => {
                    self.filter(nested, depth + 1)
                }
                _ => None,
            };
            if let Some(value) = value {
                let value = if name == "and" || name == "or" {
                    format!("[{value}]")
                } else {
                    value
                };
                parts.push(format!("{name}: {value}"));
            }
        }
        (!parts.is_empty()).then(|| format!("{{ {} }}", parts.join(", ")))
    }

    /// A selection on connection type `ty`, `nesting` connections deep.
    fn connection_selection(
        &mut self,
        ty: &str,
        depth: usize,
        nesting: usize,
        draft: &mut Draft,
    ) -> String {
        let node = self
            .schema
            .field_type(ty, "nodes")
            .unwrap_or_default()
            .to_owned();
        let edge = self
            .schema
            .field_type(ty, "edges")
            .unwrap_or_default()
            .to_owned();
        let mut parts = Vec::new();
        while parts.is_empty() {
            if self.rng.chance(35) {
                parts.push(format!("{}totalCount", self.alias(draft)));
            }
            if self.rng.chance(30) {
                let fields = [
                    "hasNextPage",
                    "hasPreviousPage",
                    "startCursor",
                    "endCursor",
                    "__typename",
                ];
                let chosen: Vec<&str> = fields
                    .iter()
                    .copied()
                    .filter(|_| self.rng.chance(50))
                    .collect();
                if !chosen.is_empty() {
                    parts.push(format!("pageInfo {{ {} }}", chosen.join(" ")));
                }
            }
            if self.rng.chance(55) {
                let selection = self.object_selection(&node, depth + 1, nesting, draft);
                parts.push(format!("{}nodes {selection}", self.alias(draft)));
            }
            if self.rng.chance(40) {
                let mut inner = Vec::new();
                if self.rng.chance(50) {
                    inner.push("cursor".to_owned());
                }
                let edge_fields: Vec<String> = self.schema.objects[&edge]
                    .iter()
                    .filter(|(n, ..)| n != "node" && n != "cursor")
                    .map(|(n, ..)| n.clone())
                    .collect();
                for field in edge_fields {
                    if self.rng.chance(50) {
                        inner.push(field);
                    }
                }
                if inner.is_empty() || self.rng.chance(70) {
                    let selection = self.object_selection(&node, depth + 1, nesting, draft);
                    inner.push(format!("node {selection}"));
                }
                parts.push(format!("edges {{ {} }}", inner.join(" ")));
            }
            if self.rng.chance(10) {
                parts.push("__typename".to_owned());
            }
        }
        format!("{{ {} }}", parts.join(" "))
    }

    /// A selection on object type `ty` at `depth`, `nesting` connections deep. Two
    /// connections below the root at most, or the pages' product passes the complexity
    /// limit (20 rows each when `first` is left out).
    fn object_selection(
        &mut self,
        ty: &str,
        depth: usize,
        nesting: usize,
        draft: &mut Draft,
    ) -> String {
        let fields = self.schema.objects[ty].clone();
        let mut parts = Vec::new();
        for _ in 0..2 + self.rng.below(4) {
            let (name, field_ty, required) = self.rng.pick(&fields).clone();
            if required || self.rarely_compiled(&field_ty) {
                continue;
            }
            // Fields with arguments under one key would have to agree on them.
            let alias = if field_ty.ends_with("Connection") && draft.connections.contains(&name) {
                draft.aliases += 1;
                format!("a{}: ", draft.aliases)
            } else {
                self.alias(draft)
            };
            if alias.is_empty() && field_ty.ends_with("Connection") {
                draft.connections.push(name.clone());
            }
            let part = if self.schema.is_leaf(&field_ty) {
                format!("{alias}{name}")
            } else if self.schema.abstracts.contains(&field_ty) {
                format!("{alias}{name} {{ __typename }}")
            } else if field_ty.ends_with("Connection") {
                if nesting >= 2 {
                    continue;
                }
                // Nested: no cursors (they would have to come from a nested page).
                let args = futures_util::FutureExt::now_or_never(
                    self.connection_arguments(&name, &field_ty, depth, draft, None),
                )
                .unwrap_or_default();
                let selection = self.connection_selection(&field_ty, depth + 1, nesting + 1, draft);
                format!("{alias}{name}{args} {selection}")
            } else {
                if depth > 7 {
                    continue;
                }
                let selection = self.object_selection(&field_ty, depth + 1, nesting, draft);
                format!("{alias}{name} {selection}")
            };
            parts.push(self.decorated(part, draft));
        }
        let has_id = fields.iter().any(|(name, ..)| name == "id");
        parts.push(if has_id { "id" } else { "__typename" }.to_owned());
        if self.rng.chance(15) {
            let name = format!("F{}", draft.fragments.len());
            let inner = self.leaf_fields(ty, 2);
            draft
                .fragments
                .push(format!("fragment {name} on {ty} {{ {inner} }}"));
            parts.push(format!("...{name}"));
        }
        if self.rng.chance(10) {
            parts.push(format!("... on {ty} {{ {} }}", self.leaf_fields(ty, 2)));
        }
        format!("{{ {} }}", parts.join(" "))
    }

    /// `n` leaf fields of `ty`.
    fn leaf_fields(&mut self, ty: &str, n: usize) -> String {
        let leaves: Vec<String> = self.schema.objects[ty]
            .iter()
            .filter(|(_, t, required)| !required && self.schema.is_leaf(t))
            .map(|(name, ..)| name.clone())
            .collect();
        (0..n)
            .map(|_| self.rng.pick(&leaves).clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `part`, sometimes under `@include`/`@skip` or in an inline fragment without a type.
    fn decorated(&mut self, part: String, draft: &mut Draft) -> String {
        let directive = match self.rng.below(12) {
            0 => {
                let value = self.rng.chance(50);
                let yes = draft.variable("yes", "Boolean!", json!(value));
                format!("@include(if: {yes})")
            }
            1 => format!("@skip(if: {})", self.rng.chance(50)),
            2 => return format!("... {{ {part} }}"),
            _ => return part,
        };
        // A directive goes before the field's selection set.
        match selection_start(&part) {
            Some(at) => format!("{}{directive} {}", &part[..at], &part[at..]),
            None => format!("{part} {directive}"),
        }
    }
}
