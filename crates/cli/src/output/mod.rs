//! Result files: atomic writing and the NCA tables.

pub mod atomic;
pub mod fields;
pub mod fit_tables;
pub mod nca_tables;
pub mod population_tables;
