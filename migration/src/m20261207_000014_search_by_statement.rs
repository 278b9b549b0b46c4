//! PostgreSQL's search index kept in step once per statement instead of once per row: a
//! trigger with transition tables indexes all the rows a statement wrote in one `INSERT …
//! SELECT`. Importing 100,000 ACLED rows wrote 94,000 index rows through the row triggers,
//! each a PL/pgSQL call and a one-row insert: the import took 25.3 s with the triggers and
//! 15.4 s with them disabled; one statement indexing the 76,020 attacks of that import takes
//! 4.1 s. An update re-indexes only the rows whose indexed text changed, as the row trigger's
//! column list did. SQLite has no statement triggers and keeps its row triggers.

use sea_orm_migration::prelude::*;

use crate::m20261129_000002_search::{
    INDEXED, Indexed, postgres_entry, postgres_row_sync, run, text,
};
use crate::m20261202_000008_personnel_aliases::PERSONNEL;
use crate::m20261207_000012_attacks::SEARCHED as ATTACKS;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000014_search_by_statement"
    }
}

/// The tables indexed when this migration runs, as the migrations before it left them.
fn indexed() -> Vec<&'static Indexed> {
    INDEXED
        .iter()
        .map(|t| {
            if t.table == PERSONNEL.table {
                &PERSONNEL
            } else {
                t
            }
        })
        .chain([&ATTACKS])
        .collect()
}

/// The function and three statement triggers that index what each statement on `t` wrote.
fn statement_sync(t: &Indexed) -> Vec<String> {
    let Indexed { table, kind, .. } = t;
    let insert = "INSERT INTO search_entries (kind, row_id, title, body)";
    // Ids never change (merges move links, not ids), so old and new rows pair by id.
    let changed = format!(
        "({}, {}) IS DISTINCT FROM ({}, {})",
        text("o.", t.title),
        text("o.", t.body),
        text("n.", t.title),
        text("n.", t.body)
    );
    let mut sql = vec![format!(
        "CREATE FUNCTION search_{table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
            IF TG_OP = 'INSERT' THEN \
                {insert} SELECT {entry} FROM new_rows n; \
            ELSIF TG_OP = 'UPDATE' THEN \
                {insert} SELECT {entry} FROM new_rows n JOIN old_rows o ON o.id = n.id \
                WHERE {changed} \
                ON CONFLICT (kind, row_id) DO UPDATE \
                SET title = excluded.title, body = excluded.body; \
            ELSE \
                DELETE FROM search_entries \
                WHERE kind = '{kind}' AND row_id IN (SELECT id FROM old_rows); \
            END IF; \
            RETURN NULL; \
        END $$",
        entry = postgres_entry(t, "n.")
    )];
    // A trigger with transition tables may name only one event.
    for (event, tables) in [
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ] {
        sql.push(format!(
            "CREATE TRIGGER search_{} AFTER {event} ON {table} REFERENCING {tables} \
             FOR EACH STATEMENT EXECUTE FUNCTION search_{table}_sync()",
            event.to_lowercase()
        ));
    }
    sql
}

fn drop_row_sync(table: &str) -> Vec<String> {
    vec![
        format!("DROP TRIGGER search_sync ON {table}"),
        format!("DROP FUNCTION search_{table}_sync()"),
    ]
}

fn drop_statement_sync(table: &str) -> Vec<String> {
    let mut sql: Vec<String> = ["insert", "update", "delete"]
        .iter()
        .map(|event| format!("DROP TRIGGER search_{event} ON {table}"))
        .collect();
    sql.push(format!("DROP FUNCTION search_{table}_sync()"));
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let sql = indexed()
            .into_iter()
            .flat_map(|t| [drop_row_sync(t.table), statement_sync(t)].concat())
            .collect();
        run(m, sql).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let sql = indexed()
            .into_iter()
            .flat_map(|t| [drop_statement_sync(t.table), postgres_row_sync(t)].concat())
            .collect();
        run(m, sql).await
    }
}
