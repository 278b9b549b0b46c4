//! Imports keep what they cannot map: a nullable `raw` text column on the tables whose rows
//! come one-to-one from a dataset's records (operations, community actions), holding the
//! record as the dataset had it (for a CSV row, a JSON object of header → value). Rows from
//! the seed or entered by hand leave it NULL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000003_raw_records"
    }
}

/// The tables that get the column.
const TABLES: &[&str] = &["operations", "community_actions"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(
                Table::alter()
                    .table(*table)
                    .add_column(text_null("raw"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(Table::alter().table(*table).drop_column("raw").to_owned())
                .await?;
        }
        Ok(())
    }
}
