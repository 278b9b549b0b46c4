//! Attacks: an armed group's attack on the security forces or on civilians, the events that
//! operations answer. An attack has a date and its precision, a district and a place, a kind,
//! the organizations behind it and those it struck (`attack_organizations`, by role), the
//! casualties as the source splits them, and the total a source gives unsplit. It is cited,
//! searched and logged like every other node: citations may now name an `Attack`.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::m20261125_000001_create_domain::{
    CITED_TYPES, DATE_PRECISIONS, create, fk, index, link, one_of, provenance, table, unique,
};
use crate::m20261129_000002_search::{
    Indexed, postgres_table_down, postgres_table_up, run, sqlite_table_down, sqlite_table_up,
};

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000012_attacks"
    }
}

/// Frozen with this migration, as the first migration's lists are.
const ATTACK_KINDS: &[&str] = &[
    "ARMED_ASSAULT",
    "BOMBING",
    "SUICIDE_ATTACK",
    "REMOTE_VIOLENCE",
    "ABDUCTION",
    "OTHER",
];
const ATTACK_ROLES: &[&str] = &["PERPETRATOR", "TARGET"];
/// Casualties as sources split them; each null when not reported.
const COUNTS: &[&str] = &[
    "security_killed",
    "security_injured",
    "civilians_killed",
    "civilians_injured",
    "militants_killed",
    "abducted",
];

/// An attack has no name: where it happened stands in for one, as for community actions.
pub(crate) const SEARCHED: Indexed = Indexed {
    table: "attacks",
    kind: "Attack",
    code: 12,
    title: &["place"],
    body: &["description"],
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = table("attacks");
        t.col(integer("revision").default(1))
            .col(one_of(string("kind"), ATTACK_KINDS))
            .col(date("date"))
            .col(one_of(string("date_precision"), DATE_PRECISIONS))
            .col(integer_null("district_id"))
            .col(string_null("place"));
        for count in COUNTS.iter().chain(&["fatalities"]) {
            t.col(integer_null(*count).check(Expr::col(*count).gte(0)));
        }
        t.col(boolean("fatalities_by_convention").default(false))
            .col(text_null("description"));
        fk(
            &mut t,
            "district_id",
            "districts",
            ForeignKeyAction::SetNull,
        );
        provenance(&mut t);
        t.col(text_null("raw"));
        create(m, &mut t).await?;
        for col in ["district_id", "date", "kind", "place"] {
            index(m, "attacks", &[col]).await?;
        }
        unique(m, "attacks", &["dataset", "external_id"]).await?;
        link(
            m,
            "attack_organizations",
            ("attack_id", "attacks"),
            ("organization_id", "organizations"),
            |t| {
                t.col(one_of(string("role"), ATTACK_ROLES));
            },
        )
        .await?;

        let search = match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => postgres_table_up(&SEARCHED),
            _ => sqlite_table_up(&SEARCHED),
        };
        run(m, search).await?;
        let mut cited = CITED_TYPES.to_vec();
        cited.push("Attack");
        allow(m, "citations", "subject_type", CITED_TYPES, &cited).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut cited = CITED_TYPES.to_vec();
        cited.push("Attack");
        m.get_connection()
            .execute_unprepared("DELETE FROM citations WHERE subject_type = 'Attack'")
            .await?;
        allow(m, "citations", "subject_type", &cited, CITED_TYPES).await?;
        let search = match m.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let mut sql = postgres_table_down(&SEARCHED);
                sql.push("DELETE FROM search_entries WHERE kind = 'Attack'".into());
                sql
            }
            _ => {
                let mut sql = sqlite_table_down(&SEARCHED);
                sql.push("DELETE FROM search_index WHERE kind = 'Attack'".into());
                sql
            }
        };
        run(m, search).await?;
        for table in ["attack_organizations", "attacks"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// `'A', 'B'`: a list of values as the CHECKs of the first migration write it.
fn listed(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Replaces the CHECK that `table.column` is one of `from` with one that it is one of `to`.
/// Only ever widened on the way up, so the rows there are stay valid.
///
/// PostgreSQL names a column's CHECK `<table>_<column>_check` and alters it in place. SQLite
/// cannot alter a CHECK; rebuilding `organizations` or `sources` would cascade-delete every
/// link to them (foreign keys cannot be switched off inside the migration's transaction), so
/// this edits the table's stored definition as SQLite's documentation describes for loosening
/// a CHECK ("ALTER TABLE", section 7), and refuses unless the old list is found exactly once.
pub(crate) async fn allow(
    m: &SchemaManager<'_>,
    table: &str,
    column: &str,
    from: &[&str],
    to: &[&str],
) -> Result<(), DbErr> {
    let conn = m.get_connection();
    let backend = m.get_database_backend();
    if backend == sea_orm::DbBackend::Postgres {
        let name = format!("{table}_{column}_check");
        return conn
            .execute_unprepared(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT {name}, \
                 ADD CONSTRAINT {name} CHECK ({column} IN ({}))",
                listed(to)
            ))
            .await
            .map(|_| ());
    }
    let old = format!("\"{column}\" IN ({})", listed(from));
    let new = format!("\"{column}\" IN ({})", listed(to));
    let version = conn
        .query_one_raw(Statement::from_string(backend, "PRAGMA schema_version"))
        .await?
        .ok_or_else(|| DbErr::Migration("SQLite gave no schema_version".into()))?
        .try_get_by_index::<i64>(0)?;
    conn.execute_unprepared("PRAGMA writable_schema = ON")
        .await?;
    let changed = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2) \
             WHERE type = 'table' AND name = ?3 \
             AND instr(sql, ?1) > 0 AND instr(substr(sql, instr(sql, ?1) + 1), ?1) = 0",
            [old.clone().into(), new.into(), table.into()],
        ))
        .await?
        .rows_affected();
    conn.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
        .await?;
    conn.execute_unprepared("PRAGMA writable_schema = OFF")
        .await?;
    if changed != 1 {
        return Err(DbErr::Migration(format!(
            "the CHECK {old} was not found once in {table}'s definition"
        )));
    }
    Ok(())
}
