//! Custom scalars: `Date`, a calendar date written `YYYY-MM-DD`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`. How precise the date really is comes
/// with it as a `DatePrecision` wherever the source may be vague.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("expected a date as YYYY-MM-DD, got {s:?}"))
                }),
            _ => Err(InputValueError::custom(format!(
                "expected a date as a YYYY-MM-DD string, got {value}"
            ))),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}
