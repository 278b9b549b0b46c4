//! Getting data in: the seed dataset built from the source article, imports of datasets
//! (ctgraph's JSON, ACLED's CSV), and the synthetic generator.

pub mod dataset;
pub mod generate;
pub mod import;
pub mod seed;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, DatabaseTransaction,
    DbErr, EntityTrait,
};

use crate::entity::{change, militant, organization, personnel};
use crate::graphql::ids::NodeKind;

/// Whether an affiliation of `subject` with `target` crosses a border: true when both lie in
/// a known country and the countries differ. Derived from what the database holds, never
/// typed in, by the seed, imports and mutations alike.
pub async fn crosses_border(
    conn: &impl ConnectionTrait,
    subject: (NodeKind, i32),
    target: (NodeKind, i32),
) -> Result<bool, DbErr> {
    Ok(
        match (
            country_of(conn, subject).await?,
            country_of(conn, target).await?,
        ) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        },
    )
}

/// The country a node operates in: a country is its own; an organization's is its base; a
/// militant's is the one they operate from, else their organization's; a person's is their
/// force's.
async fn country_of(
    conn: &impl ConnectionTrait,
    (kind, id): (NodeKind, i32),
) -> Result<Option<i32>, DbErr> {
    let organization = match kind {
        NodeKind::Country => return Ok(Some(id)),
        NodeKind::Organization => Some(id),
        NodeKind::Militant => match militant::Entity::find_by_id(id).one(conn).await? {
            Some(m) if m.operating_country_id.is_some() => return Ok(m.operating_country_id),
            Some(m) => m.organization_id,
            None => None,
        },
        NodeKind::Personnel => personnel::Entity::find_by_id(id)
            .one(conn)
            .await?
            .and_then(|p| p.organization_id),
        _ => None,
    };
    Ok(match organization {
        Some(org) => organization::Entity::find_by_id(org)
            .one(conn)
            .await?
            .and_then(|o| o.base_country_id),
        None => None,
    })
}

/// Records, in the load's own transaction, that `actor` (`seed`, `import <file>`) changed the
/// graph: one change per file, as the change log shows mutations. Its rows are not listed one
/// by one (a file may hold a hundred thousand); their `revision`s moved.
async fn record_load(txn: &DatabaseTransaction, actor: String) -> Result<(), DbErr> {
    change::ActiveModel {
        id: NotSet,
        at: Set(Utc::now()),
        key_id: Set(None),
        actor: Set(actor),
        mutation: Set("import".to_owned()),
        client_mutation_id: Set(None),
    }
    .insert(txn)
    .await
    .map(|_| ())
}
