//! The root `Query`: Relay object identification and one connection per type.

use async_graphql::{Context, ID, Object, PathSegment};

use super::connection::{Connection, page_cost};
use super::explore::{self, GraphPath, Neighborhood};
use super::ids::{NodeKind, decode};
use super::node::{Node, load_nodes};
use super::page::PageArgs;
use super::scalars::Date;
use super::search::SearchConnection;
use super::stats::{
    AttackStats, MAX_BUCKETS, OperationStats, StatsGrouping, attack_stats, operation_stats,
};
use super::types::*;
use crate::error::{ApiError, ApiResult};

/// Most ids `nodes` accepts at once.
const MAX_NODES: usize = 100;

/// Entry points into the graph.
pub struct Query;

/// Entry points into the graph: look up any node by id, list any type, or search across types.
#[Object]
impl Query {
    /// The node with this global id. An id of the right form that names no row is a
    /// `NOT_FOUND` error; a malformed one is `BAD_USER_INPUT`.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id this API returned.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        let (kind, row) = decode(&id)?;
        match load_nodes(ctx, &[(kind, row)]).await?.pop().flatten() {
            Some(node) => Ok(Some(node)),
            None => Err(missing(kind, &id)),
        }
    }

    /// The nodes with these global ids, in the same order; null where an id names no row, with
    /// a `NOT_FOUND` error whose path ends at that index. At most 100 ids; any malformed id fails
    /// the whole field with `BAD_USER_INPUT`.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids this API returned.")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(format!(
                "`nodes` takes at most {MAX_NODES} ids, got {}",
                ids.len()
            )));
        }
        let decoded = ids
            .iter()
            .map(|id| decode(id))
            .collect::<ApiResult<Vec<_>>>()?;
        let nodes = load_nodes(ctx, &decoded).await?;
        // Relay asks for null in place of a missing node; the error beside it says which id
        // missed, so a client can tell "no such row" from a field that is null.
        let key = ctx.item.node.response_key().node.to_string();
        for (index, (node, (kind, _))) in nodes.iter().zip(&decoded).enumerate() {
            if node.is_none() {
                let error = async_graphql::Error::from(missing(*kind, &ids[index]))
                    .into_server_error(ctx.item.pos)
                    .with_path(vec![
                        PathSegment::Field(key.clone()),
                        PathSegment::Index(index),
                    ]);
                ctx.add_error(error);
            }
        }
        Ok(nodes)
    }

    /// Operation counts and casualty sums over the operations matching `filter`, one bucket per district, province, organization, day, week or month (or one bucket in all when `groupBy` is not given). Computed in SQL, not from a page of rows.
    #[graphql(complexity = "MAX_BUCKETS * (child_complexity + 1)")]
    async fn operation_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only operations matching this filter (as `operations` takes it).")]
        filter: Option<OperationFilter>,
        #[graphql(desc = "How to bucket the operations; one bucket in all when not given.")]
        group_by: Option<StatsGrouping>,
    ) -> ApiResult<Vec<OperationStats>> {
        operation_stats(ctx, filter, group_by).await
    }

    /// Attack counts and casualty sums over the attacks matching `filter`, one bucket per district, province, organization (perpetrator or target), day, week or month (or one bucket in all when `groupBy` is not given). Computed in SQL, not from a page of rows.
    #[graphql(complexity = "MAX_BUCKETS * (child_complexity + 1)")]
    async fn attack_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only attacks matching this filter (as `attacks` takes it).")]
        filter: Option<AttackFilter>,
        #[graphql(desc = "How to bucket the attacks; one bucket in all when not given.")]
        group_by: Option<StatsGrouping>,
    ) -> ApiResult<Vec<AttackStats>> {
        attack_stats(ctx, filter, group_by).await
    }

    /// The subgraph around a node, for graph views: the nodes within `depth` links of it and the typed edges between them, walked breadth-first (one SQL statement per level) and cut at `first` nodes (`truncated` says so). Citations are not edges: every fact cites its source, which would join everything in two steps.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "explore::cost(first, child_complexity)")]
    async fn neighborhood(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The node at the centre.")] id: ID,
        #[graphql(desc = "How many links out to walk (1 to 3; 1 when not given).")] depth: Option<
            i32,
        >,
        #[graphql(desc = "Only walk to nodes of these types (the centre is always included).")]
        types: Option<Vec<NodeKind>>,
        #[graphql(
            desc = "At most this many nodes, the centre included (1 to 500; 100 when not given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Only affiliations in force on this day.")] as_of: Option<Date>,
    ) -> ApiResult<Neighborhood> {
        explore::neighborhood(
            ctx,
            id,
            depth.unwrap_or(1),
            types,
            first.unwrap_or(100),
            as_of,
        )
        .await
    }

    /// The shortest chain of links from one node to another, or null when there is none within `maxDepth` links. Searched breadth-first from both ends at once, one SQL statement per level.
    #[graphql(complexity = "explore::cost(Some(explore::MAX_PATH_DEPTH + 1), child_complexity)")]
    async fn path(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The node to start from.")] from: ID,
        #[graphql(desc = "The node to reach.")] to: ID,
        #[graphql(desc = "The longest chain to look for (1 to 6; 4 when not given).")]
        max_depth: Option<i32>,
        #[graphql(
            desc = "Only pass through nodes of these types (the types of the two ends are always allowed)."
        )]
        types: Option<Vec<NodeKind>>,
        #[graphql(desc = "Only affiliations in force on this day.")] as_of: Option<Date>,
    ) -> ApiResult<Option<GraphPath>> {
        explore::path(ctx, from, to, max_depth.unwrap_or(4), types, as_of).await
    }

    /// All countries.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn countries(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<CountryFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<CountryOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Country>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All provinces.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn provinces(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<ProvinceFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<ProvinceOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Province>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All districts.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn districts(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<DistrictFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<DistrictOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<District>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Every committed change to the graph, newest first unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn changes(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<ChangeFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<ChangeOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Change>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Records imports read and mapped to no node (attacks, arrests of people not in an
    /// armed group, protests), each with its file, line, reason and the record itself.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn unmapped_records(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<UnmappedRecordFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<UnmappedRecordOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<UnmappedRecord>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All security operations.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn operations(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OperationFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<OperationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Operation>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All members of the security forces.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn personnel(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<PersonnelFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<PersonnelOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Personnel>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All militants recorded individually.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn militants(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<MilitantFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<MilitantOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Militant>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All organizations: militant groups, security forces, peace committees, government bodies.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn organizations(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<OrganizationFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<OrganizationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Organization>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All affiliations.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn affiliations(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<AffiliationFilter>,
        #[graphql(
            desc = "Only links in force on this day (`since` on or before it, `until` on or after it; a missing end is open)."
        )]
        as_of: Option<Date>,
        #[graphql(desc = "Order of the list.")] order_by: Option<AffiliationOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Affiliation>> {
        Connection::root(
            AffiliationFilter::in_force(filter, as_of),
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All community actions against militancy.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn community_actions(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<CommunityActionFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<CommunityActionOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<CommunityAction>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All attacks by armed groups on the security forces or on civilians.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn attacks(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<AttackFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<AttackOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Attack>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All sources.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn sources(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<SourceFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<SourceOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Source>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// All aggregate figures stated by sources.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn reported_figures(
        &self,
        #[graphql(desc = "Only rows matching this filter.")] filter: Option<ReportedFigureFilter>,
        #[graphql(desc = "Order of the list.")] order_by: Option<ReportedFigureOrder>,
        #[graphql(
            desc = "Return at most this many rows from the start (at most 100; 20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many rows from the end (at most 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<ReportedFigure>> {
        Connection::root(
            filter,
            order_by,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
    }

    /// Full-text search over names, aliases, titles, places and descriptions of every
    /// type, best matches first. The text is split into words (letters and digits; other
    /// characters only separate words); a node matches when it has every word, each as the
    /// start of a word of its text, ignoring case and accents. Matches in a name or title
    /// rank above matches in other text. Searched are `Country` and `Province` name
    /// and ISO code; `District` name and aliases; `Operation` title, place and summary;
    /// `Personnel` name, rank and hometown; `Militant` and `Organization` name, aliases and
    /// description; `CommunityAction` place, actors and description; `Source` title,
    /// publisher and description; `ReportedFigure` quote and scope. An `Affiliation` has no
    /// text of its own and is never a hit. A query that is empty, longer than 200
    /// characters, without any letter or digit, or using the capitalised operators `AND`,
    /// `OR`, `NOT` or `NEAR` is a `BAD_USER_INPUT` error.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn search(
        &self,
        #[graphql(desc = "The words to look for, at most 200 characters.")] query: String,
        #[graphql(desc = "Only nodes of these types; all types when null or absent.")]
        types: Option<Vec<NodeKind>>,
        #[graphql(desc = "Return at most this many hits (at most 100; 20 when absent).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor, from an earlier page of the same search.")]
        after: Option<String>,
    ) -> ApiResult<SearchConnection> {
        SearchConnection::new(&query, types, first, after)
    }
}

/// The error for an id of the right form that names no row.
fn missing(kind: NodeKind, id: &ID) -> ApiError {
    ApiError::NotFound(format!("no {} has id {:?}", kind.name(), id.as_str()))
}
