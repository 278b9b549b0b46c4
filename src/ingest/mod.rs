//! Getting data in: the seed dataset built from the source article.

pub mod dataset;
pub mod generate;
pub mod seed;
