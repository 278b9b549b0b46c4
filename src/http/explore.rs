//! The explorer page at `/explore`: a drawing of the graph around a node, built from `ui/`
//! (see `assets/explore/README.md`) and compiled into the binary, so that it works offline.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The page; its state is in its own URL, which the server leaves to it.
const PAGE: &str = include_str!("../../assets/explore/index.html");

/// Name, content type and gzip-compressed bytes of each asset.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "explore.js",
        "text/javascript",
        include_bytes!("../../assets/explore/explore.js.gz"),
    ),
    (
        "explore.css",
        "text/css",
        include_bytes!("../../assets/explore/explore.css.gz"),
    ),
];

/// The explorer page.
pub(super) async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// One asset of the page, compressed as stored. Its name carries no version, so a browser
/// asks again each time rather than run an old copy against a newer server.
pub(super) async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CONTENT_ENCODING, "gzip"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such explorer asset").into_response(),
    }
}
