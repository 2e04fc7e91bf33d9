//! One module per subcommand; each takes a resolved configuration and returns what
//! happened, leaving exit codes to `main`.

pub mod fit;
pub mod nca;
mod nca_stream;
pub mod plot;
pub mod run;
pub mod simulate;

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every profile produced a result.
    Complete,
    /// Results were written, but some profiles or rows were skipped.
    Partial,
}
