//! The metrics `/metrics` serves in Prometheus' text format, kept with the `prometheus`
//! crate: requests by route and status with their latency, GraphQL operations by name and
//! outcome, SQL statements and their time per request, the connection pool, build info and
//! the process's own (CPU, memory, file descriptors). Names follow Prometheus' conventions
//! (`ctgraph_` prefix, base units, `_total` on counters); `promtool check metrics` passes.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use prometheus::{
    Encoder as _, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use super::request::Summary;
use crate::db::{Databases, Db, Health};

/// Operation names kept as label values; later new names count as [`OTHER`]. Clients choose
/// operation names, and each name is a series Prometheus keeps: this bounds them.
const MAX_OPERATION_NAMES: usize = 200;

/// The label value of an operation past [`MAX_OPERATION_NAMES`].
const OTHER: &str = "(other)";

/// Latency buckets, in seconds: a compiled read takes a millisecond, a page of itemised
/// figures up to a second, a request at the time limit thirty.
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Statements per request: one for a compiled read, a few for a resolved one, more for a
/// mutation.
const STATEMENTS: &[f64] = &[0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    operations: IntCounterVec,
    statements: Histogram,
    sql: Histogram,
    pool: IntGaugeVec,
    pool_max: IntGaugeVec,
    replica_lag: GaugeVec,
    replica_serving: IntGaugeVec,
    /// Operation names seen so far, up to [`MAX_OPERATION_NAMES`].
    names: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// The metrics of a server on `db`, its statement counter among them.
    pub fn new(db: &Db) -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "ctgraph_http_requests_total",
                "HTTP requests answered, by route and status.",
            ),
            &["route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "ctgraph_http_request_duration_seconds",
                "Time from a request's arrival to its answer's head, by route.",
            )
            .buckets(SECONDS.to_vec()),
            &["route"],
        )?;
        let operations = IntCounterVec::new(
            Opts::new(
                "ctgraph_graphql_operations_total",
                "GraphQL operations run, by operation name and outcome (OK or the first error's code).",
            ),
            &["operation", "outcome"],
        )?;
        let statements = Histogram::with_opts(
            HistogramOpts::new(
                "ctgraph_request_sql_statements",
                "SQL statements one HTTP request ran.",
            )
            .buckets(STATEMENTS.to_vec()),
        )?;
        let sql = Histogram::with_opts(
            HistogramOpts::new(
                "ctgraph_request_sql_duration_seconds",
                "Time one HTTP request spent in SQL statements, summed.",
            )
            .buckets(SECONDS.to_vec()),
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "ctgraph_db_pool_connections",
                "Open database connections, by database and state (idle or in_use).",
            ),
            &["database", "state"],
        )?;
        let pool_max = IntGaugeVec::new(
            Opts::new(
                "ctgraph_db_pool_max_connections",
                "The most connections the pool opens, by database.",
            ),
            &["database"],
        )?;
        let replica_lag = GaugeVec::new(
            Opts::new(
                "ctgraph_replica_lag_seconds",
                "How far each read replica is behind the primary, as last measured.",
            ),
            &["database"],
        )?;
        let replica_serving = IntGaugeVec::new(
            Opts::new(
                "ctgraph_replica_serving",
                "1 when a read replica answers reads, 0 when it is down or lags too far.",
            ),
            &["database"],
        )?;
        let build = IntGauge::with_opts(
            Opts::new(
                "ctgraph_build_info",
                "This build: always 1, with its version and commit.",
            )
            .const_label("version", env!("CARGO_PKG_VERSION"))
            .const_label("commit", option_env!("CTGRAPH_COMMIT").unwrap_or("unknown")),
        )?;
        build.set(1);
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(operations.clone()))?;
        registry.register(Box::new(statements.clone()))?;
        registry.register(Box::new(sql.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        registry.register(Box::new(replica_lag.clone()))?;
        registry.register(Box::new(replica_serving.clone()))?;
        registry.register(Box::new(build))?;
        registry.register(Box::new(db.statement_counter()))?;
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            registry,
            requests,
            latency,
            operations,
            statements,
            sql,
            pool,
            pool_max,
            replica_lag,
            replica_serving,
            names: Mutex::new(HashSet::new()),
        })
    }

    /// Counts a request to `route` answered with `status` after `elapsed`, and what its
    /// account holds.
    pub fn request(&self, route: &str, status: u16, elapsed: Duration, summary: &Summary) {
        self.requests
            .with_label_values(&[route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
        self.statements.observe(summary.statements as f64);
        self.sql.observe(summary.sql.as_secs_f64());
        for (name, outcome) in &summary.operations {
            let name = bounded(&self.names, name);
            self.operations.with_label_values(&[name, outcome]).inc();
        }
    }

    /// Everything, in Prometheus' text format, the pools and replicas read as they are now.
    pub fn scrape(&self, dbs: &Databases) -> Result<String, prometheus::Error> {
        self.pool_state("primary", dbs.primary());
        for replica in dbs.replicas() {
            let label = replica.label.as_str();
            self.pool_state(label, replica.db());
            let state = replica.state();
            let serving = i64::from(state.health == Health::Serving);
            self.replica_serving
                .with_label_values(&[label])
                .set(serving);
            match state.lag {
                Some(lag) => self
                    .replica_lag
                    .with_label_values(&[label])
                    .set(lag.as_secs_f64()),
                // An unknown lag has no sample rather than a made-up one.
                None => {
                    let _ = self.replica_lag.remove_label_values(&[label]);
                }
            }
        }
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        String::from_utf8(text).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }

    /// Sets the pool gauges of the database `label`.
    fn pool_state(&self, label: &str, db: &Db) {
        let pool = db.pool();
        let idle = i64::from(pool.idle);
        self.pool.with_label_values(&[label, "idle"]).set(idle);
        self.pool
            .with_label_values(&[label, "in_use"])
            .set(i64::from(pool.open) - idle);
        self.pool_max
            .with_label_values(&[label])
            .set(i64::from(pool.max));
    }
}

/// `name`, or [`OTHER`] once [`MAX_OPERATION_NAMES`] others are in `names`.
fn bounded<'n>(names: &Mutex<HashSet<String>>, name: &'n str) -> &'n str {
    let mut names = names.lock().unwrap_or_else(PoisonError::into_inner);
    if names.contains(name) {
        return name;
    }
    if names.len() < MAX_OPERATION_NAMES {
        names.insert(name.to_owned());
        return name;
    }
    OTHER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_past_the_bound_count_as_other() {
        let names = Mutex::new(HashSet::new());
        for i in 0..MAX_OPERATION_NAMES {
            assert_eq!(bounded(&names, &format!("Op{i}")), format!("Op{i}"));
        }
        assert_eq!(bounded(&names, "OneTooMany"), OTHER);
        assert_eq!(
            bounded(&names, "Op7"),
            "Op7",
            "names seen before keep their own series"
        );
    }
}
