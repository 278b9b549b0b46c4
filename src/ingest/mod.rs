//! Getting data in: the seed dataset built from the source article, imports of datasets
//! (ctgraph's JSON, ACLED's CSV), and the synthetic generator.

pub mod dataset;
pub mod generate;
pub mod import;
pub mod seed;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, DatabaseTransaction, DbErr,
};

use crate::entity::change;

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
