//! Exploring the graph: `neighborhood` (the nodes and typed edges around a node, for graph
//! views) and `path` (the shortest chain of links between two nodes).

pub mod edge_data;
pub mod links;
pub mod walk;

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, ID, Object};

use self::edge_data::EdgeData;
use self::links::{Link, LinkKind, Scope};
use self::walk::Key;
use super::enums::{from_db, from_db_opt};
use super::ids::{NodeKind, decode};
use super::loaders::batches;
use super::node::{Node, load_nodes};
use super::scalars::Date;
use super::types::{
    Affiliation, AttackInvolvement, Deployment, Encounter, Involvement, Participation,
};
use crate::error::{ApiError, ApiResult};

/// Most links `neighborhood` walks from its centre.
pub const MAX_DEPTH: i32 = 3;
/// Most links `path` may chain.
pub const MAX_PATH_DEPTH: i32 = 6;
/// Most nodes a neighbourhood holds.
pub const MAX_NODES: i32 = 500;

/// The complexity of a walk returning at most `first` nodes (and about as many edges), each
/// costing `child` (the fields selected under them).
pub fn cost(first: Option<i32>, child: usize) -> usize {
    let nodes = usize::try_from(first.unwrap_or(100).clamp(1, MAX_NODES)).unwrap_or(1);
    nodes.saturating_mul(child.saturating_add(1))
}

/// An edge of the graph between two nodes, read from `from` to `to`.
#[derive(Clone)]
pub struct GraphEdge {
    link: Link,
    data: Option<EdgeData>,
}

/// An edge of the graph between two nodes, read from `from` to `to` ("Personnel TOOK_PART_IN Operation").
#[Object]
impl GraphEdge {
    /// Identifies the edge within a response: its kind and ends (and affiliation, where two
    /// nodes have several).
    async fn id(&self) -> ID {
        let l = &self.link;
        let mut id = format!(
            "{:?}:{}:{}",
            l.kind,
            l.from.0.id(l.from.1).0,
            l.to.0.id(l.to.1).0
        );
        if let Some(a) = l.affiliation {
            id.push_str(&format!(":{}", NodeKind::Affiliation.id(a).0));
        }
        ID(id)
    }

    /// What the edge says.
    async fn kind(&self) -> LinkKind {
        self.link.kind
    }

    /// The id of the node it reads from.
    async fn from(&self) -> ID {
        self.link.from.0.id(self.link.from.1)
    }

    /// The id of the node it reads to.
    async fn to(&self) -> ID {
        self.link.to.0.id(self.link.to.1)
    }

    /// What the edge's row says (role, outcome, the affiliation's dates and confidence); null for edges that are a plain reference (`IN_DISTRICT`, `MEMBER_OF`...).
    async fn data(&self) -> Option<&EdgeData> {
        self.data.as_ref()
    }
}

/// A subgraph around a node: nodes, and the edges the walk crossed between them.
pub struct Neighborhood {
    nodes: Vec<Node>,
    edges: Vec<GraphEdge>,
    truncated: bool,
}

/// A subgraph around a node: nodes, and the edges the walk crossed between them.
#[Object]
impl Neighborhood {
    /// The nodes, the centre first, then in the order a breadth-first walk reached them.
    async fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The edges crossed, each joining two of `nodes`.
    async fn edges(&self) -> &[GraphEdge] {
        &self.edges
    }

    /// True when the node cap (`first`) cut the walk short: there is more within `depth`.
    async fn truncated(&self) -> bool {
        self.truncated
    }
}

/// A chain of links between two nodes.
pub struct GraphPath {
    nodes: Vec<Node>,
    edges: Vec<GraphEdge>,
}

/// A chain of links between two nodes: `nodes[i]` and `nodes[i + 1]` are joined by `edges[i]`.
#[Object]
impl GraphPath {
    /// The nodes, from the start to the end.
    async fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The edges between consecutive nodes (each read in its own direction, which may run against the path).
    async fn edges(&self) -> &[GraphEdge] {
        &self.edges
    }

    /// The number of edges.
    async fn length(&self) -> usize {
        self.edges.len()
    }
}

/// The nodes `ids` name, loaded in one go, or `NOT_FOUND` for the first that names none.
async fn existing<const N: usize>(ctx: &Context<'_>, ids: [&ID; N]) -> ApiResult<[Key; N]> {
    let mut keys = [(NodeKind::Country, 0); N];
    for (key, id) in keys.iter_mut().zip(ids) {
        *key = decode(id)?;
    }
    let loaded = load_nodes(ctx, &keys).await?;
    for ((key, id), node) in keys.iter().zip(ids).zip(loaded) {
        if node.is_none() {
            return Err(ApiError::NotFound(format!(
                "no {} has id {:?}",
                key.0.name(),
                id.as_str()
            )));
        }
    }
    Ok(keys)
}

/// `value`, or a `BAD_USER_INPUT` naming `what` and its bounds.
pub fn within(what: &str, value: i32, low: i32, high: i32) -> ApiResult<usize> {
    if (low..=high).contains(&value) {
        Ok(usize::try_from(value).unwrap_or_default())
    } else {
        Err(ApiError::bad_input(format!(
            "`{what}` must be between {low} and {high}, got {value}"
        )))
    }
}

fn scope(types: Option<Vec<NodeKind>>, as_of: Option<Date>) -> ApiResult<Scope> {
    if types.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::bad_input(
            "`types` is empty; leave it out to walk to nodes of every type",
        ));
    }
    Ok(Scope {
        kinds: types.map(|t| t.into_iter().collect()),
        as_of: as_of.map(|d| d.0),
    })
}

/// Loads `nodes` and the data of `links` together (one statement per kind), in order.
async fn materialize(
    ctx: &Context<'_>,
    nodes: &[Key],
    links: Vec<Link>,
) -> ApiResult<(Vec<Node>, Vec<GraphEdge>)> {
    let affiliations: Vec<Key> = links
        .iter()
        .filter_map(|l| l.affiliation.map(|a| (NodeKind::Affiliation, a)))
        .collect();
    let wanted: Vec<Key> = nodes.iter().chain(&affiliations).copied().collect();
    let mut loaded = load_nodes(ctx, &wanted).await?.into_iter();
    // A node deleted while the walk ran is left out, with its edges, rather than failing.
    let found: Vec<(Key, Node)> = nodes
        .iter()
        .zip(loaded.by_ref().take(nodes.len()))
        .filter_map(|(key, node)| node.map(|n| (*key, n)))
        .collect();
    let present: HashSet<Key> = found.iter().map(|(k, _)| *k).collect();
    let links: Vec<Link> = links
        .into_iter()
        .filter(|l| present.contains(&l.from) && present.contains(&l.to))
        .collect();
    let nodes: Vec<Node> = found.into_iter().map(|(_, n)| n).collect();
    let affiliations: HashMap<i32, Affiliation> = loaded
        .flatten()
        .filter_map(|n| match n {
            Node::Affiliation(a) => Some((a.0.id, a)),
            _ => None,
        })
        .collect();
    let edges = links
        .into_iter()
        .map(|link| {
            let data = match link.kind {
                LinkKind::TookPartIn => Some(EdgeData::from(Deployment {
                    role: from_db_opt(link.role.as_deref())?,
                    outcome: from_db(link.outcome.as_deref().unwrap_or_default())?,
                })),
                LinkKind::EncounteredIn => Some(EdgeData::from(Encounter {
                    outcome: from_db(link.outcome.as_deref().unwrap_or_default())?,
                })),
                LinkKind::InvolvedIn => Some(EdgeData::from(Involvement {
                    role: from_db(link.role.as_deref().unwrap_or_default())?,
                })),
                LinkKind::ActedIn => Some(EdgeData::from(Participation {
                    role: from_db(link.role.as_deref().unwrap_or_default())?,
                })),
                LinkKind::InAttack => Some(EdgeData::from(AttackInvolvement {
                    role: from_db(link.role.as_deref().unwrap_or_default())?,
                })),
                LinkKind::AffiliatedWith => link
                    .affiliation
                    .and_then(|a| affiliations.get(&a).cloned())
                    .map(EdgeData::Affiliation),
                _ => None,
            };
            Ok(GraphEdge { link, data })
        })
        .collect::<ApiResult<_>>()?;
    Ok((nodes, edges))
}

/// Resolves `neighborhood`.
pub async fn neighborhood(
    ctx: &Context<'_>,
    id: ID,
    depth: i32,
    types: Option<Vec<NodeKind>>,
    first: i32,
    as_of: Option<Date>,
) -> ApiResult<Neighborhood> {
    let depth = within("depth", depth, 1, MAX_DEPTH)?;
    let first = within("first", first, 1, MAX_NODES)?;
    let [center] = existing(ctx, [&id]).await?;
    let db = batches(ctx)?.db();
    let graph = walk::neighborhood(db, center, depth, first, &scope(types, as_of)?).await?;
    let (nodes, edges) = materialize(ctx, &graph.nodes, graph.links).await?;
    Ok(Neighborhood {
        nodes,
        edges,
        truncated: graph.truncated,
    })
}

/// Resolves `path`.
pub async fn path(
    ctx: &Context<'_>,
    from: ID,
    to: ID,
    max_depth: i32,
    types: Option<Vec<NodeKind>>,
    as_of: Option<Date>,
) -> ApiResult<Option<GraphPath>> {
    let max_depth = within("maxDepth", max_depth, 1, MAX_PATH_DEPTH)?;
    let [from, to] = existing(ctx, [&from, &to]).await?;
    let db = batches(ctx)?.db();
    let mut scope = scope(types, as_of)?;
    if let Some(kinds) = &mut scope.kinds {
        kinds.extend([from.0, to.0]);
    }
    let Some((keys, links)) = walk::shortest_path(db, from, to, max_depth, &scope).await? else {
        return Ok(None);
    };
    let (nodes, edges) = materialize(ctx, &keys, links).await?;
    if nodes.len() != keys.len() {
        // A node of the chain was deleted while it was searched: there is no such path now.
        return Ok(None);
    }
    Ok(Some(GraphPath { nodes, edges }))
}
