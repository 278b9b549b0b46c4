//! The application as tests and production start it: open and migrate the database, seed
//! it when empty, bind the listener, serve until ctrl-c or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use tokio::net::TcpListener;

use crate::db::{Databases, Db, Pool, ReplicaArgs};
use crate::graphql::Reads;
use crate::graphql::limits::Limits;
use crate::http;
use crate::ingest::seed;

/// How to start the server.
#[derive(Clone)]
pub struct Config {
    /// SeaORM database URL.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Request limits.
    pub limits: Limits,
    /// Origins browsers may call the API from (`scheme://host[:port]`); any when empty.
    pub cors_origins: Vec<String>,
    /// How queries are answered.
    pub reads: Reads,
    /// Whether reads, too, need a key (mutations always do).
    pub require_key: bool,
    /// The connection pool.
    pub pool: Pool,
    /// The read replicas.
    pub replicas: ReplicaArgs,
}

impl Config {
    /// Serving `database_url` on `listen` with every other setting at its default: no
    /// limits changed, any CORS origin, resolved reads, open reads, no replicas.
    pub fn new(database_url: impl Into<String>, listen: SocketAddr) -> Self {
        Self {
            database_url: database_url.into(),
            listen,
            limits: Limits::default(),
            cors_origins: Vec::new(),
            reads: Reads::default(),
            require_key: false,
            pool: Pool::default(),
            replicas: ReplicaArgs::default(),
        }
    }
}

/// Written without the database's password.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &crate::db::redact(&self.database_url))
            .field("listen", &self.listen)
            .field("limits", &self.limits)
            .field("cors_origins", &self.cors_origins)
            .field("reads", &self.reads)
            .field("require_key", &self.require_key)
            .field("pool", &self.pool)
            .field("replicas", &self.replicas)
            .finish()
    }
}

/// A started application: database ready, listener bound.
pub struct App {
    db: Db,
    router: Router,
    listener: TcpListener,
}

impl App {
    /// Opens and migrates the database, seeds it if it is empty, and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let cors_origins = config
            .cors_origins
            .iter()
            .map(|origin| cors_origin(origin))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Migrations and the seed take what time they need; requests' statements do not
        // outlive the requests.
        let setup = Db::connect(&config.database_url).await?;
        setup.migrate().await?;
        if let Some(report) = seed::load_if_empty(&setup).await? {
            tracing::info!(rows = report.written, "seeded an empty database");
        }
        setup.close().await?;
        let statement_limit = Duration::from_secs(config.limits.timeout_secs);
        let db = Db::connect_serving(&config.database_url, config.pool, statement_limit).await?;
        let dbs =
            Databases::start(db.clone(), &config.replicas, config.pool, statement_limit).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let router = http::router(
            dbs,
            config.limits,
            &cors_origins,
            config.reads,
            config.require_key,
        )?;
        Ok(Self {
            db,
            router,
            listener,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The router, for driving requests in-process.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until ctrl-c or SIGTERM, letting requests in flight finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let router = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

/// An origin as browsers send it in `Origin`: a scheme, a host and maybe a port, no path.
fn cors_origin(origin: &str) -> anyhow::Result<HeaderValue> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains('/') => HeaderValue::from_str(origin)
            .map_err(|e| anyhow::anyhow!("--cors-origin {origin:?}: {e}")),
        _ => anyhow::bail!(
            "--cors-origin {origin:?} is not an origin: write it as a browser sends it, \
             scheme, host and port with no path (https://example.org, http://localhost:5173)"
        ),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
