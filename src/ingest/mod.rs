//! Getting data in: the seed dataset built from the source article, imports of datasets
//! (ctgraph's JSON, ACLED's CSV), and the synthetic generator.

pub mod dataset;
pub mod generate;
pub mod import;
pub mod seed;
