//! Errors, and how they reach users.
//!
//! Policy: every error a client sees carries a stable `extensions.code` (BAD_USER_INPUT,
//! NOT_FOUND, DATABASE_UNAVAILABLE, INTERNAL, ...) and a message the user can act on.
//! Internal details (SQL, driver messages) are logged once, where the error is turned into
//! a GraphQL error, and never sent to the client. `ApiError` deliberately has no `Display`
//! impl: async-graphql converts anything displayable into an error without a code, so the
//! only way out of a resolver is [`From<ApiError>`], which always sets one.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr, sqlx};

/// The codes clients switch on, sent as `extensions.code`; the one place they are written.
/// Where Apollo Server has a code for the same failure, it is Apollo's, which clients already
/// know.
pub mod code {
    /// The document is not valid GraphQL syntax.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document is valid syntax but not a valid query of this schema.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The request names no operation of the document that can be run (unknown
    /// `operationName`, or none given for a document of several operations).
    pub const OPERATION_RESOLUTION_FAILURE: &str = "OPERATION_RESOLUTION_FAILURE";
    /// The request is malformed or asks for something impossible.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The request names something that does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The request would cost more work than one request may.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The request needs a key and carries none, or one that is unknown or revoked.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The request's key may not do what it asks.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// The change was made against a revision that is no longer current.
    pub const CONFLICT: &str = "CONFLICT";
    /// The request took too long and was cancelled.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The database cannot be reached right now.
    pub const DATABASE_UNAVAILABLE: &str = "DATABASE_UNAVAILABLE";
    /// The database's schema is not this build's: migrations are pending (run `ctgraph
    /// migrate`), or it was migrated by a newer build.
    pub const MIGRATIONS_PENDING: &str = "MIGRATIONS_PENDING";
    /// The client has spent its query budget for now (`extensions.retryAfter` seconds).
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// A bug or an unexpected failure; details are in the server's log.
    pub const INTERNAL: &str = "INTERNAL";
}

/// What a request stopped at the time limit is told, by the HTTP layer or the database.
pub const TIMEOUT_MESSAGE: &str =
    "the request took too long and was cancelled; ask for less, or retry";

/// An error raised while answering a request. Cloneable, so a batch that fails can hand the
/// same error to every resolver waiting on it.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The request is malformed or asks for something impossible; the message says what to fix.
    BadUserInput(String),
    /// The request names something that does not exist.
    NotFound(String),
    /// The request would cost more work than one request may; the message says how to ask
    /// for less.
    TooComplex(String),
    /// The request needs a valid key; the message says how to get one.
    Unauthenticated(String),
    /// The request's key may not do this; the message says which role may.
    Forbidden(String),
    /// The database cannot be reached right now; retrying later may succeed.
    DatabaseUnavailable(String),
    /// The database stopped a statement that ran past the request time limit.
    Timeout(String),
    /// Anything else: a bug or an unexpected database failure.
    Internal(String),
}

impl ApiError {
    /// A bad-input error with the given message.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    /// The stable code clients match on, sent as `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => code::BAD_USER_INPUT,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::TooComplex(_) => code::QUERY_TOO_COMPLEX,
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::DatabaseUnavailable(_) => code::DATABASE_UNAVAILABLE,
            Self::Timeout(_) => code::TIMEOUT,
            Self::Internal(_) => code::INTERNAL,
        }
    }

    /// The message sent to the client: specific for user errors, generic for the rest.
    pub fn message(&self) -> String {
        match self {
            Self::BadUserInput(m)
            | Self::NotFound(m)
            | Self::TooComplex(m)
            | Self::Unauthenticated(m)
            | Self::Forbidden(m) => m.clone(),
            Self::DatabaseUnavailable(_) => {
                "the database is unavailable; try again shortly".to_owned()
            }
            Self::Timeout(_) => TIMEOUT_MESSAGE.to_owned(),
            Self::Internal(_) => "internal error; it has been logged".to_owned(),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            Self::DatabaseUnavailable(err.to_string())
        } else if is_timeout(&err) {
            Self::Timeout(err.to_string())
        } else {
            Self::Internal(err.to_string())
        }
    }
}

/// Whether the error means the database could not be reached, as opposed to a failed query.
fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            match &**e {
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::Tls(_) => true,
                sqlx::Error::Database(db) => {
                    db.code().is_some_and(|code| is_unavailable_code(&code))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether the database stopped the statement at the serving time limit: PostgreSQL's
/// `statement_timeout` (57014, query_canceled) or SQLite's interrupt (9).
fn is_timeout(err: &DbErr) -> bool {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            matches!(&**e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "57014" || c == "9"))
        }
        _ => false,
    }
}

/// Database error codes that mean "not now" rather than "wrong query": PostgreSQL's
/// connection exceptions (class 08), shutdowns (57P01-57P03) and too many connections
/// (53300); SQLite's busy (5 and its extended codes 261, 517, 773) and locked (6, 262).
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "5" | "261" | "517" | "773" | "6" | "262"
        )
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        match &err {
            ApiError::DatabaseUnavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            ApiError::Timeout(e) => {
                tracing::warn!(error = %e, "statement stopped at the time limit")
            }
            ApiError::Internal(e) => {
                let request_id = crate::telemetry::request::id();
                tracing::error!(error = %e, request_id = request_id.as_deref().unwrap_or("-"), "internal error");
            }
            ApiError::BadUserInput(_)
            | ApiError::NotFound(_)
            | ApiError::TooComplex(_)
            | ApiError::Unauthenticated(_)
            | ApiError::Forbidden(_) => {}
        }
        let code = err.code();
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", code);
            // The line logged above carries the same id: a report quoting it finds the cause.
            if code == code::INTERNAL
                && let Some(id) = crate::telemetry::request::id()
            {
                ext.set("requestId", id);
            }
        })
    }
}

/// An error of the request as a whole (no path), with its code.
pub fn server_error(
    code: &'static str,
    message: impl Into<String>,
    pos: Option<async_graphql::Pos>,
) -> async_graphql::ServerError {
    let mut error = async_graphql::ServerError::new(message, pos);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// The result type of everything on a request path.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(err: ApiError) -> Option<async_graphql::Value> {
        let gql: async_graphql::Error = err.into();
        gql.extensions.and_then(|e| e.get("code").cloned())
    }

    #[test]
    fn every_error_carries_its_code() {
        let cases = [
            (ApiError::bad_input("x"), code::BAD_USER_INPUT),
            (ApiError::NotFound("x".into()), code::NOT_FOUND),
            (
                ApiError::from(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)),
                code::DATABASE_UNAVAILABLE,
            ),
            (ApiError::from(DbErr::Custom("boom".into())), code::INTERNAL),
        ];
        for (err, code) in cases {
            assert_eq!(code_of(err), Some(async_graphql::Value::from(code)));
        }
    }

    #[test]
    fn shutdowns_and_busy_databases_are_unavailability() {
        for code in ["08006", "57P01", "53300", "5"] {
            assert!(is_unavailable_code(code), "{code}");
        }
        for code in ["23505", "42P01", "19"] {
            assert!(!is_unavailable_code(code), "{code}");
        }
    }

    #[test]
    fn internal_details_never_reach_the_client() {
        let gql: async_graphql::Error =
            ApiError::from(DbErr::Custom("SELECT secret".into())).into();
        assert!(!gql.message.contains("secret"));
    }
}
