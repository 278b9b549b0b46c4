//! Limits on what one request may ask: depth, complexity, input nesting, aliases, fields,
//! body size, time.
//! Errors from the GraphQL engine itself (validation, limits) come without an
//! `extensions.code`; [`set_code`] gives each one, so every error has a code.

use async_graphql::ServerError;

use crate::error::code;

/// What one request may ask for.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest selection allowed. The four-level nested query of the README needs 13.
    pub max_depth: usize,
    /// Most work a query may ask for: each field counts once per row its enclosing pages may
    /// hold (`first`/`last`, 20 by default; see `connection::page_cost`). The README's
    /// nested query costs about 480,000; four levels at 100 rows each, 800 million.
    pub max_complexity: usize,
    /// Deepest nesting the parser accepts before it gives up.
    pub max_recursive_depth: usize,
    /// Deepest nesting of objects and lists in an argument or variable (a filter's
    /// `and`/`or`/`not`); see `document_limits`.
    pub max_input_depth: usize,
    /// Most aliased fields in one query: aliases are how one query asks for the same root
    /// connection many times over.
    pub max_aliases: usize,
    /// Most fields one query selects, counting each fragment as often as it is spread.
    pub max_fields: usize,
    /// Most fields at a query's top level, counted the same way: each runs statements of
    /// its own, where nested fields share theirs.
    pub max_root_fields: usize,
    /// Most directives on one field.
    pub max_directives: usize,
    /// Most operations in one batched request.
    pub max_batch: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Time a request may take before it is cut off, in seconds.
    pub timeout_secs: u64,
    /// Whether clients may introspect the schema (GraphiQL needs it).
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 2_000_000,
            max_recursive_depth: 32,
            max_input_depth: 32,
            max_aliases: 50,
            max_fields: 2_000,
            max_root_fields: 50,
            max_directives: 8,
            max_batch: 10,
            max_body_bytes: 256 * 1024,
            timeout_secs: 30,
            introspection: true,
        }
    }
}

/// The code of an engine error that has none: a limit, a value the schema does not accept
/// (an argument's or a variable's: the engine checks both as one), or `otherwise`. Matched on
/// the engine's own messages (async-graphql 7.2), from their start, so that a message quoting
/// a user's field or argument name cannot pass for another.
fn code_for(error: &ServerError, otherwise: &'static str) -> &'static str {
    const LIMITS: [&str; 5] = [
        "Query is too complex.",
        "Query is nested too deep.",
        "The recursion depth of the query cannot be greater than",
        "The number of directives on the field",
        // The parser's own cap on nested selections.
        "recursion limit exceeded",
    ];
    const VALUES: [&str; 2] = ["Invalid value for argument", "Invalid default value"];
    if LIMITS.iter().any(|limit| error.message.starts_with(limit)) {
        code::QUERY_TOO_COMPLEX
    } else if VALUES.iter().any(|value| error.message.starts_with(value)) {
        code::BAD_USER_INPUT
    } else {
        otherwise
    }
}

/// Gives `error`, from the engine, an `extensions.code` if it has none: `QUERY_TOO_COMPLEX`
/// for a limit, `otherwise` for the rest.
pub(crate) fn set_code(error: &mut ServerError, otherwise: &'static str) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    if !has_code {
        let code = code_for(error, otherwise);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(message: &str) -> &'static str {
        code_for(
            &ServerError::new(message, None),
            code::GRAPHQL_VALIDATION_FAILED,
        )
    }

    #[test]
    fn engine_limits_are_told_apart_from_user_mistakes() {
        for limit in [
            "Query is too complex.",
            "Query is nested too deep.",
            "The recursion depth of the query cannot be greater than `32`",
            "The number of directives on the field `name` cannot be greater than `8`",
            "recursion limit exceeded.",
        ] {
            assert_eq!(code(limit), code::QUERY_TOO_COMPLEX, "{limit}");
        }
        assert_eq!(
            code(
                r#"Invalid value for argument "groupBy", enumeration type "StatsGrouping" does not contain the value "YEAR""#
            ),
            code::BAD_USER_INPUT
        );
        // Regression: matching on words anywhere took these for limits.
        for mistake in [
            r#"Unknown field "directives" on type "Query"."#,
            r#"Unknown argument "recursion" on field "Query.operations"."#,
            "Syntax error",
        ] {
            assert_eq!(code(mistake), code::GRAPHQL_VALIDATION_FAILED, "{mistake}");
        }
    }
}
