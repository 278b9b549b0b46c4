//! What every mutation shares: the editor's key checked, one transaction that opens with the
//! change record, each touched node's row before and after, the citations every fact needs,
//! and the refusals that roll it all back.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, SimpleObject};
use chrono::Utc;
use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait as _, Order, Query, Value};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait,
    ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, FromQueryResult, IntoActiveModel,
    JsonValue, PrimaryKeyTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use crate::auth::{Caller, Role};
use crate::entity::{Revised, Table, api_key, change, change_node, citation, source};
use crate::error::ApiError;
use crate::graphql::enums::{Confidence, SourceKind, db_name};
use crate::graphql::ids::{NodeKind, decode, decode_as};
use crate::graphql::loaders::batches;
use crate::graphql::scalars::Date;

/// The longest quote a citation keeps: a paragraph, not an article.
pub(super) const MAX_QUOTE: usize = 5_000;
/// The longest title or name.
pub(super) const MAX_NAME: usize = 500;
/// The longest free text (summaries, descriptions).
pub(super) const MAX_TEXT: usize = 20_000;

/// Why a mutation's input was refused, for clients to switch on.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A value is out of range, malformed or contradicts another.
    BadUserInput,
    /// An id names nothing, or a node of another type than the field takes.
    NotFound,
    /// The node changed since the revision the input names: read it again.
    Conflict,
    /// The link or node exists already.
    AlreadyExists,
    /// A fact without a citation: every create and change needs one.
    CitationRequired,
    /// The node is still referenced: deleting it would leave rows pointing at nothing.
    InUse,
}

/// Input the mutation refused, and where in it.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The path to the offending input field, from the mutation's argument
    /// (`["input", "citations", "0", "quote"]`); empty when it concerns the input as a whole.
    pub field: Vec<String>,
    /// What is wrong and how to put it right.
    pub message: String,
    /// What kind of refusal it is.
    pub code: UserErrorCode,
}

impl UserError {
    pub(super) fn new(code: UserErrorCode, field: &[&str], message: impl Into<String>) -> Self {
        Self {
            field: std::iter::once("input")
                .chain(field.iter().copied())
                .map(str::to_owned)
                .collect(),
            message: message.into(),
            code,
        }
    }
}

/// How a mutation stops short: refused input (the payload's `userErrors`), or an error of the
/// request (`errors`, with its code). Either way nothing is written.
#[derive(Debug)]
pub(super) enum Refused {
    Input(Vec<UserError>),
    Request(ApiError),
}

impl From<ApiError> for Refused {
    fn from(err: ApiError) -> Self {
        Self::Request(err)
    }
}

impl From<DbErr> for Refused {
    fn from(err: DbErr) -> Self {
        Self::Request(err.into())
    }
}

impl From<UserError> for Refused {
    fn from(err: UserError) -> Self {
        Self::Input(vec![err])
    }
}

/// The result of a mutation's body.
pub(super) type Done<T> = Result<T, Refused>;

/// Collects refused fields, so the client hears of all of them at once.
#[derive(Default)]
pub(super) struct Checks(Vec<UserError>);

impl Checks {
    pub(super) fn refuse(
        &mut self,
        code: UserErrorCode,
        field: &[&str],
        message: impl Into<String>,
    ) {
        self.0.push(UserError::new(code, field, message));
    }

    /// A count: not negative.
    pub(super) fn count(&mut self, field: &str, value: Option<i32>) {
        if value.is_some_and(|v| v < 0) {
            self.refuse(
                UserErrorCode::BadUserInput,
                &[field],
                format!("`{field}` is a count: 0 or more, or null when not reported"),
            );
        }
    }

    /// A text of at most `max` characters; `required` ones not blank either.
    pub(super) fn text(&mut self, field: &[&str], value: Option<&str>, max: usize, required: bool) {
        let name = field.last().copied().unwrap_or("input");
        match value {
            Some(v) if v.chars().count() > max => self.refuse(
                UserErrorCode::BadUserInput,
                field,
                format!("`{name}` is too long: at most {max} characters"),
            ),
            Some(v) if required && v.trim().is_empty() => self.refuse(
                UserErrorCode::BadUserInput,
                field,
                format!("`{name}` is blank"),
            ),
            None if required => self.refuse(
                UserErrorCode::BadUserInput,
                field,
                format!("`{name}` is required"),
            ),
            _ => {}
        }
    }

    /// The citations every fact needs: at least one, each quoted, each new source checked.
    pub(super) fn citations(&mut self, citations: &[CitationInput]) {
        if citations.is_empty() {
            self.refuse(
                UserErrorCode::CitationRequired,
                &["citations"],
                "every fact rests on a source: give at least one citation with its quote",
            );
        }
        for (i, c) in citations.iter().enumerate() {
            let at = i.to_string();
            self.text(
                &["citations", &at, "quote"],
                Some(&c.quote),
                MAX_QUOTE,
                true,
            );
            self.text(
                &["citations", &at, "locator"],
                c.locator.as_deref(),
                MAX_NAME,
                false,
            );
            if let Some(source) = &c.source {
                source.check(self, &["citations", &at, "source"]);
            }
        }
    }

    /// Ends the checks: `Err` with every refusal when there is one.
    pub(super) fn done(self) -> Done<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Refused::Input(self.0))
        }
    }
}

/// A citation of the fact a mutation writes: an existing source or a new one, and the
/// source's own words.
#[derive(InputObject, Clone, Debug)]
pub struct CitationInput {
    /// An existing source's id; give this or `source`.
    pub source_id: Option<ID>,
    /// A new source, created with the fact; give this or `sourceId`.
    pub source: Option<SourceInput>,
    /// The sentence of the source the fact rests on (at most 5,000 characters).
    pub quote: String,
    /// Where in the source (page, paragraph, timestamp).
    pub locator: Option<String>,
    /// How firmly the source states it.
    #[graphql(default_with = "Confidence::Reported")]
    pub confidence: Confidence,
}

/// A source: where facts come from.
#[derive(InputObject, Clone, Debug)]
pub struct SourceInput {
    /// Title.
    pub title: String,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// Publisher.
    pub publisher: Option<String>,
    /// Where to read it.
    pub url: Option<String>,
    /// Publication date.
    pub published_on: Option<Date>,
    /// Notes on the source.
    pub description: Option<String>,
}

impl SourceInput {
    pub(super) fn check(&self, checks: &mut Checks, at: &[&str]) {
        let field = |name: &'static str| [at, &[name]].concat();
        checks.text(&field("title"), Some(&self.title), MAX_NAME, true);
        checks.text(
            &field("publisher"),
            self.publisher.as_deref(),
            MAX_NAME,
            false,
        );
        checks.text(&field("url"), self.url.as_deref(), MAX_NAME, false);
        checks.text(
            &field("description"),
            self.description.as_deref(),
            MAX_TEXT,
            false,
        );
        if self.kind == SourceKind::Synthetic {
            checks.refuse(
                UserErrorCode::BadUserInput,
                &field("kind"),
                "SYNTHETIC labels generated data; a curated fact needs a real source",
            );
        }
    }
}

/// One mutation's transaction, opened with its change record.
pub(super) struct Write {
    txn: DatabaseTransaction,
    change: i32,
}

impl Write {
    /// Checks the request's key may edit, opens the transaction and writes the change
    /// record first: on SQLite that takes the write lock before anything is read, so two
    /// editors queue instead of one failing on what it read before the other wrote.
    pub(super) async fn begin(
        ctx: &Context<'_>,
        mutation: &str,
        client_mutation_id: Option<&str>,
    ) -> Result<Self, ApiError> {
        let caller = ctx.data_opt::<Caller>().ok_or_else(|| {
            ApiError::Unauthenticated(format!(
                "`{mutation}` changes the graph, which needs an editor's key: send \
                 `Authorization: Bearer KEY` (an admin makes one with `ctgraph keys create`)"
            ))
        })?;
        caller.require(Role::Editor, &format!("`{mutation}`"))?;
        let txn = batches(ctx)?.db().begin().await?;
        let change = change::ActiveModel {
            id: NotSet,
            at: Set(Utc::now()),
            key_id: Set(Some(caller.key_id)),
            actor: Set(caller.name.clone()),
            mutation: Set(mutation.to_owned()),
            client_mutation_id: Set(client_mutation_id.map(str::to_owned)),
        }
        .insert(&txn)
        .await?
        .id;
        // The key was valid when the request came in; one revoked since is refused here,
        // inside the transaction, so no change is ever recorded under a revoked key.
        let revoked = api_key::Entity::find_by_id(caller.key_id)
            .select_only()
            .column(api_key::Column::RevokedAt)
            .into_tuple::<Option<chrono::DateTime<Utc>>>()
            .one(&txn)
            .await?;
        if !matches!(revoked, Some(None)) {
            return Err(ApiError::Unauthenticated(
                "this key was revoked; ask an admin for a key (`ctgraph keys create`)".into(),
            ));
        }
        Ok(Self { txn, change })
    }

    pub(super) fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// A node's state as the change log keeps it: its row (column → value), with its links
    /// (`links`: link table → its rows) and its `citations`, so that what a change moved can
    /// be put back. `None` when no row has the id.
    pub(super) async fn state(&self, kind: NodeKind, id: i32) -> Result<Option<JsonValue>, DbErr> {
        let rows = |table: &str, condition: Condition| {
            let mut select = Query::select();
            select
                .column(Asterisk)
                .from(Alias::new(table))
                .cond_where(condition)
                .order_by_columns(order_of(table));
            let backend = self.txn.get_database_backend();
            JsonValue::find_by_statement(backend.build(&select)).all(&self.txn)
        };
        let id_is = |column: &str| Condition::all().add(Expr::col(Alias::new(column)).eq(id));
        let Some(mut state) = rows(kind.table(), id_is("id")).await?.pop() else {
            return Ok(None);
        };
        let mut links = serde_json::Map::new();
        for &(table, column) in links_of(kind) {
            links.insert(
                table.to_owned(),
                JsonValue::Array(rows(table, id_is(column)).await?),
            );
        }
        let cited = id_is("subject_id").add(Expr::col(Alias::new("subject_type")).eq(kind.name()));
        let citations = rows(citation::Model::NAME, cited).await?;
        if let JsonValue::Object(map) = &mut state {
            map.insert("links".to_owned(), JsonValue::Object(links));
            map.insert("citations".to_owned(), JsonValue::Array(citations));
        }
        Ok(Some(state))
    }

    /// Records that the change took the node `(kind, id)` from `before` to `after`.
    pub(super) async fn record(
        &self,
        kind: NodeKind,
        id: i32,
        before: Option<JsonValue>,
        after: Option<JsonValue>,
    ) -> Result<(), DbErr> {
        change_node::ActiveModel {
            id: NotSet,
            change_id: Set(self.change),
            subject_type: Set(kind.name().to_owned()),
            subject_id: Set(id),
            before: Set(before.map(|v| v.to_string())),
            after: Set(after.map(|v| v.to_string())),
        }
        .insert(&self.txn)
        .await
        .map(|_| ())
    }

    /// The node of `E` (a `kind`) that the input's `id` names, at the revision the client
    /// read; `NOT_FOUND` or `CONFLICT` refused.
    pub(super) async fn current<E>(
        &self,
        kind: NodeKind,
        id: &ID,
        revision: Option<i32>,
    ) -> Done<E::Model>
    where
        E: EntityTrait,
        E::Model: Revised,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    {
        let not_found = |message: String| -> Refused {
            UserError::new(UserErrorCode::NotFound, &["id"], message).into()
        };
        let row = decode_as(id, kind).map_err(|e| not_found(e.message()))?;
        let model = E::find_by_id(row).one(&self.txn).await?.ok_or_else(|| {
            not_found(format!(
                "no {} has the id {:?}",
                kind.name().to_lowercase(),
                id.as_str()
            ))
        })?;
        if let Some(current) = model.revision() {
            self.check_revision(kind, current, revision)?;
        }
        Ok(model)
    }

    /// Saves `model`, a correction of the `kind` node `id` as read (its revision still the
    /// one read), with its `citations`: the revision moves on (`CONFLICT` if another change
    /// got there first), the citations are written, and the change log gets its state
    /// before and after.
    pub(super) async fn correct<E, A>(
        &self,
        kind: NodeKind,
        id: i32,
        mut model: E::Model,
        citations: &[CitationInput],
    ) -> Done<E::Model>
    where
        E: EntityTrait,
        E::Model: Revised + IntoActiveModel<A>,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    {
        let old = self.state(kind, id).await?;
        let read = model
            .revision()
            .ok_or_else(|| ApiError::Internal(format!("a {} without a revision", kind.name())))?;
        self.bump(kind, id, read).await?;
        model.set_revision(read + 1);
        let updated = model
            .into_active_model()
            .reset_all()
            .update(&self.txn)
            .await?;
        let cited = self.sources(citations).await?;
        self.cite(kind, id, &cited).await?;
        let new = self.state(kind, id).await?;
        self.record(kind, id, old, new).await?;
        Ok(updated)
    }

    /// Applies an optional reference of the input (`field`, a `kind` node's id): a value
    /// sets `target` to its row (`NOT_FOUND` when it names none), null clears it.
    pub(super) async fn reference(
        &self,
        kind: NodeKind,
        value: &MaybeUndefined<ID>,
        field: &str,
        target: &mut Option<i32>,
    ) -> Done<()> {
        match value {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => *target = None,
            MaybeUndefined::Value(id) => *target = Some(self.existing(kind, id, &[field]).await?),
        }
        Ok(())
    }

    /// `CONFLICT` when the client read another revision of the `kind` node than the current.
    pub(super) fn check_revision(
        &self,
        kind: NodeKind,
        current: i32,
        read: Option<i32>,
    ) -> Done<()> {
        match read {
            Some(read) if read != current => Err(UserError::new(
                UserErrorCode::Conflict,
                &["revision"],
                format!(
                    "the {} is at revision {current}, not {read}: it changed since you read it; \
                     read it again and reapply your change",
                    kind.name().to_lowercase()
                ),
            )
            .into()),
            _ => Ok(()),
        }
    }

    /// Bumps the revision of the node `(kind, id)` from `expected`; `CONFLICT` when another
    /// change got there first (on PostgreSQL the update waits for it, then finds the row has
    /// moved on).
    pub(super) async fn bump(&self, kind: NodeKind, id: i32, expected: i32) -> Done<()> {
        let revision = || Alias::new("revision");
        let mut update = Query::update();
        update
            .table(Alias::new(kind.table()))
            .value(revision(), Expr::col(revision()).add(1))
            .and_where(Expr::col(Alias::new("id")).eq(id))
            .and_where(Expr::col(revision()).eq(expected));
        if self.txn.execute(&update).await?.rows_affected() == 1 {
            Ok(())
        } else {
            Err(UserError::new(
                UserErrorCode::Conflict,
                &["revision"],
                format!(
                    "the {} changed while this change ran; read it again and reapply",
                    kind.name()
                ),
            )
            .into())
        }
    }

    /// The sources `citations` name: existing ones checked, new ones created (once, however
    /// many nodes the citations then support).
    pub(super) async fn sources<'a>(
        &self,
        citations: &'a [CitationInput],
    ) -> Done<Vec<(i32, &'a CitationInput)>> {
        let mut cited = Vec::with_capacity(citations.len());
        for (i, c) in citations.iter().enumerate() {
            let at = i.to_string();
            let source_id = match (&c.source_id, &c.source) {
                (Some(source_id), None) => {
                    let field = ["citations", at.as_str(), "sourceId"];
                    self.existing(NodeKind::Source, source_id, &field).await?
                }
                (None, Some(s)) => self.create_source(s).await?,
                _ => {
                    return Err(UserError::new(
                        UserErrorCode::BadUserInput,
                        &["citations", &at],
                        "a citation names its source: give `sourceId` or `source`, not both",
                    )
                    .into());
                }
            };
            cited.push((source_id, c));
        }
        Ok(cited)
    }

    /// Writes the citations of the node `(kind, id)`. A source that cites the node already
    /// has its quote, locator and confidence replaced.
    pub(super) async fn cite(
        &self,
        kind: NodeKind,
        id: i32,
        cited: &[(i32, &CitationInput)],
    ) -> Done<()> {
        for &(source_id, c) in cited {
            let old = citation::Entity::find()
                .filter(citation::Column::SourceId.eq(source_id))
                .filter(citation::Column::SubjectType.eq(kind.name()))
                .filter(citation::Column::SubjectId.eq(id))
                .one(&self.txn)
                .await?;
            let mut row = citation::ActiveModel {
                id: NotSet,
                source_id: Set(source_id),
                subject_type: Set(kind.name().to_owned()),
                subject_id: Set(id),
                quote: Set(Some(c.quote.clone())),
                locator: Set(c.locator.clone()),
                confidence: Set(db_name(c.confidence).to_owned()),
            };
            match old {
                Some(old) => {
                    row.id = Set(old.id);
                    row.update(&self.txn).await?;
                }
                None => {
                    row.insert(&self.txn).await?;
                }
            }
        }
        Ok(())
    }

    /// Creates a source, recorded as a node of the change.
    pub(super) async fn create_source(&self, s: &SourceInput) -> Done<i32> {
        let row = source::ActiveModel {
            id: NotSet,
            revision: Set(1),
            title: Set(s.title.trim().to_owned()),
            publisher: Set(s.publisher.clone()),
            url: Set(s.url.clone()),
            published_on: Set(s.published_on.map(|d| d.0)),
            kind: Set(db_name(s.kind).to_owned()),
            description: Set(s.description.clone()),
            dataset: Set(None),
            external_id: Set(None),
        }
        .insert(&self.txn)
        .await?;
        let after = self.state(NodeKind::Source, row.id).await?;
        self.record(NodeKind::Source, row.id, None, after).await?;
        Ok(row.id)
    }

    /// The row id of `id`, which must name an existing node of `kind`; `NOT_FOUND` at
    /// `field` otherwise.
    pub(super) async fn existing(&self, kind: NodeKind, id: &ID, field: &[&str]) -> Done<i32> {
        let not_found = |message: String| UserError::new(UserErrorCode::NotFound, field, message);
        let (found, row) = decode(id).map_err(|e| not_found(e.message()))?;
        if found != kind {
            return Err(not_found(format!(
                "{id:?} is a {}; this field takes a {}",
                found.name(),
                kind.name()
            ))
            .into());
        }
        let mut select = Query::select();
        select
            .expr(Expr::val(1))
            .from(Alias::new(kind.table()))
            .and_where(Expr::col(Alias::new("id")).eq(row));
        match self.txn.query_one(&select).await? {
            Some(_) => Ok(row),
            None => Err(not_found(format!("no {} has the id {id:?}", kind.name())).into()),
        }
    }

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

    /// Commits the change.
    pub(super) async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

/// A link table and the nodes it links.
pub(super) struct Link {
    pub(super) table: &'static str,
    pub(super) parent: NodeKind,
    pub(super) parent_column: &'static str,
    pub(super) child: NodeKind,
    pub(super) child_column: &'static str,
}

/// The link tables holding a node of `kind` (the table, and its column naming the node): what
/// its state in the change log lists besides its row.
fn links_of(kind: NodeKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        NodeKind::Operation => &[
            ("operation_personnel", "operation_id"),
            ("operation_militants", "operation_id"),
            ("operation_organizations", "operation_id"),
        ],
        NodeKind::Personnel => &[("operation_personnel", "personnel_id")],
        NodeKind::Militant => &[("operation_militants", "militant_id")],
        NodeKind::Organization => &[
            ("operation_organizations", "organization_id"),
            ("community_action_actors", "organization_id"),
        ],
        NodeKind::District => &[("community_action_districts", "district_id")],
        NodeKind::CommunityAction => &[
            ("community_action_actors", "community_action_id"),
            ("community_action_districts", "community_action_id"),
        ],
        NodeKind::ReportedFigure => &[("reported_figure_districts", "reported_figure_id")],
        NodeKind::Country | NodeKind::Province | NodeKind::Affiliation | NodeKind::Source => &[],
    }
}

/// The columns that order a table's rows in a state: the link tables' two ends (they have no
/// `id`), every other table's `id`.
fn order_of(table: &str) -> Vec<(Alias, Order)> {
    let key: &[&str] = match table {
        "operation_personnel" => &["operation_id", "personnel_id"],
        "operation_militants" => &["operation_id", "militant_id"],
        "operation_organizations" => &["operation_id", "organization_id"],
        "community_action_actors" => &["community_action_id", "organization_id"],
        "community_action_districts" => &["community_action_id", "district_id"],
        "reported_figure_districts" => &["reported_figure_id", "district_id"],
        _ => &["id"],
    };
    key.iter().map(|c| (Alias::new(*c), Order::Asc)).collect()
}
