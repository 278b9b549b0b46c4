//! One request's account, kept from its arrival to its answer: its id, the W3C trace id it
//! came with, the GraphQL operations it ran and how each ended, the SQL statements it caused
//! and their time, and who sent it. The HTTP layer opens the account around each request
//! ([`Account::scope`]); the database's statement hook and the GraphQL handler add to the
//! account of the task they run in, so no handler passes it along. A statement run outside a
//! request (an import, a streamed export's own task) has no account and is only counted in
//! the totals.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::rate_limit::{Charge, Subject};

tokio::task_local! {
    static CURRENT: Arc<Account>;
}

/// What an operation that never got so far as being chosen is called (a body that is not
/// JSON, a document that does not parse).
pub const UNNAMED: &str = "(none)";

/// The outcome of an operation that answered without errors.
pub const OK: &str = "OK";

/// One request's account.
#[derive(Debug)]
pub struct Account {
    id: String,
    trace_id: Option<String>,
    address: Option<IpAddr>,
    statements: AtomicU64,
    sql_nanos: AtomicU64,
    details: Mutex<Details>,
}

#[derive(Debug, Default)]
struct Details {
    /// Each operation's name and outcome, in the order they ran; the outcome is `None`
    /// between the engine choosing the operation and the handler seeing its answer.
    operations: Vec<(String, Option<String>)>,
    /// The key's id and name, when the request carried one.
    key: Option<(i32, String)>,
    /// What its last operation was charged, under rate limits.
    charge: Option<Charge>,
    /// That charge, until the operation's answer takes it.
    unanswered: Option<Charge>,
    /// The read replica its last query read from.
    replica: Option<String>,
}

/// What an account holds at the end of its request.
#[derive(Debug)]
pub struct Summary {
    /// SQL statements the request ran.
    pub statements: u64,
    /// Their time, summed.
    pub sql: Duration,
    /// Each operation's name and outcome (`OK` or its first error's code).
    pub operations: Vec<(String, String)>,
    /// The key's name, when the request carried one.
    pub key: Option<String>,
    /// What its last operation was charged, under rate limits.
    pub charge: Option<Charge>,
    /// The read replica its last query read from (none: the primary).
    pub replica: Option<String>,
}

impl Account {
    /// A new account for the request `id` from `address`, of the trace `trace_id` when it
    /// came with one.
    pub fn new(id: String, trace_id: Option<String>, address: Option<IpAddr>) -> Arc<Self> {
        Arc::new(Self {
            id,
            trace_id,
            address,
            statements: AtomicU64::new(0),
            sql_nanos: AtomicU64::new(0),
            details: Mutex::new(Details::default()),
        })
    }

    /// Runs `work` with this account as the current one.
    pub async fn scope<F: Future>(self: &Arc<Self>, work: F) -> F::Output {
        CURRENT.scope(self.clone(), work).await
    }

    /// The request's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The trace id of the request's `traceparent`.
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }

    /// What the account holds now.
    pub fn summary(&self) -> Summary {
        let details = self.details.lock().unwrap_or_else(PoisonError::into_inner);
        Summary {
            statements: self.statements.load(Ordering::Relaxed),
            sql: Duration::from_nanos(self.sql_nanos.load(Ordering::Relaxed)),
            operations: details
                .operations
                .iter()
                .map(|(name, outcome)| (name.clone(), outcome.clone().unwrap_or_default()))
                .collect(),
            key: details.key.as_ref().map(|(_, name)| name.clone()),
            charge: details.charge,
            replica: details.replica.clone(),
        }
    }

    fn details(&self, change: impl FnOnce(&mut Details)) {
        change(&mut self.details.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Adds a statement that took `elapsed` to the current request's account, if there is one.
pub fn statement(elapsed: Duration) {
    let _ = CURRENT.try_with(|account| {
        account.statements.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        account.sql_nanos.fetch_add(nanos, Ordering::Relaxed);
    });
}

/// The current request's id, if there is a request.
pub fn id() -> Option<String> {
    CURRENT.try_with(|account| account.id.clone()).ok()
}

/// The engine chose the operation `name` (`None`: the document's only, anonymous one).
pub fn chosen(name: Option<&str>) {
    let _ = CURRENT.try_with(|account| {
        let name = name.unwrap_or("(anonymous)").to_owned();
        account.details(|d| d.operations.push((name, None)));
    });
}

/// The operation last chosen answered with these error codes (none: `OK`); one refused
/// before it was chosen is recorded as [`UNNAMED`].
pub fn answered<'c>(codes: impl IntoIterator<Item = &'c str>) {
    let outcome = codes.into_iter().next().unwrap_or(OK).to_owned();
    let _ = CURRENT.try_with(|account| {
        account.details(|d| match d.operations.last_mut() {
            Some((_, pending @ None)) => *pending = Some(outcome),
            _ => d.operations.push((UNNAMED.to_owned(), Some(outcome))),
        });
    });
}

/// The request carried the key `id` named `name`.
pub fn key(id: i32, name: &str) {
    let _ = CURRENT.try_with(|account| account.details(|d| d.key = Some((id, name.to_owned()))));
}

/// The current request's query reads from the replica `label`.
pub fn read_from(label: &str) {
    let _ = CURRENT.try_with(|account| account.details(|d| d.replica = Some(label.to_owned())));
}

/// Whose budget the current request spends: its key's, else its address's.
pub fn subject() -> Subject {
    CURRENT
        .try_with(|account| {
            let key = account
                .details
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .key
                .as_ref()
                .map(|(id, _)| *id);
            match (key, account.address) {
                (Some(id), _) => Subject::Key(id),
                (None, Some(address)) => Subject::Address(address.to_string()),
                (None, None) => Subject::Address("unknown".to_owned()),
            }
        })
        .unwrap_or_else(|_| Subject::Address("unknown".to_owned()))
}

/// The current request's operation was charged `charge`.
pub fn charged(charge: Charge) {
    let _ = CURRENT.try_with(|account| {
        account.details(|d| {
            d.charge = Some(charge);
            d.unanswered = Some(charge);
        });
    });
}

/// What the operation that just ran was charged, for its answer (once).
pub fn take_charge() -> Option<Charge> {
    CURRENT
        .try_with(|account| {
            let mut details = account
                .details
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            details.unanswered.take()
        })
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn operations_pair_with_their_answers_and_statements_add_up() {
        let account = Account::new("r1".into(), None, None);
        account
            .scope(async {
                chosen(Some("Districts"));
                statement(Duration::from_millis(2));
                statement(Duration::from_millis(3));
                answered([]);
                answered(["BAD_USER_INPUT"]);
                chosen(None);
                answered(["NOT_FOUND", "INTERNAL"]);
                key(7, "dashboard");
                assert_eq!(subject(), Subject::Key(7));
                assert_eq!(id().as_deref(), Some("r1"));
            })
            .await;
        let summary = account.summary();
        assert_eq!(summary.statements, 2);
        assert_eq!(summary.sql, Duration::from_millis(5));
        let operations: Vec<(&str, &str)> = summary
            .operations
            .iter()
            .map(|(n, o)| (n.as_str(), o.as_str()))
            .collect();
        assert_eq!(
            operations,
            [
                ("Districts", "OK"),
                (UNNAMED, "BAD_USER_INPUT"),
                ("(anonymous)", "NOT_FOUND")
            ]
        );
        assert_eq!(summary.key.as_deref(), Some("dashboard"));
        // Outside a request nothing is recorded and nothing fails.
        statement(Duration::from_millis(1));
        assert_eq!(id(), None);
    }
}
