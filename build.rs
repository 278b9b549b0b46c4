//! Records the commit a build comes from (`CTGRAPH_COMMIT`, for `/health/live` and
//! `/health/ready`), from git when the source is a checkout; a build from a tarball says
//! "unknown".

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-env-changed=CTGRAPH_COMMIT");
    if std::env::var_os("CTGRAPH_COMMIT").is_some() {
        return;
    }
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok());
    if let Some(commit) = commit {
        println!("cargo:rustc-env=CTGRAPH_COMMIT={}", commit.trim());
    }
}
