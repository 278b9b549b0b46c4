//! PostgreSQL's `search_fold` skips its accent folding for text that is all ASCII, where
//! `lower()` alone gives the same answer: `translate` walks its list of 200 accented letters
//! for every character: folding the notes of 7,659 imported operations took 774 ms (a
//! `SELECT` of `search_fold` over them; `lower()` alone: 16 ms; the ASCII test: 13 ms).
//! SQLite folds in its tokenizer and is untouched.

use sea_orm_migration::prelude::*;

use crate::m20261129_000002_search::postgres_fold_expression;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000011_search_fold_ascii"
    }
}

/// `search_fold` defined as `body`, in place of the one there.
fn replace_fold(body: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION search_fold(input text) RETURNS text \
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT {body} $$"
    )
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
        let body = format!(
            r"CASE WHEN input ~ '^[\x01-\x7f]*$' THEN lower(input) ELSE {} END",
            postgres_fold_expression()
        );
        m.get_connection()
            .execute_unprepared(&replace_fold(&body))
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(&replace_fold(&postgres_fold_expression()))
            .await
            .map(|_| ())
    }
}
