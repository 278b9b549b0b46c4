//! `schema.graphql` is the public contract clients generate code from: it must be exactly
//! what the code serves, and the names DESIGN.md fixes must be in it.

use std::path::Path;

#[test]
fn schema_graphql_matches_the_code() {
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"))
            .unwrap_or_default();
    let generated = ctgraph::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date with the code. If the change is intended, regenerate it with\n\n    cargo run -- schema > schema.graphql\n\nand review the diff: clients generate code from it."
    );
}

#[test]
fn the_public_names_of_the_design_are_in_the_schema() {
    let sdl = ctgraph::graphql::sdl();
    for name in [
        "interface Node",
        "type Country implements Node",
        "type Province implements Node",
        "type District implements Node",
        "type Operation implements Node",
        "type Personnel implements Node",
        "type Militant implements Node",
        "type Organization implements Node",
        "type Affiliation implements Node",
        "type CommunityAction implements Node",
        "type Source implements Node",
        "type ReportedFigure implements Node",
        "\tnode(\n",
        "\tnodes(\n",
        "): [Node]!",
        "crossBorder: Boolean!",
        "totalCount: Int!",
        "pageInfo: PageInfo!",
        "scalar Date",
    ] {
        assert!(sdl.contains(name), "schema lacks `{name}`");
    }
    for root in [
        "operations",
        "districts",
        "provinces",
        "countries",
        "personnel",
        "militants",
        "organizations",
        "affiliations",
        "communityActions",
        "sources",
        "reportedFigures",
    ] {
        assert!(
            sdl.contains(&format!("\n\t{root}(\n")),
            "no root connection `{root}`"
        );
    }
}

#[test]
fn every_type_field_argument_and_enum_value_is_described() {
    let sdl = ctgraph::graphql::sdl();
    // The `schema { query: Query }` block at the end declares nothing of its own.
    let types = sdl.split("\nschema {").next().unwrap_or_default();
    let mut previous = "";
    let mut in_enum = false;
    let mut checked = 0;
    let mut in_description = false;
    for line in types.lines() {
        let t = line.trim();
        // A block description's lines are prose, whatever words they start with.
        if t == "\"\"\"" {
            in_description = !in_description;
            previous = t;
            continue;
        }
        if in_description {
            continue;
        }
        let starts_with_name = t.starts_with(|c: char| c.is_ascii_alphabetic());
        let declares_type = [
            "type ",
            "input ",
            "enum ",
            "interface ",
            "union ",
            "scalar ",
        ]
        .iter()
        .any(|k| t.starts_with(k));
        let indented = line.starts_with('\t');
        // Fields and input fields (`name: T`, `name(`), arguments (`\t\tname: T`), enum values.
        let declares_member =
            indented && starts_with_name && (t.contains(':') || t.ends_with('(') || in_enum);
        if declares_type || declares_member {
            assert!(previous.ends_with('"'), "no description before `{t}`");
            checked += 1;
        }
        if t.starts_with("enum ") {
            in_enum = true;
        } else if t == "}" {
            in_enum = false;
        }
        previous = t;
    }
    assert!(checked > 500, "only {checked} declarations checked");
}
