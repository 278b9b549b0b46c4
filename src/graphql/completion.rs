//! Responses exactly as the GraphQL spec has them, laid over the data the engine produced.
//!
//! async-graphql 7.2 departs from the spec in three ways clients notice (its
//! `do_resolve_container` in `resolver_utils/container.rs`; the propagation is
//! async-graphql/async-graphql#531, closed unfixed):
//! - a field whose resolver fails is left out of its object instead of being `null`, and the
//!   error of a non-null field never reaches its nearest nullable ancestor ("Handling Field
//!   Errors"), so Relay and Apollo report missing data;
//! - an object whose selection collects no field (a fragment on another type, or a skipped
//!   one) comes back `null`, even where the schema says it cannot be, instead of `{}`;
//! - sibling fields are written in the order their resolvers finish, not the query's
//!   ("Serialized Map Ordering").
//!
//! So before execution, [`SchemaIndex::mark_types`] has every selection whose object type the
//! data cannot tell (an interface or a union, or a selection that may collect no field) ask
//! for `__typename` under a reserved alias. After it, [`complete`] walks the document against
//! the schema as the spec's CollectFields and CompleteValue do, over the engine's data: each
//! object gets exactly the fields its runtime type collects, in query order; a failed field
//! is `null`; a `null` in a non-null position makes its nearest nullable ancestor `null`.

use std::collections::{HashMap, HashSet};

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    BaseType, Directive, DocumentOperations, ExecutableDocument, Field, FragmentDefinition,
    OperationDefinition, Selection, SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, Positioned, ServerError, Value, Variables};

use crate::error::code;

/// The alias under which a selection asks for its object's `__typename` for completion; it
/// never reaches the client.
const TYPENAME_ALIAS: &str = "__ctgraph_typename";

/// What completion needs of the schema: each type's kind and fields, and the interfaces and
/// unions each object type belongs to. Built once, from the schema's own SDL.
pub(crate) struct SchemaIndex {
    types: HashMap<Name, TypeInfo>,
    /// The type of `__typename`, which no type declares.
    typename: Type,
}

struct TypeInfo {
    kind: Kind,
    fields: HashMap<Name, Type>,
    /// For an object type, the interfaces it implements and the unions it is a member of.
    supertypes: HashSet<Name>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Abstract,
    Leaf,
}

impl SchemaIndex {
    /// The index of the schema whose SDL is `sdl`.
    pub(crate) fn new(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut types = HashMap::new();
        let mut memberships: Vec<(Name, Name)> = Vec::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = definition.node;
            let name = definition.name.node;
            let fields_of = |fields: Vec<Positioned<_>>| {
                fields
                    .into_iter()
                    .map(
                        |f: Positioned<async_graphql::parser::types::FieldDefinition>| {
                            (f.node.name.node, f.node.ty.node)
                        },
                    )
                    .collect()
            };
            let (kind, fields) = match definition.kind {
                TypeKind::Object(object) => {
                    for interface in object.implements {
                        memberships.push((name.clone(), interface.node));
                    }
                    (Kind::Object, fields_of(object.fields))
                }
                TypeKind::Interface(interface) => (Kind::Abstract, fields_of(interface.fields)),
                TypeKind::Union(union) => {
                    for member in union.members {
                        memberships.push((member.node, name.clone()));
                    }
                    (Kind::Abstract, HashMap::new())
                }
                TypeKind::Scalar | TypeKind::Enum(_) | TypeKind::InputObject(_) => {
                    (Kind::Leaf, HashMap::new())
                }
            };
            let supertypes = HashSet::new();
            types.insert(
                name,
                TypeInfo {
                    kind,
                    fields,
                    supertypes,
                },
            );
        }
        for (object, supertype) in memberships {
            if let Some(info) = types.get_mut(&object) {
                info.supertypes.insert(supertype);
            }
        }
        let typename = Type::new("String!").ok_or("the type of `__typename` parses")?;
        Ok(Self { types, typename })
    }

    fn kind(&self, name: &str) -> Kind {
        self.types.get(name).map_or(Kind::Leaf, |t| t.kind)
    }

    /// The type of field `field` of type `parent`, or `None` for the introspection fields
    /// (`__schema`, `__type`), which the SDL does not declare.
    fn field_type(&self, parent: &str, field: &str) -> Option<&Type> {
        if field == "__typename" {
            return Some(&self.typename);
        }
        self.types.get(parent)?.fields.get(field)
    }

    /// The name of the type of field `field` of type `parent`, lists and non-null aside.
    pub(crate) fn field_type_name(&self, parent: &str, field: &str) -> Option<&str> {
        self.field_type(parent, field).map(named_type)
    }

    /// Whether a fragment on `condition` applies to an object of type `object`.
    fn applies(&self, condition: &str, object: &str) -> bool {
        condition == object
            || self
                .types
                .get(object)
                .is_some_and(|t| t.supertypes.contains(condition))
    }

    /// Has every selection that completion cannot place by the data alone ask for
    /// `__typename` under [`TYPENAME_ALIAS`]: those of an interface or union type, and those
    /// that may collect no field (all their fields behind fragments or directives).
    pub(crate) fn mark_types(&self, document: &mut ExecutableDocument) {
        match &mut document.operations {
            DocumentOperations::Single(operation) => {
                self.mark_set(&mut operation.node.selection_set, "Query");
            }
            DocumentOperations::Multiple(operations) => {
                for operation in operations.values_mut() {
                    self.mark_set(&mut operation.node.selection_set, "Query");
                }
            }
        }
        for fragment in document.fragments.values_mut() {
            let on = fragment.node.type_condition.node.on.node.clone();
            self.mark_set(&mut fragment.node.selection_set, &on);
        }
    }

    fn mark_set(&self, set: &mut Positioned<SelectionSet>, parent: &str) {
        for selection in &mut set.node.items {
            match &mut selection.node {
                Selection::Field(field) => {
                    let field = &mut field.node;
                    if field.selection_set.node.items.is_empty() {
                        continue;
                    }
                    let Some(ty) = self.field_type(parent, &field.name.node) else {
                        continue;
                    };
                    let named = named_type(ty).to_owned();
                    self.mark_set(&mut field.selection_set, &named);
                    let plain = field.selection_set.node.items.iter().any(
                        |s| matches!(&s.node, Selection::Field(f) if f.node.directives.is_empty()),
                    );
                    if self.kind(&named) == Kind::Abstract || !plain {
                        let pos = field.selection_set.pos;
                        let typename = Field {
                            alias: Some(Positioned::new(Name::new(TYPENAME_ALIAS), pos)),
                            name: Positioned::new(Name::new("__typename"), pos),
                            arguments: Vec::new(),
                            directives: Vec::new(),
                            selection_set: Positioned::new(SelectionSet::default(), pos),
                        };
                        let typename = Selection::Field(Positioned::new(typename, pos));
                        field
                            .selection_set
                            .node
                            .items
                            .push(Positioned::new(typename, pos));
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inline = &mut inline.node;
                    let on = match &inline.type_condition {
                        Some(condition) => condition.node.on.node.to_string(),
                        None => parent.to_owned(),
                    };
                    self.mark_set(&mut inline.selection_set, &on);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

fn named_type(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name,
        BaseType::List(item) => named_type(item),
    }
}

/// Completes `data`, what the engine answered for `operation` of `document` (marked by
/// [`SchemaIndex::mark_types`]) with `errors`, as the spec has it; adds an `INTERNAL` error
/// for each `null` in a non-null position that no error of the engine explains. `data`
/// becomes `null` when a root field's `null` propagates to it.
pub(crate) fn complete(
    index: &SchemaIndex,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    data: &mut Value,
    errors: &mut Vec<ServerError>,
) {
    let mut completion = Completion {
        index,
        collector: Collector::new(index, document, variables),
        errors,
        path: Vec::new(),
        unexplained: Vec::new(),
    };
    let root = match std::mem::take(data) {
        Value::Object(map) => map,
        // No root field answered: each failed, or the selection collected none.
        _ => IndexMap::new(),
    };
    let roots = [&operation.selection_set];
    let completed = completion.object("Query", &roots, root, &mut Vec::new());
    let unexplained = completion.unexplained;
    *data = completed.unwrap_or(Value::Null);
    errors.extend(unexplained);
}

/// A `null` in a non-null position, on its way to the nearest nullable ancestor.
struct Null;

/// The fields an object of one runtime type collects: each response key with the fields of
/// the query it merges, in query order.
pub(crate) type Collected<'a> = Vec<(&'a Name, Vec<&'a Field>)>;

/// What lists remember: the fields each runtime type of their items collects, collected once.
type Memo<'a> = Vec<(String, Collected<'a>)>;

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

struct Completion<'a> {
    index: &'a SchemaIndex,
    collector: Collector<'a>,
    errors: &'a [ServerError],
    /// Where the walk is, to match errors' paths.
    path: Vec<Step<'a>>,
    /// Errors for nulls in non-null positions that the engine left unexplained.
    unexplained: Vec<ServerError>,
}

impl<'a> Completion<'a> {
    /// Completes `value` of a field of type `ty` selected by `fields`; `None` when the engine
    /// left the field out, which it does when the field failed.
    fn value(
        &mut self,
        ty: &'a Type,
        fields: &[&'a Field],
        value: Option<Value>,
        memo: &mut Memo<'a>,
    ) -> Result<Value, Null> {
        let nulled = |completion: &mut Self| {
            if ty.nullable {
                Ok(Value::Null)
            } else {
                Err(completion.unexplained_null(fields))
            }
        };
        match (&ty.base, value) {
            (_, None) => nulled(self),
            (BaseType::Named(name), Some(Value::Null)) => {
                // An object all of whose fields failed comes back as `null`.
                if self.index.kind(name) == Kind::Object && self.errors_below(false) {
                    self.object(name, &selection_sets(fields), IndexMap::new(), memo)
                        .or_else(|Null| nulled(self))
                } else {
                    nulled(self)
                }
            }
            (_, Some(Value::Null)) => nulled(self),
            (BaseType::List(item), Some(Value::List(items))) => {
                // Items share what their type collects.
                let mut memo = Memo::new();
                let mut completed = Vec::with_capacity(items.len());
                for (at, value) in items.into_iter().enumerate() {
                    self.path.push(Step::Index(at));
                    let value = self.value(item, fields, Some(value), &mut memo);
                    self.path.pop();
                    match value {
                        Ok(value) => completed.push(value),
                        Err(Null) => return nulled(self),
                    }
                }
                Ok(Value::List(completed))
            }
            (BaseType::Named(name), Some(Value::Object(map))) => {
                if self.index.kind(name) == Kind::Leaf {
                    // A JSON scalar.
                    return Ok(Value::Object(map));
                }
                self.object(name, &selection_sets(fields), map, memo)
                    .or_else(|Null| nulled(self))
            }
            (_, Some(leaf)) => Ok(leaf),
        }
    }

    /// Completes the object `map` of static type `ty` selected by `sets`.
    fn object(
        &mut self,
        ty: &'a str,
        sets: &[&'a Positioned<SelectionSet>],
        mut map: IndexMap<Name, Value>,
        memo: &mut Memo<'a>,
    ) -> Result<Value, Null> {
        let runtime = match map.swap_remove(TYPENAME_ALIAS) {
            Some(Value::String(runtime)) => runtime,
            _ => ty.to_owned(),
        };
        let at = match memo.iter().position(|(seen, _)| *seen == runtime) {
            Some(at) => at,
            None => {
                let collected = self.collector.collect(&runtime, sets);
                memo.push((runtime.clone(), collected));
                memo.len() - 1
            }
        };
        let collected = std::mem::take(&mut memo[at].1);
        let mut completed = IndexMap::with_capacity(collected.len());
        let mut result = Ok(());
        for (key, fields) in &collected {
            // What a field's objects collect is remembered across the items of its list,
            // never across fields: two fields of one type may select different things.
            let mut below = Memo::new();
            let value = map.swap_remove(*key);
            self.path.push(Step::Key(key));
            let value = match self.index.field_type(&runtime, &fields[0].name.node) {
                Some(ty) => self.value(ty, fields, value, &mut below),
                // Introspection: its own types, which never fail; only put in order.
                None => Ok(value.map_or(Value::Null, |v| self.opaque(fields, v))),
            };
            self.path.pop();
            match value {
                Ok(value) => {
                    completed.insert((*key).clone(), value);
                }
                Err(Null) => {
                    result = Err(Null);
                    break;
                }
            }
        }
        memo[at].1 = collected;
        result.map(|()| Value::Object(completed))
    }

    /// Puts a value of a type the index does not hold in query order, every fragment taken
    /// to apply.
    fn opaque(&self, fields: &[&'a Field], value: Value) -> Value {
        match value {
            Value::List(items) => {
                Value::List(items.into_iter().map(|v| self.opaque(fields, v)).collect())
            }
            Value::Object(mut map) => {
                let mut collected = Collected::new();
                for set in selection_sets(fields) {
                    self.collector.collect_set(None, set, &mut collected);
                }
                let mut ordered = IndexMap::with_capacity(collected.len());
                for (key, fields) in &collected {
                    if let Some(value) = map.swap_remove(*key) {
                        ordered.insert((*key).clone(), self.opaque(fields, value));
                    }
                }
                Value::Object(ordered)
            }
            leaf => leaf,
        }
    }

    /// Whether an error of the engine lies below where the walk is (or at it, with `at`).
    fn errors_below(&self, at: bool) -> bool {
        let depth = self.path.len();
        self.errors.iter().any(|error| {
            (error.path.len() > depth || (at && error.path.len() == depth))
                && self
                    .path
                    .iter()
                    .zip(&error.path)
                    .all(|(step, segment)| match (step, segment) {
                        (Step::Key(key), PathSegment::Field(field)) => key == field,
                        (Step::Index(at), PathSegment::Index(index)) => at == index,
                        _ => false,
                    })
        })
    }

    /// A `null` where the schema allows none: the engine's error explains it, or this adds one.
    fn unexplained_null(&mut self, fields: &[&'a Field]) -> Null {
        if !self.errors_below(true) {
            let name = fields.first().map_or("?", |f| f.name.node.as_str());
            let mut error = ServerError::new(
                format!("field `{name}` cannot be null but no value was produced; this is a bug"),
                fields.first().map(|f| f.name.pos),
            );
            error.path = self
                .path
                .iter()
                .map(|step| match step {
                    Step::Key(key) => PathSegment::Field((*key).to_owned()),
                    Step::Index(at) => PathSegment::Index(*at),
                })
                .collect();
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code::INTERNAL);
            let request_id = crate::telemetry::request::id();
            if let Some(id) = &request_id {
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("requestId", id.clone());
            }
            tracing::error!(
                path = ?error.path,
                request_id = request_id.as_deref().unwrap_or("-"),
                "a non-null field came back null with no error"
            );
            self.unexplained.push(error);
        }
        Null
    }
}
/// The spec's CollectFields over one document, with its variables.
pub(crate) struct Collector<'a> {
    index: &'a SchemaIndex,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a Variables,
}

impl<'a> Collector<'a> {
    /// The collector of `document` run with `variables` (their defaults filled in).
    pub(crate) fn new(
        index: &'a SchemaIndex,
        document: &'a ExecutableDocument,
        variables: &'a Variables,
    ) -> Self {
        Self {
            index,
            fragments: &document.fragments,
            variables,
        }
    }

    /// The spec's CollectFields for an object of type `runtime`.
    pub(crate) fn collect(
        &self,
        runtime: &str,
        sets: &[&'a Positioned<SelectionSet>],
    ) -> Collected<'a> {
        let mut collected = Collected::new();
        for set in sets {
            self.collect_set(Some(runtime), set, &mut collected);
        }
        collected
    }

    /// Adds what `set` selects on an object of type `runtime` (`None`: any fragment applies).
    pub(crate) fn collect_set(
        &self,
        runtime: Option<&str>,
        set: &'a Positioned<SelectionSet>,
        collected: &mut Collected<'a>,
    ) {
        for selection in &set.node.items {
            if self.skipped(selection.node.directives()) {
                continue;
            }
            let (condition, set) = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = &field.response_key().node;
                    if key == TYPENAME_ALIAS {
                        continue;
                    }
                    match collected.iter_mut().find(|(seen, _)| *seen == key) {
                        Some((_, fields)) => fields.push(field),
                        None => collected.push((key, vec![field])),
                    }
                    continue;
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.fragments.get(&spread.node.fragment_name.node) else {
                        continue;
                    };
                    let fragment = &fragment.node;
                    (
                        Some(&fragment.type_condition.node.on.node),
                        &fragment.selection_set,
                    )
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let condition = inline.type_condition.as_ref().map(|c| &c.node.on.node);
                    (condition, &inline.selection_set)
                }
            };
            let applies = match (condition, runtime) {
                (Some(condition), Some(runtime)) => self.index.applies(condition, runtime),
                _ => true,
            };
            if applies {
                self.collect_set(runtime, set, collected);
            }
        }
    }

    /// Whether `@skip` or `@include` leaves a selection out, as the engine decides it.
    pub(crate) fn skipped(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().any(|directive| {
            let directive = &directive.node;
            let include = match directive.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return false,
            };
            let condition = match directive.get_argument("if").map(|v| &v.node) {
                Some(async_graphql_value::Value::Boolean(b)) => *b,
                Some(async_graphql_value::Value::Variable(name)) => {
                    matches!(self.variables.get(name), Some(Value::Boolean(true)))
                }
                _ => false,
            };
            condition != include
        })
    }
}

pub(crate) fn selection_sets<'a>(fields: &[&'a Field]) -> Vec<&'a Positioned<SelectionSet>> {
    fields.iter().map(|f| &f.selection_set).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    const SDL: &str = "
        type Query { node(id: ID!): Node, things: [Thing!]!, one: Thing!, maybe: Thing }
        interface Node { id: ID! }
        type Thing implements Node { id: ID!, name: String!, size: Int, child: Thing! }
        type Other implements Node { id: ID!, rank: String }
        union Either = Thing | Other
    ";

    fn json(text: &str) -> Value {
        serde_json::from_str::<serde_json::Value>(text)
            .and_then(serde_json::from_value)
            .expect("a value")
    }

    fn run(query: &str, data: &str, errors: Vec<ServerError>) -> (String, usize) {
        let index = SchemaIndex::new(SDL).expect("index");
        let mut document = parse_query(query).expect("parses");
        index.mark_types(&mut document);
        let DocumentOperations::Single(operation) = &document.operations else {
            panic!("one operation")
        };
        let mut data = json(data);
        let mut errors = errors;
        let before = errors.len();
        complete(
            &index,
            &document,
            &operation.node,
            &Variables::default(),
            &mut data,
            &mut errors,
        );
        (
            serde_json::to_string(&data).expect("serializes"),
            errors.len() - before,
        )
    }

    fn error_at(path: &[&str]) -> ServerError {
        let mut error = ServerError::new("failed", None);
        error.path = path
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(at) => PathSegment::Index(at),
                Err(_) => PathSegment::Field((*s).to_owned()),
            })
            .collect();
        error
    }

    #[test]
    fn fields_come_in_query_order_for_their_runtime_type() {
        let (data, _) = run(
            "{ node(id: 1) { ... on Other { rank id } ... on Thing { name id } } }",
            r#"{ "node": { "id": "1", "name": "a", "__ctgraph_typename": "Thing" } }"#,
            vec![],
        );
        assert_eq!(data, r#"{"node":{"name":"a","id":"1"}}"#);
    }

    #[test]
    fn a_failed_field_is_null_and_a_non_null_one_nulls_its_parent() {
        let (data, added) = run(
            "{ maybe { name size } node(id: 1) { id } }",
            r#"{ "maybe": { "name": "a" } }"#,
            vec![error_at(&["maybe", "size"]), error_at(&["node"])],
        );
        assert_eq!(
            (data.as_str(), added),
            (r#"{"maybe":{"name":"a","size":null},"node":null}"#, 0)
        );
        let (data, _) = run(
            "{ maybe { child { name } } node(id: 1) { id } }",
            r#"{ "maybe": { }, "node": null }"#,
            vec![error_at(&["maybe", "child", "name"])],
        );
        assert_eq!(data, r#"{"maybe":null,"node":null}"#);
        // Through a non-null list of non-null items to the root.
        let (data, _) = run(
            "{ things { child { name } } }",
            r#"{ "things": [{ "child": { "name": "a" } }, {}] }"#,
            vec![error_at(&["things", "1", "child"])],
        );
        assert_eq!(data, "null");
    }

    #[test]
    fn a_selection_that_collects_nothing_is_an_empty_object() {
        let (data, added) = run(
            "{ one { ... on Other { rank } } things { ...F @include(if: false) } }
             fragment F on Thing { name }",
            r#"{ "one": { "__ctgraph_typename": "Thing" },
                 "things": [{ "__ctgraph_typename": "Thing" }] }"#,
            vec![],
        );
        assert_eq!((data.as_str(), added), (r#"{"one":{},"things":[{}]}"#, 0));
    }

    #[test]
    fn fields_of_one_type_keep_their_own_selections() {
        // Regression: what one field collected was reused for its sibling of the same type.
        let (data, added) = run(
            "{ a: one { name } b: one { size } }",
            r#"{ "a": { "name": "x" }, "b": { "size": 2 } }"#,
            vec![],
        );
        assert_eq!(
            (data.as_str(), added),
            (r#"{"a":{"name":"x"},"b":{"size":2}}"#, 0)
        );
    }

    #[test]
    fn a_null_no_error_explains_gets_an_error_of_its_own() {
        let (data, added) = run("{ one { name } }", r#"{ "one": null }"#, vec![]);
        assert_eq!((data.as_str(), added), ("null", 1));
    }

    #[test]
    fn marks_go_where_the_data_cannot_tell_the_type() {
        let index = SchemaIndex::new(SDL).expect("index");
        let mut document =
            parse_query("{ node(id: 1) { id } one { name } maybe { ... on Thing { name } } }")
                .expect("parses");
        index.mark_types(&mut document);
        let DocumentOperations::Single(operation) = &document.operations else {
            panic!("one operation")
        };
        let marked: Vec<bool> = operation
            .node
            .selection_set
            .node
            .items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => f.node.selection_set.node.items.iter().any(|s| {
                    matches!(&s.node, Selection::Field(f)
                        if f.node.response_key().node == TYPENAME_ALIAS)
                }),
                _ => false,
            })
            .collect();
        assert_eq!(marked, [true, false, true]);
    }
}
