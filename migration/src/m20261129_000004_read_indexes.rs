//! Indexes for the reads the benchmark found slow: a district's operations in date order
//! (`district.operations`, paged by start date), and `operationStats` over a period, which
//! reads every casualty column of the operations in it (covered, so an index-only scan).

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000004_read_indexes"
    }
}

/// Name and columns of each index on `operations`.
const INDEXES: &[(&str, &[&str])] = &[
    (
        "idx_operations_district_start",
        &["district_id", "start_date", "id"],
    ),
    (
        "idx_operations_period_counts",
        &[
            "start_date",
            "date_precision",
            "militants_killed",
            "militants_arrested",
            "security_killed",
            "security_injured",
            "civilians_killed",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table("operations");
            for column in *columns {
                index.col(*column);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.drop_index(Index::drop().name(*name).table("operations").to_owned())
                .await?;
        }
        Ok(())
    }
}
