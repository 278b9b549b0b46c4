//! Custom scalars: `Date`, a calendar date written `YYYY-MM-DD`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate};

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
            Value::String(s) => parse_date(s).map(Date).ok_or_else(|| {
                InputValueError::custom(format!(
                    "expected a date as YYYY-MM-DD, year 0001 to 9999, got {s:?}"
                ))
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

/// A date written exactly `YYYY-MM-DD`, year 0001 to 9999: chrono alone also reads signs,
/// spaces, short fields and longer years, and PostgreSQL refuses dates far outside that range.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (1..=9999).contains(&d.year()) && d.format("%Y-%m-%d").to_string() == s)
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<NaiveDate> {
        Date::parse(Value::String(s.to_owned())).ok().map(|d| d.0)
    }

    #[test]
    fn dates_are_four_digit_years_on_real_days() {
        assert_eq!(parse("2025-03-16"), NaiveDate::from_ymd_opt(2025, 3, 16));
        assert_eq!(parse("0001-01-01"), NaiveDate::from_ymd_opt(1, 1, 1));
        assert_eq!(parse("9999-12-31"), NaiveDate::from_ymd_opt(9999, 12, 31));
        // Regression: PostgreSQL refused these as out of range, and the error was INTERNAL.
        for bad in ["0000-01-01", "99999-01-01", "-2000-01-01", "+2025-03-16"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        for bad in [
            "2025-02-30",
            "2025-3-16",
            "16/03/2025",
            "2025-03-16T00:00:00",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
