//! The GraphiQL playground, served from vendored assets compiled into the binary so that it
//! works offline (see `assets/graphiql/README.md`).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Vendored GraphiQL version; part of the asset paths, so browsers may cache them for good.
const VERSION: &str = "3.8.3";

/// Name, content type and gzip-compressed bytes of each asset.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/graphiql.min.js.gz"),
    ),
    (
        "graphiql.min.css",
        "text/css",
        include_bytes!("../../assets/graphiql/graphiql.min.css.gz"),
    ),
    (
        "react.production.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/react.production.min.js.gz"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js.gz"),
    ),
];

/// The query the playground opens with.
const EXAMPLE: &str = r#"# Welcome to ctgraph. Run this query with the play button
# (or Ctrl-Enter); the Docs panel documents every field.
{
  districts(filter: { name: { eq: "Dera Ismail Khan" } }) {
    nodes {
      name
      province { name }
      operations {
        nodes {
          title
          startDate
          datePrecision
          militantsKilled
          personnel { edges { outcome node { rank name hometown } } }
          citations { nodes { quote source { title } } }
        }
      }
    }
  }
  reportedFigures(orderBy: { field: PERIOD_START }) {
    nodes { metric qualifier value periodStart periodEnd quote }
  }
}
"#;

/// The playground page.
pub(super) async fn page() -> Html<String> {
    let assets = format!("/graphiql/assets/{VERSION}");
    let example = serde_json::to_string(EXAMPLE).unwrap_or_else(|_| "\"\"".to_owned());
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ctgraph · GraphiQL</title>
  <style>body {{ margin: 0; height: 100vh; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="{assets}/graphiql.min.css">
  <script src="{assets}/react.production.min.js"></script>
  <script src="{assets}/react-dom.production.min.js"></script>
  <script src="{assets}/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading the playground…</div>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery: {example}, defaultEditorToolsVisibility: true }})
    );
  </script>
</body>
</html>
"#
    ))
}

/// One vendored asset, compressed as stored.
pub(super) async fn asset(Path((version, name)): Path<(String, String)>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) if version == VERSION => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CONTENT_ENCODING, "gzip"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "no such playground asset").into_response(),
    }
}
