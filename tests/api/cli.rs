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
    // Nothing listens on port 1; the password must not be echoed. Every way of naming the
    // database, with the default command as with an explicit one, fails alike. Each waits out
    // the connect timeout, so they run side by side.
    let url = "postgres://postgres:hunter2@127.0.0.1:1/nothing";
    let runs: [(&[&str], Option<&str>); 4] = [
        (&["migrate", "--database-url", url], None),
        (&["seed", "--database-url", url], None),
        (&[], Some(url)),
        (&["serve", "--listen", "127.0.0.1:0"], Some(url)),
    ];
    let children: Vec<_> = runs
        .iter()
        .map(|(args, env)| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_ctgraph"));
            command.args(*args).env_remove("DATABASE_URL");
            if let Some(env) = env {
                command.env("DATABASE_URL", env);
            }
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("ctgraph starts")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("ctgraph ends");
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line, nothing else: {stderr}");
        assert!(
            lines[0].starts_with(
                "error: cannot open database postgres://postgres:***@127.0.0.1:1/nothing: "
            ),
            "{stderr}"
        );
        assert!(lines[0].contains("is the server running"), "{stderr}");
        assert!(!stderr.contains("hunter2"));
    }
}

#[test]
fn a_database_that_cannot_be_opened_says_why() {
    for (url, why) in [
        (
            "sqlite:///nonexistent-dir/ctgraph.db?mode=rwc",
            "unable to open database file",
        ),
        ("nonsense", "cannot be parsed"),
        ("mysql://root@127.0.0.1/test", "no supporting driver"),
    ] {
        let out = ctgraph(&["migrate", "--database-url", url]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(why), "{url}: {stderr}");
    }
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
