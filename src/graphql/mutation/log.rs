//! The change log's side of a mutation: a node's state (its row, its links and its
//! citations, so that what a change moved can be put back) and the record of each node a
//! change touched.

use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait as _, Order, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr,
    EntityTrait, QueryFilter,
};
use sea_orm::{FromQueryResult, JsonValue};

use super::input::Done;
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

    /// Records that the change took the node `(kind, id)` from `before` to `after`. A node
    /// has one record per change: recorded again (a new person, then linked to the operation
    /// created with them), its first `before` stays and its `after` is the latest.
    pub(super) async fn record(
        &self,
        kind: NodeKind,
        id: i32,
        before: Option<JsonValue>,
        after: Option<JsonValue>,
    ) -> Result<(), DbErr> {
        if let Some(earlier) = self.recorded(kind, id).await? {
            let mut row: change_node::ActiveModel = earlier.into();
            row.after = Set(after.map(|v| v.to_string()));
            return row.update(&self.txn).await.map(|_| ());
        }
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

impl Write {
    /// This change's record of the node `(kind, id)`, if it has one yet.
    pub(super) async fn recorded(
        &self,
        kind: NodeKind,
        id: i32,
    ) -> Result<Option<change_node::Model>, DbErr> {
        change_node::Entity::find()
            .filter(change_node::Column::ChangeId.eq(self.change.id))
            .filter(change_node::Column::SubjectType.eq(kind.name()))
            .filter(change_node::Column::SubjectId.eq(id))
            .one(&self.txn)
            .await
    }

    /// Records the nodes a new node `(kind, id)` was linked to as it was created: each was
    /// as it is now without its links to the new node, and its revision moves on (once per
    /// change).
    pub(super) async fn record_linked(&self, kind: NodeKind, id: i32) -> Done<()> {
        for (k, i) in self.dependents(kind, id, true).await? {
            let Some(mut before) = self.state(k, i).await? else {
                continue;
            };
            for (link, _, other) in Link::of(k) {
                if link.parent != kind && link.child != kind {
                    continue;
                }
                if let Some(rows) = before["links"][link.table].as_array_mut() {
                    rows.retain(|row| row[other].as_i64() != Some(i64::from(id)));
                }
            }
            // Recorded already (created by this change): its first record's `before` stands.
            let first = self.recorded(k, i).await?.is_none();
            if first {
                self.touch(k, i).await?;
            }
            let after = self.state(k, i).await?;
            self.record(k, i, first.then_some(before), after).await?;
        }
        Ok(())
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
