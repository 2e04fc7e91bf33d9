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
    /// Above the upper limit of quantification (`>ULOQ`, `>1e6`): the true value is at
    /// least `uloq` (right-censored). Never silently a number: each analysis decides what
    /// it counts as (NCA uses the limit and flags every parameter it touches).
    AboveUloq {
        /// The limit the value is above, in the profile's unit, when the export gave one.
        uloq: Option<f64>,
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

    /// Whether this is an above-range (right-censored) sample.
    pub fn is_above_uloq(&self) -> bool {
        matches!(self, SampleValue::AboveUloq { .. })
    }
}

/// A measurement at a time since infusion.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Sample {
    /// Time since infusion, in days. Negative for samples taken before the infusion.
    pub time: f64,
    /// What was reported.
    pub value: SampleValue,
    /// The input labelled this sample as taken before the infusion (a visit named
    /// screening, baseline, pre-dose or pre-infusion), whatever its time. Use
    /// [`Sample::is_baseline`], which also counts negative times.
    pub baseline_visit: bool,
}

impl Sample {
    /// A quantified sample at `time` days.
    pub fn quantified(time: f64, value: f64) -> Sample {
        Sample::new(time, SampleValue::Quantified { value })
    }

    /// A BLQ sample at `time` days with the assay's LLOQ.
    pub fn blq(time: f64, lloq: Option<f64>) -> Sample {
        Sample::new(time, SampleValue::Blq { lloq })
    }

    /// A missing sample at `time` days.
    pub fn missing(time: f64) -> Sample {
        Sample::new(time, SampleValue::Missing)
    }

    /// An above-range sample at `time` days (`>uloq`).
    pub fn above_uloq(time: f64, uloq: Option<f64>) -> Sample {
        Sample::new(time, SampleValue::AboveUloq { uloq })
    }

    /// A sample with no baseline visit label.
    pub fn new(time: f64, value: SampleValue) -> Sample {
        Sample {
            time,
            value,
            baseline_visit: false,
        }
    }

    /// Whether the sample was taken before the infusion: a negative time (days since
    /// infusion), or a visit labelled screening / baseline / pre-dose / pre-infusion.
    ///
    /// A sample at day 0 with no such label is *not* baseline: day 0 is the time origin of
    /// every AUC, and what its concentration counts as is the NCA start rule's decision
    /// (`cartpk_nca::StartRule`). A CK model fit, whose C(0) is the level just after the
    /// infusion, should leave out `s.is_baseline() || s.time <= 0.0` (science.md: a day-0
    /// sample is taken before the infusion).
    pub fn is_baseline(&self) -> bool {
        self.baseline_visit || self.time < 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_is_negative_time_or_a_label() {
        assert!(Sample::blq(-6.0, None).is_baseline());
        assert!(!Sample::blq(0.0, None).is_baseline());
        assert!(!Sample::quantified(7.0, 10.0).is_baseline());
        let labelled = Sample {
            baseline_visit: true,
            ..Sample::blq(0.0, None)
        };
        assert!(labelled.is_baseline());
    }
}
