//! Full-text search over every entity that has text of its own: one index row per entity
//! row, with a title (names, titles) and a body (aliases, places, descriptions), kept in
//! step by triggers and filled from the existing rows. SQLite gets an FTS5 table,
//! PostgreSQL a table with a weighted `tsvector` and a GIN index; both are generated from
//! one list, [`INDEXED`], so the backends index the same text.
//!
//! Affiliations are not indexed: they have no text of their own, only links.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000002_search"
    }
}

/// One indexed table.
pub(crate) struct Indexed {
    pub(crate) table: &'static str,
    /// The GraphQL type name, stored as the index row's `kind`.
    pub(crate) kind: &'static str,
    /// Fixed and distinct per table: SQLite keys index rows by `code << 32 | id`, so a
    /// trigger finds the row it replaces by rowid instead of scanning.
    pub(crate) code: i64,
    /// Columns joined into the title, weighted above the body in ranking.
    pub(crate) title: &'static [&'static str],
    /// Columns joined into the body.
    pub(crate) body: &'static [&'static str],
}

/// What is searchable, frozen with this migration. `aliases` columns hold JSON arrays; the
/// tokenizers split them at the brackets, quotes and commas like any punctuation.
pub(crate) const INDEXED: &[Indexed] = &[
    Indexed {
        table: "countries",
        kind: "Country",
        code: 1,
        title: &["name"],
        body: &["iso_code"],
    },
    Indexed {
        table: "provinces",
        kind: "Province",
        code: 2,
        title: &["name"],
        body: &["iso_code"],
    },
    Indexed {
        table: "districts",
        kind: "District",
        code: 3,
        title: &["name"],
        body: &["aliases"],
    },
    Indexed {
        table: "operations",
        kind: "Operation",
        code: 4,
        title: &["title"],
        body: &["place", "summary"],
    },
    Indexed {
        table: "personnel",
        kind: "Personnel",
        code: 5,
        title: &["name"],
        body: &["rank", "hometown"],
    },
    Indexed {
        table: "militants",
        kind: "Militant",
        code: 6,
        title: &["name"],
        body: &["aliases", "description"],
    },
    Indexed {
        table: "organizations",
        kind: "Organization",
        code: 7,
        title: &["name"],
        body: &["aliases", "description"],
    },
    // A community action has no name: where it happened and who acted stand in for one.
    Indexed {
        table: "community_actions",
        kind: "CommunityAction",
        code: 9,
        title: &["place", "actors_description"],
        body: &["description"],
    },
    Indexed {
        table: "sources",
        kind: "Source",
        code: 10,
        title: &["title"],
        body: &["publisher", "description"],
    },
    // A reported figure's quote is what people remember of it.
    Indexed {
        table: "reported_figures",
        kind: "ReportedFigure",
        code: 11,
        title: &["quote"],
        body: &["scope_description"],
    },
];

/// The columns as one text, NULLs as empty, read from `row` (`NEW.`, `OLD.` or nothing).
pub(crate) fn text(row: &str, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("coalesce({row}{c}, '')"))
        .collect::<Vec<_>>()
        .join(" || ' ' || ")
}

/// The columns whose change re-indexes a row: its text, and its id.
fn watched(t: &Indexed) -> String {
    let mut cols: Vec<&str> = t.title.iter().chain(t.body).copied().collect();
    cols.push("id");
    cols.join(", ")
}

/// Accented Latin letters and what PostgreSQL's search folds them to. SQLite's tokenizer
/// removes diacritics itself (`remove_diacritics 2`); PostgreSQL's needs the `unaccent`
/// extension, which not every server may install, so `search_fold` does it with
/// `translate`. Upper-case letters are listed too: `lower()` leaves them alone under the
/// C locale.
const FOLDED: &[(&str, char)] = &[
    ("àáâãäåāăąÀÁÂÃÄÅĀĂĄ", 'a'),
    ("çćĉċčÇĆĈĊČ", 'c'),
    ("ďđĎĐ", 'd'),
    ("èéêëēĕėęěÈÉÊËĒĔĖĘĚ", 'e'),
    ("ĝğġģĜĞĠĢ", 'g'),
    ("ĥħĤĦ", 'h'),
    ("ìíîïĩīĭįıÌÍÎÏĨĪĬĮİ", 'i'),
    ("ĵĴ", 'j'),
    ("ķĶ", 'k'),
    ("ĺļľŀłĹĻĽĿŁ", 'l'),
    ("ñńņňÑŃŅŇ", 'n'),
    ("òóôõöøōŏőÒÓÔÕÖØŌŎŐ", 'o'),
    ("ŕŗřŔŖŘ", 'r'),
    ("śŝşšŚŜŞŠ", 's'),
    ("ţťŧŢŤŦ", 't'),
    ("ùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲ", 'u'),
    ("ŵŴ", 'w'),
    ("ýÿŷÝŸŶ", 'y'),
    ("źżžŹŻŽ", 'z'),
];

/// `translate(lower(input), …)` of [`FOLDED`]: what `search_fold` does.
pub(crate) fn postgres_fold_expression() -> String {
    let from: String = FOLDED.iter().map(|(from, _)| *from).collect();
    let to: String = FOLDED
        .iter()
        .flat_map(|(from, to)| std::iter::repeat_n(*to, from.chars().count()))
        .collect();
    format!("translate(lower(input), '{from}', '{to}')")
}

fn postgres_fold_function() -> String {
    format!(
        "CREATE FUNCTION search_fold(input text) RETURNS text \
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE \
         AS $$ SELECT {} $$",
        postgres_fold_expression()
    )
}

fn sqlite_up() -> Vec<String> {
    let mut sql = vec![
        "CREATE VIRTUAL TABLE search_index USING fts5(\
            title, body, kind UNINDEXED, row_id UNINDEXED, \
            tokenize = 'unicode61 remove_diacritics 2')"
            .to_owned(),
    ];
    for t in INDEXED {
        sql.extend(sqlite_table_up(t));
    }
    sql
}

/// The triggers that keep `t`'s rows in SQLite's index, and the index rows of those there are.
pub(crate) fn sqlite_table_up(t: &Indexed) -> Vec<String> {
    let Indexed {
        table, kind, code, ..
    } = t;
    let mut sql = Vec::new();
    let key = |row: &str| format!("({code} << 32) + {row}id");
    let insert = |row: &str| {
        format!(
            "INSERT INTO search_index (rowid, title, body, kind, row_id) \
             VALUES ({}, {}, {}, '{kind}', {row}id);",
            key(row),
            text(row, t.title),
            text(row, t.body),
        )
    };
    // A `REPLACE INTO` that removes a row with another id (a clash on a unique name)
    // fires no delete trigger, so that row's entry stays behind; `search` skips hits
    // whose row is gone, though `totalCount` still counts them.
    let delete = |row: &str| format!("DELETE FROM search_index WHERE rowid = {};", key(row));
    sql.push(format!(
        "CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {} END",
        insert("NEW.")
    ));
    sql.push(format!(
        "CREATE TRIGGER search_{table}_update AFTER UPDATE OF {} ON {table} BEGIN {} {} END",
        watched(t),
        delete("OLD."),
        insert("NEW.")
    ));
    sql.push(format!(
        "CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {} END",
        delete("OLD.")
    ));
    sql.push(format!(
        "INSERT INTO search_index (rowid, title, body, kind, row_id) \
         SELECT {}, {}, {}, '{kind}', id FROM {table}",
        key(""),
        text("", t.title),
        text("", t.body),
    ));
    sql
}

/// Drops `t`'s SQLite triggers.
pub(crate) fn sqlite_table_down(t: &Indexed) -> Vec<String> {
    ["insert", "update", "delete"]
        .iter()
        .map(|event| format!("DROP TRIGGER search_{}_{event}", t.table))
        .collect()
}

fn sqlite_down() -> Vec<String> {
    let mut sql: Vec<String> = INDEXED.iter().flat_map(sqlite_table_down).collect();
    sql.push("DROP TABLE search_index".to_owned());
    sql
}

fn postgres_up() -> Vec<String> {
    let mut sql = vec![
        postgres_fold_function(),
        // 'simple': names are multilingual, so no stemming and no stop words.
        "CREATE TABLE search_entries (\
            kind text NOT NULL, \
            row_id integer NOT NULL, \
            title text NOT NULL, \
            body text NOT NULL, \
            document tsvector GENERATED ALWAYS AS (\
                setweight(to_tsvector('simple', title), 'A') || \
                setweight(to_tsvector('simple', body), 'B')) STORED, \
            PRIMARY KEY (kind, row_id))"
            .to_owned(),
        "CREATE INDEX idx_search_entries_document ON search_entries USING GIN (document)"
            .to_owned(),
        // TRUNCATE skips row triggers; this forgets the whole kind instead.
        "CREATE FUNCTION search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
            DELETE FROM search_entries WHERE kind = TG_ARGV[0]; RETURN NULL; END $$"
            .to_owned(),
    ];
    for t in INDEXED {
        sql.extend(postgres_table_up(t));
    }
    sql
}

/// The function and triggers that keep `t`'s rows in PostgreSQL's index, and the index rows
/// of those there are.
pub(crate) fn postgres_table_up(t: &Indexed) -> Vec<String> {
    let Indexed { table, kind, .. } = t;
    let mut sql = postgres_row_sync(t);
    sql.extend([
        format!(
            "CREATE TRIGGER search_truncate AFTER TRUNCATE ON {table} \
             FOR EACH STATEMENT EXECUTE FUNCTION search_truncate('{kind}')"
        ),
        format!(
            "INSERT INTO search_entries (kind, row_id, title, body) SELECT {} FROM {table}",
            postgres_entry(t, "")
        ),
    ]);
    sql
}

/// The index row's values of `t`'s row `row` (`NEW.`, `n.` or nothing): kind, id, title, body.
pub(crate) fn postgres_entry(t: &Indexed, row: &str) -> String {
    format!(
        "'{}', {row}id, search_fold({}), search_fold({})",
        t.kind,
        text(row, t.title),
        text(row, t.body)
    )
}

/// The function and row trigger that keep `t`'s index rows in step, one row at a time.
pub(crate) fn postgres_row_sync(t: &Indexed) -> Vec<String> {
    let Indexed { table, kind, .. } = t;
    vec![
        format!(
            "CREATE FUNCTION search_{table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                IF TG_OP <> 'INSERT' THEN \
                    DELETE FROM search_entries WHERE kind = '{kind}' AND row_id = OLD.id; \
                END IF; \
                IF TG_OP <> 'DELETE' THEN \
                    INSERT INTO search_entries (kind, row_id, title, body) VALUES ({}); \
                END IF; \
                RETURN NULL; \
            END $$",
            postgres_entry(t, "NEW.")
        ),
        format!(
            "CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OF {} OR DELETE ON {table} \
             FOR EACH ROW EXECUTE FUNCTION search_{table}_sync()",
            watched(t)
        ),
    ]
}

/// Drops `t`'s PostgreSQL triggers and function.
pub(crate) fn postgres_table_down(t: &Indexed) -> Vec<String> {
    let table = t.table;
    vec![
        format!("DROP TRIGGER search_sync ON {table}"),
        format!("DROP TRIGGER search_truncate ON {table}"),
        format!("DROP FUNCTION search_{table}_sync()"),
    ]
}

fn postgres_down() -> Vec<String> {
    let mut sql: Vec<String> = INDEXED.iter().flat_map(postgres_table_down).collect();
    sql.push("DROP FUNCTION search_truncate()".to_owned());
    sql.push("DROP TABLE search_entries".to_owned());
    sql.push("DROP FUNCTION search_fold(text)".to_owned());
    sql
}

pub(crate) async fn run(m: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    for sql in statements {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            sea_orm::DbBackend::Sqlite => run(m, sqlite_up()).await,
            sea_orm::DbBackend::Postgres => run(m, postgres_up()).await,
            other => Err(DbErr::Migration(format!(
                "search is built for SQLite and PostgreSQL, not {other:?}"
            ))),
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        match m.get_database_backend() {
            sea_orm::DbBackend::Sqlite => run(m, sqlite_down()).await,
            sea_orm::DbBackend::Postgres => run(m, postgres_down()).await,
            other => Err(DbErr::Migration(format!(
                "search is built for SQLite and PostgreSQL, not {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accented_letter_has_one_plain_letter() {
        let sql = postgres_fold_function();
        let quoted: Vec<&str> = sql.split('\'').collect();
        let (from, to) = (quoted[1], quoted[3]);
        assert_eq!(from.chars().count(), to.chars().count());
        assert!(to.chars().all(|c| c.is_ascii_lowercase()));
    }

    #[test]
    fn codes_and_kinds_are_distinct() {
        for (i, a) in INDEXED.iter().enumerate() {
            for b in &INDEXED[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.kind, b.kind);
                assert_ne!(a.table, b.table);
            }
        }
    }
}
