//! What SQLite connections get when the pool opens them: the functions ctgraph's compiled
//! statements call, and the clock that stops a statement at the serving time limit; and the
//! lock processes migrating one database file take turns on.

use std::ffi::{CStr, c_int};
use std::fs::File;
use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use libsqlite3_sys as ffi;
use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::{self, Sqlite, SqliteConnection};

/// SQLite virtual-machine steps between two looks at a statement's clock: a few
/// microseconds of work, so an interrupted statement stops promptly and a quick one pays
/// nothing it would notice.
const STEPS_PER_CHECK: c_int = 10_000;

/// How long a connection serves before the pool opens a new one. A connection reads the
/// planner's statistics when it opens and keeps them; after another process's bulk import
/// and `ANALYZE`, this is how late the new statistics reach this one.
/// Opening one costs about a millisecond.
const LIFETIME: Duration = Duration::from_secs(60);

/// Waits until no other process is migrating the database file of `pool`, and holds that
/// turn until the returned file is dropped (`None` for an in-memory database). SQLite cannot
/// lock across connections for this: migrations run on the pool's own connections, and a
/// write lock held by one would block them. So the turn is an exclusive `flock` on a file
/// beside the database (`<file>-migrate.lock`), never on the database file itself: closing
/// another handle on that file would drop SQLite's own locks.
pub(super) async fn migration_turn(pool: &sqlx::SqlitePool) -> std::io::Result<Option<File>> {
    let database = pool.connect_options().get_filename().to_owned();
    if database.as_os_str().is_empty() || database.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let mut path = database.into_os_string();
    path.push("-migrate.lock");
    tokio::task::spawn_blocking(move || {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok(Some(file))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The name compiled statements call [`base64url`] by: `ctg_base64url(text)`.
pub const BASE64URL: &str = "ctg_base64url";

/// The pool's options with every new connection given ctgraph's functions and fresh planner
/// statistics, and, with a `limit`, statements stopped when they run past it.
///
/// SQLite has no statement timeout: a progress handler, restarted each time the pool hands
/// the connection out (SeaORM takes one per statement outside transactions), interrupts a
/// statement that has run for `limit`. It then fails with SQLite's "interrupted" (code 9).
pub(super) fn configure(pool: PoolOptions<Sqlite>, limit: Option<Duration>) -> PoolOptions<Sqlite> {
    let pool = pool.max_lifetime(LIFETIME).after_connect(move |conn, _| {
        Box::pin(async move {
            register_functions(conn).await?;
            // Statistics where tables have none or theirs are stale, as SQLite advises on
            // opening a long-lived connection. Without them its planner takes any indexed
            // equality for as selective as any other: it walked every militant's
            // `EXISTS (… affiliations WHERE subject_militant_id = ? AND confidence = ?)`
            // through the confidence index, 30 s at 100,000 operations instead of 3 ms.
            // The analysis limit keeps a first look at a large database to milliseconds (SQLite
            // samples the indexes); `Db::analyze` lifts it for its exact statistics.
            sqlx::query("PRAGMA analysis_limit = 1000")
                .execute(&mut *conn)
                .await?;
            sqlx::query("PRAGMA optimize = 0x10002")
                .execute(&mut *conn)
                .await?;
            match limit {
                Some(limit) => start_clock(conn, limit).await,
                None => Ok(()),
            }
        })
    });
    match limit {
        Some(limit) => pool.before_acquire(move |conn, _| {
            Box::pin(async move { start_clock(conn, limit).await.map(|()| true) })
        }),
        None => pool,
    }
}

async fn start_clock(conn: &mut SqliteConnection, limit: Duration) -> Result<(), sqlx::Error> {
    let started = Instant::now();
    conn.lock_handle()
        .await?
        .set_progress_handler(STEPS_PER_CHECK, move || started.elapsed() < limit);
    Ok(())
}

async fn register_functions(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let name = c"ctg_base64url";
    debug_assert_eq!(name.to_str().ok(), Some(BASE64URL));
    // SAFETY: the handle is open and locked for this thread for the call; the name is a
    // static C string; the function keeps no state (no user data, no destructor).
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            handle.as_raw_handle().as_ptr(),
            name.as_ptr(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(base64url),
            None,
            None,
            None,
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(format!(
            "cannot register {BASE64URL} on a SQLite connection (code {rc})"
        )))
    }
}

/// `ctg_base64url(text)`: the text's UTF-8 bytes in URL-safe base64 without padding, as
/// global ids and cursors are written (`ids.rs`, `page.rs`); NULL for NULL. SQLite has no
/// base64 of its own, and PostgreSQL's is a built-in (see `graphql::compile`).
unsafe extern "C" fn base64url(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls this with `argc` (1, as registered) valid values in `argv`; the
    // text pointer it returns stays valid until the value changes, which nothing here does,
    // and the result is copied (SQLITE_TRANSIENT) before this returns.
    unsafe {
        if argc != 1 || ffi::sqlite3_value_type(*argv) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let text = ffi::sqlite3_value_text(*argv);
        if text.is_null() {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let bytes = CStr::from_ptr(text.cast()).to_bytes();
        let encoded = URL_SAFE_NO_PAD.encode(bytes);
        let Ok(len) = c_int::try_from(encoded.len()) else {
            ffi::sqlite3_result_null(ctx);
            return;
        };
        ffi::sqlite3_result_text(ctx, encoded.as_ptr().cast(), len, ffi::SQLITE_TRANSIENT());
    }
}
