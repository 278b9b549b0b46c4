//! Putting the change log's states back: the nodes a change touched return to their state
//! before it (rows, links and citations), provided none has moved on since. This is what
//! undoes a merge.

use std::collections::BTreeSet;

use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    JsonValue, TryIntoModel,
};
use serde::{Serialize, de::DeserializeOwned};

use super::input::{Done, UserError, UserErrorCode};
use super::link::Link;
use super::write::Write;
use crate::entity::{LinkTable, Table, change_node, citation};
use crate::entity::{
    affiliation, attack, attack_organization, community_action, community_action_actor,
    community_action_district, country, district, militant, operation, operation_militant,
    operation_organization, operation_personnel, organization, personnel, province,
    reported_figure, reported_figure_district, source,
};
use crate::error::ApiError;
use crate::graphql::ids::NodeKind;

/// One node's part in a change, as the log holds it.
pub(super) struct Touched {
    pub(super) kind: NodeKind,
    pub(super) id: i32,
    pub(super) before: Option<JsonValue>,
    pub(super) after: Option<JsonValue>,
}

impl Touched {
    pub(super) fn from_log(row: &change_node::Model) -> Result<Self, ApiError> {
        let kind = NodeKind::from_name(&row.subject_type).ok_or_else(|| {
            ApiError::Internal(format!("a change of an unknown type {}", row.subject_type))
        })?;
        let parse = |text: &Option<String>| {
            text.as_deref()
                .map(serde_json::from_str::<JsonValue>)
                .transpose()
                .map_err(|e| ApiError::Internal(format!("a change's state is not JSON: {e}")))
        };
        Ok(Self {
            kind,
            id: row.subject_id,
            before: parse(&row.before)?,
            after: parse(&row.after)?,
        })
    }
}

impl Write {
    /// Returns every node of `touched` to its state before, recording each in this change;
    /// `CONFLICT` when one is no longer as the change left it (a later change moved it on).
    pub(super) async fn restore(&self, change: i32, touched: &[Touched]) -> Done<()> {
        let mut now = Vec::with_capacity(touched.len());
        for t in touched {
            let state = self.state(t.kind, t.id).await?;
            if state != t.after {
                return Err(self.moved_on(change, t).await?.into());
            }
            now.push(state);
        }
        // Links and citations first: every row they name is then free to change or go.
        for t in touched {
            for (link, column, _) in Link::of(t.kind) {
                self.delete_where(link.table, column, t.id).await?;
            }
            self.uncite(t.kind, t.id).await?;
        }
        // Rows a reference may name go back first (a source before what cites it, an
        // organization before its members).
        let mut rows: Vec<&Touched> = touched.iter().filter(|t| t.before.is_some()).collect();
        rows.sort_by_key(|t| rank(t.kind));
        for t in rows {
            let Some(JsonValue::Object(mut row)) = t.before.clone() else {
                continue;
            };
            row.remove("links");
            row.remove("citations");
            // The revision moves on from the latest, so a client holding the merged state's
            // revision is refused rather than overwriting the restored one.
            let latest = t.after.as_ref().unwrap_or(&JsonValue::Null)["revision"]
                .as_i64()
                .or_else(|| row.get("revision").and_then(JsonValue::as_i64))
                .unwrap_or(0);
            row.insert("revision".to_owned(), (latest + 1).into());
            put(
                &self.txn,
                t.kind.table(),
                JsonValue::Object(row),
                t.after.is_some(),
            )
            .await?;
        }
        let mut rows = BTreeSet::new();
        for t in touched {
            let Some(before) = &t.before else { continue };
            if let Some(links) = before["links"].as_object() {
                for (table, list) in links {
                    for row in list.as_array().into_iter().flatten() {
                        rows.insert((0, table.clone(), row.to_string()));
                    }
                }
            }
            for row in before["citations"].as_array().into_iter().flatten() {
                rows.insert((1, citation::Model::NAME.to_owned(), row.to_string()));
            }
        }
        for (_, table, row) in rows {
            let row = serde_json::from_str(&row).map_err(|e| ApiError::Internal(e.to_string()))?;
            put(&self.txn, &table, row, false).await?;
        }
        // Nodes the change created go, unless something made since names them (a source
        // a later change cited).
        for t in touched.iter().filter(|t| t.before.is_none()) {
            let cited = t.kind == NodeKind::Source
                && !self
                    .ids(citation::Model::NAME, "id", "source_id", t.id)
                    .await?
                    .is_empty();
            if cited || !self.dependents(t.kind, t.id, false).await?.is_empty() {
                return Err(UserError::new(
                    UserErrorCode::Conflict,
                    &["changeId"],
                    format!(
                        "the {} {} that change created is in use since; undo what uses it first",
                        t.kind.name(),
                        t.kind.id(t.id).as_str()
                    ),
                )
                .into());
            }
            self.delete_where(t.kind.table(), "id", t.id).await?;
        }
        for (t, now) in touched.iter().zip(now) {
            let after = self.state(t.kind, t.id).await?;
            self.record(t.kind, t.id, now, after).await?;
        }
        Ok(())
    }

    /// The refusal of a restore whose node `t` has moved on since `change`, naming the
    /// change that moved it.
    async fn moved_on(&self, change: i32, t: &Touched) -> Result<UserError, DbErr> {
        let mut later = Query::select();
        later
            .column(Alias::new("change_id"))
            .from(Alias::new(change_node::Model::NAME))
            .and_where(Expr::col(Alias::new("subject_type")).eq(t.kind.name()))
            .and_where(Expr::col(Alias::new("subject_id")).eq(t.id))
            .and_where(Expr::col(Alias::new("change_id")).gt(change))
            .order_by(Alias::new("change_id"), sea_orm::Order::Asc)
            .limit(1);
        let by = match self.txn.query_one(&later).await? {
            Some(row) => {
                let id: i32 = row.try_get("", "change_id")?;
                format!(
                    " by the change {}",
                    crate::graphql::types::change_id(id).as_str()
                )
            }
            None => String::new(),
        };
        Ok(UserError::new(
            UserErrorCode::Conflict,
            &["changeId"],
            format!(
                "the {} {} has changed since{by}; undo that change first",
                t.kind.name(),
                t.kind.id(t.id).as_str()
            ),
        ))
    }

    /// Deletes the citations of the node `(kind, id)`.
    pub(super) async fn uncite(&self, kind: NodeKind, id: i32) -> Result<(), DbErr> {
        let mut cited = Query::delete();
        cited
            .from_table(Alias::new(citation::Model::NAME))
            .and_where(Expr::col(Alias::new("subject_type")).eq(kind.name()))
            .and_where(Expr::col(Alias::new("subject_id")).eq(id));
        self.txn.execute(&cited).await.map(|_| ())
    }

    /// Deletes the rows of `table` whose `column` is `id`.
    pub(super) async fn delete_where(
        &self,
        table: &str,
        column: &str,
        id: i32,
    ) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(table))
            .and_where(Expr::col(Alias::new(column)).eq(id));
        self.txn.execute(&delete).await.map(|_| ())
    }
}

/// The order in which a restore writes rows of each type: what a reference names first.
fn rank(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::Source => 0,
        NodeKind::Country => 1,
        NodeKind::Province => 2,
        NodeKind::District => 3,
        NodeKind::Organization => 4,
        NodeKind::Personnel => 5,
        NodeKind::Militant => 6,
        NodeKind::Operation => 7,
        NodeKind::Affiliation => 8,
        NodeKind::CommunityAction => 9,
        NodeKind::ReportedFigure => 10,
        NodeKind::Attack => 11,
    }
}

/// Writes `row` (a state's row: column → value) into `table`: a new row, or when `exists`
/// the row of its id replaced. Typed through the table's entity, so each value is bound as
/// its column's type on either backend.
async fn put(
    txn: &impl ConnectionTrait,
    table: &str,
    row: JsonValue,
    exists: bool,
) -> Result<(), DbErr> {
    macro_rules! by_table {
        (nodes: $($node:ident),*; links: $($link:ident),*) => {
            $(if table == <$node::Model as Table>::NAME {
                return put_as::<$node::ActiveModel, _>(txn, row, exists).await;
            })*
            $(if table == <$link::Model as LinkTable>::NAME {
                return put_as::<$link::ActiveModel, _>(txn, row, exists).await;
            })*
        };
    }
    by_table! {
        nodes: source, country, province, district, organization, personnel, militant,
            operation, affiliation, community_action, reported_figure, attack, citation;
        links: operation_personnel, operation_militant, operation_organization,
            community_action_actor, community_action_district, reported_figure_district,
            attack_organization
    }
    Err(DbErr::Custom(format!("no table {table} to restore")))
}

async fn put_as<A, M>(txn: &impl ConnectionTrait, row: JsonValue, exists: bool) -> Result<(), DbErr>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send + TryIntoModel<M>,
    A::Entity: EntityTrait<Model = M>,
    M: IntoActiveModel<A> + Serialize + DeserializeOwned + sea_orm::ModelTrait,
{
    let active = A::from_json(row)?;
    if exists {
        active.update(txn).await?;
    } else {
        active.insert(txn).await?;
    }
    Ok(())
}
