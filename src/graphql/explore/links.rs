//! The links of the graph that `neighborhood` and `path` walk, and the one statement that
//! finds every link of a set of nodes: a `UNION ALL` with one branch per link table and
//! direction, each taking the frontier's ids of its kind as one JSON array parameter.

use std::collections::{BTreeMap, HashSet};

use async_graphql::Enum;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};

use super::super::ids::NodeKind;
use crate::error::{ApiError, ApiResult};

/// What a link of the graph says, read from its `from` node to its `to` node.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(name = "GraphEdgeKind")]
pub enum LinkKind {
    /// An operation, attack or community action took place in a district.
    InDistrict,
    /// A district lies in a province.
    InProvince,
    /// A province lies in a country.
    InCountry,
    /// A member of the security forces took part in an operation (data: `Deployment`).
    TookPartIn,
    /// A militant met an operation (data: `Encounter`).
    EncounteredIn,
    /// An organization took part in an operation (data: `Involvement`).
    InvolvedIn,
    /// An organization took part in a community action (data: `Participation`).
    ActedIn,
    /// A member of the security forces or a militant belongs to an organization.
    MemberOf,
    /// A member of the security forces comes from a district.
    Hometown,
    /// A militant is a national of a country.
    NationalOf,
    /// A militant operates in a country.
    OperatesIn,
    /// An organization is based in a country.
    BasedIn,
    /// A person or organization is affiliated with an organization or country (data: the `Affiliation`).
    AffiliatedWith,
    /// A reported figure covers a province or district.
    Covers,
    /// An organization carried out an attack or was struck by it (data: `AttackInvolvement`).
    InAttack,
}

impl LinkKind {
    /// The GraphQL name.
    pub fn name(self) -> &'static str {
        match self {
            Self::InDistrict => "IN_DISTRICT",
            Self::InProvince => "IN_PROVINCE",
            Self::InCountry => "IN_COUNTRY",
            Self::TookPartIn => "TOOK_PART_IN",
            Self::EncounteredIn => "ENCOUNTERED_IN",
            Self::InvolvedIn => "INVOLVED_IN",
            Self::ActedIn => "ACTED_IN",
            Self::MemberOf => "MEMBER_OF",
            Self::Hometown => "HOMETOWN",
            Self::NationalOf => "NATIONAL_OF",
            Self::OperatesIn => "OPERATES_IN",
            Self::BasedIn => "BASED_IN",
            Self::AffiliatedWith => "AFFILIATED_WITH",
            Self::Covers => "COVERS",
            Self::InAttack => "IN_ATTACK",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        SPECS.iter().map(|s| s.kind).find(|k| k.name() == name)
    }
}

/// Where a kind of link is stored: `table.from` names the `from` node, `table.to` the `to`
/// node, and the columns that carry its data.
struct Spec {
    kind: LinkKind,
    table: &'static str,
    from: (NodeKind, &'static str),
    to: (NodeKind, &'static str),
    role: Option<&'static str>,
    outcome: Option<&'static str>,
    /// The row is an affiliation: dated, and itself the link's data.
    affiliation: bool,
}

const fn spec(
    kind: LinkKind,
    table: &'static str,
    from: (NodeKind, &'static str),
    to: (NodeKind, &'static str),
) -> Spec {
    Spec {
        kind,
        table,
        from,
        to,
        role: None,
        outcome: None,
        affiliation: false,
    }
}

const fn affiliation(subject: (NodeKind, &'static str), target: (NodeKind, &'static str)) -> Spec {
    Spec {
        affiliation: true,
        ..spec(LinkKind::AffiliatedWith, "affiliations", subject, target)
    }
}

use NodeKind::*;

/// Every kind of link. Citations are not links: every fact cites its source, so a source
/// would join everything to everything in two steps; provenance is on each node instead.
const SPECS: [Spec; 24] = [
    spec(
        LinkKind::InDistrict,
        "operations",
        (Operation, "id"),
        (District, "district_id"),
    ),
    spec(
        LinkKind::InProvince,
        "districts",
        (District, "id"),
        (Province, "province_id"),
    ),
    spec(
        LinkKind::InCountry,
        "provinces",
        (Province, "id"),
        (Country, "country_id"),
    ),
    Spec {
        role: Some("role"),
        outcome: Some("outcome"),
        ..spec(
            LinkKind::TookPartIn,
            "operation_personnel",
            (Personnel, "personnel_id"),
            (Operation, "operation_id"),
        )
    },
    Spec {
        outcome: Some("outcome"),
        ..spec(
            LinkKind::EncounteredIn,
            "operation_militants",
            (Militant, "militant_id"),
            (Operation, "operation_id"),
        )
    },
    Spec {
        role: Some("role"),
        ..spec(
            LinkKind::InvolvedIn,
            "operation_organizations",
            (Organization, "organization_id"),
            (Operation, "operation_id"),
        )
    },
    Spec {
        role: Some("role"),
        ..spec(
            LinkKind::ActedIn,
            "community_action_actors",
            (Organization, "organization_id"),
            (CommunityAction, "community_action_id"),
        )
    },
    spec(
        LinkKind::InDistrict,
        "community_action_districts",
        (CommunityAction, "community_action_id"),
        (District, "district_id"),
    ),
    spec(
        LinkKind::MemberOf,
        "personnel",
        (Personnel, "id"),
        (Organization, "organization_id"),
    ),
    spec(
        LinkKind::MemberOf,
        "militants",
        (Militant, "id"),
        (Organization, "organization_id"),
    ),
    spec(
        LinkKind::Hometown,
        "personnel",
        (Personnel, "id"),
        (District, "hometown_district_id"),
    ),
    spec(
        LinkKind::NationalOf,
        "militants",
        (Militant, "id"),
        (Country, "nationality_id"),
    ),
    spec(
        LinkKind::OperatesIn,
        "militants",
        (Militant, "id"),
        (Country, "operating_country_id"),
    ),
    spec(
        LinkKind::BasedIn,
        "organizations",
        (Organization, "id"),
        (Country, "base_country_id"),
    ),
    affiliation(
        (Personnel, "subject_personnel_id"),
        (Organization, "target_organization_id"),
    ),
    affiliation(
        (Personnel, "subject_personnel_id"),
        (Country, "target_country_id"),
    ),
    affiliation(
        (Militant, "subject_militant_id"),
        (Organization, "target_organization_id"),
    ),
    affiliation(
        (Militant, "subject_militant_id"),
        (Country, "target_country_id"),
    ),
    affiliation(
        (Organization, "subject_organization_id"),
        (Organization, "target_organization_id"),
    ),
    affiliation(
        (Organization, "subject_organization_id"),
        (Country, "target_country_id"),
    ),
    spec(
        LinkKind::Covers,
        "reported_figures",
        (ReportedFigure, "id"),
        (Province, "scope_province_id"),
    ),
    spec(
        LinkKind::Covers,
        "reported_figure_districts",
        (ReportedFigure, "reported_figure_id"),
        (District, "district_id"),
    ),
    spec(
        LinkKind::InDistrict,
        "attacks",
        (Attack, "id"),
        (District, "district_id"),
    ),
    Spec {
        role: Some("role"),
        ..spec(
            LinkKind::InAttack,
            "attack_organizations",
            (Organization, "organization_id"),
            (Attack, "attack_id"),
        )
    },
];

/// A link between two nodes, with what its row says.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Link {
    /// What the link says.
    pub kind: LinkKind,
    /// The node it reads from.
    pub from: (NodeKind, i32),
    /// The node it reads to.
    pub to: (NodeKind, i32),
    /// The role column of its row, as stored.
    pub role: Option<String>,
    /// The outcome column of its row, as stored.
    pub outcome: Option<String>,
    /// The affiliation row that is the link.
    pub affiliation: Option<i32>,
}

impl Link {
    /// The end of the link that is not `node`.
    pub fn other(&self, node: (NodeKind, i32)) -> (NodeKind, i32) {
        if self.from == node {
            self.to
        } else {
            self.from
        }
    }
}

/// What a walk may cross.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only nodes of these kinds (all when `None`).
    pub kinds: Option<HashSet<NodeKind>>,
    /// Only affiliations in force on this day.
    pub as_of: Option<NaiveDate>,
}

impl Scope {
    fn allows(&self, kind: NodeKind) -> bool {
        self.kinds.as_ref().is_none_or(|k| k.contains(&kind))
    }
}

/// Which links `links_of` returns when there are more than its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beyond {
    /// The first `limit + 1` in sort order, so that a walk cut short is repeatable. Each
    /// branch reads up to `limit + 1` rows to find them.
    Sorted,
    /// Any `limit + 1`: the caller only needs to know there were more, and the statement
    /// stops reading as soon as it has them.
    Any,
}

/// The links of the nodes `frontier` to nodes `scope` allows, in one statement, sorted so
/// that walks are repeatable: all of them when there are at most `limit`, else `limit + 1`
/// (which says there were more), chosen as `beyond` says. Each branch of the statement stops
/// at `limit + 1` rows too, so a node linked to half the graph costs no more than the limit.
pub async fn links_of(
    db: &DatabaseConnection,
    frontier: &[(NodeKind, i32)],
    scope: &Scope,
    limit: usize,
    beyond: Beyond,
) -> ApiResult<Vec<Link>> {
    let mut ids: BTreeMap<&'static str, (NodeKind, Vec<i32>)> = BTreeMap::new();
    for (kind, id) in frontier {
        ids.entry(kind.name())
            .or_insert((*kind, Vec::new()))
            .1
            .push(*id);
    }
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut param: BTreeMap<&'static str, String> = BTreeMap::new();
    for (name, (_, rows)) in &ids {
        values.push(Value::from(
            serde_json::to_string(rows).map_err(|e| ApiError::Internal(e.to_string()))?,
        ));
        // PostgreSQL plans `= ANY(array)` as index lookups; an `IN` over a set-returning
        // function it estimates at 100 rows and, on a big link table, hash-joins with a
        // sequential scan (40 ms instead of 0.1 ms at a million rows).
        let list = match backend {
            DatabaseBackend::Postgres => format!(
                "= ANY (ARRAY(SELECT jsonb_array_elements_text(${}::jsonb)::int))",
                values.len()
            ),
            _ => "IN (SELECT value FROM json_each(?))".to_owned(),
        };
        param.insert(name, list);
    }
    let mut branches = Vec::new();
    // SQLite numbers `?` in the order they appear, so each branch binds its list again.
    let mut bound: Vec<Value> = Vec::new();
    for spec in &SPECS {
        for (near, far) in [(spec.from, spec.to), (spec.to, spec.from)] {
            let Some(list) = param.get(near.0.name()) else {
                continue;
            };
            if !scope.allows(far.0) {
                continue;
            }
            let mut sql = format!(
                "SELECT '{kind}' AS kind, '{fk}' AS from_kind, t.{fc} AS from_id, \
                 '{tk}' AS to_kind, t.{tc} AS to_id, {role} AS role, {outcome} AS outcome, \
                 {aff} AS affiliation_id FROM {table} t \
                 WHERE t.{near_col} {list} AND t.{far_col} IS NOT NULL",
                kind = spec.kind.name(),
                fk = spec.from.0.name(),
                fc = spec.from.1,
                tk = spec.to.0.name(),
                tc = spec.to.1,
                role = spec
                    .role
                    .map_or("CAST(NULL AS TEXT)".to_owned(), |c| format!("t.{c}")),
                outcome = spec
                    .outcome
                    .map_or("CAST(NULL AS TEXT)".to_owned(), |c| format!("t.{c}")),
                aff = if spec.affiliation {
                    "t.id"
                } else {
                    "CAST(NULL AS INTEGER)"
                },
                table = spec.table,
                near_col = near.1,
                far_col = far.1,
            );
            if backend != DatabaseBackend::Postgres {
                let index = ids.keys().position(|k| *k == near.0.name()).unwrap_or(0);
                bound.push(values[index].clone());
            }
            if spec.affiliation
                && let Some(day) = scope.as_of
            {
                // A date is no client text; it is written as an ISO literal.
                let day = day.format("%Y-%m-%d");
                let cast = if backend == DatabaseBackend::Postgres {
                    "::date"
                } else {
                    ""
                };
                sql.push_str(&format!(
                    " AND (t.since IS NULL OR t.since <= '{day}'{cast}) \
                     AND (t.until IS NULL OR t.until >= '{day}'{cast})"
                ));
            }
            let n = branches.len();
            branches.push(format!("SELECT * FROM ({sql} LIMIT {}) AS b{n}", limit + 1));
        }
    }
    if branches.is_empty() {
        return Ok(Vec::new());
    }
    // No ORDER BY over the union: sorting every branch's rows in SQL cost more than the
    // branches themselves at a hub; the few kept are sorted below.
    let mut sql = branches.join(" UNION ALL ");
    if beyond == Beyond::Any {
        // Without an order the union is read branch by branch and stops at the limit: a hub
        // costs `limit` rows, not `limit` rows for each kind of link it has.
        sql = format!("SELECT * FROM ({sql}) AS links LIMIT {}", limit + 1);
    }
    let values = if backend == DatabaseBackend::Postgres {
        values
    } else {
        bound
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut links = Vec::with_capacity(rows.len());
    let node = |kind: String, id: i32| {
        NodeKind::from_name(&kind)
            .map(|k| (k, id))
            .ok_or_else(|| ApiError::Internal(format!("unknown node kind {kind:?}")))
    };
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        links.push(Link {
            kind: LinkKind::from_name(&kind)
                .ok_or_else(|| ApiError::Internal(format!("unknown link kind {kind:?}")))?,
            from: node(row.try_get("", "from_kind")?, row.try_get("", "from_id")?)?,
            to: node(row.try_get("", "to_kind")?, row.try_get("", "to_id")?)?,
            role: row.try_get("", "role")?,
            outcome: row.try_get("", "outcome")?,
            affiliation: row.try_get("", "affiliation_id")?,
        });
    }
    links.sort_unstable();
    links.truncate(limit + 1);
    Ok(links)
}
