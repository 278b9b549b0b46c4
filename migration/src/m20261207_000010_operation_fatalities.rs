//! The total of deaths a source gives without saying who died (ACLED's `fatalities`), kept
//! apart from the split counts, which stay unknown; and whether the source says the number is
//! a coding convention rather than a count ("Unspecified number of fatalities coded as 3").

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000010_operation_fatalities"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        m.alter_table(
            Table::alter()
                .table("operations")
                .add_column(integer_null("fatalities").check(Expr::col("fatalities").gte(0)))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("operations")
                .add_column(boolean("fatalities_by_convention").default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["fatalities_by_convention", "fatalities"] {
            m.alter_table(
                Table::alter()
                    .table("operations")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
