//! Relay connections: `edges`, `nodes`, `pageInfo` and `totalCount` over a [`PageQuery`],
//! generic over the node type and the data its edges carry. The page is fetched once, on
//! first use, and shared by every field that needs it; `totalCount` runs only if asked.

use std::any::TypeId;
use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, Object, ObjectType, OutputType, SimpleObject, TypeName};
use sea_orm::sea_query::Condition;
use tokio::sync::OnceCell;

use super::filter::{self, FilterInput};
use super::loaders::{QueryKey, Siblings, batches, nested_counts, nested_pages};
use super::page::{self, LinkRow, NoLink, Page, PageArgs, PageQuery, SortKey, Via};
use crate::entity::Table;
use crate::error::{ApiError, ApiResult};

/// A GraphQL object backed by one row of a table.
pub trait NodeObject: OutputType + Send + Sync + 'static {
    /// The row type.
    type Model: Table;
    /// Wraps a row, with the group of rows it was loaded with.
    fn from_model(model: Self::Model, siblings: Siblings<Self::Model>) -> Self;
}

/// The data an edge carries besides its node (role, outcome...), as a GraphQL object whose
/// fields are flattened into the edge.
pub trait EdgeData: ObjectType + Sized + Send + Sync + 'static {
    /// The link-table row it comes from.
    type Row: LinkRow;
    /// Inserted between the node's name and `Edge`/`Connection` in type names.
    const NAME: &'static str;
    /// Converts the link row.
    fn from_row(row: &Self::Row) -> ApiResult<Self>;
}

impl EdgeData for EmptyFields {
    type Row = NoLink;
    const NAME: &'static str = "";
    fn from_row(_: &NoLink) -> ApiResult<Self> {
        Ok(EmptyFields)
    }
}

/// An order input: names a sort key.
pub trait OrderInput: Default + Send + Sync {
    /// The key to sort on.
    fn sort_key(&self) -> SortKey;
}

/// The complexity of a connection field: what its children cost, once per row a page may
/// hold, so that limits bound the rows a query can touch, not just its fields. A page size
/// past the cap counts as the cap: the resolver refuses it with a message that names the
/// argument, clearer than "too complex".
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let rows = first
        .or(last)
        .map_or(page::DEFAULT_PAGE_SIZE, |n| u64::try_from(n).unwrap_or(0))
        .clamp(1, page::MAX_PAGE_SIZE) as usize;
    rows.saturating_mul(child_complexity.saturating_add(1))
}

/// Information about the page, as Relay defines it.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// Whether rows follow this page (after `endCursor`).
    pub has_next_page: bool,
    /// Whether rows precede this page (before `startCursor`).
    pub has_previous_page: bool,
    /// Cursor of the first edge; null when the page is empty.
    pub start_cursor: Option<String>,
    /// Cursor of the last edge; null when the page is empty.
    pub end_cursor: Option<String>,
}

/// The parent of a nested connection, and the group it was loaded with: the connection is
/// loaded for the whole group at once.
struct Parent {
    id: i32,
    group: u64,
    group_ids: Arc<[i32]>,
}

/// A loaded page and the group its rows form.
struct Loaded<N: NodeObject, E: EdgeData> {
    page: Arc<Page<N::Model, E::Row>>,
    siblings: Siblings<N::Model>,
}

/// A page of `N`s with their edges.
pub struct Connection<N: NodeObject, E: EdgeData = EmptyFields> {
    query: Arc<PageQuery>,
    /// `None` at the root.
    parent: Option<Parent>,
    loaded: OnceCell<Loaded<N, E>>,
    _types: PhantomData<fn() -> (N, E)>,
}

impl<N: NodeObject, E: EdgeData> Connection<N, E> {
    /// A root connection over all rows of `N` matching `filter`.
    pub fn root<F: FilterInput, O: OrderInput>(
        filter: Option<F>,
        order: Option<O>,
        args: PageArgs,
    ) -> ApiResult<Self> {
        Ok(Self {
            query: Arc::new(Self::query(None, filter, None, order, args)?),
            parent: None,
            loaded: OnceCell::new(),
            _types: PhantomData,
        })
    }

    /// The connection of `parent`'s children reached through `via`; `siblings` is the group
    /// `parent` was loaded with.
    pub fn nested<P: Table, F: FilterInput, O: OrderInput>(
        ctx: &Context<'_>,
        parent: i32,
        siblings: &Siblings<P>,
        via: Via,
        filter: Option<F>,
        order: Option<O>,
        args: PageArgs,
    ) -> ApiResult<Self> {
        Self::in_group(ctx, parent, siblings, || {
            Self::query(Some(via), filter, None, order, args)
        })
    }

    /// Like `nested`, through a link table, keeping only the links that match `link` (the
    /// link's own data, such as a role or an outcome, and either end). The link filter's
    /// columns name the link table, which the page and its count join, so it is one more
    /// condition in the same statement.
    #[allow(clippy::too_many_arguments)]
    pub fn nested_linked<P: Table, F: FilterInput, L: FilterInput, O: OrderInput>(
        ctx: &Context<'_>,
        parent: i32,
        siblings: &Siblings<P>,
        via: Via,
        filter: Option<F>,
        link: Option<L>,
        order: Option<O>,
        args: PageArgs,
    ) -> ApiResult<Self> {
        Self::in_group(ctx, parent, siblings, || {
            let link = link.as_ref().map(|l| l as &dyn FilterInput);
            Self::query(Some(via), filter, link, order, args)
        })
    }

    /// The connection of `parent`, one of `siblings`, with the query `build` makes. Every
    /// parent of a group resolves the same field of the document with the same arguments, so
    /// the query is built for the first and shared by the rest.
    fn in_group<P: Table>(
        ctx: &Context<'_>,
        parent: i32,
        siblings: &Siblings<P>,
        build: impl FnOnce() -> ApiResult<PageQuery>,
    ) -> ApiResult<Self> {
        let key = QueryKey {
            group: siblings.id(),
            field: std::ptr::from_ref(ctx.item) as usize,
            types: TypeId::of::<(N, E)>(),
        };
        Ok(Self {
            query: batches(ctx)?.page_query(key, build)?,
            parent: Some(Parent {
                id: parent,
                group: siblings.id(),
                group_ids: siblings.ids(),
            }),
            loaded: OnceCell::new(),
            _types: PhantomData,
        })
    }

    /// The query of a page of `N`s reached through `via`, matching `filter` and `link`.
    pub(crate) fn query<F: FilterInput, O: OrderInput>(
        via: Option<Via>,
        filter: Option<F>,
        link: Option<&dyn FilterInput>,
        order: Option<O>,
        args: PageArgs,
    ) -> ApiResult<PageQuery> {
        let (mut condition, mut key) = match &filter {
            Some(f) => (filter::compile(f)?, format!("{f:?}")),
            None => (Condition::all(), String::new()),
        };
        if let Some(l) = link {
            condition = condition.add(filter::compile(l)?);
            key = format!("{key}|link {l:?}");
        }
        let sort = order.unwrap_or_default().sort_key();
        PageQuery::new::<N::Model, E::Row>(via, condition, key, sort, &args)
    }

    /// The nodes of the page, for resolvers that need them rather than the connection.
    pub async fn load_nodes(&self, ctx: &Context<'_>) -> ApiResult<Vec<N>> {
        let loaded = self.load(ctx).await?;
        Ok(loaded
            .page
            .items
            .iter()
            .map(|item| N::from_model(item.node.clone(), loaded.siblings.clone()))
            .collect())
    }

    async fn load(&self, ctx: &Context<'_>) -> ApiResult<&Loaded<N, E>> {
        self.loaded
            .get_or_try_init(|| async {
                match &self.parent {
                    None => {
                        let b = batches(ctx)?;
                        let page: Page<N::Model, E::Row> =
                            page::fetch_root(b.db(), &self.query).await?;
                        let siblings = b.group(page.items.iter().map(|i| i.node.clone()).collect());
                        Ok::<_, ApiError>(Loaded {
                            page: Arc::new(page),
                            siblings,
                        })
                    }
                    Some(parent) => {
                        let pages = nested_pages::<N::Model, E::Row>(
                            ctx,
                            self.query.clone(),
                            parent.group,
                            parent.group_ids.clone(),
                        )
                        .await?;
                        Ok(Loaded {
                            page: pages.page(parent.id),
                            siblings: pages.siblings.clone(),
                        })
                    }
                }
            })
            .await
    }
}

/// A page of a list, Relay style: its edges or just its nodes, where it lies, and the total.
#[Object(name_type)]
impl<N: NodeObject, E: EdgeData> Connection<N, E> {
    /// The edges of this page, each with its node and cursor.
    async fn edges(&self, ctx: &Context<'_>) -> ApiResult<Vec<Edge<N, E>>> {
        let loaded = self.load(ctx).await?;
        loaded
            .page
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                Ok(Edge {
                    page: loaded.page.clone(),
                    index,
                    node: N::from_model(item.node.clone(), loaded.siblings.clone()),
                    data: E::from_row(&item.link)?,
                })
            })
            .collect()
    }

    /// The nodes of this page, without their edges.
    async fn nodes(&self, ctx: &Context<'_>) -> ApiResult<Vec<N>> {
        self.load_nodes(ctx).await
    }

    /// Where this page lies in the whole list.
    async fn page_info(&self, ctx: &Context<'_>) -> ApiResult<PageInfo> {
        let page = &self.load(ctx).await?.page;
        Ok(PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|i| i.cursor.encode()),
            end_cursor: page.items.last().map(|i| i.cursor.encode()),
        })
    }

    /// How many rows match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        match &self.parent {
            None => page::count_root(batches(ctx)?.db(), &self.query).await,
            Some(parent) => {
                let counts = nested_counts(
                    ctx,
                    self.query.clone(),
                    parent.group,
                    parent.group_ids.clone(),
                )
                .await?;
                Ok(counts.get(&parent.id).copied().unwrap_or(0))
            }
        }
    }
}

impl<N: NodeObject, E: EdgeData> TypeName for Connection<N, E> {
    fn type_name() -> Cow<'static, str> {
        format!("{}{}Connection", N::type_name(), E::NAME).into()
    }
}

/// One edge of a connection: a node, where it lies in its page, and what the link says
/// about it.
pub struct Edge<N: NodeObject, E: EdgeData> {
    page: Arc<Page<N::Model, E::Row>>,
    index: usize,
    node: N,
    data: E,
}

/// One edge of a list: the node, its cursor, and what the link says about it.
#[Object(name_type)]
impl<N: NodeObject, E: EdgeData> Edge<N, E> {
    /// Opaque position of this edge, for `after` and `before`.
    async fn cursor(&self) -> ApiResult<String> {
        let item = self.page.items.get(self.index);
        let item = item.ok_or_else(|| ApiError::Internal("an edge outside its page".into()))?;
        Ok(item.cursor.encode())
    }

    /// The node at the end of this edge.
    async fn node(&self) -> &N {
        &self.node
    }

    #[graphql(flatten)]
    async fn data(&self) -> &E {
        &self.data
    }
}

impl<N: NodeObject, E: EdgeData> TypeName for Edge<N, E> {
    fn type_name() -> Cow<'static, str> {
        format!("{}{}Edge", N::type_name(), E::NAME).into()
    }
}
