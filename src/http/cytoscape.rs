//! `/export/neighborhood.cyjs`: the neighbourhood of a node as Cytoscape.js JSON
//! (`{"elements": {"nodes": [...], "edges": [...]}}`), which Cytoscape.js takes as
//! `elements` and Cytoscape Desktop imports as a network. The walk is the one `neighborhood`
//! runs, capped at 500 nodes, so the document is bounded; each node is labelled by its name
//! or title, read in one statement per type.

use std::collections::{BTreeMap, HashMap};

use async_graphql::resolver_utils::EnumType;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::export::error_response;
use crate::db::Lsn;
use crate::error::{ApiError, ApiResult};
use crate::graphql::explore::links::Scope;
use crate::graphql::explore::walk::{Key, neighborhood};
use crate::graphql::explore::{MAX_DEPTH, MAX_NODES, within};
use crate::graphql::ids::{NodeKind, decode};
use crate::graphql::scalars::parse_date;

/// The query parameters; any other is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The global id of the node at the centre.
    id: String,
    /// Links out to walk (1 to 3; 1 when not given).
    depth: Option<i32>,
    /// Most nodes (1 to 500; 100 when not given).
    first: Option<i32>,
    /// Node types to walk to, comma-separated GraphQL names (`ORGANIZATION,OPERATION`).
    types: Option<String>,
    /// Only affiliations in force on this day (`YYYY-MM-DD`).
    #[serde(rename = "asOf")]
    as_of: Option<String>,
}

/// The table and label of each node type.
fn label_of(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Country => ("countries", "name"),
        NodeKind::Province => ("provinces", "name"),
        NodeKind::District => ("districts", "name"),
        NodeKind::Operation => ("operations", "title"),
        NodeKind::Personnel => ("personnel", "name"),
        NodeKind::Militant => ("militants", "COALESCE(name, 'unnamed militant')"),
        NodeKind::Organization => ("organizations", "name"),
        NodeKind::Affiliation => ("affiliations", "kind"),
        NodeKind::CommunityAction => ("community_actions", "kind"),
        NodeKind::Source => ("sources", "title"),
        NodeKind::ReportedFigure => ("reported_figures", "metric"),
        NodeKind::Attack => ("attacks", "kind"),
    }
}

/// The labels of `nodes`, one statement per type. The ids are the database's own integers.
async fn labels(db: &DatabaseConnection, nodes: &[Key]) -> ApiResult<HashMap<Key, String>> {
    let mut by_kind: BTreeMap<NodeKind, Vec<String>> = BTreeMap::new();
    for (kind, id) in nodes {
        by_kind.entry(*kind).or_default().push(id.to_string());
    }
    let mut found = HashMap::new();
    for (kind, ids) in by_kind {
        let (table, label) = label_of(kind);
        let sql = format!(
            "SELECT id, CAST({label} AS TEXT) AS label FROM {table} WHERE id IN ({})",
            ids.join(", ")
        );
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await?;
        for row in rows {
            found.insert((kind, row.try_get("", "id")?), row.try_get("", "label")?);
        }
    }
    Ok(found)
}

/// The node type of one of `types`' names, as the schema spells it (`COMMUNITY_ACTION`).
fn node_type(name: &str) -> ApiResult<NodeKind> {
    NodeKind::items()
        .iter()
        .find(|item| item.name == name.trim())
        .map(|item| item.value)
        .ok_or_else(|| {
            ApiError::bad_input(format!(
                "`types`: {name:?} is not a NodeType (e.g. ORGANIZATION)"
            ))
        })
}

async fn document(state: &AppState, uri: &Uri, after: Option<Lsn>) -> ApiResult<Value> {
    let params = Query::<Params>::try_from_uri(uri)
        .map_err(|e| ApiError::bad_input(e.body_text()))?
        .0;
    let center = decode(&params.id)?;
    let depth = within("depth", params.depth.unwrap_or(1), 1, MAX_DEPTH)?;
    let first = within("first", params.first.unwrap_or(100), 1, MAX_NODES)?;
    let kinds = params
        .types
        .map(|t| t.split(',').map(node_type).collect::<ApiResult<_>>())
        .transpose()?;
    let as_of = params
        .as_of
        .map(|d| {
            parse_date(&d).ok_or_else(|| {
                ApiError::bad_input(format!("`asOf` must be a date as YYYY-MM-DD, got {d:?}"))
            })
        })
        .transpose()?;
    let db = state.dbs.read(after);
    if labels(db, &[center]).await?.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no {} has id {:?}",
            center.0.name(),
            params.id
        )));
    }
    let graph = neighborhood(db, center, depth, first, &Scope { kinds, as_of }).await?;
    let labels = labels(db, &graph.nodes).await?;
    let nodes: Vec<Value> = graph
        .nodes
        .iter()
        .map(|key| {
            json!({ "data": {
                "id": key.0.id(key.1).0,
                "label": labels.get(key),
                "type": key.0.name(),
            } })
        })
        .collect();
    let edges: Vec<Value> = graph
        .links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let mut data = json!({
                "id": format!("e{i}"),
                "source": link.from.0.id(link.from.1).0,
                "target": link.to.0.id(link.to.1).0,
                "kind": link.kind.name(),
            });
            for (field, value) in [("role", &link.role), ("outcome", &link.outcome)] {
                if let Some(v) = value {
                    data[field] = json!(v);
                }
            }
            if let Some(a) = link.affiliation {
                data["affiliation"] = json!(NodeKind::Affiliation.id(a).0);
            }
            json!({ "data": data })
        })
        .collect();
    Ok(json!({
        "data": { "center": params.id, "depth": depth, "truncated": graph.truncated },
        "elements": { "nodes": nodes, "edges": edges },
    }))
}

/// `GET /export/neighborhood.cyjs`.
pub(super) async fn neighborhood_cyjs(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Err(refused) = super::caller(&state, &headers).await {
        return refused;
    }
    let after = match super::read_after(&headers) {
        Ok(after) => after,
        Err(err) => return error_response(err),
    };
    match document(&state, &uri, after).await {
        Ok(doc) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"neighborhood.cyjs\"",
                ),
            ],
            doc.to_string(),
        )
            .into_response(),
        Err(e) => error_response(e),
    }
}
