//! The report `--skip-invalid` writes: a CSV of the rows it skipped, one per row, with the
//! file, the line, the column at fault, the message, and the row as it stood in the file.

use std::path::Path;

use anyhow::Context as _;

use super::RowError;

/// Writes the report of `file`'s invalid rows to `target` (replacing it; a header alone when
/// every row was valid, so an old report never passes for this run's).
pub(super) fn write(target: &Path, file: &str, errors: &[RowError]) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_path(target)
        .with_context(|| format!("cannot write the report {}", target.display()))?;
    out.write_record(["file", "line", "column", "message", "raw"])?;
    for e in errors {
        out.write_record([file, &e.line.to_string(), &e.column, &e.message, &e.raw])?;
    }
    out.flush()
        .with_context(|| format!("cannot write the report {}", target.display()))?;
    Ok(())
}
