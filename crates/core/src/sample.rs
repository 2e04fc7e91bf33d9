//! One measurement: a time and what the laboratory reported.

/// What the laboratory reported for one sample, before any analysis rule is applied.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SampleValue {
    /// A quantified value (>= LLOQ when an LLOQ is known), in the profile's unit.
    Quantified {
        /// The value, in the profile's [`crate::ConcUnit`].
        value: f64,
    },
    /// Below the lower limit of quantification. The LLOQ is kept (in the profile's unit)
    /// when the export gave one, so that a rule such as "replace by LLOQ/2" can use it.
    Blq {
        /// The assay's lower limit of quantification, in the profile's unit, if known.
        lloq: Option<f64>,
    },
    /// No result (sample not taken, not analysable). Never treated as zero.
    Missing,
}

impl SampleValue {
    /// The quantified value, if this sample has one.
    pub fn quantified(&self) -> Option<f64> {
        match *self {
            SampleValue::Quantified { value } => Some(value),
            _ => None,
        }
    }

    /// Whether this is a BLQ sample.
    pub fn is_blq(&self) -> bool {
        matches!(self, SampleValue::Blq { .. })
    }
}

/// A measurement at a time since infusion.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Sample {
    /// Time since infusion, in days.
    pub time: f64,
    /// What was reported.
    pub value: SampleValue,
}

impl Sample {
    /// A quantified sample at `time` days.
    pub fn quantified(time: f64, value: f64) -> Sample {
        Sample {
            time,
            value: SampleValue::Quantified { value },
        }
    }

    /// A BLQ sample at `time` days with the assay's LLOQ.
    pub fn blq(time: f64, lloq: Option<f64>) -> Sample {
        Sample {
            time,
            value: SampleValue::Blq { lloq },
        }
    }

    /// A missing sample at `time` days.
    pub fn missing(time: f64) -> Sample {
        Sample {
            time,
            value: SampleValue::Missing,
        }
    }
}
