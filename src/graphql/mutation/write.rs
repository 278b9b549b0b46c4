//! One mutation's transaction: the editor's key checked, the change record written first,
//! nodes read at the revision the client read, corrections saved with their citations, and
//! the commit. Refused input rolls it all back (see `input`).

use async_graphql::{Context, ID, MaybeUndefined};
use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait,
    ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait,
    PrimaryKeyTrait, QueryFilter, QuerySelect,
};

use super::input::{
    Checks, CitationInput, Done, Key, Refused, SourceInput, UserError, UserErrorCode,
};
use crate::auth::{Caller, Role};
use crate::db::{Turn, begin_turn};
use crate::entity::{Revised, Table, api_key, change, change_node, citation, source};
use crate::error::ApiError;
use crate::graphql::enums::db_name;
use crate::graphql::ids::{NodeKind, decode, decode_as};
use crate::graphql::loaders::batches;

/// One mutation's transaction, opened with its change record.
pub(super) struct Write {
    pub(super) txn: DatabaseTransaction,
    /// The change record.
    pub(super) change: change::Model,
}

impl Write {
    /// Checks the request's key may edit, opens the transaction in its turn (see
    /// [`Turn::Write`]: what it reads stays true until it commits, on every instance) and
    /// writes the change record.
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
        let txn = begin_turn(batches(ctx)?.db(), Turn::Write).await?;
        let change = change::ActiveModel {
            id: NotSet,
            at: Set(Utc::now()),
            key_id: Set(Some(caller.key_id)),
            actor: Set(caller.name.clone()),
            mutation: Set(mutation.to_owned()),
            client_mutation_id: Set(client_mutation_id.map(str::to_owned)),
        }
        .insert(&txn)
        .await?;
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
        self.current_at::<E>(kind, (id, "id"), (revision, "revision"))
            .await
    }

    /// [`Write::current`] with the input's fields for the id and the revision named.
    pub(super) async fn current_at<E>(
        &self,
        kind: NodeKind,
        (id, id_field): (&ID, &str),
        (revision, revision_field): (Option<i32>, &str),
    ) -> Done<E::Model>
    where
        E: EntityTrait,
        E::Model: Revised,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
    {
        let not_found = |message: String| -> Refused {
            UserError::new(UserErrorCode::NotFound, &[id_field], message).into()
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
            self.check_revision(kind, current, revision, revision_field)?;
        }
        Ok(model)
    }

    /// `CONFLICT` at `field` when the client read another revision of the `kind` node than
    /// the `current` one.
    pub(super) fn check_revision(
        &self,
        kind: NodeKind,
        current: i32,
        read: Option<i32>,
        field: &str,
    ) -> Done<()> {
        match read {
            Some(read) if read != current => Err(UserError::new(
                UserErrorCode::Conflict,
                &[field],
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
        self.rederive_cross_border(kind, id).await?;
        Ok(updated)
    }

    /// Inserts `model` as a new `kind` node (the database gives its id), with the citations
    /// `citations` name, and records it as created.
    pub(super) async fn insert<E, A>(
        &self,
        kind: NodeKind,
        model: E::Model,
        citations: &[CitationInput],
    ) -> Done<E::Model>
    where
        E: EntityTrait,
        E::Model: Table + IntoActiveModel<A>,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    {
        let row = self.insert_row::<E, A>(model).await?;
        let cited = self.sources(citations).await?;
        self.created(kind, row.id(), &cited).await?;
        Ok(row)
    }

    /// Inserts `model` as a new row (the database gives its id), not yet recorded: for a node
    /// whose links are written before [`Write::created`] records it.
    pub(super) async fn insert_row<E, A>(&self, model: E::Model) -> Done<E::Model>
    where
        E: EntityTrait,
        E::Model: IntoActiveModel<A>,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    {
        let mut row = model.into_active_model();
        let id = <E::Column as std::str::FromStr>::from_str("id")
            .map_err(|_| ApiError::Internal("a node table without an id".to_owned()))?;
        row.not_set(id);
        Ok(row.insert(&self.txn).await?)
    }

    /// The `E` row that `key` names (its `dataset` and `external_id`), if any; a blank key
    /// refused.
    pub(super) async fn keyed<E: EntityTrait>(&self, key: &Key) -> Done<Option<E::Model>> {
        let mut checks = Checks::default();
        checks.key(key);
        checks.done()?;
        let column = |name: &str| {
            <E::Column as std::str::FromStr>::from_str(name)
                .map_err(|_| ApiError::Internal(format!("a keyed table without {name}")))
        };
        let (dataset, key) = (key.dataset.trim(), key.key.trim());
        Ok(E::find()
            .filter(column("dataset")?.eq(dataset))
            .filter(column("external_id")?.eq(key))
            .one(&self.txn)
            .await?)
    }

    /// Saves `model`, an upsert's version of the `kind` node `before`: a correction when it
    /// differs, nothing when it does not (the same upsert again is not a change).
    pub(super) async fn upsert<E, A>(
        &self,
        kind: NodeKind,
        before: E::Model,
        model: E::Model,
        citations: &[CitationInput],
    ) -> Done<E::Model>
    where
        E: EntityTrait,
        E::Model: Revised + Table + IntoActiveModel<A> + PartialEq,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    {
        if model == before {
            return Ok(before);
        }
        self.correct::<E, A>(kind, before.id(), model, citations)
            .await
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

    /// Moves the revision of the node `(kind, id)` on, unconditionally: a change elsewhere
    /// (a merge, a delete) changed its links or references.
    pub(super) async fn touch(&self, kind: NodeKind, id: i32) -> Done<()> {
        let revision = || Alias::new("revision");
        let mut update = Query::update();
        update
            .table(Alias::new(kind.table()))
            .value(revision(), Expr::col(revision()).add(1))
            .and_where(Expr::col(Alias::new("id")).eq(id));
        self.txn.execute(&update).await?;
        Ok(())
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
                (None, Some(s)) => self.create_source(s, None).await?,
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

    /// Creates a source, recorded as a node of the change, under `key` when one is given.
    pub(super) async fn create_source(&self, s: &SourceInput, key: Option<&Key>) -> Done<i32> {
        let mut model = s.model();
        (model.dataset, model.external_id) = Key::columns(key);
        let row = self.insert_row::<source::Entity, _>(model).await?;
        self.created(NodeKind::Source, row.id, &[]).await?;
        Ok(row.id)
    }

    /// Writes the citations of the `kind` node `id` this change created, and records it.
    pub(super) async fn created(
        &self,
        kind: NodeKind,
        id: i32,
        cited: &[(i32, &CitationInput)],
    ) -> Done<()> {
        self.cite(kind, id, cited).await?;
        let after = self.state(kind, id).await?;
        self.record(kind, id, None, after).await?;
        self.record_linked(kind, id).await
    }

    /// Like [`Write::existing`] for an optional id: `None` when not given.
    pub(super) async fn existing_opt(
        &self,
        kind: NodeKind,
        id: Option<&ID>,
        field: &[&str],
    ) -> Done<Option<i32>> {
        match id {
            Some(id) => Ok(Some(self.existing(kind, id, field).await?)),
            None => Ok(None),
        }
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

    /// Commits the change and answers with its record; rolls back and answers `None` when
    /// it touched no node (there is then nothing to record).
    pub(super) async fn commit(self) -> Result<Option<change::Model>, ApiError> {
        let touched = change_node::Entity::find()
            .filter(change_node::Column::ChangeId.eq(self.change.id))
            .count(&self.txn)
            .await?;
        if touched == 0 {
            self.txn.rollback().await?;
            return Ok(None);
        }
        self.txn.commit().await?;
        Ok(Some(self.change))
    }
}
