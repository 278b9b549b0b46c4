//! Limits checked on the query document itself, before the engine parses, validates or runs
//! it: how deeply brackets and input values nest, how many fields and aliases it selects.
//!
//! Filters nest through `and`, `or` and `not`, and both the engine's parser and its conversion
//! of a value into an input type recurse once per level: a few hundred levels exhaust a
//! worker's stack and abort the process. So the query text is scanned for bracket depth
//! before it is parsed, and every argument and variable is measured. Fragments that spread
//! each other can make a short document select millions of fields, and the engine walks them
//! all, so fields are counted first (see `expansion`). Each root field runs statements of its
//! own, where nested ones share theirs, so root fields and aliases are counted too. A limit
//! passed is `QUERY_TOO_COMPLEX`; a fragment that spreads itself, `GRAPHQL_VALIDATION_FAILED`.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Pos, Positioned, Request, ServerError, ServerResult};
use async_graphql_value::{ConstValue, Value};

use super::expansion;
use super::limits::Limits;
use crate::error::{code, server_error};

/// Deepest nesting of `{`, `[` and `(` the parser is given. Generous: selections may nest 32
/// levels and values 32 more; a debug build's parser overflows its stack near 280.
const MAX_BRACKET_DEPTH: usize = 128;

/// The limits on a query document, checked before the engine sees it.
#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    /// Deepest nesting of objects and lists in an argument or variable.
    pub max_input_depth: usize,
    /// Most aliased fields in one document.
    pub max_aliases: usize,
    /// Most fields an operation selects, counting each fragment as often as it is spread.
    pub max_fields: usize,
    /// Most fields at an operation's top level, counted the same way.
    pub max_root_fields: usize,
}

impl From<&Limits> for DocumentLimits {
    fn from(limits: &Limits) -> Self {
        Self {
            max_input_depth: limits.max_input_depth,
            max_aliases: limits.max_aliases,
            max_fields: limits.max_fields,
            max_root_fields: limits.max_root_fields,
        }
    }
}

impl DocumentLimits {
    /// Checks the variables and text of `request`, before it is parsed: the parser recurses
    /// once per level of brackets.
    pub fn check_text(&self, request: &Request) -> ServerResult<()> {
        for (name, value) in request.variables.iter() {
            if nests_deeper(value, self.max_input_depth) {
                return Err(self.too_deep(&format!("variable `${name}`"), None));
            }
        }
        if bracket_depth(&request.query) > MAX_BRACKET_DEPTH {
            return Err(too_complex(
                format!(
                    "the query nests braces, brackets and parentheses more than \
                     {MAX_BRACKET_DEPTH} levels deep"
                ),
                None,
            ));
        }
        Ok(())
    }

    /// Checks the arguments, aliases, fragments and fields of a parsed document, before the
    /// engine sees it: its own first step (a depth check) already follows every fragment
    /// spread.
    pub fn check_document(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let mut aliases = 0;
        for (_, operation) in document.operations.iter() {
            for variable in &operation.node.variable_definitions {
                if let Some(default) = &variable.node.default_value
                    && nests_deeper(&default.node, self.max_input_depth)
                {
                    let what = format!("the default of `${}`", variable.node.name.node);
                    return Err(self.too_deep(&what, Some(default.pos)));
                }
            }
            self.check_selections(&operation.node.selection_set, &mut aliases)?;
        }
        for fragment in document.fragments.values() {
            self.check_selections(&fragment.node.selection_set, &mut aliases)?;
        }
        self.check_size(document)
    }

    /// Checks the arguments of every field and directive in `set`, and counts its aliases.
    /// Fragment spreads are not followed: every fragment definition is checked once on its own.
    fn check_selections(
        &self,
        set: &Positioned<SelectionSet>,
        aliases: &mut usize,
    ) -> ServerResult<()> {
        for selection in &set.node.items {
            let (arguments, directives, children) = match &selection.node {
                Selection::Field(field) => {
                    if let Some(alias) = &field.node.alias {
                        *aliases += 1;
                        if *aliases > self.max_aliases {
                            let message = format!(
                                "a query may use at most {} aliases; split it into several \
                                 requests",
                                self.max_aliases
                            );
                            return Err(too_complex(message, Some(alias.pos)));
                        }
                    }
                    (
                        field.node.arguments.as_slice(),
                        &field.node.directives,
                        Some(&field.node.selection_set),
                    )
                }
                Selection::FragmentSpread(spread) => (&[][..], &spread.node.directives, None),
                Selection::InlineFragment(inline) => (
                    &[][..],
                    &inline.node.directives,
                    Some(&inline.node.selection_set),
                ),
            };
            let directive_arguments = directives.iter().flat_map(|d| &d.node.arguments);
            self.check_arguments(arguments.iter().chain(directive_arguments))?;
            if let Some(children) = children {
                self.check_selections(children, aliases)?;
            }
        }
        Ok(())
    }

    fn check_arguments<'a>(
        &self,
        arguments: impl Iterator<Item = &'a (Positioned<Name>, Positioned<Value>)>,
    ) -> ServerResult<()> {
        for (name, value) in arguments {
            if nests_deeper(&value.node, self.max_input_depth) {
                let what = format!("argument `{}`", name.node);
                return Err(self.too_deep(&what, Some(value.pos)));
            }
        }
        Ok(())
    }

    /// Checks that no fragment spreads itself, and how many fields each operation selects
    /// once its fragments are spread. (How long a chain of fragments may be, the engine
    /// checks next: its recursion depth.)
    fn check_size(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let expansion = expansion::expand(document);
        if let Some(name) = expansion.cycle {
            let message = format!("fragment `{name}` spreads itself, directly or through others");
            let pos = document.fragments.get(name).map(|f| f.pos);
            return Err(server_error(code::GRAPHQL_VALIDATION_FAILED, message, pos));
        }
        for size in expansion.operations {
            if size.top_level > self.max_root_fields {
                let message = format!(
                    "a query may select at most {} fields at its top level, counting each \
                     fragment as often as it is spread; split it into several requests",
                    self.max_root_fields
                );
                return Err(too_complex(message, None));
            }
            if size.fields > self.max_fields {
                let message = format!(
                    "a query may select at most {} fields, counting each fragment as often as \
                     it is spread; ask for fewer",
                    self.max_fields
                );
                return Err(too_complex(message, None));
            }
        }
        Ok(())
    }

    fn too_deep(&self, what: &str, pos: Option<Pos>) -> ServerError {
        let message = format!(
            "{what} nests objects and lists more than {} levels deep; flatten the filter \
             (an `and` or `or` list takes any number of conditions)",
            self.max_input_depth
        );
        too_complex(message, pos)
    }
}

fn too_complex(message: String, pos: Option<Pos>) -> ServerError {
    server_error(code::QUERY_TOO_COMPLEX, message, pos)
}

/// The deepest nesting of `{`, `[` and `(` in a GraphQL document, outside strings, block
/// strings and comments. One pass, no recursion: it runs before the recursive parser.
fn bracket_depth(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                // A block string ends at the first `"""` not escaped as `\"""`.
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// An input value: a scalar, or a list or object of more values.
trait Nested {
    /// The values a list or object holds; `None` for a scalar.
    fn children(&self) -> Option<Box<dyn Iterator<Item = &Self> + '_>>;
}

impl Nested for Value {
    fn children(&self) -> Option<Box<dyn Iterator<Item = &Self> + '_>> {
        match self {
            Value::List(items) => Some(Box::new(items.iter())),
            Value::Object(fields) => Some(Box::new(fields.values())),
            _ => None,
        }
    }
}

impl Nested for ConstValue {
    fn children(&self) -> Option<Box<dyn Iterator<Item = &Self> + '_>> {
        match self {
            ConstValue::List(items) => Some(Box::new(items.iter())),
            ConstValue::Object(fields) => Some(Box::new(fields.values())),
            _ => None,
        }
    }
}

/// Whether `value` nests objects and lists more than `levels` deep. Stops descending once
/// the answer is known, so its own recursion never goes deeper than `levels + 1`.
fn nests_deeper<V: Nested>(value: &V, levels: usize) -> bool {
    match value.children() {
        None => false,
        Some(_) if levels == 0 => true,
        Some(mut children) => children.any(|v| nests_deeper(v, levels - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_nots(levels: usize) -> Value {
        (0..levels).fold(Value::Object(Default::default()), |inner, _| {
            Value::Object([(Name::new("not"), inner)].into_iter().collect())
        })
    }

    #[test]
    fn depth_counts_objects_and_lists_not_scalars() {
        assert!(!nests_deeper(&Value::Number(1.into()), 0));
        assert!(nests_deeper(&Value::List(vec![]), 0));
        assert!(!nests_deeper(&Value::List(vec![]), 1));
        // `{}` wrapped in 4 `not`s is five objects deep.
        assert!(!nests_deeper(&nested_nots(4), 5));
        assert!(nests_deeper(&nested_nots(5), 5));
    }

    #[test]
    fn bracket_depth_skips_strings_and_comments() {
        assert_eq!(bracket_depth("{ a(f: { b: [1] }) { c } }"), 4);
        assert_eq!(bracket_depth(r#"{ a(s: "{{{[[[(((") }"#), 2);
        assert_eq!(bracket_depth("{ a(s: \"\\\"{{{\") }"), 2);
        assert_eq!(bracket_depth("{ a # {{{{\n b }"), 1);
        assert_eq!(bracket_depth("{ a(s: \"\"\"{{{ \\\"\"\" {{{\"\"\") }"), 2);
        assert_eq!(bracket_depth("}}}{"), 1);
        assert_eq!(bracket_depth(&"{not:".repeat(10_000)), 10_000);
    }

    #[test]
    fn a_value_far_deeper_than_the_cap_is_refused() {
        // Not much deeper: dropping a value recurses too.
        assert!(nests_deeper(&nested_nots(1_000), 32));
    }
}
