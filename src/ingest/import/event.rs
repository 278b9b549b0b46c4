//! An ACLED event as the importer carries it from parsing to writing: a valid row, read
//! by `acled`, judged by `classify`, written by `store`.

use chrono::NaiveDate;

use super::classify::{Class, Side, classify};

/// The `dataset` of every row imported from ACLED. ACLED's `event_id_cnty` is stable across
/// exports, so one name for every export makes a newer export update the rows of an older one.
pub const DATASET: &str = "acled";

/// A valid row.
#[derive(Clone, Debug)]
pub(super) struct Event {
    /// `event_id_cnty`, or `data_id:` and the older layout's `data_id` when a row lacks it.
    pub(super) event_id: String,
    /// The line of the file the row starts on.
    pub(super) line: u64,
    /// The first day of the period `precision` names.
    pub(super) date: NaiveDate,
    pub(super) precision: &'static str,
    pub(super) event_type: String,
    pub(super) sub_event_type: String,
    pub(super) side1: Side,
    pub(super) side2: Side,
    /// ISO 3166-1 alpha-2 code and name of the country.
    pub(super) country: (&'static str, String),
    pub(super) admin1: String,
    pub(super) admin2: String,
    pub(super) location: String,
    pub(super) point: Option<(f64, f64)>,
    pub(super) geo_precision: u8,
    pub(super) outlets: Vec<String>,
    pub(super) notes: String,
    /// ACLED's `fatalities`: deaths in all, not split by who died.
    pub(super) fatalities: Option<i32>,
    /// The notes say the total is a coding convention ("Unspecified number of fatalities
    /// coded as 3"), not a count. ("Fatalities coded as 0 (VoJ reported 12)" is ACLED's
    /// choice among reports, a count.)
    pub(super) fatalities_by_convention: bool,
    /// The record as a JSON object of header → value, in header order.
    pub(super) raw: String,
}

impl Event {
    /// What the event is in ctgraph's domain.
    pub(super) fn class(&self) -> Class {
        let sides = (&self.side1, &self.side2);
        classify(&self.event_type, &self.sub_event_type, &self.notes, sides)
    }
}
