//! What each client has spent of its query budget in the current window, kept in the
//! database so that every instance serving it charges the same budget: one row per client
//! (`key:<id>` or `address:<ip>`), its window's start (Unix seconds) and the points spent.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000015_rate_limits"
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
                .table("rate_limits")
                .col(string("subject").primary_key())
                .col(big_integer("window_start"))
                .col(big_integer("spent"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rate_limits").to_owned())
            .await
    }
}
