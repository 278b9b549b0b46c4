//! `Change` and `NodeChange`: the change log as the API shows it. A change is one committed
//! mutation (who, when, which); each node it touched has its row before and after.

use async_graphql::{Context, ID, InputObject, Json, Object};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::prelude::*;
use crate::entity::{change, change_node};
use crate::graphql::filter::{DateTimeFilter, NoFilter};
use crate::graphql::ids::decode;
use crate::graphql::node::{Node, node_in_group};

/// The prefix of a change's id (a change is not a `Node`; its id is still globally unique).
const ID_PREFIX: &str = "Change:";

/// A committed change to the graph: who made it, when, by which mutation, and the nodes it
/// touched.
#[derive(Clone)]
pub struct Change(pub change::Model, pub Siblings<change::Model>);

impl NodeObject for Change {
    type Model = change::Model;
    fn from_model(model: change::Model, siblings: Siblings<change::Model>) -> Self {
        Self(model, siblings)
    }
}

/// The id of change `row`.
pub fn change_id(row: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{ID_PREFIX}{row}")))
}

/// The row of a change's id; `BAD_USER_INPUT` for anything else.
pub fn decode_change_id(id: &str) -> ApiResult<i32> {
    URL_SAFE_NO_PAD
        .decode(id)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(ID_PREFIX)?.parse().ok())
        .ok_or_else(|| ApiError::bad_input(format!("{id:?} is not the id of a change")))
}

/// A committed change to the graph: who made it, when, by which mutation, and the nodes it
/// touched.
#[Object]
impl Change {
    /// Opaque id, unique among all ids this API returns.
    async fn id(&self) -> ID {
        change_id(self.0.id)
    }

    /// When it was committed.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Who made it: the name of the key it was made with.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// The mutation that made it (`createOperation`).
    async fn mutation(&self) -> &str {
        &self.0.mutation
    }

    /// The `clientMutationId` the client sent with it; null when none.
    async fn client_mutation_id(&self) -> Option<&str> {
        self.0.client_mutation_id.as_deref()
    }

    /// The nodes it created, changed or deleted, each before and after.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<NodeChange>> {
        Connection::nested(
            ctx,
            self.0.id,
            &self.1,
            Via::Column("change_id"),
            None::<NoFilter>,
            Some(NodeChangeOrder {
                field: NodeChangeOrderField::Id,
                direction: OrderDirection::Asc,
            }),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }
}

/// One node's part in a change: its row before and after, as JSON objects of column to
/// value (the storage row, so a later undo can restore it exactly).
#[derive(Clone)]
pub struct NodeChange(pub change_node::Model, pub Siblings<change_node::Model>);

impl NodeObject for NodeChange {
    type Model = change_node::Model;
    fn from_model(model: change_node::Model, siblings: Siblings<change_node::Model>) -> Self {
        Self(model, siblings)
    }
}

impl NodeChange {
    fn kind(&self) -> ApiResult<NodeKind> {
        NodeKind::from_name(&self.0.subject_type).ok_or_else(|| {
            ApiError::Internal(format!("unknown changed type {:?}", self.0.subject_type))
        })
    }
}

fn json(text: Option<&str>) -> ApiResult<Option<Json<Value>>> {
    text.map(|t| {
        serde_json::from_str(t)
            .map(Json)
            .map_err(|e| ApiError::Internal(format!("a change's row is not JSON: {e}")))
    })
    .transpose()
}

/// One node's part in a change: its row before and after.
#[Object]
impl NodeChange {
    /// The change.
    async fn change(&self, ctx: &Context<'_>) -> ApiResult<Option<Change>> {
        Ok(
            belongs_to(ctx, &self.0, &self.1, "change_id", |m| Some(m.change_id))
                .await?
                .map(|(m, s)| Change(m, s)),
        )
    }

    /// The type of the node.
    async fn node_type(&self) -> ApiResult<NodeKind> {
        self.kind()
    }

    /// The node's global id, which stays valid in the log after the node is deleted.
    async fn node_id(&self) -> ApiResult<ID> {
        Ok(self.kind()?.id(self.0.subject_id))
    }

    /// The node as it is now; null when it has since been deleted.
    async fn node(&self, ctx: &Context<'_>) -> ApiResult<Option<Node>> {
        let kind = self.kind()?;
        node_in_group(ctx, &self.0, &self.1, kind, |m| {
            (m.subject_type == kind.name()).then_some(m.subject_id)
        })
        .await
    }

    /// The row before the change; null when the change created it.
    async fn before(&self) -> ApiResult<Option<Json<Value>>> {
        json(self.0.before.as_deref())
    }

    /// The row after the change; null when the change deleted it.
    async fn after(&self) -> ApiResult<Option<Json<Value>>> {
        json(self.0.after.as_deref())
    }
}

/// Which changes to return. Every field given must match; `and`, `or` and `not` combine
/// filters.
#[derive(InputObject, Debug, Default)]
pub struct ChangeFilter {
    /// The key's name that made it.
    pub actor: Option<StringFilter>,
    /// The mutation that made it.
    pub mutation: Option<StringFilter>,
    /// The `clientMutationId` sent with it.
    pub client_mutation_id: Option<StringFilter>,
    /// When it was committed.
    pub at: Option<DateTimeFilter>,
    /// It touched a node of this type.
    pub node_type: Option<NodeKind>,
    /// It touched this node (which may since have been deleted).
    pub node_id: Option<ID>,
    /// Every one of these filters matches.
    pub and: Option<Vec<ChangeFilter>>,
    /// At least one of these filters matches.
    pub or: Option<Vec<ChangeFilter>>,
    /// This filter does not match.
    pub not: Option<Box<ChangeFilter>>,
}

impl FilterInput for ChangeFilter {
    fn to_where(&self) -> ApiResult<Where> {
        let touched = match (self.node_type, &self.node_id) {
            (None, None) => None,
            (kind, Some(id)) => {
                let (found, row) = decode(id)?;
                if kind.is_some_and(|k| k != found) {
                    return Err(ApiError::bad_input(format!(
                        "{:?} is a {}, not of the `nodeType` given",
                        id.as_str(),
                        found.name()
                    )));
                }
                Some(Touched(found, Some(row)))
            }
            (Some(kind), None) => Some(Touched(kind, None)),
        };
        Where::new("changes")
            .text("actor", &self.actor)?
            .text("mutation", &self.mutation)?
            .text("client_mutation_id", &self.client_mutation_id)?
            .moment("at", &self.at)
            .related("id", "change_id", touched.as_ref())?
            .combine(&self.and, &self.or, &self.not)
    }
}

/// The change touched a node of this type (this one, when its row is given).
#[derive(Debug)]
struct Touched(NodeKind, Option<i32>);

impl FilterInput for Touched {
    fn to_where(&self) -> ApiResult<Where> {
        let Self(kind, row) = *self;
        let name = Some(StringFilter {
            eq: Some(kind.name().to_owned()),
            ..Default::default()
        });
        let id = row.map(|row| IntFilter {
            eq: Some(row),
            ..Default::default()
        });
        Where::new("change_nodes")
            .text("subject_type", &name)?
            .int("subject_id", &id)
    }
}

order_input! {
    /// How to order changes: newest first unless given.
    ChangeOrder, ChangeOrderField, default = Id, descending;
    /// In the order they were committed.
    Id => ("id", ColumnKind::Int, required),
}

order_input! {
    /// How to order a node's changes: newest first unless given.
    NodeChangeOrder, NodeChangeOrderField, default = Id, descending;
    /// In the order they were committed.
    Id => ("id", ColumnKind::Int, required),
}

/// The changes of the `kind` node `id`, newest first, loaded with its `siblings`.
pub fn history_of<M: crate::entity::Table>(
    ctx: &Context<'_>,
    kind: NodeKind,
    id: i32,
    siblings: &Siblings<M>,
    args: PageArgs,
) -> ApiResult<Connection<NodeChange>> {
    let via = Via::Tagged {
        column: "subject_id",
        tag_column: "subject_type",
        tag: kind.name(),
    };
    Connection::nested(
        ctx,
        id,
        siblings,
        via,
        None::<NoFilter>,
        None::<NodeChangeOrder>,
        args,
    )
}
