//! Limits on what one request may ask: depth, complexity, batch size, body size, time.
//! Errors from the GraphQL engine itself (parse, validation, limits) come without an
//! `extensions.code`; [`add_error_codes`] gives each one, so every error has a code.

use async_graphql::{Response, ServerError};

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
            max_directives: 8,
            max_batch: 10,
            max_body_bytes: 256 * 1024,
            timeout_secs: 30,
            introspection: true,
        }
    }
}

/// The code of an engine error that has none: a limit, or a malformed request.
fn code_for(error: &ServerError) -> &'static str {
    let m = error.message.as_str();
    if m.contains("nested too deep")
        || m.contains("too complex")
        || m.contains("recursion")
        || m.contains("directives")
    {
        "QUERY_TOO_COMPLEX"
    } else {
        "BAD_USER_INPUT"
    }
}

/// Gives every error of `response` an `extensions.code`.
pub fn add_error_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let code = code_for(error);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
    response
}
