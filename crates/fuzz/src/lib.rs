//! # cartpk-fuzz
//!
//! A fuzz harness that runs on stable Rust. Inputs are assay files built two ways, both
//! deterministic given a seed and a case number:
//!
//! - [`mutate`]: byte-level mutations of windows of the example files in `data/` (bit
//!   flips, byte insertion and deletion, chunk duplication, lines spliced from another
//!   file, a dictionary of tokens real lab exports contain: `<LLOQ`, `QNS`, `1e308`, a BOM,
//!   Latin-1 `µ`, formula-like ids...);
//! - [`structured`]: proptest strategies that build well-formed rows with extreme values
//!   (times of 1e16 days, values near the limits of f64, result codes, empty labels).
//!
//! Each input goes through the [`stages`]: ingestion (`read_bytes` and the subjects
//! table), NCA under several option sets, the Stein 2019 fit, and patient figures as PNG
//! and SVG. The binary (`cartpk-fuzz`) runs the stages in a worker child process under a
//! time limit, so that a hang is found like a panic; [`deadline`] does the same on a thread
//! for the proptest tests.

pub mod corpus;
pub mod deadline;
pub mod mutate;
pub mod rng;
pub mod stages;
pub mod structured;

use rng::Rng;

/// One generated input.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// How it was made, for the findings.
    pub origin: String,
}

/// The input of case `index` of the run seeded with `seed`: the same pair always gives the
/// same bytes (the RNG is ChaCha seeded from both).
pub fn make_case(seed: u64, index: u64) -> Case {
    let mut rng = Rng::for_case(seed, index);
    // Two in three cases mutate example files; one in three builds rows from strategies.
    if rng.below(3) < 2 {
        mutate::mutated_case(&mut rng)
    } else {
        structured::generated_case(&mut rng)
    }
}
