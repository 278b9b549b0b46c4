//! The GraphQL object types, one file per domain type, and what they share: the data
//! link tables put on edges, citations, and the `order_input!` macro.

mod affiliation;
mod attack;
mod change;
mod citation;
mod community_action;
mod country;
mod district;
mod edges;
mod militant;
mod operation;
mod organization;
mod personnel;
mod province;
mod reported_figure;
mod source;
mod unmapped;

pub use affiliation::*;
pub use attack::*;
pub use change::*;
pub use citation::*;
pub use community_action::*;
pub use country::*;
pub use district::*;
pub use edges::*;
pub use militant::*;
pub use operation::*;
pub use organization::*;
pub use personnel::*;
pub use province::*;
pub use reported_figure::*;
pub use source::*;
pub use unmapped::*;

/// What every type module needs.
mod prelude {
    pub(super) use super::super::connection::{Connection, NodeObject, OrderInput, page_cost};
    pub(super) use super::super::enums::*;
    pub(super) use super::super::filter::{
        DateFilter, EnumFilter, FilterInput, FloatFilter, IdFilter, IntFilter, StringFilter, Where,
    };
    pub(super) use super::super::ids::NodeKind;
    pub(super) use super::super::loaders::{Siblings, belongs_to};
    pub(super) use super::super::page::{ColumnKind, PageArgs, SortKey, Via};
    pub(super) use super::super::scalars::Date;
    pub(super) use super::*;
    pub(super) use crate::error::{ApiError, ApiResult};
}

use crate::error::{ApiError, ApiResult};

/// Reads an `aliases` column: a JSON array of strings.
fn parse_aliases(stored: &str) -> ApiResult<Vec<String>> {
    serde_json::from_str(stored)
        .map_err(|e| ApiError::Internal(format!("malformed aliases {stored:?}: {e}")))
}

/// Declares an order input `{ field, direction }` and its field enum, each field naming a
/// column and its type (and `required` when the column is NOT NULL), with the default
/// ordering of the connection.
macro_rules! order_input {
    (
        $(#[$meta:meta])*
        $order:ident, $field:ident, default = $default:ident $(, $descending:ident)?;
        $($(#[$vmeta:meta])* $variant:ident => ($column:literal, $kind:expr $(, $required:ident)?)),+ $(,)?
    ) => {
        /// The field to order by.
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $field {
            $($(#[$vmeta])* $variant),+
        }

        $(#[$meta])*
        #[derive(async_graphql::InputObject, Clone, Copy, Debug)]
        pub struct $order {
            /// The field to order by.
            pub field: $field,
            /// Ascending unless given.
            #[graphql(default)]
            pub direction: OrderDirection,
        }

        impl Default for $order {
            fn default() -> Self {
                let direction = order_input!(@direction $($descending)?);
                Self { field: $field::$default, direction }
            }
        }

        impl OrderInput for $order {
            fn sort_key(&self) -> SortKey {
                let (name, column, kind, nullable) = match self.field {
                    $($field::$variant => (
                        stringify!($variant),
                        $column,
                        $kind,
                        order_input!(@nullable $($required)?),
                    )),+
                };
                SortKey {
                    name,
                    column,
                    kind,
                    descending: self.direction == OrderDirection::Desc,
                    nullable,
                }
            }
        }
    };
    (@nullable required) => { false };
    (@nullable) => { true };
    (@direction descending) => { OrderDirection::Desc };
    (@direction) => { OrderDirection::Asc };
}
use order_input;
