//! Responses list each object's fields in the order the query asks for them, as the GraphQL
//! spec recommends ("Serialized Map Ordering"). async-graphql 7 writes sibling fields in the
//! order their resolvers finish, which changes from one request to the next; a reader of the
//! playground, or a snapshot test, should see the fields as they wrote them. So the response
//! is put back in order once, before it is sent: a walk over the data, sorting each object's
//! fields by where the query first names them (fragments spread in place).

use async_graphql::Value;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

/// The fields one level of the response may hold, in query order, each with the fields below
/// it (merged when the query names a field more than once). Built once per request from the
/// document, then laid over every object of the data.
#[derive(Default)]
struct Plan<'a> {
    fields: Vec<(&'a Name, Plan<'a>)>,
}

impl<'a> Plan<'a> {
    /// Adds the fields `set` selects, fragments spread in place.
    fn add(&mut self, set: &'a Positioned<SelectionSet>, document: &'a ExecutableDocument) {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    let at = match self.fields.iter().position(|(name, _)| *name == key) {
                        Some(at) => at,
                        None => {
                            self.fields.push((key, Plan::default()));
                            self.fields.len() - 1
                        }
                    };
                    self.fields[at].1.add(&field.node.selection_set, document);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.add(&fragment.node.selection_set, document);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.add(&inline.node.selection_set, document);
                }
            }
        }
    }

    /// Orders `value` (an object, or a list of them at any depth) by this plan.
    fn apply(&self, value: &mut Value) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(item);
                }
            }
            Value::Object(map) => {
                // A key the query does not name (none should exist) goes after the rest.
                let rank = |key: &Name| {
                    let at = self.fields.iter().position(|(name, _)| *name == key);
                    at.unwrap_or(usize::MAX)
                };
                if !map.keys().map(rank).is_sorted() {
                    map.sort_by_cached_key(|key, _| rank(key));
                }
                for (name, below) in &self.fields {
                    if let Some(child) = map.get_mut(*name)
                        && !below.fields.is_empty()
                    {
                        below.apply(child);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Puts the objects of `data`, the result of the operation `operation` of `document` (the one
/// operation when `None`), in query order.
/// Only data the engine produced is ordered: its document passed the document limits, which
/// refuse fragments that spread themselves and bound the fields fragments expand to, so the
/// plan is finite and small.
pub fn in_query_order(data: &mut Value, document: &ExecutableDocument, operation: Option<&str>) {
    if !matches!(data, Value::Object(_)) {
        return;
    }
    let operation = match (&document.operations, operation) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) if ops.len() == 1 => op,
            _ => return,
        },
    };
    let mut plan = Plan::default();
    plan.add(&operation.node.selection_set, document);
    plan.apply(data);
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn objects_and_lists_follow_the_query_fragments_included() {
        let document = parse_query("{ b a: x { ...F z } } fragment F on T { y ... on T { w } }")
            .expect("parses");
        let mut data: Value = serde_json::from_str::<serde_json::Value>(
            r#"{ "a": [{ "z": 1, "w": 2, "y": 3 }, { "w": 4, "z": 5, "y": 6 }], "b": 7 }"#,
        )
        .and_then(serde_json::from_value)
        .expect("a value");
        in_query_order(&mut data, &document, None);
        assert_eq!(keys(&data), ["b", "a"]);
        let Value::Object(map) = &data else {
            panic!("an object")
        };
        let Some(Value::List(items)) = map.get("a") else {
            panic!("a list")
        };
        for item in items {
            assert_eq!(keys(item), ["y", "w", "z"]);
        }
    }
}
