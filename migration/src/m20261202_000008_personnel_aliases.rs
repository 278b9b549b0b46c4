//! Other names of a person of the security forces: when two records of one person are
//! merged, the merged record's name is kept among the kept one's aliases (as organizations
//! and militants keep theirs), and search indexes them, so a search under that name still
//! finds the person.

use sea_orm_migration::prelude::*;

use crate::m20261129_000002_search::{
    INDEXED, Indexed, postgres_table_down, postgres_table_up, sqlite_table_down, sqlite_table_up,
};

/// Personnel as search indexes them from now on: their aliases in the body.
pub(crate) const PERSONNEL: Indexed = Indexed {
    table: "personnel",
    kind: "Personnel",
    code: 5,
    title: &["name"],
    body: &["rank", "hometown", "aliases"],
};

/// Swaps the search triggers of personnel from `from` to `to` and indexes every person again.
async fn reindex(m: &SchemaManager<'_>, from: &Indexed, to: &Indexed) -> Result<(), DbErr> {
    let (drop, forget, create) = match m.get_database_backend() {
        sea_orm::DbBackend::Postgres => (
            postgres_table_down(from),
            "DELETE FROM search_entries WHERE kind = 'Personnel'",
            postgres_table_up(to),
        ),
        _ => (
            sqlite_table_down(from),
            "DELETE FROM search_index WHERE kind = 'Personnel'",
            sqlite_table_up(to),
        ),
    };
    let conn = m.get_connection();
    for sql in drop
        .iter()
        .map(String::as_str)
        .chain([forget])
        .chain(create.iter().map(String::as_str))
    {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Personnel as the search migration indexed them.
fn before() -> Result<&'static Indexed, DbErr> {
    INDEXED
        .iter()
        .find(|t| t.table == "personnel")
        .ok_or_else(|| DbErr::Migration("the search migration indexes no personnel".into()))
}

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
        .await?;
        reindex(m, before()?, &PERSONNEL).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        reindex(m, &PERSONNEL, before()?).await?;
        m.alter_table(
            Table::alter()
                .table("personnel")
                .drop_column("aliases")
                .to_owned(),
        )
        .await
    }
}
