//! `ctgraph import`: files in ctgraph's own JSON format or in ACLED's CSV export layout, one
//! transaction per file. Every input is checked before anything is written: a file that is
//! empty, binary or not UTF-8 is refused whole; a bad row fails the file (nothing written,
//! every bad row named by `file:line:column`) unless invalid rows are to be skipped, in which
//! case the valid rows are written and the others listed in a report. Rows are keyed by the
//! dataset's own ids, so importing the same file again changes nothing.
//!
//! An ACLED file goes through three modules in turn: `acled` parses and validates its rows
//! into `event::Event`s, `classify` says what each is (by who acted against whom), and
//! `store` writes them, keeping every row no rule maps as an unmapped record.

mod acled;
mod classify;
mod countries;
mod event;
mod json;
mod report;
mod store;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::db::Db;
use crate::graphql::enums::{UnmappedReason, db_name};

pub use event::DATASET as ACLED_DATASET;

/// The format of an input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// ctgraph's own JSON dataset format (that of `data/seed/`).
    Json,
    /// CSV in ACLED's export layout (older or current).
    Acled,
}

impl Format {
    /// The format a file's extension names, if any.
    pub fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Acled),
            _ => None,
        }
    }
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The format of every file; by extension when `None`.
    pub format: Option<Format>,
    /// Write the valid rows of a file with bad ones, and list the bad ones in a report.
    pub skip_invalid: bool,
    /// Where the report goes; `<file>.skipped.csv` when `None`.
    pub report: Option<PathBuf>,
}

/// A row that cannot be imported, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Line the row starts on (1 is the header).
    pub line: u64,
    /// The column at fault: its header name, or its position when it has none.
    pub column: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
    /// The row as it stands in the file.
    pub raw: String,
}

/// Why a file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read as its format: unreadable, empty, binary, no header.
    #[error("{file}:{line}:{column}: {message}")]
    Input {
        /// The file.
        file: String,
        /// Line.
        line: u64,
        /// Column name or position.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// Rows are invalid and invalid rows are not to be skipped: nothing was written.
    #[error("{}", rows_message(file, errors))]
    Rows {
        /// The file.
        file: String,
        /// Every invalid row.
        errors: Vec<RowError>,
    },
    /// Anything else (the database, the report): the file's transaction was rolled back.
    #[error("{file}: {source:#}")]
    Other {
        /// The file.
        file: String,
        /// The cause.
        source: anyhow::Error,
    },
}

/// Most invalid rows named in one message; the rest are counted.
const ROWS_SHOWN: usize = 20;

fn rows_message(file: &str, errors: &[RowError]) -> String {
    let mut out = String::new();
    for e in errors.iter().take(ROWS_SHOWN) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{file}:{}:{}: {}", e.line, e.column, e.message));
    }
    if errors.len() > ROWS_SHOWN {
        out.push_str(&format!(
            "\n… and {} more invalid rows",
            errors.len() - ROWS_SHOWN
        ));
    }
    out.push_str(&format!(
        "\n{file}: {} invalid row{}, nothing written (--skip-invalid writes the valid rows and reports the others)",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    ));
    out
}

/// Counts of one kind of row written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// New rows.
    pub inserted: usize,
    /// Rows that existed and differed.
    pub updated: usize,
    /// Rows that existed as they are.
    pub unchanged: usize,
    /// Rows of an earlier import removed because their record now maps elsewhere.
    pub removed: usize,
}

impl Counts {
    pub(super) fn changed(&self) -> usize {
        self.inserted + self.updated + self.removed
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inserted, {} updated, {} unchanged",
            self.inserted, self.updated, self.unchanged
        )?;
        if self.removed > 0 {
            write!(f, ", {} removed", self.removed)?;
        }
        Ok(())
    }
}

/// What importing one file did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The file.
    pub file: String,
    /// Its format.
    pub format: Option<Format>,
    /// Data rows read (CSV records, or JSON rows of every list).
    pub rows: usize,
    /// Operations written.
    pub operations: Counts,
    /// Attacks written.
    pub attacks: Counts,
    /// Community actions written.
    pub community_actions: Counts,
    /// Other rows (JSON: every row; CSV: places, organizations, sources created).
    pub other: Counts,
    /// Valid rows mapped to no node, by reason, most frequent first; each is kept as an
    /// unmapped record.
    pub unmapped: Vec<(UnmappedReason, usize)>,
    /// Unmapped records written (CSV).
    pub unmapped_records: Counts,
    /// Invalid rows skipped (with `--skip-invalid`).
    pub invalid: usize,
    /// Where the invalid rows were reported.
    pub report: Option<PathBuf>,
    /// How long it took.
    pub elapsed: Duration,
}

impl Summary {
    /// Rows inserted, updated or removed, of every kind.
    pub fn changed(&self) -> usize {
        self.operations.changed()
            + self.attacks.changed()
            + self.community_actions.changed()
            + self.other.changed()
            + self.unmapped_records.changed()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            self.rows as f64 / secs
        } else {
            0.0
        };
        writeln!(
            f,
            "{}: {} rows read, {} changed, in {secs:.2} s ({rate:.0} rows/s)",
            self.file,
            self.rows,
            self.changed()
        )?;
        match self.format {
            Some(Format::Json) => writeln!(
                f,
                "  rows, links and citations: {} written, {} unchanged",
                self.other.inserted, self.other.unchanged
            )?,
            _ => {
                writeln!(f, "  operations: {}", self.operations)?;
                writeln!(f, "  attacks: {}", self.attacks)?;
                writeln!(f, "  community actions: {}", self.community_actions)?;
                writeln!(
                    f,
                    "  places, organizations, sources: {} inserted",
                    self.other.inserted
                )?;
                writeln!(f, "  unmapped records: {}", self.unmapped_records)?;
                for (reason, n) in &self.unmapped {
                    writeln!(f, "    {n} {}: {}", db_name(*reason), reason.describe())?;
                }
            }
        }
        if let Some(report) = &self.report {
            writeln!(
                f,
                "  invalid, skipped: {} (listed in {})",
                self.invalid,
                report.display()
            )?;
        }
        Ok(())
    }
}

/// Progress of one file: `(rows done, rows in all)`.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Imports one file in one transaction.
pub async fn import_file(
    db: &Db,
    path: &Path,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    let file = path.display().to_string();
    let format = options
        .format
        .or_else(|| Format::from_extension(path))
        .ok_or_else(|| ImportError::Input {
            file: file.clone(),
            line: 1,
            column: "1".into(),
            message: "cannot tell the format from the extension: name it with --format csv or --format json".into(),
        })?;
    let bytes = std::fs::read(path).map_err(|e| ImportError::Input {
        file: file.clone(),
        line: 1,
        column: "1".into(),
        message: format!("cannot read the file: {e}"),
    })?;
    let text = text(&bytes).map_err(|(line, column, message)| ImportError::Input {
        file: file.clone(),
        line,
        column: column.to_string(),
        message,
    })?;
    let mut summary = match format {
        Format::Json => json::import(db, path, text).await?,
        Format::Acled => acled::import(db, path, text, options, progress).await?,
    };
    summary.file = file;
    summary.format = Some(format);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Judges every unmapped record of ACLED's dataset again with the importer's current rules,
/// without the files they came from: the records the rules map now become operations, attacks
/// or community actions, as an import of their files would make them; the others stay, their
/// reason brought up to date. One summary (and one transaction) per file the records came
/// from; a record that no longer validates stays as it is and is counted as invalid.
pub async fn reclassify(db: &Db, progress: Progress<'_>) -> Result<Vec<Summary>, ImportError> {
    acled::reclassify(db, progress).await
}

/// The file as text without a byte-order mark, or where and why it is not text: empty,
/// binary (a NUL byte) or not UTF-8, with the line and column (in characters) of the fault.
fn text(bytes: &[u8]) -> Result<&str, (u64, usize, String)> {
    if bytes.is_empty() {
        return Err((
            1,
            1,
            "the file is empty (0 bytes): nothing to import".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let place = |at: usize| {
        let before = &bytes[..at];
        let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        (line, column)
    };
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        let (line, column) = place(at);
        return Err((
            line,
            column,
            "a NUL byte: this is a binary file, not text".into(),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let (line, column) = place(at);
        (
            line,
            column,
            format!(
                "byte 0x{:02X} is not UTF-8: a binary file, or text in another encoding (save it as UTF-8)",
                bytes[at]
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn text_refuses_empty_binary_and_non_utf8_input_with_a_place() {
        assert_eq!(text(b"").map_err(|e| e.0), Err(1));
        let nul = text(b"a,b\nc,\0").expect_err("binary");
        assert_eq!((nul.0, nul.1), (2, 3));
        let latin1 = text(b"a,b\nd\xE9j\xE0").expect_err("not UTF-8");
        assert_eq!((latin1.0, latin1.1), (2, 2));
        assert_eq!(text(b"\xEF\xBB\xBFa,b\n"), Ok("a,b\n"));
    }
}
