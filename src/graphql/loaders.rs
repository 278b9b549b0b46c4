//! DataLoaders: every relation of a request is batched into one statement per level and
//! type, whatever the number of parent rows. Rows by id, pages of nested connections,
//! and their counts.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use super::page::{self, LinkRow, Page, PageQuery};
use crate::entity::Table;
use crate::error::{ApiError, ApiResult};

/// Loads rows for one request; created per request so its caches never go stale.
pub struct SqlLoader {
    db: DatabaseConnection,
}

impl SqlLoader {
    /// A request's DataLoader over `db`.
    pub fn data_loader(db: DatabaseConnection) -> DataLoader<SqlLoader> {
        DataLoader::new(SqlLoader { db }, tokio::spawn)
    }

    /// The database connection.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// The request's DataLoader.
pub fn loader<'a>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<SqlLoader>> {
    ctx.data::<DataLoader<SqlLoader>>()
        .map_err(|_| ApiError::Internal("no DataLoader in the request context".into()))
}

/// Loads one row of `M` by id (batched with every other id asked for in the request).
pub async fn by_id<M: Table>(ctx: &Context<'_>, id: i32) -> ApiResult<Option<M>> {
    loader(ctx)?.load_one(ById::<M>::new(id)).await
}

/// Like [`by_id`] for a nullable reference.
pub async fn by_opt_id<M: Table>(ctx: &Context<'_>, id: Option<i32>) -> ApiResult<Option<M>> {
    match id {
        Some(id) => by_id(ctx, id).await,
        None => Ok(None),
    }
}

/// Key of a row of `M` by id.
pub struct ById<M>(i32, PhantomData<fn() -> M>);

impl<M> ById<M> {
    /// The key of row `id`.
    pub fn new(id: i32) -> Self {
        Self(id, PhantomData)
    }
}

impl<M> Clone for ById<M> {
    fn clone(&self) -> Self {
        Self::new(self.0)
    }
}
impl<M> PartialEq for ById<M> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<M> Eq for ById<M> {}
impl<M> Hash for ById<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<M: Table> Loader<ById<M>> for SqlLoader {
    type Value = M;
    type Error = ApiError;

    async fn load(&self, keys: &[ById<M>]) -> ApiResult<HashMap<ById<M>, M>> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = page::fetch_by_ids::<M>(&self.db, &ids).await?;
        Ok(rows.into_iter().map(|m| (ById::new(m.id()), m)).collect())
    }
}

/// Key of one parent's page of a nested connection.
pub struct PageKey<M, L> {
    parent: i32,
    query: Arc<PageQuery>,
    _rows: PhantomData<fn() -> (M, L)>,
}

impl<M, L> PageKey<M, L> {
    /// The page of `query` under `parent`.
    pub fn new(parent: i32, query: Arc<PageQuery>) -> Self {
        Self {
            parent,
            query,
            _rows: PhantomData,
        }
    }
}

impl<M, L> Clone for PageKey<M, L> {
    fn clone(&self) -> Self {
        Self::new(self.parent, self.query.clone())
    }
}
impl<M, L> PartialEq for PageKey<M, L> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.query.fingerprint() == other.query.fingerprint()
    }
}
impl<M, L> Eq for PageKey<M, L> {}
impl<M, L> Hash for PageKey<M, L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.query.fingerprint().hash(state);
    }
}

/// Groups keys by the query they share, so each distinct query runs once for all parents.
fn by_query<'a, K>(
    keys: &'a [K],
    query: impl Fn(&K) -> (&str, i32),
) -> HashMap<&'a str, Vec<&'a K>> {
    let mut groups: HashMap<&str, Vec<&K>> = HashMap::new();
    for key in keys {
        groups.entry(query(key).0).or_default().push(key);
    }
    groups
}

impl<M: Table, L: LinkRow> Loader<PageKey<M, L>> for SqlLoader {
    type Value = Arc<Page<M, L>>;
    type Error = ApiError;

    async fn load(&self, keys: &[PageKey<M, L>]) -> ApiResult<HashMap<PageKey<M, L>, Self::Value>> {
        let mut out = HashMap::new();
        for group in by_query(keys, |k| (k.query.fingerprint(), k.parent)).into_values() {
            let query = &group[0].query;
            let parents: Vec<i32> = group.iter().map(|k| k.parent).collect();
            let mut pages = page::fetch_nested::<M, L>(&self.db, query, &parents).await?;
            for key in group {
                let page = pages.remove(&key.parent).unwrap_or_default();
                out.insert(key.clone(), Arc::new(page));
            }
        }
        Ok(out)
    }
}

/// Key of one parent's `totalCount` of a nested connection.
#[derive(Clone)]
pub struct CountKey {
    parent: i32,
    query: Arc<PageQuery>,
}

impl CountKey {
    /// The count of `query` under `parent`.
    pub fn new(parent: i32, query: Arc<PageQuery>) -> Self {
        Self { parent, query }
    }
}

impl PartialEq for CountKey {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent
            && self.query.count_fingerprint() == other.query.count_fingerprint()
    }
}
impl Eq for CountKey {}
impl Hash for CountKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.query.count_fingerprint().hash(state);
    }
}

impl Loader<CountKey> for SqlLoader {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, keys: &[CountKey]) -> ApiResult<HashMap<CountKey, i64>> {
        let mut out = HashMap::new();
        for group in by_query(keys, |k| (k.query.count_fingerprint(), k.parent)).into_values() {
            let parents: Vec<i32> = group.iter().map(|k| k.parent).collect();
            let counts = page::count_nested(&self.db, &group[0].query, &parents).await?;
            for key in group {
                out.insert(key.clone(), counts.get(&key.parent).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}
