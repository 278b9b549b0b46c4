//! What the server tells its operators: log lines (readable on a terminal, JSON with
//! `--log-format json`, the level from `RUST_LOG`, default `info`), one line and a set of
//! metrics per request ([`request`]), and the metrics scraped at `/metrics` ([`metrics`]).

pub mod metrics;
pub mod request;

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Logs go to stderr, so `ctgraph schema` output stays clean;
/// colours only when stderr is a terminal, so files and collectors get plain text.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // A second init (in tests) is harmless; ignore it.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
