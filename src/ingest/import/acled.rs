//! ACLED's CSV export (the older layout with numeric actor types and `9-May-20` dates, and the
//! current one with text types and `01 November 2024` dates): reading and validating rows.
//! What each event is in ctgraph's domain is `classify`'s to say; writing is `store`'s.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::classify::{Class, Inter, Side};
use super::event::{DATASET, Event};
use super::{ImportError, Options, Progress, RowError, Summary, countries, report, store};
use crate::db::Db;

/// Columns every row must have (both layouts have them).
const REQUIRED: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "timestamp",
];

/// Where each column is in the header.
struct Columns {
    names: Vec<String>,
    at: HashMap<&'static str, usize>,
    inter1: Option<usize>,
    inter2: Option<usize>,
    iso: Option<usize>,
    data_id: Option<usize>,
}

impl Columns {
    fn new(header: &csv::StringRecord) -> Result<Self, (String, String)> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let find = |name: &str| names.iter().position(|h| h == name);
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() {
                return Err(((i + 1).to_string(), "a column without a name".into()));
            }
            if names[..i].contains(name) {
                return Err((name.clone(), "this column is named twice".into()));
            }
        }
        let mut at = HashMap::new();
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|c| find(c).is_none())
            .collect();
        if let Some(first) = missing.first() {
            return Err((
                (*first).to_owned(),
                format!(
                    "missing column{} {} (is this an ACLED export?)",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
            ));
        }
        for c in REQUIRED {
            if let Some(i) = find(c) {
                at.insert(*c, i);
            }
        }
        Ok(Self {
            inter1: find("inter1"),
            inter2: find("inter2"),
            iso: find("iso"),
            data_id: find("data_id"),
            names,
            at,
        })
    }
}

/// Reads a date in any of ACLED's forms: `9-May-20` (older exports), `01 November 2024`
/// (current), or ISO `2024-11-01`.
fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    [
        "%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y",
    ]
    .iter()
    .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
}

/// ACLED's `time_precision` as ctgraph's date and precision. ACLED codes the middle day of
/// the week (2) or month (3) it knows the event fell in; ctgraph dates a period by its first
/// day: the week is the seven days centred on the coded day, the month the calendar month.
fn precise(date: NaiveDate, code: &str) -> Result<(NaiveDate, &'static str), String> {
    match code.trim() {
        "1" => Ok((date, "DAY")),
        "2" => Ok((date.checked_sub_days(Days::new(3)).unwrap_or(date), "WEEK")),
        "3" => Ok((date.with_day(1).unwrap_or(date), "MONTH")),
        other => Err(format!(
            "{other:?} is not an ACLED time precision (1 = day, 2 = week, 3 = month)"
        )),
    }
}

/// The record as a JSON object, header → value, in header order.
fn raw_json(names: &[String], record: &csv::StringRecord) -> String {
    let mut out = String::with_capacity(record.as_slice().len() + names.len() * 24);
    out.push('{');
    for (i, (name, value)) in names.iter().zip(record.iter()).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::Value::from(name.as_str()).to_string());
        out.push(':');
        out.push_str(&serde_json::Value::from(value).to_string());
    }
    out.push('}');
    out
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Validates one record into an event, or names the first column at fault.
fn event(c: &Columns, r: &csv::StringRecord) -> Result<Event, (String, String)> {
    if r.len() > c.names.len() {
        return Err((
            (c.names.len() + 1).to_string(),
            format!(
                "{} fields, but the header has {} columns",
                r.len(),
                c.names.len()
            ),
        ));
    }
    if r.len() < c.names.len() {
        return Err((
            c.names[r.len()].clone(),
            format!(
                "missing: the row has {} fields, the header {} columns",
                r.len(),
                c.names.len()
            ),
        ));
    }
    let get = |name: &'static str| r.get(c.at[name]).unwrap_or_default().trim();
    let err = |name: &str, message: String| (name.to_owned(), message);

    // A few real rows lack `event_id_cnty`; the older layout's `data_id` is unique too.
    let data_id = c.data_id.and_then(|i| r.get(i)).map(str::trim);
    let event_id = match (get("event_id_cnty"), data_id) {
        ("", Some(data_id)) if !data_id.is_empty() => format!("data_id:{data_id}"),
        ("", _) => {
            return Err(err(
                "event_id_cnty",
                "empty, and no data_id: every event needs its id".into(),
            ));
        }
        (id, _) => id.to_owned(),
    };
    let date_text = get("event_date");
    let date = parse_date(date_text).ok_or_else(|| {
        err(
            "event_date",
            format!("{date_text:?} is not a date (9-May-20, 01 November 2024 or 2024-11-01)"),
        )
    })?;
    let (date, precision) =
        precise(date, get("time_precision")).map_err(|m| err("time_precision", m))?;
    let event_type = get("event_type");
    if event_type.is_empty() {
        return Err(err("event_type", "empty".into()));
    }
    let inter = |col: Option<usize>, name: &str| -> Result<Inter, (String, String)> {
        match col {
            Some(i) => Inter::parse(r.get(i).unwrap_or_default()).map_err(|m| err(name, m)),
            None => Ok(Inter::Unknown),
        }
    };
    let side = |actor: &'static str, assoc: &'static str, inter: Inter| Side {
        actor: get(actor).to_owned(),
        associated: split_list(get(assoc)),
        inter: if inter == Inter::None && !get(actor).is_empty() {
            Inter::Unknown
        } else {
            inter
        },
    };
    let side1 = side("actor1", "assoc_actor_1", inter(c.inter1, "inter1")?);
    let side2 = side("actor2", "assoc_actor_2", inter(c.inter2, "inter2")?);
    if side1.actor.is_empty() {
        return Err(err("actor1", "empty: every event has an actor".into()));
    }

    let country_name = get("country");
    let iso =
        match c.iso {
            Some(i) => {
                let v = r.get(i).unwrap_or_default().trim();
                if v.is_empty() {
                    None
                } else {
                    Some(v.parse::<u16>().map_err(|_| {
                        err("iso", format!("{v:?} is not an ISO 3166-1 numeric code"))
                    })?)
                }
            }
            None => None,
        };
    let code = countries::COUNTRIES
        .iter()
        .find(|(n, _, name)| {
            Some(*n) == iso || (iso.is_none() && name.eq_ignore_ascii_case(country_name))
        })
        .map(|(_, code, _)| *code)
        .ok_or_else(|| match iso {
            Some(n) => err("iso", format!("{n} is not an ISO 3166-1 country code")),
            None => err(
                "country",
                format!(
                    "{country_name:?} is not a country this importer knows (add an iso column)"
                ),
            ),
        })?;
    if country_name.is_empty() {
        return Err(err("country", "empty".into()));
    }
    let admin1 = get("admin1");
    if admin1.is_empty() && !get("admin2").is_empty() {
        return Err(err("admin1", "empty, but admin2 is not".into()));
    }

    let coordinate = |name: &'static str, limit: f64| -> Result<Option<f64>, (String, String)> {
        let v = get(name);
        if v.is_empty() {
            return Ok(None);
        }
        let x: f64 = v
            .parse()
            .map_err(|_| err(name, format!("{v:?} is not a number")))?;
        if !x.is_finite() || x.abs() > limit {
            return Err(err(
                name,
                format!("{v} is out of range (-{limit} to {limit})"),
            ));
        }
        Ok(Some(x))
    };
    let latitude = coordinate("latitude", 90.0)?;
    let longitude = coordinate("longitude", 180.0)?;
    let point = match (latitude, longitude) {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        (None, Some(_)) => return Err(err("latitude", "empty, but longitude is not".into())),
        (Some(_), None) => return Err(err("longitude", "empty, but latitude is not".into())),
    };
    let geo = get("geo_precision");
    let geo_precision = match geo {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        _ => {
            return Err(err(
                "geo_precision",
                format!(
                    "{geo:?} is not an ACLED geo precision (1 = the place, 2 = near it or part of a region, 3 = the region)"
                ),
            ));
        }
    };
    let fatalities = get("fatalities");
    let fatalities = match fatalities {
        "" => None,
        v => Some(
            v.parse::<u32>()
                .ok()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| {
                    err(
                        "fatalities",
                        format!("{v:?} is not a count (a whole number, 0 or more)"),
                    )
                })?,
        ),
    };
    let notes = get("notes");
    let timestamp = get("timestamp");
    if !timestamp.is_empty() && timestamp.parse::<i64>().is_err() {
        return Err(err(
            "timestamp",
            format!("{timestamp:?} is not a Unix timestamp"),
        ));
    }
    Ok(Event {
        event_id,
        line: 0,
        date,
        precision,
        event_type: event_type.to_owned(),
        sub_event_type: get("sub_event_type").to_owned(),
        side1,
        side2,
        country: (code, country_name.to_owned()),
        admin1: admin1.to_owned(),
        admin2: get("admin2").to_owned(),
        location: get("location").to_owned(),
        point,
        geo_precision,
        outlets: split_list(get("source")),
        notes: notes.to_owned(),
        fatalities,
        fatalities_by_convention: fatalities.is_some()
            && notes
                .to_lowercase()
                .contains("number of fatalities coded as"),
        raw: raw_json(&c.names, r),
    })
}

/// Valid events (with their lines), invalid rows, and rows read.
struct Parsed {
    events: Vec<(u64, Event)>,
    errors: Vec<RowError>,
    rows: usize,
}

fn parse(file: &str, text: &str) -> Result<Parsed, ImportError> {
    let input = |line: u64, column: String, message: String| ImportError::Input {
        file: file.to_owned(),
        line,
        column,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| input(1, "1".into(), format!("unreadable header: {e}")))?
        .clone();
    let columns = Columns::new(&header).map_err(|(column, message)| input(1, column, message))?;
    let mut parsed = Parsed {
        events: Vec::new(),
        errors: Vec::new(),
        rows: 0,
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let (mut line, mut counted) = (1_u64, 0_usize);
    loop {
        let start = reader.position().clone();
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map_or(start.line(), |p| p.line());
                return Err(input(line, "1".into(), format!("not CSV: {e}")));
            }
        };
        if !more {
            break;
        }
        parsed.rows += 1;
        // Lines counted from the bytes: a quoted line break is a line of the file too.
        let start = record.position().cloned().unwrap_or(start);
        let mut from = usize::try_from(start.byte()).unwrap_or(0).min(text.len());
        // After a CRLF the reader places the record at the LF: the row starts after it.
        if text.as_bytes().get(from) == Some(&b'\n') {
            from += 1;
        }
        line += text.as_bytes()[counted..from]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted = from;
        let raw_line = || {
            let to = usize::try_from(reader.position().byte()).unwrap_or(text.len());
            text.get(from..to)
                .unwrap_or_default()
                .trim_end_matches(['\r', '\n'])
                .to_owned()
        };
        match event(&columns, &record) {
            Ok(mut e) => {
                e.line = line;
                if let Some(first) = seen.get(&e.event_id) {
                    parsed.errors.push(RowError {
                        line,
                        column: "event_id_cnty".into(),
                        message: format!(
                            "duplicate event id {:?}: line {first} has it too",
                            e.event_id
                        ),
                        raw: raw_line(),
                    });
                } else {
                    seen.insert(e.event_id.clone(), line);
                    parsed.events.push((line, e));
                }
            }
            Err((column, message)) => parsed.errors.push(RowError {
                line,
                column,
                message,
                raw: raw_line(),
            }),
        }
    }
    Ok(parsed)
}

/// Imports one ACLED CSV file (already checked to be UTF-8 text without a BOM).
pub(super) async fn import(
    db: &Db,
    path: &Path,
    text: &str,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Summary, ImportError> {
    let file = path.display().to_string();
    let parsed = parse(&file, text)?;
    if !parsed.errors.is_empty() && !options.skip_invalid {
        return Err(ImportError::Rows {
            file,
            errors: parsed.errors,
        });
    }
    let mut summary = Summary {
        rows: parsed.rows,
        invalid: parsed.errors.len(),
        ..Summary::default()
    };
    if options.skip_invalid {
        let target = options.report.clone().unwrap_or_else(|| {
            let mut name = path.as_os_str().to_owned();
            name.push(".skipped.csv");
            name.into()
        });
        report::write(&target, &file, &parsed.errors).map_err(|source| ImportError::Other {
            file: file.clone(),
            source,
        })?;
        summary.report = Some(target);
    }
    let events = parsed.events.into_iter().map(|(_, e)| e).collect();
    judge_and_write(db, &file, events, summary, progress).await
}

/// Classifies `events` (every valid row of `file`), writes them and counts what they became
/// into `summary`.
async fn judge_and_write(
    db: &Db,
    file: &str,
    events: Vec<Event>,
    mut summary: Summary,
    progress: Progress<'_>,
) -> Result<Summary, ImportError> {
    let mut unmapped: HashMap<_, usize> = HashMap::new();
    let mut classified = Vec::with_capacity(events.len());
    for e in events {
        let class = e.class();
        if let Class::Unmapped(reason) = class {
            *unmapped.entry(reason).or_default() += 1;
        }
        classified.push((e, class));
    }
    let mut unmapped: Vec<_> = unmapped.into_iter().collect();
    unmapped.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    summary.unmapped = unmapped;
    let written = store::write(db, file, &classified, progress)
        .await
        .map_err(|source| ImportError::Other {
            file: file.to_owned(),
            source,
        })?;
    summary.operations = written.operations;
    summary.attacks = written.attacks;
    summary.community_actions = written.community_actions;
    summary.other = written.other;
    summary.unmapped_records = written.unmapped;
    Ok(summary)
}

/// An event from a kept record: its `raw` record (header → value) read as the row of a file
/// with that header, at `line`; why it no longer reads when it does not.
fn from_raw(raw: &str, line: u64) -> Result<Event, String> {
    let record: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(raw).map_err(|e| format!("the record is not a JSON object: {e}"))?;
    let header: csv::StringRecord = record.keys().collect();
    let values: csv::StringRecord = record
        .values()
        .map(|v| v.as_str().unwrap_or_default())
        .collect();
    let columns =
        Columns::new(&header).map_err(|(column, message)| format!("{column}: {message}"))?;
    let mut e =
        event(&columns, &values).map_err(|(column, message)| format!("{column}: {message}"))?;
    e.line = line;
    // The record as it was read, in its file's column order.
    e.raw = raw.to_owned();
    Ok(e)
}

/// Judges every unmapped record of ACLED's dataset again by the current rules, without the
/// files: those the rules map now become nodes (and their records go), the others stay,
/// with their reason brought up to date. One transaction per file the records came from.
pub(super) async fn reclassify(
    db: &Db,
    progress: Progress<'_>,
) -> Result<Vec<Summary>, ImportError> {
    use crate::entity::unmapped_record::{Column, Entity, Model as Kept};
    let kept = Entity::find()
        .filter(Column::Dataset.eq(DATASET))
        .order_by_asc(Column::File)
        .order_by_asc(Column::Line)
        .all(db.conn())
        .await
        .map_err(|e| ImportError::Other {
            file: "unmapped_records".into(),
            source: e.into(),
        })?;
    let mut by_file: Vec<(String, Vec<Kept>)> = Vec::new();
    for k in kept {
        match by_file.last_mut() {
            Some((file, records)) if *file == k.file => records.push(k),
            _ => by_file.push((k.file.clone(), vec![k])),
        }
    }
    let mut summaries = Vec::with_capacity(by_file.len());
    for (file, records) in by_file {
        let started = std::time::Instant::now();
        let mut summary = Summary {
            rows: records.len(),
            ..Summary::default()
        };
        let mut events = Vec::with_capacity(records.len());
        for k in records {
            // A record that no longer reads (a validation added since) stays as it is.
            match from_raw(&k.raw, u64::try_from(k.line).unwrap_or(0)) {
                Ok(e) => events.push(e),
                Err(_) => summary.invalid += 1,
            }
        }
        let mut summary = judge_and_write(db, &file, events, summary, progress).await?;
        summary.file = file;
        summary.format = Some(super::Format::Acled);
        summary.elapsed = started.elapsed();
        summaries.push(summary);
    }
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_layout_parse() {
        let d = NaiveDate::from_ymd_opt(2020, 5, 9);
        assert_eq!(parse_date("9-May-20"), d);
        assert_eq!(parse_date("09 May 2020"), d);
        assert_eq!(parse_date("2020-05-09"), d);
        assert_eq!(parse_date("9 Mayo 2020"), None);
        assert_eq!(parse_date("31-Feb-20"), None);
    }

    #[test]
    fn coarse_dates_start_their_period_and_unknown_codes_are_refused() {
        let d = NaiveDate::from_ymd_opt(2020, 5, 15).unwrap_or_default();
        assert_eq!(precise(d, "1"), Ok((d, "DAY")));
        // The week ACLED means is the seven days around the coded middle day.
        assert_eq!(
            precise(d, "2"),
            Ok((
                NaiveDate::from_ymd_opt(2020, 5, 12).unwrap_or_default(),
                "WEEK"
            ))
        );
        assert_eq!(
            precise(d, "3"),
            Ok((
                NaiveDate::from_ymd_opt(2020, 5, 1).unwrap_or_default(),
                "MONTH"
            ))
        );
        assert!(precise(d, "4").is_err());
        assert!(precise(d, "").is_err());
    }
}
