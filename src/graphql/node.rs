//! The `Node` interface of Relay object identification, and loading any node by kind and id.

use async_graphql::{Context, ID, Interface};

use super::ids::NodeKind;
use super::loaders::by_id;
use super::types::*;
use crate::entity;
use crate::error::ApiResult;

/// An object with a global id: every entity of the graph.
#[derive(Interface)]
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
}

/// Loads the `kind` row `id` as a node (batched like every other lookup by id); `None`
/// when there is no such row.
pub async fn load_node(ctx: &Context<'_>, kind: NodeKind, id: i32) -> ApiResult<Option<Node>> {
    use NodeKind as K;
    Ok(match kind {
        K::Country => by_id::<entity::country::Model>(ctx, id)
            .await?
            .map(|m| Node::Country(Country(m))),
        K::Province => by_id::<entity::province::Model>(ctx, id)
            .await?
            .map(|m| Node::Province(Province(m))),
        K::District => by_id::<entity::district::Model>(ctx, id)
            .await?
            .map(|m| Node::District(District(m))),
        K::Operation => by_id::<entity::operation::Model>(ctx, id)
            .await?
            .map(|m| Node::Operation(Operation(m))),
        K::Personnel => by_id::<entity::personnel::Model>(ctx, id)
            .await?
            .map(|m| Node::Personnel(Personnel(m))),
        K::Militant => by_id::<entity::militant::Model>(ctx, id)
            .await?
            .map(|m| Node::Militant(Militant(m))),
        K::Organization => by_id::<entity::organization::Model>(ctx, id)
            .await?
            .map(|m| Node::Organization(Organization(m))),
        K::Affiliation => by_id::<entity::affiliation::Model>(ctx, id)
            .await?
            .map(|m| Node::Affiliation(Affiliation(m))),
        K::CommunityAction => by_id::<entity::community_action::Model>(ctx, id)
            .await?
            .map(|m| Node::CommunityAction(CommunityAction(m))),
        K::Source => by_id::<entity::source::Model>(ctx, id)
            .await?
            .map(|m| Node::Source(Source(m))),
        K::ReportedFigure => by_id::<entity::reported_figure::Model>(ctx, id)
            .await?
            .map(|m| Node::ReportedFigure(ReportedFigure(m))),
    })
}
