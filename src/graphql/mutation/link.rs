//! Links between nodes: every link table and every reference between node tables, as the
//! mutations know them, and links attached and detached inside a mutation's transaction (a
//! link that exists is not attached twice, one that does not is not detached).

use async_graphql::ID;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query, Value};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PrimaryKeyTrait};

use super::input::{Checks, CitationInput, Done, UserError, UserErrorCode};
use super::write::Write;
use crate::entity::{Revised, Table};
use crate::error::ApiError;
use crate::graphql::ids::NodeKind;

/// A link table and the nodes it links.
pub(super) struct Link {
    pub(super) table: &'static str,
    pub(super) parent: NodeKind,
    pub(super) parent_column: &'static str,
    pub(super) child: NodeKind,
    pub(super) child_column: &'static str,
    /// The columns of what the link says (a role, an outcome), all text.
    pub(super) data: &'static [&'static str],
}

pub(super) const OPERATION_PERSONNEL: Link = Link::new(
    "operation_personnel",
    (NodeKind::Operation, "operation_id"),
    (NodeKind::Personnel, "personnel_id"),
)
.with_data(&["outcome", "role"]);
pub(super) const OPERATION_MILITANTS: Link = Link::new(
    "operation_militants",
    (NodeKind::Operation, "operation_id"),
    (NodeKind::Militant, "militant_id"),
)
.with_data(&["outcome"]);
pub(super) const OPERATION_ORGANIZATIONS: Link = Link::new(
    "operation_organizations",
    (NodeKind::Operation, "operation_id"),
    (NodeKind::Organization, "organization_id"),
)
.with_data(&["role"]);

pub(super) const COMMUNITY_ACTION_ACTORS: Link = Link::new(
    "community_action_actors",
    (NodeKind::CommunityAction, "community_action_id"),
    (NodeKind::Organization, "organization_id"),
)
.with_data(&["role"]);
pub(super) const COMMUNITY_ACTION_DISTRICTS: Link = Link::new(
    "community_action_districts",
    (NodeKind::CommunityAction, "community_action_id"),
    (NodeKind::District, "district_id"),
);

pub(super) const ATTACK_ORGANIZATIONS: Link = Link::new(
    "attack_organizations",
    (NodeKind::Attack, "attack_id"),
    (NodeKind::Organization, "organization_id"),
)
.with_data(&["role"]);

pub(super) const REPORTED_FIGURE_DISTRICTS: Link = Link::new(
    "reported_figure_districts",
    (NodeKind::ReportedFigure, "reported_figure_id"),
    (NodeKind::District, "district_id"),
);

/// Every link table: what a node's state lists besides its row, and what a merge moves.
pub(super) const LINKS: [Link; 7] = [
    OPERATION_PERSONNEL,
    OPERATION_MILITANTS,
    OPERATION_ORGANIZATIONS,
    COMMUNITY_ACTION_ACTORS,
    COMMUNITY_ACTION_DISTRICTS,
    REPORTED_FIGURE_DISTRICTS,
    ATTACK_ORGANIZATIONS,
];

/// A column of a node table that names another node: `holder`'s `column` names a `target`.
pub(super) struct Reference {
    pub(super) holder: NodeKind,
    pub(super) column: &'static str,
    pub(super) target: NodeKind,
    /// The database refuses to delete a target still named (a country's provinces, a
    /// province's districts); the others clear the column or delete the holder with it.
    pub(super) restrict: bool,
}

/// Every reference between node tables, as the migrations declare them.
pub(super) const REFERENCES: [Reference; 18] = {
    use NodeKind::*;
    const fn r(holder: NodeKind, column: &'static str, target: NodeKind) -> Reference {
        Reference {
            holder,
            column,
            target,
            restrict: false,
        }
    }
    [
        Reference {
            restrict: true,
            ..r(Province, "country_id", Country)
        },
        Reference {
            restrict: true,
            ..r(District, "province_id", Province)
        },
        r(Organization, "base_country_id", Country),
        r(Personnel, "organization_id", Organization),
        r(Personnel, "hometown_district_id", District),
        r(Militant, "nationality_id", Country),
        r(Militant, "operating_country_id", Country),
        r(Militant, "organization_id", Organization),
        r(Operation, "district_id", District),
        r(Attack, "district_id", District),
        r(Affiliation, "subject_personnel_id", Personnel),
        r(Affiliation, "subject_militant_id", Militant),
        r(Affiliation, "subject_organization_id", Organization),
        r(Affiliation, "target_organization_id", Organization),
        r(Affiliation, "target_country_id", Country),
        r(ReportedFigure, "scope_province_id", Province),
        r(ReportedFigure, "nationality_id", Country),
        r(ReportedFigure, "source_id", Source),
    ]
};

impl Reference {
    /// The references naming a `kind` node.
    pub(super) fn to(kind: NodeKind) -> impl Iterator<Item = &'static Reference> {
        REFERENCES.iter().filter(move |r| r.target == kind)
    }
}

impl Link {
    const fn new(
        table: &'static str,
        (parent, parent_column): (NodeKind, &'static str),
        (child, child_column): (NodeKind, &'static str),
    ) -> Self {
        Self {
            table,
            parent,
            parent_column,
            child,
            child_column,
            data: &[],
        }
    }

    /// The link with the data columns `data`.
    const fn with_data(self, data: &'static [&'static str]) -> Self {
        Self { data, ..self }
    }

    /// The column naming a `kind` node, and the column naming the other end; `None` when
    /// the link has no `kind` end.
    fn ends_of(&self, kind: NodeKind) -> Option<(&'static str, &'static str)> {
        if self.parent == kind {
            Some((self.parent_column, self.child_column))
        } else if self.child == kind {
            Some((self.child_column, self.parent_column))
        } else {
            None
        }
    }

    /// The link tables holding a node of `kind`, each with its column naming the node and
    /// the column naming the other end.
    pub(super) fn of(
        kind: NodeKind,
    ) -> impl Iterator<Item = (&'static Link, &'static str, &'static str)> {
        LINKS
            .iter()
            .filter_map(move |l| l.ends_of(kind).map(|(this, other)| (l, this, other)))
    }

    /// The link table named `table`.
    pub(super) fn named(table: &str) -> Option<&'static Link> {
        LINKS.iter().find(|l| l.table == table)
    }
}

impl Write {
    /// Writes the link between `parent` and `child` in `link`'s table with its `data`;
    /// `ALREADY_EXISTS` at `at` when they are linked already.
    pub(super) async fn attach(
        &self,
        link: &Link,
        (parent, child): (i32, i32),
        data: Vec<(&'static str, Value)>,
        at: &[&str],
    ) -> Done<()> {
        if self.linked(link, parent, child).await? {
            return Err(UserError::new(
                UserErrorCode::AlreadyExists,
                at,
                format!(
                    "the {} and the {} are linked already; detach the link to change it",
                    link.parent.name(),
                    link.child.name()
                ),
            )
            .into());
        }
        let mut insert = Query::insert();
        let columns = [link.parent_column, link.child_column]
            .into_iter()
            .chain(data.iter().map(|(c, _)| *c));
        insert
            .into_table(Alias::new(link.table))
            .columns(columns.map(Alias::new))
            .values(
                [parent.into(), child.into()]
                    .into_iter()
                    .chain(data.into_iter().map(|(_, v)| v.into())),
            )
            .map_err(|e| ApiError::Internal(format!("a link's values: {e}")))?;
        self.txn.execute(&insert).await?;
        Ok(())
    }

    /// Removes the link between `parent` and `child`; `NOT_FOUND` at `at` when there is none.
    pub(super) async fn detach(
        &self,
        link: &Link,
        (parent, child): (i32, i32),
        at: &[&str],
    ) -> Done<()> {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new(link.table))
            .and_where(Expr::col(Alias::new(link.parent_column)).eq(parent))
            .and_where(Expr::col(Alias::new(link.child_column)).eq(child));
        if self.txn.execute(&delete).await?.rows_affected() == 1 {
            Ok(())
        } else {
            Err(UserError::new(
                UserErrorCode::NotFound,
                at,
                format!(
                    "the {} and the {} are not linked",
                    link.parent.name(),
                    link.child.name()
                ),
            )
            .into())
        }
    }

    async fn linked(&self, link: &Link, parent: i32, child: i32) -> Result<bool, DbErr> {
        let mut select = Query::select();
        select
            .expr(Expr::val(1))
            .from(Alias::new(link.table))
            .and_where(Expr::col(Alias::new(link.parent_column)).eq(parent))
            .and_where(Expr::col(Alias::new(link.child_column)).eq(child));
        Ok(self.txn.query_one(&select).await?.is_some())
    }
}

/// The two ends of a link as the input names them.
pub(super) struct Ends<'a> {
    /// The link's parent (an operation, a community action), at the revision read.
    parent: &'a ID,
    revision: Option<i32>,
    other: &'a ID,
    /// The input field naming `other`.
    field: &'static str,
}

impl<'a> Ends<'a> {
    pub(super) fn new(
        parent: &'a ID,
        revision: Option<i32>,
        other: &'a ID,
        field: &'static str,
    ) -> Self {
        Self {
            parent,
            revision,
            other,
            field,
        }
    }
}

/// Attaches (with `data`) or detaches (without) the link between the ends, cites it on the
/// parent (an `E`), moves both ends' revisions and records both ends' states.
pub(super) async fn relink<E>(
    write: &Write,
    link: &Link,
    ends: Ends<'_>,
    citations: &[CitationInput],
    data: Option<Vec<(&'static str, Value)>>,
) -> Done<E::Model>
where
    E: EntityTrait,
    E::Model: Revised + Table,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
{
    let mut checks = Checks::default();
    checks.citations(citations);
    checks.done()?;
    // The input names the parent `operationId`, `communityActionId`.
    let name = link.parent.name();
    let field = format!("{}{}Id", name[..1].to_lowercase(), &name[1..]);
    let parent = write
        .current_at::<E>(
            link.parent,
            (ends.parent, &field),
            (ends.revision, "revision"),
        )
        .await?;
    let (parent_id, parent_revision) = (parent.id(), parent.revision().unwrap_or_default());
    let other = write
        .existing(link.child, ends.other, &[ends.field])
        .await?;
    let before = (
        write.state(link.parent, parent_id).await?,
        write.state(link.child, other).await?,
    );
    match data {
        Some(data) => {
            write
                .attach(link, (parent_id, other), data, &[ends.field])
                .await?
        }
        None => {
            write
                .detach(link, (parent_id, other), &[ends.field])
                .await?
        }
    }
    write.bump(link.parent, parent_id, parent_revision).await?;
    let other_revision = before
        .1
        .as_ref()
        .and_then(|s| s["revision"].as_i64())
        .and_then(|r| i32::try_from(r).ok())
        .ok_or_else(|| ApiError::Internal(format!("the {} has no revision", link.child.name())))?;
    write.bump(link.child, other, other_revision).await?;
    let cited = write.sources(citations).await?;
    write.cite(link.parent, parent_id, &cited).await?;
    let after = write.state(link.parent, parent_id).await?;
    write
        .record(link.parent, parent_id, before.0, after)
        .await?;
    let after = write.state(link.child, other).await?;
    write.record(link.child, other, before.1, after).await?;
    let model = E::find_by_id(parent_id).one(write.txn()).await?;
    Ok(model.ok_or_else(|| {
        ApiError::Internal(format!(
            "a {} vanished as it was linked",
            link.parent.name()
        ))
    })?)
}
