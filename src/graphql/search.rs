//! Full-text `search` across entity types: turns a user's text into words that cannot be
//! read as full-text syntax, runs one ranked, paged statement on the backend's own index
//! (SQLite FTS5, PostgreSQL `tsvector`; see the `search` migration), and loads the hits as
//! `Node`s with one statement per type. A search is therefore a constant number of
//! statements, however many rows it returns.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use tokio::sync::OnceCell;

use super::connection::PageInfo;
use super::ids::NodeKind;
use super::loaders::batches;
use super::node::{Node, load_nodes};
use super::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::error::{ApiError, ApiResult};

/// Longest `query` accepted, in characters: enough for any name or phrase, and it keeps
/// the full-text query (one term per word) small.
pub const MAX_QUERY_CHARS: usize = 200;

/// The deepest a search pages: each page ranks every hit again, so paging on past this is
/// refused; a narrower query finds what lies beyond.
pub const MAX_OFFSET: u64 = 10_000;

/// Words FTS5 reads as operators when written in capitals. Quoting makes them plain words,
/// but a user who types them means an operator `search` does not have (`x OR y` would
/// quietly find only what has all three words), so they are refused with a message.
const OPERATORS: [&str; 4] = ["AND", "OR", "NOT", "NEAR"];

/// The words of a query: lower case, each of letters and digits only, each once. Every
/// other character (`"`, `*`, `:`, `-`, `(`, `^`, ...) separates words and is dropped, so
/// nothing the user types can reach a full-text engine as syntax.
pub fn words(query: &str) -> ApiResult<Vec<String>> {
    if query.trim().is_empty() {
        return Err(ApiError::bad_input(
            "`query` is empty: pass one or more words to search for",
        ));
    }
    let length = query.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(ApiError::bad_input(format!(
            "`query` is {length} characters long; at most {MAX_QUERY_CHARS} are allowed"
        )));
    }
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    // Combining accents stay inside their word, so a decomposed "í" does not split it.
    for raw in query.split(|c: char| !c.is_alphanumeric() && !is_combining_accent(c)) {
        if let Some(op) = OPERATORS.iter().find(|op| **op == raw) {
            return Err(ApiError::bad_input(format!(
                "`{op}` is search syntax, which `search` does not take: it finds what matches \
                 every word, each as a prefix; leave `{op}` out, or write it in lower case to \
                 search for the word"
            )));
        }
        // Lower-casing can add combining marks ("İ" becomes "i̇"); filtering after it keeps
        // every character of a word a letter or digit.
        let word: String = raw
            .chars()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
            .collect();
        if !word.is_empty() && seen.insert(word.clone()) {
            words.push(word);
        }
    }
    if words.is_empty() {
        return Err(ApiError::bad_input(format!(
            "`query` {query:?} has no words to search for: search matches letters and digits, \
             and ignores punctuation and symbols such as \" * : -"
        )));
    }
    Ok(words)
}

fn is_combining_accent(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// The FTS5 query: each word quoted (so `near` or `not` is a word, never an operator) and
/// matched as a prefix; words side by side must all match.
fn fts5_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `to_tsquery` text: each word matched as a prefix, all required. Words hold only
/// letters and digits, none of `to_tsquery`'s operators.
fn tsquery(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("{w}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// A cursor: the position of a hit in the ranked list.
fn encode_cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("search:{position}"))
}

/// Where the page after `cursor` starts.
fn decode_cursor(cursor: &str) -> ApiResult<u64> {
    let malformed = || {
        ApiError::bad_input(format!(
            "malformed cursor {cursor:?}: pass back a cursor `search` returned"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let position: u32 = text
        .strip_prefix("search:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(malformed)?;
    let position = u64::from(position);
    // One position, one cursor, as with ids.
    if encode_cursor(position) != cursor {
        return Err(malformed());
    }
    Ok(position + 1)
}

/// Binds values as the backend's numbered or positional parameters.
struct Params {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Params {
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

/// One search, validated.
#[derive(Debug)]
struct Search {
    words: Vec<String>,
    /// `None`: every type.
    kinds: Option<Vec<NodeKind>>,
    offset: u64,
    limit: u64,
}

impl Search {
    /// `FROM ... WHERE ...` matching the words (and kinds), and the rank of each match,
    /// higher is better.
    fn matching(&self, p: &mut Params) -> ApiResult<(String, &'static str)> {
        let (from, rank) = match p.backend {
            DbBackend::Sqlite => {
                let q = p.bind(fts5_query(&self.words));
                // bm25 is lower for better matches; titles count ten times the body.
                (
                    format!("search_index WHERE search_index MATCH {q}"),
                    "-bm25(search_index, 10.0, 1.0)",
                )
            }
            DbBackend::Postgres => {
                let q = p.bind(tsquery(&self.words));
                // The same folding of accents and case as the indexed text.
                (
                    format!(
                        "search_entries, to_tsquery('simple', search_fold({q})) AS query \
                         WHERE document @@ query"
                    ),
                    "CAST(ts_rank(document, query) AS float8)",
                )
            }
            other => {
                return Err(ApiError::Internal(format!(
                    "search is not built for {other:?}"
                )));
            }
        };
        let mut sql = from;
        if let Some(kinds) = &self.kinds {
            let list: Vec<String> = kinds.iter().map(|k| p.bind(k.name())).collect();
            sql.push_str(&format!(" AND kind IN ({})", list.join(", ")));
        }
        Ok((sql, rank))
    }

    fn params(backend: DbBackend) -> Params {
        Params {
            backend,
            values: Vec::new(),
        }
    }

    /// The page: best first, ties by kind and row id so pages never overlap.
    fn page_statement(&self, backend: DbBackend) -> ApiResult<Statement> {
        let mut p = Self::params(backend);
        let (matching, rank) = self.matching(&mut p)?;
        let limit = p.bind(i64::try_from(self.limit + 1).unwrap_or(i64::MAX));
        let offset = p.bind(i64::try_from(self.offset).unwrap_or(i64::MAX));
        // COLLATE "C": kinds compare by bytes, whatever the database's collation.
        let kind_order = match backend {
            DbBackend::Postgres => "kind COLLATE \"C\"",
            _ => "kind",
        };
        let sql = format!(
            "SELECT kind, row_id, {rank} AS score FROM {matching} \
             ORDER BY score DESC, {kind_order}, row_id LIMIT {limit} OFFSET {offset}"
        );
        Ok(Statement::from_sql_and_values(backend, sql, p.values))
    }

    fn count_statement(&self, backend: DbBackend) -> ApiResult<Statement> {
        let mut p = Self::params(backend);
        let (matching, _) = self.matching(&mut p)?;
        let sql = format!("SELECT COUNT(*) AS n FROM {matching}");
        Ok(Statement::from_sql_and_values(backend, sql, p.values))
    }
}

/// One hit of a search: a node, how well it matched, and its cursor.
#[derive(SimpleObject, Clone)]
pub struct SearchEdge {
    /// Opaque position of this hit, for `after`.
    pub cursor: String,
    /// The matching node.
    pub node: Node,
    /// How well the node matches, higher is better. Only the order within one search is
    /// meaningful; the scale differs between searches and between database backends.
    pub rank: f64,
}

/// A page of hits, and whether more follow.
struct Loaded {
    edges: Vec<SearchEdge>,
    has_next_page: bool,
}

/// The result of a search: a page of matching nodes, best first.
pub struct SearchConnection {
    search: Arc<Search>,
    loaded: OnceCell<Loaded>,
}

impl SearchConnection {
    /// Validates a search; nothing runs until a field asks for it.
    pub fn new(
        query: &str,
        types: Option<Vec<NodeKind>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Self> {
        let words = words(query)?;
        let kinds = match types {
            None => None,
            Some(types) if types.is_empty() => {
                return Err(ApiError::bad_input(
                    "`types` is empty: name at least one type, or leave `types` out to search all",
                ));
            }
            Some(types) => {
                let mut kinds: Vec<NodeKind> = Vec::new();
                for kind in types.into_iter() {
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                Some(kinds)
            }
        };
        let limit = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) => match u64::try_from(n) {
                Ok(n) if n <= MAX_PAGE_SIZE => n,
                _ => {
                    return Err(ApiError::bad_input(format!(
                        "`first` must be between 0 and {MAX_PAGE_SIZE}, got {n}; page through more hits with `after`"
                    )));
                }
            },
        };
        let offset = after
            .as_deref()
            .map(decode_cursor)
            .transpose()?
            .unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_input(format!(
                "`search` pages through the first {MAX_OFFSET} hits; narrow the query or `types` to reach further"
            )));
        }
        Ok(Self {
            search: Arc::new(Search {
                words,
                kinds,
                offset,
                limit,
            }),
            loaded: OnceCell::new(),
        })
    }

    async fn load(&self, ctx: &Context<'_>) -> ApiResult<&Loaded> {
        self.loaded
            .get_or_try_init(|| async {
                let db = batches(ctx)?.db();
                let statement = self.search.page_statement(db.get_database_backend())?;
                let rows = db.query_all_raw(statement).await?;
                let limit = usize::try_from(self.search.limit).unwrap_or(usize::MAX);
                let has_next_page = rows.len() > limit;
                let mut hits = Vec::with_capacity(rows.len().min(limit));
                for row in rows.iter().take(limit) {
                    let kind: String = row.try_get("", "kind")?;
                    let kind = NodeKind::from_name(&kind).ok_or_else(|| {
                        ApiError::Internal(format!("the search index names no type {kind:?}"))
                    })?;
                    let id: i32 = row.try_get("", "row_id")?;
                    let rank: f64 = row.try_get("", "score")?;
                    hits.push((kind, id, rank));
                }
                let keys: Vec<(NodeKind, i32)> = hits.iter().map(|(k, id, _)| (*k, *id)).collect();
                let nodes = load_nodes(ctx, &keys).await?;
                let edges = hits
                    .iter()
                    .zip(nodes)
                    .zip(self.search.offset..)
                    // A row deleted since the search matched it is left out.
                    .filter_map(|(((_, _, rank), node), position)| {
                        Some(SearchEdge {
                            cursor: encode_cursor(position),
                            node: node?,
                            rank: if rank.is_finite() { *rank } else { 0.0 },
                        })
                    })
                    .collect();
                Ok::<_, ApiError>(Loaded {
                    edges,
                    has_next_page,
                })
            })
            .await
    }
}

/// The nodes matching a search, best first, a page at a time.
#[Object]
impl SearchConnection {
    /// The hits of this page, each with its node, rank and cursor.
    async fn edges(&self, ctx: &Context<'_>) -> ApiResult<Vec<SearchEdge>> {
        Ok(self.load(ctx).await?.edges.clone())
    }

    /// The nodes of this page, best first, without their edges.
    async fn nodes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Node>> {
        let loaded = self.load(ctx).await?;
        Ok(loaded.edges.iter().map(|e| e.node.clone()).collect())
    }

    /// Where this page lies in the whole list of hits.
    async fn page_info(&self, ctx: &Context<'_>) -> ApiResult<PageInfo> {
        let loaded = self.load(ctx).await?;
        Ok(PageInfo {
            has_next_page: loaded.has_next_page,
            has_previous_page: self.search.offset > 0,
            start_cursor: loaded.edges.first().map(|e| e.cursor.clone()),
            end_cursor: loaded.edges.last().map(|e| e.cursor.clone()),
        })
    }

    /// How many nodes match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let db = batches(ctx)?.db();
        let statement = self.search.count_statement(db.get_database_backend())?;
        let row = db.query_one_raw(statement).await?;
        Ok(row
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(query: &str) -> Option<&'static str> {
        words(query).err().map(|e| e.code())
    }

    #[test]
    fn words_are_lower_case_letters_and_digits_only() {
        assert_eq!(
            words("Dera-Ismail \"Khan\"* 10: near").ok(),
            Some(vec![
                "dera".into(),
                "ismail".into(),
                "khan".into(),
                "10".into(),
                "near".into()
            ])
        );
        assert_eq!(words("Husnai\u{301}n").ok(), Some(vec!["husnain".into()]));
        assert_eq!(words("İzmir").ok(), Some(vec!["izmir".into()]));
        assert_eq!(words("khan KHAN").ok(), Some(vec!["khan".into()]));
    }

    #[test]
    fn syntax_alone_empty_and_long_queries_are_user_errors() {
        for bad in [
            "", "   ", "\"", "*", ":", "-", "\"*:-()^", "NEAR", "a NEAR b", "x OR y", "\0",
        ] {
            assert_eq!(
                code(bad),
                Some(crate::error::code::BAD_USER_INPUT),
                "{bad:?}"
            );
        }
        assert_eq!(code(&"a".repeat(MAX_QUERY_CHARS)), None);
        assert_eq!(
            code(&"a".repeat(MAX_QUERY_CHARS + 1)),
            Some(crate::error::code::BAD_USER_INPUT)
        );
    }

    #[test]
    fn engine_queries_hold_only_quoted_words_and_operators_of_our_own() {
        let w = vec!["dera".to_owned(), "near".to_owned()];
        assert_eq!(fts5_query(&w), "\"dera\"* \"near\"*");
        assert_eq!(tsquery(&w), "dera:* & near:*");
    }

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        assert_eq!(decode_cursor(&encode_cursor(41)).ok(), Some(42));
        for bad in [
            "",
            "x",
            &URL_SAFE_NO_PAD.encode("search:-1"),
            &URL_SAFE_NO_PAD.encode("search:01"),
            &URL_SAFE_NO_PAD.encode("search:99999999999"),
            &URL_SAFE_NO_PAD.encode("District:1"),
        ] {
            assert_eq!(
                decode_cursor(bad).err().map(|e| e.code()),
                Some(crate::error::code::BAD_USER_INPUT),
                "{bad}"
            );
        }
    }
}
