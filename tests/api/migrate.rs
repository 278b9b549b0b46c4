//! Migrations are all-or-nothing: a migration that fails part-way leaves the database as
//! it was, on both backends.

use ctgraph::db::Db;
use sea_orm::{ConnectionTrait, Database};

use crate::helpers::{Backend, both, fresh_database};

async fn a_failed_migration_leaves_the_database_as_it_was(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    // A table in the way of the last table the migration creates makes it fail at the end.
    let raw = Database::connect(&url).await.expect("connect");
    raw.execute_unprepared("CREATE TABLE citations (unrelated INTEGER)")
        .await
        .expect("create blocker");

    let db = Db::connect(&url).await.expect("connect");
    let err = db.migrate().await.expect_err("the migration must fail");
    assert!(format!("{err:#}").contains("citations"), "{err:#}");

    // Nothing the migration created before failing remains.
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sources'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'sources'"
        }
    };
    let row = raw
        .query_one_raw(sea_orm::Statement::from_string(
            raw.get_database_backend(),
            sql,
        ))
        .await;
    let sources: i64 = row
        .expect("query")
        .expect("row")
        .try_get_by_index(0)
        .expect("count");
    assert_eq!(
        sources, 0,
        "the tables created before the failure were rolled back"
    );
    drop(db);
    if backend == Backend::Sqlite {
        let _ = std::fs::remove_file(
            url.trim_start_matches("sqlite://")
                .trim_end_matches("?mode=rwc"),
        );
    }
    if backend == Backend::Postgres {
        let name = url.rsplit('/').next().unwrap_or_default().to_owned();
        drop(raw);
        if let Ok(server) = std::env::var("TEST_DATABASE_URL")
            && let Ok(admin) = Database::connect(&server).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

#[tokio::test]
async fn a_failed_migration_leaves_sqlite_as_it_was() {
    a_failed_migration_leaves_the_database_as_it_was(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_failed_migration_leaves_postgres_as_it_was() {
    a_failed_migration_leaves_the_database_as_it_was(Backend::Postgres).await;
}

/// Foreign-key columns that are not the first column of any index, as `table.column`.
const UNINDEXED_FOREIGN_KEYS_SQLITE: &str = r#"
    SELECT m.name || '.' || f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
    WHERE m.type = 'table'
    EXCEPT
    SELECT m.name || '.' || ii.name FROM sqlite_master m, pragma_index_list(m.name) il,
        pragma_index_info(il.name) ii
    WHERE m.type = 'table' AND ii.seqno = 0"#;
const UNINDEXED_FOREIGN_KEYS_POSTGRES: &str = r#"
    SELECT c.conrelid::regclass::text || '.' || a.attname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
    EXCEPT
    SELECT i.indrelid::regclass::text || '.' || a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"#;

both! {
    async fn every_foreign_key_leads_an_index(app: TestApp) {
        let conn = app.db().conn();
        let sql = match conn.get_database_backend() {
            sea_orm::DbBackend::Sqlite => UNINDEXED_FOREIGN_KEYS_SQLITE,
            _ => UNINDEXED_FOREIGN_KEYS_POSTGRES,
        };
        let rows = conn
            .query_all_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql))
            .await
            .expect("catalog query");
        let unindexed: Vec<String> = rows.iter().map(|r| r.try_get_by_index(0).expect("text")).collect();
        assert_eq!(unindexed, Vec::<String>::new(), "foreign keys without an index");
        // The catalog query sees foreign keys at all: a link table has two.
        let fks = sql.split("EXCEPT").next().expect("first half");
        let all = conn.query_all_raw(sea_orm::Statement::from_string(conn.get_database_backend(), fks)).await.expect("fks");
        assert!(all.len() >= 25, "found only {} foreign keys", all.len());
    }
}

/// Instances starting together on one empty PostgreSQL database migrate it once: each waits
/// for the one migrating, then finds nothing pending.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_migrate_once() {
    for _ in 0..3 {
        let Some(url) = fresh_database(Backend::Postgres).await else {
            return;
        };
        let mut dbs = Vec::new();
        for _ in 0..4 {
            dbs.push(Db::connect(&url).await.expect("connect"));
        }
        let runs = dbs.iter().map(|db| db.migrate());
        for result in futures_util::future::join_all(runs).await {
            result.expect("every instance migrates or finds the work done");
        }
        assert!(
            dbs[0]
                .pending_migrations()
                .await
                .expect("pending")
                .is_empty()
        );
        let raw = Database::connect(&url).await.expect("connect");
        let applied = raw
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM seaql_migrations",
            ))
            .await
            .expect("count")
            .and_then(|row| row.try_get::<i64>("", "n").ok());
        let known = <migration::Migrator as migration::MigratorTrait>::migrations().len();
        assert_eq!(applied, i64::try_from(known).ok());
        drop((raw, dbs));
        if let (Ok(server), Some((_, name))) =
            (std::env::var("TEST_DATABASE_URL"), url.rsplit_once('/'))
        {
            let admin = Database::connect(&server).await.expect("connect");
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}
