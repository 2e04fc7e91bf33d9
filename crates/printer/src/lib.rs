//! # cartpk-printer
//!
//! The result tables of cartpk as bytes: the NCA tables ([`nca`]: long and wide CSV, JSON),
//! the model-fit tables ([`fit`]), the population-fit tables ([`population`]) and the
//! errors table ([`failure`]), with their column names. The CLI, the report and other
//! front ends write the same bytes; where the bytes go (atomically into an output
//! directory, into memory) is the caller's business.
//!
//! Nothing here prints or touches the file system; text cells are made spreadsheet-safe by
//! `cartpk_core::spreadsheet`.

pub mod failure;
pub mod fields;
pub mod fit;
pub mod frame;
pub mod nca;
pub mod population;

pub use failure::Failure;

/// What can go wrong while producing a table.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The fit results name a model this build does not know.
    #[error("model {model}: {message}")]
    UnknownModel {
        /// The model name found in the results.
        model: String,
        /// Why it is not known.
        message: String,
    },
}
