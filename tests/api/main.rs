//! Integration tests: the real router, real GraphQL documents, on SQLite and PostgreSQL.
//! Each test runs once per backend (see `both!`) in a database of its own.

mod helpers;

mod cli;
mod clients;
mod compiled;
mod curation;
mod editing;
mod errors;
mod explore;
mod explore_page;
mod export;
mod figures;
mod filters;
mod generate;
mod http;
mod import;
mod instances;
mod merge;
mod migrate;
mod nested;
mod outage;
mod pagination;
mod playground;
mod rate_limits;
mod readme;
mod relations;
mod replicas;
mod schema;
mod search;
mod seed;
mod spec;
mod stats;
mod telemetry;
