//! The explorer page at `/explore`, driven in headless Chromium by `ui/test/explore.mjs` as a
//! researcher would use it, on the seed data over a real socket: search, draw, expand, path,
//! details with their quote, readable messages for bad input, no request to any other host,
//! no console error. Screenshots land in `target/explore-screenshots/` for review.

use std::path::Path;

use crate::clients::{Served, installed, run, said};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_explorer_page_works_in_a_browser_with_no_internet() {
    let Some(ui) = installed("ui") else { return };
    let Some(_) = crate::playground::chromium() else {
        return;
    };
    let Some(server) = Served::start().await else {
        return;
    };
    let base = server.url.trim_end_matches("/graphql").to_owned();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/explore-screenshots");
    let shots = shots.to_str().expect("a UTF-8 path");
    let out = run(&ui, "node", &["test/explore.mjs", &base, shots]).await;
    assert!(
        out.status.success(),
        "the explorer page failed in Chromium:\n{}",
        said(&out)
    );
}
