//! The database: connecting (SQLite by default, PostgreSQL for production), migrating, and
//! counting the statements run (which tests use to prove relations are batched, and
//! `/metrics` reports), each also added to its request's account.

use std::time::Duration;

mod replicas;
mod sqlite;

pub use replicas::{Databases, Health, Lsn, Replica, ReplicaArgs};
pub use sqlite::BASE64URL as SQLITE_BASE64URL;

use migration::{Migrator, MigratorTrait};
use prometheus::IntCounter;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, RuntimeErr, TransactionTrait, sqlx,
};

/// The database URL used when none is given: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ctgraph.db?mode=rwc";

/// The connection pool: each a `serve` flag with an environment variable; other commands
/// use the defaults.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct Pool {
    /// Most connections the pool opens: by default 4 on SQLite (one writer at a time, and
    /// readers share one file) and 16 on PostgreSQL.
    #[arg(long = "db-max-connections", env = "CTGRAPH_DB_MAX_CONNECTIONS")]
    pub max_connections: Option<u32>,
    /// How long opening a connection, or waiting for a free one, may take, in seconds.
    #[arg(
        long = "db-connect-timeout-secs",
        env = "CTGRAPH_DB_CONNECT_TIMEOUT_SECS",
        default_value_t = 5
    )]
    pub connect_timeout_secs: u64,
}

impl Default for Pool {
    fn default() -> Self {
        Self {
            max_connections: None,
            connect_timeout_secs: 5,
        }
    }
}

/// An open database and the count of statements run on it.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    statements: IntCounter,
}

/// Work that instances on one database do one at a time.
#[derive(Clone, Copy, Debug)]
pub enum Turn {
    /// Migrations.
    Migrate,
    /// Changes to the graph: mutations, imports, dataset loads. Each looks at what is
    /// stored before it writes (a name taken, the row a key names, an organization to
    /// reuse, an empty database to seed); taking turns keeps what it saw true until it
    /// commits, on PostgreSQL as SQLite's single writer keeps it there.
    Write,
}

impl Turn {
    /// The PostgreSQL advisory lock the turn is taken on: "ctg" and a word, in ASCII.
    fn lock(self) -> i64 {
        match self {
            Self::Migrate => 0x0063_7467_6d69_6772, // "ctgmigr"
            Self::Write => 0x0063_7467_7772_6974,   // "ctgwrit"
        }
    }
}

/// Begins a transaction on `conn` that waits for its turn: until no other transaction of
/// `turn`, from any process on the database, is running. On PostgreSQL that is an advisory
/// lock held until the transaction ends. On SQLite it is the database's write lock, taken at
/// once by a write that changes nothing: a transaction that reads first and writes later
/// cannot wait for the lock (SQLite fails it `database is locked`), one that writes first
/// waits its turn under the busy timeout.
pub async fn begin_turn(
    conn: &DatabaseConnection,
    turn: Turn,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = conn.begin().await?;
    let take = match conn.get_database_backend() {
        DbBackend::Postgres => format!("SELECT pg_advisory_xact_lock({})", turn.lock()),
        _ => "UPDATE seaql_migrations SET version = version WHERE 0".to_owned(),
    };
    txn.execute_unprepared(&take).await?;
    Ok(txn)
}

/// A connection pool's state.
#[derive(Clone, Copy, Debug)]
pub struct PoolState {
    /// Connections open.
    pub open: u32,
    /// Of those, waiting for work.
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

impl Db {
    /// Connects to `url` (SeaORM syntax: `sqlite://path?mode=rwc`, `postgres://user@host/db`)
    /// and checks the connection works. Statements may run as long as they need: this is the
    /// connection of migrations, imports and the generator.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::open(url, Pool::default(), None, None).await
    }

    /// Connects like [`Db::connect`], for serving: the database stops any statement that has
    /// run for `limit`, so one whose request has timed out and gone does not hold a
    /// connection (and, on SQLite, a fourth of the pool) until it finishes on its own.
    pub async fn connect_serving(url: &str, pool: Pool, limit: Duration) -> anyhow::Result<Self> {
        Self::open(url, pool, Some(limit), None).await
    }

    /// Connects to the read replica `url` like [`Db::connect_serving`], but lazily: a replica
    /// that is down at start-up does not stop the server, which skips it until it answers.
    /// Its statements count with `primary`'s.
    async fn open_replica(
        url: &str,
        pool: Pool,
        limit: Duration,
        primary: &Db,
    ) -> anyhow::Result<Self> {
        Self::open(url, pool, Some(limit), Some(primary.statements.clone())).await
    }

    /// Opens the pool; `replica_of`, the statement counter of the primary, for a replica.
    async fn open(
        url: &str,
        pool: Pool,
        statement_limit: Option<Duration>,
        replica_of: Option<IntCounter>,
    ) -> anyhow::Result<Self> {
        let mut options = ConnectOptions::new(url);
        let timeout = Duration::from_secs(pool.connect_timeout_secs);
        options
            .connect_timeout(timeout)
            .acquire_timeout(timeout)
            .sqlx_logging(false);
        if url.starts_with("sqlite:") {
            // SQLite has one writer at a time and its readers share one file: a few
            // connections suffice, and sqlx's busy timeout makes writers wait their turn.
            options
                .max_connections(pool.max_connections.unwrap_or(4))
                .min_connections(1);
            options.map_sqlx_sqlite_pool_opts(move |pool| sqlite::configure(pool, statement_limit));
        } else {
            options
                .max_connections(pool.max_connections.unwrap_or(16))
                .min_connections(u32::from(replica_of.is_none()))
                .connect_lazy(replica_of.is_some());
            // PostgreSQL compiles the expressions of a plan it estimates expensive (above
            // `jit_above_cost`) before running it. ctgraph's statements run in milliseconds
            // while their estimates can be large: a page of itemised figures, estimated at
            // 1.3 million, spent 2.7 s of its 2.8 s compiling 340 functions. The session
            // setting leaves the server's own configuration alone.
            // `statement_timeout` is PostgreSQL's own statement limit.
            options.map_sqlx_postgres_opts(move |pg| {
                let pg = pg.options([("jit", "off")]);
                match statement_limit {
                    Some(limit) => {
                        pg.options([("statement_timeout", limit.as_millis().to_string())])
                    }
                    None => pg,
                }
            });
        }
        let mut conn = Database::connect(options).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot open database {}: {}",
                redact(url),
                why_not(&e, timeout)
            )
        })?;
        if conn.get_database_backend() == DbBackend::Sqlite {
            // sqlx turns foreign keys on for every SQLite connection; WAL (kept in the file)
            // lets readers proceed while the seed or an import writes.
            conn.execute_unprepared("PRAGMA journal_mode = WAL;")
                .await?;
        }
        let statements = match replica_of {
            Some(counter) => counter,
            None => IntCounter::new(
                "ctgraph_sql_statements_total",
                "SQL statements run since the server started.",
            )?,
        };
        let counter = statements.clone();
        conn.set_metric_callback(move |info| {
            counter.inc();
            crate::telemetry::request::statement(info.elapsed);
        });
        Ok(Self { conn, statements })
    }

    /// The SeaORM connection.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Statements run on this connection so far.
    pub fn statements(&self) -> u64 {
        self.statements.get()
    }

    /// The counter of [`Db::statements`], for `/metrics`.
    pub fn statement_counter(&self) -> IntCounter {
        self.statements.clone()
    }

    /// The connection pool's state now.
    pub fn pool(&self) -> PoolState {
        fn state<D: sqlx::Database>(pool: &sqlx::Pool<D>) -> PoolState {
            PoolState {
                open: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            }
        }
        // Each getter panics on another backend: the match keeps them apart.
        match self.conn.get_database_backend() {
            DbBackend::Postgres => state(self.conn.get_postgres_connection_pool()),
            DbBackend::Sqlite => state(self.conn.get_sqlite_connection_pool()),
            _ => PoolState {
                open: 0,
                idle: 0,
                max: 0,
            },
        }
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), sea_orm::DbErr> {
        self.conn.ping().await
    }

    /// Refreshes the planner's statistics, after a bulk load: otherwise the planner goes on
    /// guessing from what the tables held before it (on PostgreSQL until autovacuum comes
    /// round), and picks scans over a million rows.
    pub async fn analyze(&self) -> Result<(), DbErr> {
        let analyze = match self.conn.get_database_backend() {
            // Exact statistics, whatever sampling limit the connection was opened with.
            DbBackend::Sqlite => "PRAGMA analysis_limit = 0; ANALYZE",
            _ => "ANALYZE",
        };
        self.conn.execute_unprepared(analyze).await?;
        // A SQLite connection reads the statistics when it opens and keeps them: the pool's
        // other connections would plan with the old ones (tables of the seed's size, so
        // scans everywhere) until they are renewed. `ANALYZE sqlite_schema` reloads them.
        self.on_idle_sqlite_connections("ANALYZE sqlite_schema")
            .await
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(self) -> Result<(), DbErr> {
        self.conn.close().await
    }

    /// Applies pending migrations, each in a transaction.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        // Instances starting together on one database take turns: the first migrates
        // while the others wait, then find nothing pending. On PostgreSQL the turn is an
        // advisory lock held by a transaction of its own, released when it ends, so a process
        // that dies holding it frees it; on SQLite, a file lock beside the database, which
        // the system releases the same way.
        let (turn, _file) = match self.conn.get_database_backend() {
            DbBackend::Postgres => {
                let txn = self.conn.begin().await?;
                let lock = Turn::Migrate.lock();
                txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({lock})"))
                    .await?;
                (Some(txn), None)
            }
            DbBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                let file = sqlite::migration_turn(pool)
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot take the migration lock: {e}"))?;
                (None, file)
            }
            _ => (None, None),
        };
        Migrator::up(&self.conn, None).await?;
        if let Some(txn) = turn {
            txn.commit().await?;
        }
        // A SQLite connection prepares statements against the schema it last read. One that
        // read it before a migration added a column would prepare `SELECT t.*` with the old
        // columns and step it with the new ones, which sqlx cannot decode. Touching the
        // database makes each idle connection read the schema again.
        self.on_idle_sqlite_connections("SELECT COUNT(*) FROM sqlite_master")
            .await?;
        Ok(())
    }

    /// The migrations this build has that the database has not applied, by name: empty when
    /// its schema is current. An error when the database cannot say, or holds a migration
    /// this build does not know (a newer build migrated it).
    pub async fn pending_migrations(&self) -> Result<Vec<String>, DbErr> {
        let pending = Migrator::get_pending_migrations(&self.conn).await?;
        Ok(pending.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Runs `sql` on each idle connection of a SQLite pool, for what SQLite keeps per
    /// connection (the schema, the planner's statistics); nothing on PostgreSQL.
    async fn on_idle_sqlite_connections(&self, sql: &'static str) -> Result<(), DbErr> {
        if self.conn.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        let pool = self.conn.get_sqlite_connection_pool();
        let mut idle = Vec::new();
        while let Some(conn) = pool.try_acquire() {
            idle.push(conn);
        }
        for conn in &mut idle {
            sqlx::query(sql)
                .execute(&mut **conn)
                .await
                .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(e.into())))?;
        }
        Ok(())
    }
}

/// Why a database could not be opened, in words a user can act on. The pool retries a
/// refused or unanswered connection until its timeout and then reports only that it timed
/// out, so that case gets a hint of its own.
fn why_not(err: &DbErr, timeout: Duration) -> String {
    let timed_out = matches!(err, DbErr::Conn(RuntimeErr::SqlxError(e)) if matches!(**e, sqlx::Error::PoolTimedOut));
    if timed_out {
        format!(
            "no connection within {} s; is the server running and reachable at that address?",
            timeout.as_secs()
        )
    } else {
        err.to_string()
    }
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://me:secret@db/x"),
            "postgres://me:***@db/x"
        );
        assert_eq!(redact("postgres://me@db/x"), "postgres://me@db/x");
        assert_eq!(
            redact("sqlite://ctgraph.db?mode=rwc"),
            "sqlite://ctgraph.db?mode=rwc"
        );
    }
}
