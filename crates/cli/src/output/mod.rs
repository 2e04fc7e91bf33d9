//! Result files: atomic writing and the NCA tables.

pub mod atomic;
pub mod nca_tables;
