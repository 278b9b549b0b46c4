//! An armed group's attack on the security forces or on civilians: when, where, what kind,
//! and its casualties as the source splits them.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

/// A row of `attacks`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "attacks")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 1 when written, one more with each change; an update naming an older one is refused.
    pub revision: i32,
    /// Kind: `ARMED_ASSAULT`, `BOMBING`, `SUICIDE_ATTACK`, `REMOTE_VIOLENCE`, `ABDUCTION` or `OTHER`.
    pub kind: String,
    /// The day of the attack (or the first day of the period `date_precision` names).
    pub date: Date,
    /// How precise the date is: `DAY`, `WEEK`, `MONTH`, `QUARTER`, `YEAR` or `UNKNOWN`.
    pub date_precision: String,
    /// The district it took place in (`districts.id`); `None` when unknown or not resolved.
    pub district_id: Option<i32>,
    /// The place as reported; `None` when not reported.
    pub place: Option<String>,
    /// Security personnel killed, at least 0; `None` when not reported.
    pub security_killed: Option<i32>,
    /// Security personnel injured, at least 0; `None` when not reported.
    pub security_injured: Option<i32>,
    /// Civilians killed, at least 0; `None` when not reported.
    pub civilians_killed: Option<i32>,
    /// Civilians injured, at least 0; `None` when not reported.
    pub civilians_injured: Option<i32>,
    /// Attackers killed, at least 0; `None` when not reported.
    pub militants_killed: Option<i32>,
    /// People abducted, at least 0; `None` when not reported.
    pub abducted: Option<i32>,
    /// Deaths in all, as a source gives them without saying who died (ACLED's `fatalities`),
    /// at least 0; `None` when no source gives a total. The split counts stay `None` then.
    pub fatalities: Option<i32>,
    /// The source says `fatalities` is a coding convention, not a count.
    pub fatalities_by_convention: bool,
    /// What happened, as the source tells it; `None` when there is no account.
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Dataset the row was imported from; `None` for rows entered by hand.
    pub dataset: Option<String>,
    /// The row's id in that dataset; `None` for rows entered by hand.
    pub external_id: Option<String>,
    /// The dataset's record as imported (a CSV row as a JSON object of header → value);
    /// `None` for rows entered by hand.
    #[sea_orm(column_type = "Text", nullable)]
    pub raw: Option<String>,
}

/// No declared relations: ctgraph resolves relations with set-based queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
