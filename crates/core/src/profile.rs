//! A concentration-time profile: one subject, one matrix, one assay.

use crate::{Assay, ConcUnit, Matrix, Sample};
use std::fmt;

/// What identifies a profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ProfileKey {
    /// Subject (patient) identifier, as given (e.g. CDISC `USUBJID`).
    pub subject: String,
    /// Where the samples were taken.
    pub matrix: Matrix,
    /// How they were measured.
    pub assay: Assay,
}

impl fmt::Display for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.subject, self.matrix, self.assay)
    }
}

/// The administered dose, for dose-normalised exposure metrics.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dose {
    /// Amount, in `unit` (e.g. 0.5e8 CAR+ cells).
    pub amount: f64,
    /// Unit of the amount, e.g. `cells` or `cells/kg`.
    pub unit: String,
}

/// All samples of one subject x matrix x assay, sorted by time, with unique times.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Profile {
    /// Subject, matrix and assay.
    pub key: ProfileKey,
    /// Unit of every value and LLOQ in `samples`.
    pub unit: ConcUnit,
    /// Samples sorted by time (days since infusion), times strictly increasing.
    pub samples: Vec<Sample>,
    /// The dose, when the input gave one.
    pub dose: Option<Dose>,
}

impl Profile {
    /// Builds a profile from samples in any order. Sorting makes every later computation
    /// independent of the row order of the input. Duplicate times must have been resolved
    /// by the caller (ingestion reports them as errors).
    pub fn new(key: ProfileKey, unit: ConcUnit, mut samples: Vec<Sample>) -> Profile {
        samples.sort_by(|a, b| a.time.total_cmp(&b.time));
        Profile {
            key,
            unit,
            samples,
            dose: None,
        }
    }

    /// Number of samples with a quantified value.
    pub fn n_quantified(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| s.value.quantified().is_some())
            .count()
    }
}
