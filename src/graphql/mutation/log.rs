//! The change log's side of a mutation: a node's state (its row, its links and its
//! citations, so that what a change moved can be put back) and the record of each node a
//! change touched.

use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait as _, Order, Query};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, DbErr};
use sea_orm::{FromQueryResult, JsonValue};

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
        for &(table, column) in links_of(kind) {
            links.insert(
                table.to_owned(),
                JsonValue::Array(rows(table, id_is(column)).await?),
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
            change_id: Set(self.change),
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

/// The link tables holding a node of `kind` (the table, and its column naming the node): what
/// its state in the change log lists besides its row.
fn links_of(kind: NodeKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        NodeKind::Operation => &[
            ("operation_personnel", "operation_id"),
            ("operation_militants", "operation_id"),
            ("operation_organizations", "operation_id"),
        ],
        NodeKind::Personnel => &[("operation_personnel", "personnel_id")],
        NodeKind::Militant => &[("operation_militants", "militant_id")],
        NodeKind::Organization => &[
            ("operation_organizations", "organization_id"),
            ("community_action_actors", "organization_id"),
        ],
        NodeKind::District => &[("community_action_districts", "district_id")],
        NodeKind::CommunityAction => &[
            ("community_action_actors", "community_action_id"),
            ("community_action_districts", "community_action_id"),
        ],
        NodeKind::ReportedFigure => &[("reported_figure_districts", "reported_figure_id")],
        NodeKind::Country | NodeKind::Province | NodeKind::Affiliation | NodeKind::Source => &[],
    }
}

/// The columns that order a table's rows in a state: the link tables' two ends (they have no
/// `id`), every other table's `id`.
fn order_of(table: &str) -> Vec<(Alias, Order)> {
    let key: &[&str] = match table {
        "operation_personnel" => &["operation_id", "personnel_id"],
        "operation_militants" => &["operation_id", "militant_id"],
        "operation_organizations" => &["operation_id", "organization_id"],
        "community_action_actors" => &["community_action_id", "organization_id"],
        "community_action_districts" => &["community_action_id", "district_id"],
        "reported_figure_districts" => &["reported_figure_id", "district_id"],
        _ => &["id"],
    };
    key.iter().map(|c| (Alias::new(*c), Order::Asc)).collect()
}
