//! BLQ rules: what a value below the limit of quantification counts as, by its position.
//!
//! A BLQ sample is never a number until a rule says which. The position is relative to the
//! quantifiable samples of the profile: *before the first*, *between two*, or *after the
//! last*. PKNCA's default (`conc.blq = list(first = "keep", middle = "drop", last =
//! "keep")`, with BLQ given to it as 0) is zero before the first, dropped between, zero
//! after the last.

use cartpk_core::{Sample, SampleValue};

/// What a BLQ sample counts as.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlqRule {
    /// Concentration 0 (PKNCA `"keep"` of a BLQ given as 0).
    Zero,
    /// Left out of the analysis (PKNCA `"drop"`).
    Drop,
    /// The sample's LLOQ.
    Lloq,
    /// Half the sample's LLOQ.
    HalfLloq,
    /// A fixed value, in the profile's unit.
    Value(f64),
}

impl std::str::FromStr for BlqRule {
    type Err = String;
    /// Parses `zero`, `drop`, `lloq`, `half-lloq` or a number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "zero" | "0" | "keep" => Ok(BlqRule::Zero),
            "drop" => Ok(BlqRule::Drop),
            "lloq" => Ok(BlqRule::Lloq),
            "half-lloq" | "lloq/2" => Ok(BlqRule::HalfLloq),
            other => other
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(BlqRule::Value)
                .ok_or_else(|| {
                    format!("unknown BLQ rule '{s}'; expected zero, drop, lloq, half-lloq or a number >= 0")
                }),
        }
    }
}

impl std::fmt::Display for BlqRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlqRule::Zero => f.write_str("zero"),
            BlqRule::Drop => f.write_str("drop"),
            BlqRule::Lloq => f.write_str("lloq"),
            BlqRule::HalfLloq => f.write_str("half-lloq"),
            BlqRule::Value(v) => write!(f, "{v}"),
        }
    }
}

/// One rule per position.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BlqRules {
    /// BLQ before the first quantifiable sample (and every BLQ of an all-BLQ profile).
    pub before_first: BlqRule,
    /// BLQ between the first and the last quantifiable sample.
    pub between: BlqRule,
    /// BLQ after the last quantifiable sample.
    pub after_last: BlqRule,
}

impl Default for BlqRules {
    /// PKNCA's default: zero, drop, zero.
    fn default() -> Self {
        BlqRules {
            before_first: BlqRule::Zero,
            between: BlqRule::Drop,
            after_last: BlqRule::Zero,
        }
    }
}

/// The concentration-time points an analysis uses, after the BLQ rules and with missing
/// samples dropped (PKNCA `conc.na = "drop"`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CleanProfile {
    /// Times in days, strictly increasing.
    pub time: Vec<f64>,
    /// Concentrations >= 0, same length as `time`.
    pub conc: Vec<f64>,
}

/// A BLQ rule needed the LLOQ of a sample that has none.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the BLQ rule '{rule}' needs the LLOQ of the BLQ sample at day {time}, which the input does not give")]
pub struct MissingLloq {
    /// The rule.
    pub rule: BlqRule,
    /// Time of the sample, in days.
    pub time: f64,
}

/// Applies the BLQ rules. A quantified value of exactly 0 counts as BLQ with no LLOQ, as
/// in PKNCA (which only knows concentrations, and treats 0 as below quantification).
pub fn apply(samples: &[Sample], rules: &BlqRules) -> Result<CleanProfile, MissingLloq> {
    // An above-range sample counts at its limit (compute() flags it); without a limit it
    // is left out like a missing one.
    let positive = |s: &Sample| match s.value {
        SampleValue::Quantified { value } => value > 0.0,
        SampleValue::AboveUloq { uloq } => uloq.is_some(),
        _ => false,
    };
    let first = samples.iter().position(positive);
    let last = samples.iter().rposition(positive);
    let mut out = CleanProfile {
        time: Vec::with_capacity(samples.len()),
        conc: Vec::with_capacity(samples.len()),
    };
    for (i, s) in samples.iter().enumerate() {
        let lloq = match s.value {
            SampleValue::Missing | SampleValue::AboveUloq { uloq: None } => continue,
            SampleValue::AboveUloq { uloq: Some(u) } => {
                out.time.push(s.time);
                out.conc.push(u);
                continue;
            }
            SampleValue::Quantified { value } if value > 0.0 => {
                out.time.push(s.time);
                out.conc.push(value);
                continue;
            }
            SampleValue::Quantified { .. } => None,
            SampleValue::Blq { lloq } => lloq,
        };
        let rule = match (first, last) {
            (Some(f), _) if i < f => rules.before_first,
            (_, Some(l)) if i > l => rules.after_last,
            (Some(_), Some(_)) => rules.between,
            _ => rules.before_first,
        };
        let value = match rule {
            BlqRule::Drop => continue,
            BlqRule::Zero => 0.0,
            BlqRule::Value(v) => v,
            BlqRule::Lloq | BlqRule::HalfLloq => {
                let l = lloq.ok_or(MissingLloq { rule, time: s.time })?;
                if rule == BlqRule::Lloq {
                    l
                } else {
                    l / 2.0
                }
            }
        };
        out.time.push(s.time);
        out.conc.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_zero_drop_zero() {
        // BLQ at day 0 (before), day 14 (between), day 56 (after).
        let s = [
            Sample::blq(0.0, Some(50.0)),
            Sample::quantified(7.0, 400.0),
            Sample::blq(14.0, Some(50.0)),
            Sample::quantified(28.0, 100.0),
            Sample::missing(42.0),
            Sample::blq(56.0, Some(50.0)),
        ];
        let c = apply(&s, &BlqRules::default()).unwrap();
        assert_eq!(c.time, vec![0.0, 7.0, 28.0, 56.0]);
        assert_eq!(c.conc, vec![0.0, 400.0, 100.0, 0.0]);

        let rules = BlqRules {
            before_first: BlqRule::Drop,
            between: BlqRule::HalfLloq,
            after_last: BlqRule::Lloq,
        };
        let c = apply(&s, &rules).unwrap();
        assert_eq!(c.time, vec![7.0, 14.0, 28.0, 56.0]);
        assert_eq!(c.conc, vec![400.0, 25.0, 100.0, 50.0]);
    }

    #[test]
    fn lloq_rule_without_lloq_is_an_error() {
        let s = [Sample::quantified(1.0, 5.0), Sample::blq(2.0, None)];
        let rules = BlqRules {
            after_last: BlqRule::Lloq,
            ..BlqRules::default()
        };
        assert_eq!(
            apply(&s, &rules).unwrap_err(),
            MissingLloq {
                rule: BlqRule::Lloq,
                time: 2.0
            }
        );
    }

    #[test]
    fn parses_rules() {
        assert_eq!("half_lloq".parse::<BlqRule>(), Ok(BlqRule::HalfLloq));
        assert_eq!("25".parse::<BlqRule>(), Ok(BlqRule::Value(25.0)));
        assert!("-1".parse::<BlqRule>().is_err());
    }
}
