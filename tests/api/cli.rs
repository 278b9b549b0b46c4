//! The `ctgraph` binary as a user runs it.

use std::process::Command;

fn ctgraph(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ctgraph"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("ctgraph runs")
}

#[test]
fn schema_prints_the_sdl() {
    let out = ctgraph(&["schema"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ctgraph::graphql::sdl()
    );
}

#[test]
fn an_unreachable_database_is_one_line_and_a_failure() {
    // Nothing listens on port 1; the password must not be echoed.
    let out = ctgraph(&[
        "migrate",
        "--database-url",
        "postgres://postgres:hunter2@127.0.0.1:1/nothing",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("cannot open database postgres://postgres:***@127.0.0.1:1/nothing"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"));
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_bad_listen_address_is_refused_before_anything_starts() {
    let out = ctgraph(&["serve", "--listen", "not-an-address"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}

#[tokio::test]
async fn seeding_from_the_command_line_is_idempotent() {
    let Some(url) = crate::helpers::fresh_database(crate::helpers::Backend::Sqlite).await else {
        return;
    };
    for _ in 0..2 {
        let out = ctgraph(&["seed", "--database-url", &url]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = ctgraph(&["seed", "--database-url", &url]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("seed loaded: 0 rows written"));
    let path = url
        .trim_start_matches("sqlite://")
        .trim_end_matches("?mode=rwc");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
}
