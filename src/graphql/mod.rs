//! The GraphQL schema: types, connections, filters and loaders, and the limits every
//! public GraphQL API needs.

mod compile;
mod completion;
pub mod connection;
pub mod document_limits;
pub mod enums;
pub mod expansion;
pub mod explore;
pub mod filter;
pub mod ids;
pub mod itemised;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod node;
pub mod page;
pub mod query;
pub mod scalars;
pub mod search;
pub mod stats;
pub mod types;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{
    EmptySubscription, Pos, Positioned, Request, Response, Schema, ServerError, ValidationResult,
    Value,
};
use sea_orm::DatabaseConnection;
use serde_json::value::RawValue;

use crate::auth::Caller;
use crate::db::{Databases, Lsn};
use crate::error::{ApiError, code, server_error};
use crate::rate_limit::{self, RateLimits};
use crate::telemetry;
use completion::SchemaIndex;
use document_limits::DocumentLimits;
use loaders::Batches;

/// The schema ctgraph serves.
pub type CtSchema = Schema<query::Query, mutation::Mutation, EmptySubscription>;

/// How queries are answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reads {
    /// By the resolvers, field by field, with batched statements per level.
    #[default]
    Resolved,
    /// By one compiled statement per root field where the compiler knows every root field
    /// (see `compile`), by the resolvers otherwise.
    Compiled,
}

/// What became of one request.
#[allow(
    clippy::large_enum_variant,
    reason = "one per request, moved once: boxing the response would only add an allocation"
)]
pub enum Outcome {
    /// The operation ran: its data, complete as the spec has it, and its field errors; for
    /// a mutation, when there are read replicas, the primary's position after it, which a
    /// read presents to see what it wrote.
    Executed(Response, Option<Lsn>),
    /// The operation ran compiled: its `data`, as the database wrote it, complete and in
    /// query order, without errors.
    Compiled(Box<RawValue>),
    /// The request was refused before any field ran (a document that does not parse or
    /// validate, an operation that cannot be chosen, a limit): errors only, no `data`.
    Refused(Vec<ServerError>),
    /// The operation is a mutation, which a request that may only read cannot run.
    NotReadOnly(Vec<ServerError>),
}

/// How a request came: who sent it, whether by a method that may not change anything
/// (GET), and the position of the client's last write it must read past.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    /// The key's holder, when the request carried a key.
    pub caller: Option<&'a Caller>,
    /// Whether only queries may run.
    pub read_only: bool,
    /// The position a read must see, from the answer to the client's last mutation.
    pub after: Option<Lsn>,
}

/// The schema with the limits on query documents: the one way requests are run.
#[derive(Clone)]
pub struct Api {
    schema: CtSchema,
    /// The schema that validates a query and runs nothing: for compiled queries, and to
    /// learn an operation's cost under rate limits.
    validator: CtSchema,
    reads: Reads,
    index: Arc<SchemaIndex>,
    document_limits: DocumentLimits,
    rate_limits: RateLimits,
}

impl Api {
    /// The API under `limits`, answering queries as `reads` says.
    pub fn new(limits: &limits::Limits, reads: Reads) -> Self {
        let schema = schema(limits);
        // The engine's own SDL: a failure here is a bug that every test would show.
        let index = SchemaIndex::new(&schema.sdl()).unwrap_or_else(|e| {
            panic!("the schema's SDL does not parse: {e}");
        });
        Self {
            schema,
            validator: builder(limits).extension(ValidateOnly).finish(),
            reads,
            index: Arc::new(index),
            document_limits: DocumentLimits::from(limits),
            rate_limits: limits.rate_limits,
        }
    }

    /// Runs one request, come as `call` says, on `dbs`: a query on a replica when one may
    /// answer it, everything else on the primary. In turn: the document limits on the
    /// text, the parse, the limits on the document, the choice of operation, the engine (given
    /// the document parsed here), and the completion of its data as the spec has it (see
    /// `completion`). With compiled reads, a query the compiler plans whole is validated by
    /// the engine and answered by its statements instead (see `compile`). The limits are not
    /// a schema extension: with any extension registered, the engine sends every field of
    /// every row through the extension chain, a large share of a nested request's CPU time
    /// (see BENCHMARKS.md). The validator's one extension runs nothing.
    pub async fn execute(&self, mut request: Request, call: Call<'_>, dbs: &Databases) -> Outcome {
        if let Err(error) = self.document_limits.check_text(&request) {
            return Outcome::Refused(vec![error]);
        }
        let mut document = match async_graphql::parser::parse_query(&request.query) {
            Ok(document) => document,
            Err(error) => return Outcome::Refused(vec![parse_error(error)]),
        };
        if let Err(error) = self.document_limits.check_document(&document) {
            return Outcome::Refused(vec![error]);
        }
        let name = request.operation_name.clone();
        let name = name.as_deref();
        let operation = match operation(&document, name) {
            Ok(operation) => operation,
            Err(error) => return Outcome::Refused(vec![error]),
        };
        telemetry::request::chosen(name.or(match &document.operations {
            DocumentOperations::Multiple(operations) => {
                operations.keys().next().map(|n| n.as_str())
            }
            DocumentOperations::Single(_) => None,
        }));
        match operation.node.ty {
            OperationType::Query => {}
            OperationType::Mutation if call.read_only => {
                let message = "a GET request may only run queries; send mutations with POST";
                let error = server_error(code::BAD_USER_INPUT, message, Some(operation.pos));
                return Outcome::NotReadOnly(vec![error]);
            }
            OperationType::Mutation => {}
            OperationType::Subscription => {
                let message = "this API has no subscription type yet: send queries and mutations";
                let error = server_error(
                    code::GRAPHQL_VALIDATION_FAILED,
                    message,
                    Some(operation.pos),
                );
                return Outcome::Refused(vec![error]);
            }
        }
        // The engine leaves variables' defaults out of `@skip` and `@include`; given them
        // here, it decides as completion does, and as the spec has it.
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                let name = &variable.node.name.node;
                if !request.variables.contains_key(name) {
                    request.variables.insert(name.clone(), default.node.clone());
                }
            }
        }
        let pos = operation.node.selection_set.pos;
        let is_query = operation.node.ty == OperationType::Query;
        self.index.mark_types(&mut document);
        // Rate limits and writes go to the primary; a query's reads to a replica that has
        // replayed the client's last write, when there is one.
        let primary = dbs.primary().conn();
        if self.rate_limits.enabled()
            && let Err(errors) = self.charge(&request, &document, primary).await
        {
            return Outcome::Refused(errors);
        }
        let replica = if is_query {
            dbs.reader(call.after)
        } else {
            None
        };
        let Some(replica) = replica else {
            let outcome = self
                .run(request, document, name, pos, call.caller, primary)
                .await;
            return match outcome {
                Outcome::Executed(response, _) if !is_query => {
                    Outcome::Executed(response, dbs.position().await)
                }
                outcome => outcome,
            };
        };
        // A replica that fails a read (it stopped, or cancelled the statement to replay)
        // is skipped from now on, and the primary answers the query instead.
        let again = (bare_copy(&request), document.clone());
        telemetry::request::read_from(&replica.label);
        let outcome = self
            .run(request, document, name, pos, call.caller, replica.conn())
            .await;
        if !failed_on_database(&outcome) {
            return outcome;
        }
        tracing::warn!(
            replica = replica.label,
            "a read failed on the replica; the primary answers it"
        );
        dbs.suspect(replica, "a read failed on it");
        let (request, document) = again;
        self.run(request, document, name, pos, call.caller, primary)
            .await
    }

    /// Runs a request whose document has passed the limits, on `db`: compiled when the
    /// compiler plans the whole of a query, by the engine otherwise.
    async fn run(
        &self,
        request: Request,
        document: ExecutableDocument,
        name: Option<&str>,
        pos: Pos,
        caller: Option<&Caller>,
        db: &DatabaseConnection,
    ) -> Outcome {
        // Each operation gets its own batches, so loaded rows never outlive the request.
        let mut request = request.data(Batches::new(db.clone()));
        if let Some(caller) = caller {
            request = request.data(caller.clone());
        }
        let is_query = self::operation(&document, name)
            .is_ok_and(|operation| operation.node.ty == OperationType::Query);
        if self.reads == Reads::Compiled && is_query {
            let validator = &self.validator;
            let plan = self::operation(&document, name).ok().and_then(|operation| {
                let backend = db.get_database_backend();
                compile::plan(
                    &self.index,
                    &document,
                    &operation.node,
                    &request.variables,
                    backend,
                )
            });
            if let Some(plan) = plan {
                request.set_parsed_query(document);
                return compiled(validator, request, &plan, db, pos).await;
            }
        }
        let variables = request.variables.clone();
        request.set_parsed_query(document.clone());
        let mut response = match refused(self.schema.execute(request).await) {
            Ok(response) => response,
            Err(errors) => return Outcome::Refused(errors),
        };
        if let Ok(operation) = self::operation(&document, name) {
            let (data, errors) = (&mut response.data, &mut response.errors);
            completion::complete(
                &self.index,
                &document,
                &operation.node,
                &variables,
                data,
                errors,
            );
        }
        for error in &mut response.errors {
            limits::set_code(error, code::BAD_USER_INPUT);
        }
        Outcome::Executed(response, None)
    }

    /// Validates `request` (its document parsed as `document`) to learn its complexity and
    /// charges its cost to the caller's budget; the validation's errors, or `RATE_LIMITED`,
    /// when it may not run.
    async fn charge(
        &self,
        request: &Request,
        document: &ExecutableDocument,
        db: &DatabaseConnection,
    ) -> Result<(), Vec<ServerError>> {
        let measured = Measured::default();
        let mut probe = Request::new(request.query.clone())
            .variables(request.variables.clone())
            .data(measured.clone());
        if let Some(name) = &request.operation_name {
            probe = probe.operation_name(name.clone());
        }
        probe.set_parsed_query(document.clone());
        refused(self.validator.execute(probe).await)?;
        let cost = rate_limit::points(measured.0.load(Ordering::Relaxed));
        let subject = telemetry::request::subject();
        match rate_limit::charge(db, &self.rate_limits, &subject, cost).await {
            Ok(charge) => {
                if let Some(charge) = charge {
                    telemetry::request::charged(charge);
                }
                Ok(())
            }
            Err(refused) => {
                if let Some(charge) = refused.charge {
                    telemetry::request::charged(charge);
                }
                Err(vec![refused.error])
            }
        }
    }
}

/// The request as the client sent it, without the data the server adds.
fn bare_copy(request: &Request) -> Request {
    let mut copy = Request::new(request.query.clone()).variables(request.variables.clone());
    copy.operation_name = request.operation_name.clone();
    copy.extensions = request.extensions.clone();
    copy
}

/// Whether a run failed on its database (unavailable, or an internal error), not on the
/// request: then another database may answer it.
fn failed_on_database(outcome: &Outcome) -> bool {
    let Outcome::Executed(response, _) = outcome else {
        return false;
    };
    response.errors.iter().any(|error| {
        let code = error.extensions.as_ref().and_then(|e| e.get("code"));
        matches!(code, Some(Value::String(code)) if code == code::DATABASE_UNAVAILABLE || code == code::INTERNAL)
    })
}

/// The complexity the engine measured in validating a request that carries this.
#[derive(Clone, Default)]
struct Measured(Arc<AtomicUsize>);

/// Runs a compiled query: the engine validates `request` (and runs nothing), then the plan's
/// statements answer it.
async fn compiled(
    validator: &CtSchema,
    request: Request,
    plan: &compile::Plan,
    db: &DatabaseConnection,
    pos: Pos,
) -> Outcome {
    if let Err(errors) = refused(validator.execute(request).await) {
        return Outcome::Refused(errors);
    }
    match compile::run(db, plan).await {
        Ok(data) => match RawValue::from_string(data) {
            Ok(data) => Outcome::Compiled(data),
            Err(e) => failed(
                pos,
                None,
                ApiError::Internal(format!("a compiled answer is not JSON: {e}")),
            ),
        },
        Err((key, error)) => failed(pos, Some(key), error),
    }
}

/// The engine's response, or its errors when it refused the request before any field ran
/// (data null, no error with a path), coded as validation failures.
fn refused(mut response: Response) -> Result<Response, Vec<ServerError>> {
    let refused = response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    if refused {
        for error in &mut response.errors {
            limits::set_code(error, code::GRAPHQL_VALIDATION_FAILED);
        }
        Err(response.errors)
    } else {
        Ok(response)
    }
}

/// The answer when a compiled statement failed: `data` null (every root field it compiles
/// is a non-null connection), and the error at the root field `key`.
fn failed(pos: Pos, key: Option<String>, error: ApiError) -> Outcome {
    let mut error = async_graphql::Error::from(error).into_server_error(pos);
    error.path = key
        .map(async_graphql::PathSegment::Field)
        .into_iter()
        .collect();
    Outcome::Executed(Response::from_errors(vec![error]), None)
}

/// Validates a request and runs nothing: the engine's checks for a compiled query.
struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(measured) = ctx.data_opt::<Measured>() {
            measured.0.store(result.complexity, Ordering::Relaxed);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> Response {
        Response::new(Value::Null)
    }
}

/// The operation of `document` a request names (`name`), or the one it holds.
fn operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Result<&'d Positioned<OperationDefinition>, ServerError> {
    let names = || match &document.operations {
        DocumentOperations::Single(_) => "one without a name".to_owned(),
        DocumentOperations::Multiple(operations) => {
            let mut names: Vec<&str> = operations.keys().map(|n| n.as_str()).collect();
            names.sort_unstable();
            names.join(", ")
        }
    };
    let failure = |message: String| server_error(code::OPERATION_RESOLUTION_FAILURE, message, None);
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), None) => Ok(operation),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .ok_or_else(|| failure(String::new())),
        (DocumentOperations::Multiple(_), None) => Err(failure(format!(
            "the document holds several operations ({}); name the one to run in `operationName`",
            names()
        ))),
        (DocumentOperations::Multiple(operations), Some(name)) if operations.contains_key(name) => {
            operations.get(name).ok_or_else(|| failure(String::new()))
        }
        (_, Some(name)) => Err(failure(format!(
            "the document has no operation named `{name}`; its operations: {}",
            names()
        ))),
    }
}

/// A parse failure as one line a user can act on: where, and what was expected there. The
/// parser's own message is several lines of source excerpt with a caret.
fn parse_error(error: async_graphql::parser::Error) -> ServerError {
    use async_graphql::parser::Error;
    match error {
        Error::Syntax { message, start, .. } => {
            let expected = message
                .lines()
                .rev()
                .find_map(|line| line.trim().strip_prefix("= "))
                .unwrap_or("unexpected input");
            let message = format!(
                "syntax error at line {}, column {}: {expected}",
                start.line, start.column
            );
            server_error(code::GRAPHQL_PARSE_FAILED, message, Some(start))
        }
        Error::RecursionLimitExceeded => server_error(
            code::QUERY_TOO_COMPLEX,
            "the query nests selections too deeply to parse; flatten it",
            None,
        ),
        Error::MissingOperation => server_error(
            code::GRAPHQL_PARSE_FAILED,
            "the document holds no operation; send a query such as `{ districts { totalCount } }`",
            None,
        ),
        other => {
            let pos: Option<Pos> = other.positions().next();
            server_error(code::GRAPHQL_VALIDATION_FAILED, other.to_string(), pos)
        }
    }
}

/// Builds the schema with the given limits (those the engine enforces; `Api` adds the rest).
fn schema(limits: &limits::Limits) -> CtSchema {
    builder(limits).finish()
}

fn builder(
    limits: &limits::Limits,
) -> async_graphql::SchemaBuilder<query::Query, mutation::Mutation, EmptySubscription> {
    let mut builder = Schema::build(
        query::Query,
        mutation::Mutation::default(),
        EmptySubscription,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(limits.max_recursive_depth)
    .limit_directives(limits.max_directives);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema(&limits::Limits::default()).sdl()
}
