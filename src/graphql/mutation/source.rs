//! Mutations of sources: the roots every citation hangs from.

use async_graphql::{Context, InputObject, Object};
use sea_orm::EntityTrait;

use super::write::{Checks, Done, SourceInput, Write};
use super::{payload, respond};
use crate::entity::source;
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::NodeObject;
use crate::graphql::loaders::batches;
use crate::graphql::types::Source;

payload!(
    /// What `createSource` did.
    CreateSourcePayload,
    source: Source
);

/// A new source.
#[derive(InputObject)]
pub struct CreateSourceInput {
    /// Echoed in the payload, for clients that match answers to requests.
    pub client_mutation_id: Option<String>,
    /// The source.
    pub source: SourceInput,
}

/// Mutations of sources.
#[derive(Default)]
pub struct SourceMutations;

#[Object]
impl SourceMutations {
    /// Records a source, for citations to name by id.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        input: CreateSourceInput,
    ) -> ApiResult<Option<CreateSourcePayload>> {
        let cmid = input.client_mutation_id.clone();
        let write = Write::begin(ctx, "createSource", cmid.as_deref()).await?;
        let done = create(&write, &input.source).await;
        respond(write, done, cmid, |model| {
            let group = batches(ctx)?.group(vec![model.clone()]);
            Ok(Source::from_model(model, group))
        })
        .await
    }
}

async fn create(write: &Write, input: &SourceInput) -> Done<source::Model> {
    let mut checks = Checks::default();
    input.check(&mut checks, &["source"]);
    checks.done()?;
    let id = write.create_source(input).await?;
    let model = source::Entity::find_by_id(id).one(write.txn()).await?;
    Ok(model.ok_or_else(|| ApiError::Internal("a source vanished as it was made".into()))?)
}
