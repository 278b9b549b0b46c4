//! The change log's side of a mutation: a node's state (its row, its links and its
//! citations, so that what a change moved can be put back) and the record of each node a
//! change touched.

use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait as _, Order, Query};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, DbErr};
use sea_orm::{FromQueryResult, JsonValue};

use super::link::Link;
use super::write::Write;
use crate::entity::{Table, change_node, citation};
use crate::graphql::ids::NodeKind;

impl Write {
    /// A node's state as the change log keeps it: its row (column → value), with its links
    /// (`links`: link table → its rows) and its `citations`, so that what a change moved can
    /// be put back. `None` when no row has the id.
    pub(super) async fn state(&self, kind: NodeKind, id: i32) -> Result<Option<JsonValue>, DbErr> {
        let rows = |table: &str, condition: Condition| {
            let mut select = Query::select();
            select
                .column(Asterisk)
                .from(Alias::new(table))
                .cond_where(condition)
                .order_by_columns(order_of(table));
            let backend = self.txn.get_database_backend();
            JsonValue::find_by_statement(backend.build(&select)).all(&self.txn)
        };
        let id_is = |column: &str| Condition::all().add(Expr::col(Alias::new(column)).eq(id));
        let Some(mut state) = rows(kind.table(), id_is("id")).await?.pop() else {
            return Ok(None);
        };
        let mut links = serde_json::Map::new();
        for (link, column, _) in Link::of(kind) {
            links.insert(
                link.table.to_owned(),
                JsonValue::Array(rows(link.table, id_is(column)).await?),
            );
        }
        let cited = id_is("subject_id").add(Expr::col(Alias::new("subject_type")).eq(kind.name()));
        let citations = rows(citation::Model::NAME, cited).await?;
        if let JsonValue::Object(map) = &mut state {
            map.insert("links".to_owned(), JsonValue::Object(links));
            map.insert("citations".to_owned(), JsonValue::Array(citations));
        }
        Ok(Some(state))
    }

    /// Records that the change took the node `(kind, id)` from `before` to `after`.
    pub(super) async fn record(
        &self,
        kind: NodeKind,
        id: i32,
        before: Option<JsonValue>,
        after: Option<JsonValue>,
    ) -> Result<(), DbErr> {
        change_node::ActiveModel {
            id: NotSet,
            change_id: Set(self.change.id),
            subject_type: Set(kind.name().to_owned()),
            subject_id: Set(id),
            before: Set(before.map(|v| v.to_string())),
            after: Set(after.map(|v| v.to_string())),
        }
        .insert(&self.txn)
        .await
        .map(|_| ())
    }
}

/// The columns that order a table's rows in a state: a link table's two ends (it has no
/// `id`), every other table's `id`.
fn order_of(table: &str) -> Vec<(Alias, Order)> {
    let key = match Link::named(table) {
        Some(link) => vec![link.parent_column, link.child_column],
        None => vec!["id"],
    };
    key.into_iter()
        .map(|c| (Alias::new(c), Order::Asc))
        .collect()
}
