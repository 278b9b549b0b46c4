//! The README's example is real: its query, run on a fresh seeded database, returns exactly
//! the output the README shows, on both backends.

use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::both;

/// The first fenced block of `lang` after `after` in the README.
fn block(readme: &str, lang: &str, after: usize) -> Option<(String, usize)> {
    let fence = format!("```{lang}\n");
    let start = readme[after..].find(&fence)? + after + fence.len();
    let end = readme[start..].find("```")? + start;
    Some((readme[start..end].to_owned(), end))
}

both! {
    async fn the_readme_example_returns_what_the_readme_shows(app: TestApp) {
        let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md");
        let (query, end) = block(&readme, "graphql", 0).expect("a graphql block in README.md");
        let (output, _) = block(&readme, "json", end).expect("a json block after it");
        let expected: Value = serde_json::from_str(&output).expect("README output is JSON");
        let (statements, data) = app.counted(&query, json!({})).await;
        assert_eq!(statements, 16, "README.md says the example runs 16 SQL statements");
        assert_eq!(json!({ "data": data }), expected, "README.md shows another output than the query returns");
        // Byte for byte, so in the same field order: the query's.
        let (_, _, body) = app.get_text(&format!("/graphql?query={}", percent_encoded(&query))).await;
        assert_eq!(body.expect("a body"), minified(&output), "README.md lists the fields in another order than the server sends them");
    }
}

/// `text` with every byte but letters and digits percent-encoded, for a query string.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// JSON text without the whitespace between tokens.
pub(crate) fn minified(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in json.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c.is_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

both! {
    async fn the_readme_exploration_returns_what_the_readme_shows(app: TestApp) {
        let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md");
        let section = readme.find("## Exploring the graph").expect("an exploration section");
        let (query, end) = block(&readme, "graphql", section).expect("a graphql block in it");
        let (output, _) = block(&readme, "json", end).expect("a json block after it");
        let expected: Value = serde_json::from_str(&output).expect("README output is JSON");
        assert_eq!(app.graphql(&query, json!({})).await, expected, "README.md shows another output than the query returns");
    }
}

/// The README's table of options holds every option of `serve` with its environment
/// variable, so the table stays whole as options are added.
#[test]
fn the_readme_lists_every_serve_option_and_its_variable() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_ctgraph"))
        .args(["serve", "--help"])
        .output()
        .expect("ctgraph runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `--")).collect();
    let mut checked = 0;
    for (at, line) in help.lines().enumerate() {
        let Some(flag) = line
            .trim_start()
            .strip_prefix("--")
            .and_then(|rest| rest.split([' ', '=', '<']).next())
        else {
            continue;
        };
        if matches!(flag, "help" | "") {
            continue;
        }
        let flag = format!("`--{flag}");
        let row = rows
            .iter()
            .find(|row| row.starts_with(&format!("| {flag}")))
            .unwrap_or_else(|| panic!("README.md's options table has no row for {flag}`"));
        // The option's variable, shown a few lines below it in the help.
        let env = help
            .lines()
            .skip(at + 1)
            .take_while(|l| !l.trim_start().starts_with("--"))
            .find_map(|l| l.trim().strip_prefix("[env: "))
            .map(|rest| {
                rest.trim_end_matches(']')
                    .split('=')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            });
        if let Some(env) = env {
            assert!(
                row.contains(&format!("`{env}`")),
                "{flag}`'s row does not name {env}: {row}"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} options read from the help:\n{help}"
    );
}
