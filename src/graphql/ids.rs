//! Global object identifiers: opaque, stable strings that name a type and a row
//! (`base64url("Operation:12")`), and their decoding with errors a client can act on.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{ApiError, ApiResult};

/// A type of node: what a global id names, and what fields that look across types
/// (`search`, `neighborhood`, `path`) take as `NodeType`.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(name = "NodeType")]
pub enum NodeKind {
    /// `Country`.
    Country,
    /// `Province`.
    Province,
    /// `District`.
    District,
    /// `Operation`.
    Operation,
    /// `Personnel`.
    Personnel,
    /// `Militant`.
    Militant,
    /// `Organization`.
    Organization,
    /// `Affiliation`.
    Affiliation,
    /// `CommunityAction`.
    CommunityAction,
    /// `Source`.
    Source,
    /// `ReportedFigure`.
    ReportedFigure,
    /// `Attack`.
    Attack,
}

impl NodeKind {
    const ALL: [NodeKind; 12] = [
        Self::Country,
        Self::Province,
        Self::District,
        Self::Operation,
        Self::Personnel,
        Self::Militant,
        Self::Organization,
        Self::Affiliation,
        Self::CommunityAction,
        Self::Source,
        Self::ReportedFigure,
        Self::Attack,
    ];

    /// The GraphQL type name, also stored as `citations.subject_type`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Country => "Country",
            Self::Province => "Province",
            Self::District => "District",
            Self::Operation => "Operation",
            Self::Personnel => "Personnel",
            Self::Militant => "Militant",
            Self::Organization => "Organization",
            Self::Affiliation => "Affiliation",
            Self::CommunityAction => "CommunityAction",
            Self::Source => "Source",
            Self::ReportedFigure => "ReportedFigure",
            Self::Attack => "Attack",
        }
    }

    /// The table its rows live in.
    pub fn table(self) -> &'static str {
        use crate::entity::{Table, *};
        match self {
            Self::Country => country::Model::NAME,
            Self::Province => province::Model::NAME,
            Self::District => district::Model::NAME,
            Self::Operation => operation::Model::NAME,
            Self::Personnel => personnel::Model::NAME,
            Self::Militant => militant::Model::NAME,
            Self::Organization => organization::Model::NAME,
            Self::Affiliation => affiliation::Model::NAME,
            Self::CommunityAction => community_action::Model::NAME,
            Self::Source => source::Model::NAME,
            Self::ReportedFigure => reported_figure::Model::NAME,
            Self::Attack => attack::Model::NAME,
        }
    }

    /// The kind named `name`, as written by [`NodeKind::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The global id of row `id` of this type.
    pub fn id(self, id: i32) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", self.name())))
    }
}

/// Decodes a global id into its type and row id.
pub fn decode(id: &str) -> ApiResult<(NodeKind, i32)> {
    let malformed = || {
        ApiError::bad_input(format!(
            "malformed id {id:?}: pass an `id` this API returned"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let (kind, row) = text.split_once(':').ok_or_else(malformed)?;
    let kind = NodeKind::from_name(kind).ok_or_else(malformed)?;
    let row: i32 = row.parse().map_err(|_| malformed())?;
    // One row, one id: "Operation:01" and "Operation:+1" would name Operation 1 too, and
    // clients that compare ids to find the same node would be misled.
    if kind.id(row).0 != id {
        return Err(malformed());
    }
    Ok((kind, row))
}

/// Decodes a global id that must be of type `expected`.
pub fn decode_as(id: &str, expected: NodeKind) -> ApiResult<i32> {
    match decode(id)? {
        (kind, row) if kind == expected => Ok(row),
        (kind, _) => Err(ApiError::bad_input(format!(
            "id {id:?} is a {} id, but a {} id is expected here",
            kind.name(),
            expected.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_stay_opaque() {
        let id = NodeKind::CommunityAction.id(42);
        assert!(!id.contains("CommunityAction"));
        assert_eq!(decode(&id).ok(), Some((NodeKind::CommunityAction, 42)));
    }

    #[test]
    fn malformed_and_mistyped_ids_are_user_errors() {
        for bad in [
            "",
            "x",
            "!!!",
            &URL_SAFE_NO_PAD.encode("Nope:1"),
            &URL_SAFE_NO_PAD.encode("District:x"),
            // Regression: these named District 1 too.
            &URL_SAFE_NO_PAD.encode("District:01"),
            &URL_SAFE_NO_PAD.encode("District:+1"),
        ] {
            assert_eq!(
                decode(bad).err().map(|e| e.code()),
                Some(crate::error::code::BAD_USER_INPUT),
                "{bad}"
            );
        }
        let district = NodeKind::District.id(1);
        assert_eq!(
            decode_as(&district, NodeKind::Province)
                .err()
                .map(|e| e.code()),
            Some(crate::error::code::BAD_USER_INPUT)
        );
    }
}
