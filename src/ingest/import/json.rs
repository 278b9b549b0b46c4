//! ctgraph's own JSON dataset format (that of `data/seed/`, described in `dataset.rs` and the
//! README), loaded by the seed loader under the file's dataset name: its `dataset` key, or
//! the file's name without its extension.

use std::path::Path;

use super::{Counts, ImportError, Summary};
use crate::db::Db;
use crate::ingest::dataset::Dataset;
use crate::ingest::seed;

/// Imports one JSON dataset file in one transaction.
pub(super) async fn import(db: &Db, path: &Path, text: &str) -> Result<Summary, ImportError> {
    let file = path.display().to_string();
    let data: Dataset = serde_json::from_str(text).map_err(|e| ImportError::Input {
        file: file.clone(),
        line: e.line() as u64,
        column: e.column().to_string(),
        message: format!("not a ctgraph dataset: {e}"),
    })?;
    let name = data
        .dataset
        .clone()
        .or_else(|| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .unwrap_or_else(|| "import".to_owned());
    if name == seed::SEED_DATASET {
        return Err(ImportError::Input {
            file,
            line: 1,
            column: "dataset".into(),
            message: format!("{name:?} is the seed's dataset: load it with `ctgraph seed`"),
        });
    }
    let rows = data.sources.len()
        + data.countries.len()
        + data.provinces.len()
        + data.districts.len()
        + data.organizations.len()
        + data.personnel.len()
        + data.militants.len()
        + data.operations.len()
        + data.affiliations.len()
        + data.community_actions.len()
        + data.reported_figures.len();
    let report = seed::load_named_dataset(db, &data, &name)
        .await
        .map_err(|source| ImportError::Other {
            file: file.clone(),
            source,
        })?;
    Ok(Summary {
        rows,
        other: Counts {
            inserted: report.written,
            unchanged: report.unchanged,
            ..Counts::default()
        },
        ..Summary::default()
    })
}
