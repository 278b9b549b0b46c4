//! Set-based loading, without timers. Rows fetched by one statement form a group; when a
//! resolver on one row of a group needs a relation, the relation is loaded for every row of
//! the group in one statement, and the other rows find it ready. The statements a request
//! runs therefore follow the shape of the query (one per relation and level), never the
//! number of rows, and never how the executor happened to schedule the resolvers.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::Context;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use sea_orm::DatabaseConnection;

use super::page::{self, LinkRow, Page, PageQuery};
use crate::entity::Table;
use crate::error::{ApiError, ApiResult};

/// Rows that came from one statement, shared by the GraphQL objects made from them.
pub struct Group<M> {
    id: u64,
    rows: Vec<M>,
    ids: OnceLock<Arc<[i32]>>,
}

/// A handle on the group a row came from.
pub type Siblings<M> = Arc<Group<M>>;

impl<M> Group<M> {
    fn new(id: u64, rows: Vec<M>) -> Siblings<M> {
        Arc::new(Group {
            id,
            rows,
            ids: OnceLock::new(),
        })
    }
}

impl<M: Table> Group<M> {
    /// The ids of the group's rows, each once.
    pub fn ids(&self) -> Arc<[i32]> {
        self.ids
            .get_or_init(|| {
                let mut seen = HashSet::new();
                self.rows
                    .iter()
                    .map(Table::id)
                    .filter(|id| seen.insert(*id))
                    .collect()
            })
            .clone()
    }

    /// The group's rows, as loaded.
    pub fn rows(&self) -> &[M] {
        &self.rows
    }

    /// Identifies the group within its request.
    pub fn id(&self) -> u64 {
        self.id
    }
}

type SharedLoad = Shared<BoxFuture<'static, ApiResult<Arc<dyn Any + Send + Sync>>>>;

/// Identifies the query of a nested connection within a request: the group its parents
/// form, the field of the document being resolved (its address, stable for the request) and
/// the connection's types (a resolver may build more than one).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueryKey {
    /// The parents' group.
    pub group: u64,
    /// Address of the document's field.
    pub field: usize,
    /// The connection's node and edge types.
    pub types: TypeId,
}

/// One request's loads: each runs once, and everyone who needs it awaits the same result.
pub struct Batches {
    db: DatabaseConnection,
    next_group: AtomicU64,
    loads: Mutex<HashMap<String, SharedLoad>>,
    queries: Mutex<HashMap<QueryKey, Arc<PageQuery>>>,
}

impl Batches {
    /// The loads of a new request on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            next_group: AtomicU64::new(0),
            loads: Mutex::new(HashMap::new()),
            queries: Mutex::new(HashMap::new()),
        }
    }

    /// The query under `key`, built by `build` the first time it is asked for.
    pub fn page_query(
        &self,
        key: QueryKey,
        build: impl FnOnce() -> ApiResult<PageQuery>,
    ) -> ApiResult<Arc<PageQuery>> {
        let mut queries = self
            .queries
            .lock()
            .map_err(|_| ApiError::Internal("query registry poisoned".into()))?;
        if let Some(query) = queries.get(&key) {
            return Ok(query.clone());
        }
        let query = Arc::new(build()?);
        queries.insert(key, query.clone());
        Ok(query)
    }

    /// The database connection.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Makes `rows` a group.
    pub fn group<M>(&self, rows: Vec<M>) -> Siblings<M> {
        Group::new(self.next_group.fetch_add(1, Ordering::Relaxed), rows)
    }

    /// Runs `load` under `key` unless it already ran or runs; returns its result.
    async fn once<V, F>(&self, key: String, load: impl FnOnce() -> F) -> ApiResult<Arc<V>>
    where
        V: Any + Send + Sync,
        F: Future<Output = ApiResult<V>> + Send + 'static,
    {
        let shared = {
            let mut loads = self
                .loads
                .lock()
                .map_err(|_| ApiError::Internal("batch registry poisoned".into()))?;
            loads
                .entry(key)
                .or_insert_with(|| {
                    let fut = load();
                    async move { fut.await.map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>) }
                        .boxed()
                        .shared()
                })
                .clone()
        };
        shared
            .await?
            .downcast::<V>()
            .map_err(|_| ApiError::Internal("batch key reused for another type".into()))
    }
}

/// Runs `load` once per request under `key` (whoever asks again awaits the same result): for
/// a computation over a whole group of rows that each row's field reads a part of.
pub async fn once_per_request<V, F>(
    ctx: &Context<'_>,
    key: String,
    load: impl FnOnce(DatabaseConnection) -> F,
) -> ApiResult<Arc<V>>
where
    V: Any + Send + Sync,
    F: Future<Output = ApiResult<V>> + Send + 'static,
{
    let b = batches(ctx)?;
    b.once(key, || load(b.db.clone())).await
}

/// The request's batches.
pub fn batches<'a>(ctx: &Context<'a>) -> ApiResult<&'a Batches> {
    ctx.data::<Batches>()
        .map_err(|_| ApiError::Internal("no batches in the request context".into()))
}

/// Rows of `T` by id, made a group.
struct ById<T> {
    rows: HashMap<i32, T>,
    group: Siblings<T>,
}

/// The `T` that `row` refers to through `fk` (named `relation`), loaded for every row of its
/// group at once. `None` when `fk` is unset or names no row.
pub async fn belongs_to<M: Table, T: Table>(
    ctx: &Context<'_>,
    row: &M,
    siblings: &Siblings<M>,
    relation: &str,
    fk: impl Fn(&M) -> Option<i32>,
) -> ApiResult<Option<(T, Siblings<T>)>> {
    let Some(target) = fk(row) else {
        return Ok(None);
    };
    let b = batches(ctx)?;
    let key = format!("{}.{relation}->{}|{}", M::NAME, T::NAME, siblings.id());
    let loaded = b
        .once(key, || {
            let mut seen = HashSet::new();
            let ids: Vec<i32> = siblings
                .rows
                .iter()
                .filter_map(&fk)
                .filter(|id| seen.insert(*id))
                .collect();
            let db = b.db.clone();
            let group_id = b.next_group.fetch_add(1, Ordering::Relaxed);
            async move {
                let rows = page::fetch_by_ids::<T>(&db, &ids).await?;
                let group = Group::new(group_id, rows.clone());
                Ok(ById {
                    rows: rows.into_iter().map(|r| (r.id(), r)).collect(),
                    group,
                })
            }
        })
        .await?;
    Ok(loaded
        .rows
        .get(&target)
        .map(|r| (r.clone(), loaded.group.clone())))
}

/// Rows of `T` by id, for `node` and `nodes`: one statement, one group.
pub async fn by_ids<T: Table>(
    ctx: &Context<'_>,
    ids: &[i32],
) -> ApiResult<(HashMap<i32, T>, Siblings<T>)> {
    let b = batches(ctx)?;
    let rows = page::fetch_by_ids::<T>(&b.db, ids).await?;
    let group = b.group(rows.clone());
    Ok((rows.into_iter().map(|r| (r.id(), r)).collect(), group))
}

/// The pages of one nested connection for every parent of a group.
pub struct NestedPages<M, L> {
    pages: HashMap<i32, Arc<Page<M, L>>>,
    /// The page of a parent without children.
    empty: Arc<Page<M, L>>,
    /// Every row of every page: the group the children belong to.
    pub siblings: Siblings<M>,
}

impl<M, L> NestedPages<M, L> {
    /// The page of `parent` (empty when it has no children).
    pub fn page(&self, parent: i32) -> Arc<Page<M, L>> {
        self.pages
            .get(&parent)
            .cloned()
            .unwrap_or_else(|| self.empty.clone())
    }
}

/// Loads `query` for every parent in `parents` (a group's ids) in one statement.
pub async fn nested_pages<M: Table, L: LinkRow>(
    ctx: &Context<'_>,
    query: Arc<PageQuery>,
    parents_group: u64,
    parents: Arc<[i32]>,
) -> ApiResult<Arc<NestedPages<M, L>>> {
    let b = batches(ctx)?;
    let key = format!("page|{}|{parents_group}", query.fingerprint());
    b.once(key, || {
        let db = b.db.clone();
        let group_id = b.next_group.fetch_add(1, Ordering::Relaxed);
        async move {
            let pages = page::fetch_nested::<M, L>(&db, &query, &parents).await?;
            let rows = pages
                .values()
                .flat_map(|p| p.items.iter().map(|i| i.node.clone()))
                .collect();
            let siblings = Group::new(group_id, rows);
            Ok(NestedPages {
                pages: pages.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
                empty: Arc::new(query.empty_page()),
                siblings,
            })
        }
    })
    .await
}

/// Counts `query` for every parent in `parents` in one statement.
pub async fn nested_counts(
    ctx: &Context<'_>,
    query: Arc<PageQuery>,
    parents_group: u64,
    parents: Arc<[i32]>,
) -> ApiResult<Arc<HashMap<i32, i64>>> {
    let b = batches(ctx)?;
    let key = format!("count|{}|{parents_group}", query.count_fingerprint());
    b.once(key, || {
        let db = b.db.clone();
        async move { page::count_nested(&db, &query, &parents).await }
    })
    .await
}
