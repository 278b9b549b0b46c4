//! Mutations, Relay style: one `input` argument, a payload with the node, the client's
//! `clientMutationId` and `userErrors` for refused input. Each runs in one transaction that
//! opens with its change record (who, when, which mutation) and records every node it
//! touches before and after; refused input rolls it all back. Every fact written carries a
//! citation.

mod actors;
mod affiliation;
mod attack;
mod community_action;
mod delete;
mod figures;
mod input;
mod link;
mod log;
mod merge;
mod operation;
mod operation_links;
mod places;
mod replace;
mod restore;
mod source;
mod write;

pub use actors::*;
pub use affiliation::*;
pub use attack::*;
pub use community_action::*;
pub use delete::*;
pub use figures::*;
pub use input::{CitationInput, Key, SourceInput, UserError, UserErrorCode};
pub use merge::*;
pub use operation::*;
pub use operation_links::*;
pub use places::*;
pub use source::*;

use async_graphql::{Context, MergedObject};

use crate::error::ApiResult;
use crate::graphql::connection::NodeObject;
use crate::graphql::loaders::batches;
use crate::graphql::types::Change;
use input::{Done, Refused};
use write::Write;

/// The mutation root: every type's mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    OperationMutations,
    OperationLinkMutations,
    ActorMutations,
    SourceMutations,
    AffiliationMutations,
    CommunityActionMutations,
    AttackMutations,
    PlaceMutations,
    FigureMutations,
    MergeMutations,
    DeleteMutations,
);

/// Declares a payload: the client's id, the field the mutation answers with (null when the
/// input was refused), and the refusals.
macro_rules! payload {
    ($(#[$doc:meta])* $name:ident, $field:ident: $ty:ty) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// The `clientMutationId` of the input, as sent.
            pub client_mutation_id: Option<String>,
            /// What the mutation wrote; null when it refused the input.
            pub $field: Option<$ty>,
            /// The change record the mutation wrote (its `nodes` say what it did to each
            /// node); null when it refused the input or had nothing to change.
            pub change: Option<$crate::graphql::types::Change>,
            /// Why the input was refused; empty when the mutation was done.
            pub user_errors: Vec<$crate::graphql::mutation::UserError>,
        }

        impl $crate::graphql::mutation::Payload for $name {
            type Field = $ty;
            fn new(
                client_mutation_id: Option<String>,
                $field: Option<$ty>,
                change: Option<$crate::graphql::types::Change>,
                user_errors: Vec<$crate::graphql::mutation::UserError>,
            ) -> Self {
                Self { client_mutation_id, $field, change, user_errors }
            }
        }
    };
}
use payload;

/// A mutation's payload.
pub trait Payload {
    /// What the mutation answers with.
    type Field;
    /// The payload of a mutation done (`field`: what it answers with, and its `change`
    /// record unless it changed nothing) or refused (`user_errors`).
    fn new(
        client_mutation_id: Option<String>,
        field: Option<Self::Field>,
        change: Option<Change>,
        user_errors: Vec<UserError>,
    ) -> Self;
}

/// The node a payload answers with, made a group of its own for its fields' loaders.
fn node<N: NodeObject>(ctx: &Context<'_>, model: N::Model) -> ApiResult<N> {
    let group = batches(ctx)?.group(vec![model.clone()]);
    Ok(N::from_model(model, group))
}

/// Applies `value` to `field` when given: a value sets it, null clears it.
fn patch<T, U>(
    field: &mut Option<U>,
    value: &async_graphql::MaybeUndefined<T>,
    map: impl Fn(&T) -> U,
) {
    match value {
        async_graphql::MaybeUndefined::Undefined => {}
        async_graphql::MaybeUndefined::Null => *field = None,
        async_graphql::MaybeUndefined::Value(v) => *field = Some(map(v)),
    }
}

/// Ends a mutation: commits what `done` wrote and answers with it, or rolls back and
/// answers with the refusals (input) or the error (request). The payload is nullable, as
/// Relay has it, so an error of one mutation leaves the other fields' answers standing.
async fn respond<T, P: Payload>(
    ctx: &Context<'_>,
    write: Write,
    done: Done<T>,
    client_mutation_id: Option<String>,
    answer: impl FnOnce(T) -> ApiResult<P::Field>,
) -> ApiResult<Option<P>> {
    match done {
        Ok(value) => {
            // A mutation that changed nothing (an upsert of what is there) leaves no record.
            let change = match write.commit().await? {
                Some(change) => Some(node::<Change>(ctx, change)?),
                None => None,
            };
            let field = answer(value)?;
            Ok(Some(P::new(
                client_mutation_id,
                Some(field),
                change,
                Vec::new(),
            )))
        }
        // Dropping the transaction rolls it back.
        Err(Refused::Input(errors)) => Ok(Some(P::new(client_mutation_id, None, None, errors))),
        Err(Refused::Request(err)) => Err(err),
    }
}
