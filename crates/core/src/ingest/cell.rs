//! Reading one cell: numbers, BLQ markers, missing markers, flags.

use super::error::RowProblem;
use crate::SampleValue;

/// What a result cell says, before the row's LLOQ is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ResultText {
    /// A number.
    Number(f64),
    /// A BLQ marker; `<50` carries its limit.
    Blq(Option<f64>),
    /// Explicitly not available (`NA`, `NS`, `.`...).
    Missing,
    /// Nothing in the cell.
    Empty,
}

/// Markers lab exports use for "below the limit of quantification". `ND` (not detected) is
/// below the limit of detection, hence below the LLOQ too.
const BLQ_MARKERS: &[&str] = &[
    "blq",
    "bql",
    "bloq",
    "<lloq",
    "< lloq",
    "<loq",
    "<lod",
    "nq",
    "nd",
    "not detected",
    "below lloq",
    "<ll",
    "lloq>",
];

/// Markers for "no result": not available, no sample, not reported, SAS missing.
const MISSING_MARKERS: &[&str] = &["na", "n/a", "nan", "ns", "nr", "missing", ".", "null"];

pub(crate) fn parse_result(text: &str) -> Result<ResultText, RowProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(ResultText::Empty);
    }
    if let Ok(v) = t.parse::<f64>() {
        if !v.is_finite() {
            return Err(RowProblem::BadValue);
        }
        if v < 0.0 {
            return Err(RowProblem::NegativeValue);
        }
        return Ok(ResultText::Number(v));
    }
    let lower = t.to_ascii_lowercase();
    if MISSING_MARKERS.contains(&lower.as_str()) {
        return Ok(ResultText::Missing);
    }
    if BLQ_MARKERS.contains(&lower.as_str()) {
        return Ok(ResultText::Blq(None));
    }
    if let Some(rest) = lower.strip_prefix('<') {
        let rest = rest.trim_start_matches('=').trim();
        // "<50", "<50 copies/ug": the limit is the leading number.
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
            .unwrap_or(rest.len());
        if let Ok(limit) = rest[..end].parse::<f64>() {
            if limit.is_finite() && limit >= 0.0 {
                return Ok(ResultText::Blq(Some(limit)));
            }
        }
    }
    if lower.starts_with("blq") || lower.starts_with("bql") {
        return Ok(ResultText::Blq(None));
    }
    Err(RowProblem::BadValue)
}

pub(crate) fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses an LLOQ cell. `0` means "no LLOQ" (as in data sets without one).
pub(crate) fn parse_lloq(text: &str) -> Result<Option<f64>, RowProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let number = parse_number(t);
    if number.is_none() && MISSING_MARKERS.contains(&t.to_ascii_lowercase().as_str()) {
        return Ok(None);
    }
    match number {
        Some(v) if v > 0.0 => Ok(Some(v)),
        Some(0.0) => Ok(None),
        _ => Err(RowProblem::BadLloq),
    }
}

/// Parses a BLQ flag: `Some(true)` for Y/YES/1/TRUE, `Some(false)` for N/NO/0/FALSE,
/// `None` for empty.
pub(crate) fn parse_flag(text: &str) -> Result<Option<bool>, RowProblem> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "y" | "yes" | "1" | "true" | "t" => Ok(Some(true)),
        "n" | "no" | "0" | "false" | "f" => Ok(Some(false)),
        _ => Err(RowProblem::BadBlqFlag),
    }
}

/// Decides what a sample is, from its result text, the row's LLOQ and BLQ flag.
/// The LLOQ column, a `<x` marker and a value below the LLOQ all make a BLQ sample that
/// keeps its LLOQ; an empty result with an LLOQ is BLQ, without one it is missing.
pub(crate) fn classify(
    result: ResultText,
    lloq: Option<f64>,
    flag: Option<bool>,
) -> Result<SampleValue, RowProblem> {
    let limit_of = |marker: Option<f64>| -> Result<Option<f64>, RowProblem> {
        match (marker, lloq) {
            (Some(m), Some(l)) if (m - l).abs() > 1e-9 * l.max(m) => {
                Err(RowProblem::ConflictingLloq { lloq: l })
            }
            (Some(m), _) => Ok(Some(m)),
            (None, l) => Ok(l),
        }
    };
    match (result, flag) {
        (ResultText::Blq(_), Some(false)) => Err(RowProblem::BlqFlagConflict),
        (ResultText::Blq(marker), _) => Ok(SampleValue::Blq {
            lloq: limit_of(marker)?,
        }),
        (ResultText::Missing, _) => Ok(SampleValue::Missing),
        (ResultText::Number(_), Some(true)) | (ResultText::Empty, Some(true)) => {
            Ok(SampleValue::Blq { lloq })
        }
        (ResultText::Number(v), _) => match lloq {
            Some(l) if v < l => Ok(SampleValue::Blq { lloq: Some(l) }),
            _ => Ok(SampleValue::Quantified { value: v }),
        },
        (ResultText::Empty, _) => Ok(match lloq {
            Some(l) => SampleValue::Blq { lloq: Some(l) },
            None => SampleValue::Missing,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(
        text: &str,
        lloq: Option<f64>,
        flag: Option<bool>,
    ) -> Result<SampleValue, RowProblem> {
        classify(parse_result(text)?, lloq, flag)
    }

    #[test]
    fn every_blq_form_keeps_its_lloq() {
        let blq50 = SampleValue::Blq { lloq: Some(50.0) };
        assert_eq!(sample("<50", None, None), Ok(blq50));
        assert_eq!(sample("< 50", Some(50.0), None), Ok(blq50));
        assert_eq!(sample("BLQ", Some(50.0), None), Ok(blq50));
        assert_eq!(sample("bql", Some(50.0), None), Ok(blq50));
        assert_eq!(sample("<LLOQ", Some(50.0), None), Ok(blq50));
        assert_eq!(sample("", Some(50.0), None), Ok(blq50));
        assert_eq!(sample("12.5", Some(50.0), None), Ok(blq50));
        assert_eq!(sample("75", Some(50.0), Some(true)), Ok(blq50));
        assert_eq!(
            sample("BLQ", None, None),
            Ok(SampleValue::Blq { lloq: None })
        );
    }

    #[test]
    fn numbers_missing_and_errors() {
        assert_eq!(
            sample("50", Some(50.0), None),
            Ok(SampleValue::Quantified { value: 50.0 })
        );
        assert_eq!(
            sample("1.2e3", None, Some(false)),
            Ok(SampleValue::Quantified { value: 1200.0 })
        );
        assert_eq!(sample("", None, None), Ok(SampleValue::Missing));
        assert_eq!(sample("NA", Some(50.0), None), Ok(SampleValue::Missing));
        assert_eq!(sample("-3", None, None), Err(RowProblem::NegativeValue));
        assert_eq!(sample("abc", None, None), Err(RowProblem::BadValue));
        assert_eq!(sample("inf", None, None), Err(RowProblem::BadValue));
        assert_eq!(
            sample("<40", Some(50.0), None),
            Err(RowProblem::ConflictingLloq { lloq: 50.0 })
        );
        assert_eq!(
            sample("BLQ", None, Some(false)),
            Err(RowProblem::BlqFlagConflict)
        );
    }

    #[test]
    fn lloq_and_flags() {
        assert_eq!(parse_lloq("0"), Ok(None));
        assert_eq!(parse_lloq("50.0"), Ok(Some(50.0)));
        assert_eq!(parse_lloq("x"), Err(RowProblem::BadLloq));
        assert_eq!(parse_lloq("-1"), Err(RowProblem::BadLloq));
        assert_eq!(parse_flag("Y"), Ok(Some(true)));
        assert_eq!(parse_flag("no"), Ok(Some(false)));
        assert_eq!(parse_flag("maybe"), Err(RowProblem::BadBlqFlag));
    }
}
