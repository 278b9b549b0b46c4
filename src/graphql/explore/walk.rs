//! Breadth-first walks over the links of the graph, one statement per level: the
//! neighbourhood of a node, and the shortest path between two (searched from both ends).

use std::collections::{HashMap, HashSet};

use sea_orm::DatabaseConnection;

use super::super::ids::NodeKind;
use super::links::{Beyond, Link, Scope, links_of};
use crate::error::{ApiError, ApiResult};

/// Most links one `path` search reads, both sides and all levels together: hubs (a country
/// every militant operates in) would otherwise pull the whole graph into one request.
pub const MAX_PATH_LINKS: usize = 100_000;

/// Most links one level of a `path` search reads before that side is left to the other.
const MAX_LEVEL_LINKS: usize = 5_000;

/// A node of the graph: its kind and row id.
pub type Key = (NodeKind, i32);

/// The nodes and links around a node.
#[derive(Debug, Default)]
pub struct Subgraph {
    /// The nodes in the order the walk reached them, the centre first.
    pub nodes: Vec<Key>,
    /// The links between them that the walk crossed.
    pub links: Vec<Link>,
    /// Whether the walk stopped at the node cap before it had seen everything in reach.
    pub truncated: bool,
}

/// The subgraph within `depth` links of `center`, of at most `max_nodes` nodes.
pub async fn neighborhood(
    db: &DatabaseConnection,
    center: Key,
    depth: usize,
    max_nodes: usize,
    scope: &Scope,
) -> ApiResult<Subgraph> {
    let mut seen: HashSet<Key> = HashSet::from([center]);
    let mut crossed: HashSet<Link> = HashSet::new();
    let mut graph = Subgraph {
        nodes: vec![center],
        ..Subgraph::default()
    };
    let mut frontier = vec![center];
    for _ in 0..depth {
        if frontier.is_empty() {
            break;
        }
        // Enough links to fill the cap even when many lead back to nodes already seen;
        // more than that means more was in reach.
        let limit = (max_nodes * 8).max(1000);
        let mut links = links_of(db, &frontier, scope, limit, Beyond::Sorted).await?;
        if links.len() > limit {
            links.truncate(limit);
            graph.truncated = true;
        }
        let from: HashSet<Key> = frontier.drain(..).collect();
        for link in links {
            let near = if from.contains(&link.from) {
                link.from
            } else {
                link.to
            };
            let far = link.other(near);
            if !seen.contains(&far) {
                if graph.nodes.len() >= max_nodes {
                    graph.truncated = true;
                    continue;
                }
                seen.insert(far);
                graph.nodes.push(far);
                frontier.push(far);
            }
            if crossed.insert(link.clone()) {
                graph.links.push(link);
            }
        }
    }
    Ok(graph)
}

/// How a walk reached a node: the node before it and the link between, and its distance.
type Reached = HashMap<Key, (Option<(Key, Link)>, usize)>;

/// One end of a search from both ends.
struct Side {
    reached: Reached,
    frontier: Vec<Key>,
    depth: usize,
    /// Its next level has too many links to read.
    heavy: bool,
}

impl Side {
    fn new(start: Key) -> Self {
        Self {
            reached: HashMap::from([(start, (None, 0))]),
            frontier: vec![start],
            depth: 0,
            heavy: false,
        }
    }

    /// The chain of nodes and links from this side's start to `node`.
    fn chain(&self, mut node: Key) -> (Vec<Key>, Vec<Link>) {
        let (mut nodes, mut links) = (vec![node], Vec::new());
        while let Some((Some((previous, link)), _)) = self.reached.get(&node) {
            links.push(link.clone());
            nodes.push(*previous);
            node = *previous;
        }
        nodes.reverse();
        links.reverse();
        (nodes, links)
    }
}

/// The shortest chain of nodes and links from `from` to `to`, within `max_depth` links.
pub async fn shortest_path(
    db: &DatabaseConnection,
    from: Key,
    to: Key,
    max_depth: usize,
    scope: &Scope,
) -> ApiResult<Option<(Vec<Key>, Vec<Link>)>> {
    if from == to {
        return Ok(Some((vec![from], Vec::new())));
    }
    let mut sides = [Side::new(from), Side::new(to)];
    let mut budget = MAX_PATH_LINKS;
    while sides[0].depth + sides[1].depth < max_depth {
        // Grow the side with the smaller frontier: the two searches meet having read far
        // fewer links than one search from either end. A side whose next level is a hub's
        // (more than MAX_LEVEL_LINKS links) is left alone while the other can still grow.
        let open: Vec<usize> = (0..2).filter(|&i| !sides[i].heavy).collect();
        let Some(&grow) = open.iter().min_by_key(|&&i| sides[i].frontier.len()) else {
            return Err(ApiError::TooComplex(format!(
                "both ends of the path lead through nodes with more than {MAX_LEVEL_LINKS} \
                 links; lower `maxDepth` or leave hubs out with `types`"
            )));
        };
        if sides[grow].frontier.is_empty() {
            return Ok(None);
        }
        let limit = budget.min(MAX_LEVEL_LINKS);
        let links = links_of(db, &sides[grow].frontier, scope, limit, Beyond::Any).await?;
        budget = budget.saturating_sub(links.len());
        if links.len() > limit {
            if budget == 0 {
                return Err(ApiError::TooComplex(format!(
                    "the search for a path read {MAX_PATH_LINKS} links without finding one; \
                     lower `maxDepth` or leave hubs out with `types`"
                )));
            }
            sides[grow].heavy = true;
            continue;
        }
        let side = &mut sides[grow];
        side.depth += 1;
        let frontier: HashSet<Key> = side.frontier.drain(..).collect();
        for link in links {
            // A link between two frontier nodes is read from both; either reading will do.
            for near in [link.from, link.to] {
                if !frontier.contains(&near) {
                    continue;
                }
                let far = link.other(near);
                if !side.reached.contains_key(&far) {
                    side.reached
                        .insert(far, (Some((near, link.clone())), side.depth));
                    side.frontier.push(far);
                }
            }
        }
        // Among the nodes both sides have reached, the one with the shortest total distance.
        let (grown, other) = (&sides[grow], &sides[1 - grow]);
        let meeting = grown
            .frontier
            .iter()
            .filter_map(|node| {
                other
                    .reached
                    .get(node)
                    .map(|(_, d)| (grown.depth + d, *node))
            })
            .min();
        if let Some((_, node)) = meeting {
            let (mut nodes, mut links) = sides[0].chain(node);
            let (back_nodes, back_links) = sides[1].chain(node);
            nodes.extend(back_nodes.into_iter().rev().skip(1));
            links.extend(back_links.into_iter().rev());
            return Ok(Some((nodes, links)));
        }
    }
    Ok(None)
}
