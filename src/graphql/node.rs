//! The `Node` interface of Relay object identification, and loading nodes by kind and id.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface};

use super::connection::NodeObject;
use super::ids::NodeKind;
use super::loaders::{Siblings, belongs_to, by_ids};
use super::types::*;
use crate::entity::{self, Table};
use crate::error::ApiResult;

/// An object with a global id: every entity of the graph.
#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id, opaque and stable."))]
pub enum Node {
    /// A country.
    Country(Country),
    /// A province.
    Province(Province),
    /// A district.
    District(District),
    /// An operation.
    Operation(Operation),
    /// A member of the security forces.
    Personnel(Personnel),
    /// A militant.
    Militant(Militant),
    /// An organization.
    Organization(Organization),
    /// An affiliation.
    Affiliation(Affiliation),
    /// A community action.
    CommunityAction(CommunityAction),
    /// A source.
    Source(Source),
    /// A reported figure.
    ReportedFigure(ReportedFigure),
    /// An attack.
    Attack(Attack),
}

/// Calls `$then!(Model, Object)` for the entity of `$kind`.
macro_rules! per_kind {
    ($kind:expr, $then:ident) => {
        match $kind {
            NodeKind::Country => $then!(entity::country::Model, Country),
            NodeKind::Province => $then!(entity::province::Model, Province),
            NodeKind::District => $then!(entity::district::Model, District),
            NodeKind::Operation => $then!(entity::operation::Model, Operation),
            NodeKind::Personnel => $then!(entity::personnel::Model, Personnel),
            NodeKind::Militant => $then!(entity::militant::Model, Militant),
            NodeKind::Organization => $then!(entity::organization::Model, Organization),
            NodeKind::Affiliation => $then!(entity::affiliation::Model, Affiliation),
            NodeKind::CommunityAction => $then!(entity::community_action::Model, CommunityAction),
            NodeKind::Source => $then!(entity::source::Model, Source),
            NodeKind::ReportedFigure => $then!(entity::reported_figure::Model, ReportedFigure),
            NodeKind::Attack => $then!(entity::attack::Model, Attack),
        }
    };
}

/// Loads nodes by kind and id, one statement per kind; `None` where no row has the id.
pub async fn load_nodes(
    ctx: &Context<'_>,
    ids: &[(NodeKind, i32)],
) -> ApiResult<Vec<Option<Node>>> {
    let mut by_kind: HashMap<NodeKind, Vec<i32>> = HashMap::new();
    for (kind, id) in ids {
        by_kind.entry(*kind).or_default().push(*id);
    }
    let mut found: HashMap<(NodeKind, i32), Node> = HashMap::new();
    for (kind, rows) in by_kind {
        macro_rules! load {
            ($model:ty, $object:ident) => {{
                let (rows, group) = by_ids::<$model>(ctx, &rows).await?;
                for (id, row) in rows {
                    found.insert(
                        (kind, id),
                        Node::$object($object::from_model(row, group.clone())),
                    );
                }
            }};
        }
        per_kind!(kind, load);
    }
    // An id asked for twice is answered twice.
    Ok(ids.iter().map(|key| found.get(key).cloned()).collect())
}

/// The node `row` points at with `target` (a row of `kind`), loaded for every row of its
/// group at once.
pub async fn node_in_group<M: Table>(
    ctx: &Context<'_>,
    row: &M,
    siblings: &Siblings<M>,
    kind: NodeKind,
    target: impl Fn(&M) -> Option<i32>,
) -> ApiResult<Option<Node>> {
    macro_rules! load {
        ($model:ty, $object:ident) => {
            belongs_to::<M, $model>(ctx, row, siblings, kind.name(), target)
                .await?
                .map(|(m, s)| Node::$object($object::from_model(m, s)))
        };
    }
    Ok(per_kind!(kind, load))
}
