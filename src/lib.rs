//! ctgraph: a GraphQL API over a graph of counter-terrorism operations, the places they
//! happen in, the people and organizations involved, and the sources behind every fact.
//!
//! `main.rs` only parses the command line; everything else lives here so that tests start
//! exactly what production starts ([`app::App`]).

pub mod app;
pub mod auth;
pub mod cli;
pub mod db;
pub mod entity;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ingest;
pub mod rate_limit;
pub mod telemetry;
