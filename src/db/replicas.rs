//! Read replicas: PostgreSQL streaming standbys that answer queries while the primary takes
//! the writes. A monitor asks the primary for its WAL position and each replica how far it
//! has replayed, four times a second; a replica's lag is how long ago the primary reached the
//! first position the replica has not replayed (zero when it has replayed all of them), so an
//! idle primary does not make a caught-up replica look late. A read goes to a replica that
//! answers, lags at most `--replica-max-lag-secs`, and has replayed the position its client
//! presents (from a mutation's answer); to the primary otherwise.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, sqlx};

use super::{Db, Pool};

/// How often the monitor looks.
const CHECK_EVERY: Duration = Duration::from_millis(250);

/// How long one look at a database may take before it counts as not answering.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// The read replicas of `serve`, each a flag with an environment variable.
#[derive(Clone, clap::Args)]
pub struct ReplicaArgs {
    /// A read replica's database URL: a PostgreSQL streaming standby of the primary. Repeat
    /// the flag for several (comma-separated in the variable). Queries read from a replica,
    /// mutations and everything they read from the primary.
    #[arg(
        long = "replica-url",
        value_name = "URL",
        env = "CTGRAPH_REPLICA_URLS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub urls: Vec<String>,
    /// How far behind the primary, in seconds, a replica may be and still answer reads.
    #[arg(
        long = "replica-max-lag-secs",
        alias = "replica-max-lag",
        value_name = "SECONDS",
        env = "CTGRAPH_REPLICA_MAX_LAG_SECS",
        default_value_t = 5
    )]
    pub max_lag_secs: u64,
}

impl Default for ReplicaArgs {
    fn default() -> Self {
        Self {
            urls: Vec::new(),
            max_lag_secs: 5,
        }
    }
}

/// Written without the replicas' passwords.
impl fmt::Debug for ReplicaArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let urls: Vec<String> = self.urls.iter().map(|url| super::redact(url)).collect();
        f.debug_struct("ReplicaArgs")
            .field("urls", &urls)
            .field("max_lag_secs", &self.max_lag_secs)
            .finish()
    }
}

/// A position in PostgreSQL's write-ahead log, written as PostgreSQL writes it (`16/B374D848`):
/// the token a mutation's answer carries and a read presents to read its writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(u64);

impl FromStr for Lsn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let half = |part: &str| {
            let digits = part.bytes().all(|b| b.is_ascii_hexdigit());
            (digits && (1..=8).contains(&part.len()))
                .then(|| u32::from_str_radix(part, 16).ok())
                .flatten()
        };
        match text
            .split_once('/')
            .map(|(high, low)| (half(high), half(low)))
        {
            Some((Some(high), Some(low))) => Ok(Self(u64::from(high) << 32 | u64::from(low))),
            _ => Err(format!(
                "`{text}` is not a position: send back the `position` of a mutation's answer \
                 as it came, like `0/16B3748`"
            )),
        }
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

impl serde::Serialize for Lsn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a replica is doing, as the monitor last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not looked at yet.
    Unknown,
    /// Answers and is close enough behind: it serves reads.
    Serving,
    /// Answers, but lags more than the limit.
    Lagging,
    /// Does not answer, or a read on it just failed.
    Down,
    /// Answers but is no standby (promoted, or the wrong URL): it may never follow the
    /// primary again.
    NotReplica,
}

impl Health {
    /// Its name in `/health/ready`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Serving => "ok",
            Self::Lagging => "lagging",
            Self::Down => "down",
            Self::NotReplica => "not_replica",
        }
    }
}

/// A replica's state.
#[derive(Clone, Debug)]
pub struct State {
    /// What it is doing.
    pub health: Health,
    /// How far it has replayed.
    pub replayed: Option<Lsn>,
    /// How far behind the primary it is, when known.
    pub lag: Option<Duration>,
    /// Why it is down.
    pub error: Option<String>,
}

/// One read replica.
pub struct Replica {
    /// Its name in logs, metrics and health: `replica1`, `replica2`, ... in flag order.
    pub label: String,
    /// Its URL without password.
    pub url: String,
    db: Db,
    state: Mutex<State>,
}

impl Replica {
    /// The replica's connection.
    pub fn conn(&self) -> &DatabaseConnection {
        self.db.conn()
    }

    /// The replica's database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Its state now.
    pub fn state(&self) -> State {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn serves(&self, after: Option<Lsn>) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.health == Health::Serving && after.is_none_or(|after| state.replayed >= Some(after))
    }

    /// Sets the state, logging a change of health.
    fn set(&self, next: State) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.health != next.health {
            let (label, url) = (self.label.as_str(), self.url.as_str());
            let lag = next.lag.map(|lag| lag.as_secs_f64());
            match next.health {
                Health::Serving => tracing::info!(replica = label, url, "replica serves reads"),
                Health::Lagging => {
                    tracing::warn!(
                        replica = label,
                        url,
                        lag_seconds = lag,
                        "replica lags; reads go elsewhere"
                    );
                }
                Health::Down | Health::NotReplica | Health::Unknown => tracing::warn!(
                    replica = label,
                    url,
                    state = next.health.name(),
                    error = next.error.as_deref().unwrap_or("-"),
                    "replica skipped; reads go elsewhere"
                ),
            }
        }
        *state = next;
    }
}

/// The primary and its read replicas: where each statement of a request goes.
pub struct Databases {
    primary: Db,
    replicas: Vec<Replica>,
    max_lag: Duration,
    /// Which replica the next read tries first: reads take turns.
    next: AtomicUsize,
    /// The primary's WAL position at recent checks, oldest first.
    history: Mutex<VecDeque<(Instant, Lsn)>>,
}

impl Databases {
    /// The primary alone.
    pub fn primary_only(primary: Db) -> Arc<Self> {
        Arc::new(Self {
            primary,
            replicas: Vec::new(),
            max_lag: Duration::ZERO,
            next: AtomicUsize::new(0),
            history: Mutex::new(VecDeque::new()),
        })
    }

    /// The primary and the replicas `args` names, looked at once and then by a monitor for
    /// as long as this lives. A replica that does not answer yet is logged and skipped: the
    /// primary serves until it does.
    pub async fn start(
        primary: Db,
        args: &ReplicaArgs,
        pool: Pool,
        statement_limit: Duration,
    ) -> anyhow::Result<Arc<Self>> {
        if args.urls.is_empty() {
            return Ok(Self::primary_only(primary));
        }
        if primary.conn().get_database_backend() != DbBackend::Postgres {
            anyhow::bail!(
                "--replica-url needs a PostgreSQL primary (--database-url postgres://...): \
                 SQLite has no replicas"
            );
        }
        let mut replicas = Vec::with_capacity(args.urls.len());
        for (i, url) in args.urls.iter().enumerate() {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                anyhow::bail!(
                    "--replica-url {} is not a PostgreSQL URL: write it as postgres://user@host:port/db",
                    super::redact(url)
                );
            }
            let db = Db::open_replica(url, pool, statement_limit, &primary).await?;
            replicas.push(Replica {
                label: format!("replica{}", i + 1),
                url: super::redact(url),
                db,
                state: Mutex::new(State {
                    health: Health::Unknown,
                    replayed: None,
                    lag: None,
                    error: None,
                }),
            });
        }
        let databases = Arc::new(Self {
            primary,
            replicas,
            max_lag: Duration::from_secs(args.max_lag_secs),
            next: AtomicUsize::new(0),
            history: Mutex::new(VecDeque::new()),
        });
        databases.check().await;
        tokio::spawn(monitor(Arc::downgrade(&databases)));
        Ok(databases)
    }

    /// The primary, for writes and for what must be current (keys, rate limits).
    pub fn primary(&self) -> &Db {
        &self.primary
    }

    /// The replicas, in flag order.
    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    /// The replica a read goes to (`None`: the primary): one that serves and has replayed
    /// `after`, taking turns.
    pub fn reader(&self, after: Option<Lsn>) -> Option<&Replica> {
        let count = self.replicas.len();
        if count == 0 {
            return None;
        }
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .map(|i| &self.replicas[(first + i) % count])
            .find(|replica| replica.serves(after))
    }

    /// The connection a read that needs nothing newer than `after` uses.
    pub fn read(&self, after: Option<Lsn>) -> &DatabaseConnection {
        self.reader(after)
            .map_or_else(|| self.primary.conn(), Replica::conn)
    }

    /// The primary's WAL position now, when there are replicas to read from (`None`
    /// otherwise, and on failure, which only costs the client a read from the primary).
    /// Taken after a write commits, it is at or past that write.
    pub async fn position(&self) -> Option<Lsn> {
        if self.replicas.is_empty() {
            return None;
        }
        let sql = "SELECT pg_current_wal_insert_lsn()::text AS lsn";
        let statement = Statement::from_string(DbBackend::Postgres, sql);
        let row = self.primary.conn().query_one_raw(statement).await;
        match row.and_then(|row| {
            row.ok_or_else(|| DbErr::RecordNotFound("no WAL position".into()))?
                .try_get::<String>("", "lsn")
        }) {
            Ok(text) => text.parse().ok(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the primary's WAL position");
                None
            }
        }
    }

    /// A read on `replica` failed: skip it until the monitor sees it answer again.
    pub fn suspect(&self, replica: &Replica, why: &str) {
        let mut state = replica.state();
        state.health = Health::Down;
        state.error = Some(why.to_owned());
        replica.set(state);
    }

    /// Looks at the primary and at every replica once.
    async fn check(&self) {
        let now = Instant::now();
        match look(&self.primary, "SELECT pg_current_wal_insert_lsn()::text").await {
            Ok(Some(lsn)) => {
                let mut history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
                if history.back().is_none_or(|&(_, last)| last != lsn) {
                    history.push_back((now, lsn));
                }
                // A position older than this tells no more than that the lag is too large.
                let horizon = self.max_lag + 4 * CHECK_EVERY;
                while history.len() > 1
                    && history
                        .get(1)
                        .is_some_and(|&(at, _)| now.duration_since(at) > horizon)
                {
                    history.pop_front();
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "replica monitor: the primary does not answer"),
        }
        let sql = "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END";
        for replica in &self.replicas {
            let state = match look(&replica.db, sql).await {
                Ok(Some(replayed)) => {
                    let lag = self.lag(now, replayed);
                    State {
                        health: if lag.is_some_and(|lag| lag > self.max_lag) {
                            Health::Lagging
                        } else {
                            Health::Serving
                        },
                        replayed: Some(replayed),
                        lag,
                        error: None,
                    }
                }
                Ok(None) => State {
                    health: Health::NotReplica,
                    replayed: None,
                    lag: None,
                    error: Some("the database is not in recovery: it is no standby".into()),
                },
                Err(e) => State {
                    health: Health::Down,
                    replayed: None,
                    lag: None,
                    error: Some(e),
                },
            };
            replica.set(state);
        }
    }

    /// How far behind a replica that has replayed `replayed` is at `now`: since the primary
    /// reached the first position it has not replayed. Unknown before the primary answered.
    fn lag(&self, now: Instant, replayed: Lsn) -> Option<Duration> {
        let history = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        history.back()?;
        Some(
            history
                .iter()
                .find(|&&(_, lsn)| lsn > replayed)
                .map_or(Duration::ZERO, |&(at, _)| now.duration_since(at)),
        )
    }
}

/// Checks `databases` every [`CHECK_EVERY`] until it is dropped.
async fn monitor(databases: Weak<Databases>) {
    let mut ticks = tokio::time::interval(CHECK_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(databases) = databases.upgrade() else {
            return;
        };
        databases.check().await;
    }
}

/// Runs `sql`, which reads one position or null, on `db` within [`CHECK_TIMEOUT`]. It goes
/// to the pool under SeaORM, so the monitor's statements stay out of the statement counts.
async fn look(db: &Db, sql: &'static str) -> Result<Option<Lsn>, String> {
    let pool = db.conn().get_postgres_connection_pool();
    let query = sqlx::query_scalar::<_, Option<String>>(sql).fetch_one(pool);
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(None)) => Ok(None),
        Ok(Ok(Some(text))) => text.parse().map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_and_write_as_postgresql_writes_them() {
        for text in ["0/16B3748", "16/B374D848", "FFFFFFFF/FFFFFFFF", "0/0"] {
            let lsn: Lsn = text.parse().expect("a position");
            assert_eq!(lsn.to_string(), text);
        }
        assert!("1/0".parse::<Lsn>() > "0/FFFFFFFF".parse::<Lsn>());
        for bad in [
            "",
            "0",
            "/1",
            "1/",
            "x/1",
            "1/2/3",
            "123456789/0",
            "-1/0",
            "+1/0",
            " 0/1",
        ] {
            assert!(bad.parse::<Lsn>().is_err(), "{bad:?} is no position");
        }
    }
}
