//! Imports keep every row they read: a record the importer's rules map to no node (an attack,
//! an arrest of journalists, a protest) is kept in `unmapped_records` with its raw record,
//! the file and line it was read from and the reason, keyed by `(dataset, external_id)` as
//! the rows that did map are. The reason has no CHECK: the rules, and so their reasons, grow
//! without a migration each time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000009_unmapped_records"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("unmapped_records")
                .col(pk_auto("id"))
                .col(string("dataset"))
                .col(string("external_id"))
                .col(string("file"))
                .col(integer("line"))
                .col(string("reason"))
                .col(text("raw"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_unmapped_records_key")
                .table("unmapped_records")
                .col("dataset")
                .col("external_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_unmapped_records_reason")
                .table("unmapped_records")
                .col("reason")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("unmapped_records").to_owned())
            .await
    }
}
