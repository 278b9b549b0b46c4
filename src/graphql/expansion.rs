//! How many fields each operation of a document selects once every fragment spread is
//! replaced by its fragment. Fragments that spread each other twice or thrice per level make
//! a document of a few hundred bytes select millions of fields, and the engine's validation
//! walks every one of them; this count takes time linear in the document, so limits can be
//! checked before validation starts.

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// The fields a selection selects, fragments spread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Every field, at every level.
    pub fields: usize,
    /// The fields at its own top level (through fragments, not into fields).
    pub top_level: usize,
}

impl Size {
    fn add(self, other: Size) -> Size {
        Size {
            fields: self.fields.saturating_add(other.fields),
            top_level: self.top_level.saturating_add(other.top_level),
        }
    }
}

/// What spreading the fragments of a document gives.
#[derive(Debug)]
pub struct Expansion<'a> {
    /// The size of each operation.
    pub operations: Vec<Size>,
    /// A fragment that spreads itself, directly or through others, if any.
    pub cycle: Option<&'a Name>,
}

/// Spreads the fragments of `document`. A spread of an unknown fragment, or one that closes
/// a cycle, counts as nothing: such documents are refused anyway.
pub fn expand(document: &ExecutableDocument) -> Expansion<'_> {
    let (order, cycle) = dependency_order(document);
    let mut sizes: HashMap<&Name, Size> = HashMap::new();
    for name in order {
        if let Some(fragment) = document.fragments.get(name) {
            let size = size_of(&fragment.node.selection_set.node, &sizes);
            sizes.insert(name, size);
        }
    }
    let operations = document
        .operations
        .iter()
        .map(|(_, op)| size_of(&op.node.selection_set.node, &sizes))
        .collect();
    Expansion { operations, cycle }
}

/// The size of `set`, given the sizes of the fragments it spreads. Recurses only as deep as
/// the selection is written, never through fragments.
fn size_of(set: &SelectionSet, fragments: &HashMap<&Name, Size>) -> Size {
    set.items
        .iter()
        .fold(Size::default(), |size, item| match &item.node {
            Selection::Field(field) => {
                let inner = size_of(&field.node.selection_set.node, fragments);
                size.add(Size {
                    fields: inner.fields.saturating_add(1),
                    top_level: 1,
                })
            }
            Selection::FragmentSpread(spread) => size.add(
                fragments
                    .get(&spread.node.fragment_name.node)
                    .copied()
                    .unwrap_or_default(),
            ),
            Selection::InlineFragment(inline) => {
                size.add(size_of(&inline.node.selection_set.node, fragments))
            }
        })
}

/// The fragments spread anywhere in `set`.
fn spreads<'a>(set: &'a SelectionSet, out: &mut Vec<&'a Name>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => spreads(&field.node.selection_set.node, out),
            Selection::FragmentSpread(spread) => out.push(&spread.node.fragment_name.node),
            Selection::InlineFragment(inline) => spreads(&inline.node.selection_set.node, out),
        }
    }
}

/// Fragment names ordered so that each comes after every fragment it spreads, and a fragment
/// on a cycle if there is one (cycles are broken anywhere). Depth-first with a stack of its
/// own: chains of fragments may be long.
fn dependency_order(document: &ExecutableDocument) -> (Vec<&Name>, Option<&Name>) {
    let deps: HashMap<&Name, Vec<&Name>> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let mut out = Vec::new();
            spreads(&fragment.node.selection_set.node, &mut out);
            (name, out)
        })
        .collect();
    let mut seen: HashMap<&Name, bool> = HashMap::new(); // false: in progress, true: done
    let mut order = Vec::with_capacity(deps.len());
    let mut cycle = None;
    for start in deps.keys() {
        if seen.contains_key(start) {
            continue;
        }
        seen.insert(start, false);
        let mut stack = vec![(*start, 0usize)];
        while let Some((name, next)) = stack.last_mut() {
            let name = *name;
            match deps.get(name).and_then(|d| d.get(*next)) {
                Some(dep) => {
                    *next += 1;
                    match seen.get(dep) {
                        None if deps.contains_key(dep) => {
                            seen.insert(dep, false);
                            stack.push((dep, 0));
                        }
                        Some(false) => cycle = cycle.or(Some(*dep)),
                        _ => {}
                    }
                }
                None => {
                    seen.insert(name, true);
                    order.push(name);
                    stack.pop();
                }
            }
        }
    }
    (order, cycle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(query: &str) -> Vec<Size> {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        expand(&document).operations
    }

    fn cycle(query: &str) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        expand(&document).cycle.map(|name| name.to_string())
    }

    #[test]
    fn fields_are_counted_through_fragments_as_often_as_spread() {
        let q = "{ a b { c d } ...F ... on Query { e } } fragment F on Query { f { g } }";
        assert_eq!(
            sizes(q),
            [Size {
                fields: 7,
                top_level: 4
            }]
        );
    }

    #[test]
    fn doubling_fragments_are_counted_without_being_walked() {
        // Each level spreads the one below three times: 3^60 fields, counted at once.
        let mut q = String::from("{ ...F60 } fragment F0 on Query { x }");
        for i in 1..=60 {
            let p = i - 1;
            q.push_str(&format!(
                " fragment F{i} on Query {{ ...F{p} ...F{p} ...F{p} }}"
            ));
        }
        assert_eq!(sizes(&q)[0].fields, usize::MAX);
    }

    #[test]
    fn long_chains_and_cycles_do_not_recurse_through_fragments() {
        let mut q = String::from("{ ...F0 } fragment F10000 on Query { x }");
        for i in 0..10_000 {
            q.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
        }
        assert_eq!(
            sizes(&q),
            [Size {
                fields: 1,
                top_level: 1
            }]
        );
        let looped = "{ ...A } fragment A on Query { x ...B } fragment B on Query { y ...A }";
        assert!(sizes(looped)[0].fields <= 2);
    }

    #[test]
    fn cycles_are_found() {
        let looped = "{ ...A } fragment A on Query { x ...B } fragment B on Query { y ...A }";
        assert!(matches!(cycle(looped).as_deref(), Some("A" | "B")));
        assert_eq!(
            cycle("{ ...A } fragment A on Query { a { ...A } }").as_deref(),
            Some("A")
        );
        let diamond = "{ ...A } fragment A on Query { ...B ...C } fragment B on Query { ...D } \
                       fragment C on Query { ...D } fragment D on Query { x }";
        assert_eq!(cycle(diamond), None);
    }
}
