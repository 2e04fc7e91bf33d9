//! Result files: atomic writing, the tables, publishing a command's outputs as one set
//! (text cells are made spreadsheet-safe by `cartpk_core::spreadsheet`).

pub mod atomic;
pub mod fields;
pub mod fit_tables;
pub mod nca_tables;
pub mod population_tables;
pub mod publish;
