//! Other names of a person of the security forces: when two records of one person are
//! merged, the merged record's name is kept among the kept one's aliases (as organizations
//! and militants keep theirs), so a search or a later source under that name still finds them.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000008_personnel_aliases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("personnel")
                .add_column(ColumnDef::new("aliases").text().not_null().default("[]"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("personnel")
                .drop_column("aliases")
                .to_owned(),
        )
        .await
    }
}
