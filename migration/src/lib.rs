//! Database migrations of ctgraph: one file per migration, named by date and purpose,
//! never edited once landed. They run the same on SQLite and PostgreSQL, each inside a
//! transaction, so a failed migration leaves the database as it was.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_domain;
mod m20261129_000002_search;
mod m20261129_000003_raw_records;
mod m20261129_000004_read_indexes;
mod m20261129_000005_filtered_counts;
mod m20261202_000006_curation;
mod m20261202_000007_sparse_references;
mod m20261202_000008_personnel_aliases;
mod m20261207_000009_unmapped_records;
mod m20261207_000010_operation_fatalities;
mod m20261207_000011_search_fold_ascii;
mod m20261207_000012_attacks;
mod m20261207_000013_more_kinds;
mod m20261207_000014_search_by_statement;
mod m20261207_000015_rate_limits;

/// Runs ctgraph's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_domain::Migration),
            Box::new(m20261129_000002_search::Migration),
            Box::new(m20261129_000003_raw_records::Migration),
            Box::new(m20261129_000004_read_indexes::Migration),
            Box::new(m20261129_000005_filtered_counts::Migration),
            Box::new(m20261202_000006_curation::Migration),
            Box::new(m20261202_000007_sparse_references::Migration),
            Box::new(m20261202_000008_personnel_aliases::Migration),
            Box::new(m20261207_000009_unmapped_records::Migration),
            Box::new(m20261207_000010_operation_fatalities::Migration),
            Box::new(m20261207_000011_search_fold_ascii::Migration),
            Box::new(m20261207_000012_attacks::Migration),
            Box::new(m20261207_000013_more_kinds::Migration),
            Box::new(m20261207_000014_search_by_statement::Migration),
            Box::new(m20261207_000015_rate_limits::Migration),
        ]
    }
}
