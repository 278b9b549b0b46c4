//! Limits on what one request may ask: depth, complexity, input nesting, aliases, fields,
//! body size, time.
//! Errors from the GraphQL engine itself (validation, limits) come without an
//! `extensions.code`; [`set_code`] gives each one, so every error has a code.

use async_graphql::ServerError;

use crate::error::code;
use crate::rate_limit::RateLimits;

/// What one request may ask for: each a `serve` flag with an environment variable.
#[derive(Clone, Debug, clap::Args)]
pub struct Limits {
    /// Deepest selection allowed. The four-level nested query of the README needs 13.
    #[arg(long, env = "CTGRAPH_MAX_DEPTH", default_value_t = DEFAULTS.max_depth)]
    pub max_depth: usize,
    /// Most work a query may ask for: each field counts once per row its enclosing pages may
    /// hold (`first`/`last`, 20 by default). The README's nested query costs about 480,000;
    /// four levels at 100 rows each, 800 million.
    #[arg(long, env = "CTGRAPH_MAX_COMPLEXITY", default_value_t = DEFAULTS.max_complexity)]
    pub max_complexity: usize,
    /// Deepest nesting the parser accepts before it gives up.
    #[arg(long, env = "CTGRAPH_MAX_RECURSIVE_DEPTH", default_value_t = DEFAULTS.max_recursive_depth)]
    pub max_recursive_depth: usize,
    /// Deepest nesting of objects and lists in an argument or variable (a filter's
    /// `and`/`or`/`not`).
    #[arg(long, env = "CTGRAPH_MAX_INPUT_DEPTH", default_value_t = DEFAULTS.max_input_depth)]
    pub max_input_depth: usize,
    /// Most aliased fields in one query: aliases are how one query asks for the same root
    /// connection many times over.
    #[arg(long, env = "CTGRAPH_MAX_ALIASES", default_value_t = DEFAULTS.max_aliases)]
    pub max_aliases: usize,
    /// Most fields one query selects, counting each fragment as often as it is spread.
    #[arg(long, env = "CTGRAPH_MAX_FIELDS", default_value_t = DEFAULTS.max_fields)]
    pub max_fields: usize,
    /// Most fields at a query's top level, counted the same way: each runs statements of
    /// its own, where nested fields share theirs.
    #[arg(long, env = "CTGRAPH_MAX_ROOT_FIELDS", default_value_t = DEFAULTS.max_root_fields)]
    pub max_root_fields: usize,
    /// Most directives on one field.
    #[arg(long, env = "CTGRAPH_MAX_DIRECTIVES", default_value_t = DEFAULTS.max_directives)]
    pub max_directives: usize,
    /// Most operations in one batched request.
    #[arg(long, env = "CTGRAPH_MAX_BATCH", default_value_t = DEFAULTS.max_batch)]
    pub max_batch: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "CTGRAPH_MAX_BODY_BYTES", default_value_t = DEFAULTS.max_body_bytes)]
    pub max_body_bytes: usize,
    /// Time a request may take before it is cut off, in seconds; the database stops its
    /// statements at the same time.
    #[arg(long = "timeout-secs", env = "CTGRAPH_TIMEOUT_SECS", default_value_t = DEFAULTS.timeout_secs)]
    pub timeout_secs: u64,
    /// Exports (`/export/…`) streaming at once: each holds a database connection while its
    /// client downloads; further ones wait for a slot, within the request timeout.
    #[arg(long, env = "CTGRAPH_MAX_EXPORTS", default_value_t = DEFAULTS.max_exports)]
    pub max_exports: usize,
    /// Whether clients may introspect the schema (GraphiQL needs it); `--no-introspection`.
    #[arg(skip = DEFAULTS.introspection)]
    pub introspection: bool,
    /// The query budgets of keys and addresses.
    #[command(flatten)]
    pub rate_limits: RateLimits,
}

/// The limits when none is given.
const DEFAULTS: Limits = Limits {
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
    // Two: the cap keeps connections free for GraphQL (SQLite's pool has four).
    max_exports: 2,
    introspection: true,
    rate_limits: RateLimits::OFF,
};

impl Default for Limits {
    fn default() -> Self {
        DEFAULTS
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
