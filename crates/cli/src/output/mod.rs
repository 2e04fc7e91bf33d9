//! Result files: atomic writing, the tables, publishing a command's outputs as one set,
//! and spreadsheet-safe cells.

pub mod atomic;
pub mod fields;
pub mod fit_tables;
pub mod nca_tables;
pub mod population_tables;
pub mod publish;
pub mod spreadsheet;
