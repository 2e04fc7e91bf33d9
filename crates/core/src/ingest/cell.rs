//! Reading one cell: numbers (with thousands separators and decimal commas), result codes
//! (BLQ, not done, above range), flags. The code table is documented in
//! docs/input-format.md ("Result codes"); keep the two in step.

use super::error::RowProblem;
use crate::SampleValue;

/// What a result cell says, before the row's LLOQ is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ResultText {
    /// A number.
    Number(f64),
    /// A BLQ marker; `<50` carries its limit.
    Blq(Option<f64>),
    /// Above the upper limit of quantification; `>1e6` carries its limit.
    Above(Option<f64>),
    /// A not-done or not-available code (`NA`, `QNS`, `Hemolysed`...): the sample is
    /// missing, and ingestion says so.
    NotDone,
    /// Nothing in the cell.
    Empty,
}

/// The smallest positive value and the largest value a result, LLOQ or ULOQ may have.
/// Outside them logs, areas and axes stop being meaningful in f64 (a subnormal such as
/// 1e-310 has lost its precision, 1e308 overflows any area); no assay reports such numbers.
pub const VALUE_MIN_POSITIVE: f64 = 1e-30;
/// See [`VALUE_MIN_POSITIVE`].
pub const VALUE_MAX: f64 = 1e30;
/// The largest |time since infusion|, in days, after unit conversion: 100,000 days (274
/// years). Larger times are typing errors (e.g. hours pasted as a date-time number).
pub const TIME_MAX_ABS_DAYS: f64 = 1e5;

/// Below the limit of quantification (compared lower-case, spaces collapsed). `ND` (not
/// detected) and `Negative` are below the limit of detection, hence below the LLOQ too.
const BLQ_CODES: &[&str] = &[
    "blq",
    "bql",
    "bloq",
    "blloq",
    "<lloq",
    "< lloq",
    "<loq",
    "< loq",
    "<lod",
    "< lod",
    "<ll",
    "lloq>",
    "nq",
    "dnq",
    "nd",
    "not detected",
    "undetected",
    "negative",
    "neg",
    "below lloq",
    "below loq",
    "below limit of quantification",
    "detected <lloq",
    "detected < lloq",
    "detected, <lloq",
    "detected but not quantifiable",
    "detected not quantifiable",
];

/// No result (not available, not done, no sample, not reportable): the sample is missing.
const NOT_DONE_CODES: &[&str] = &[
    "na",
    "n/a",
    "n.a.",
    "nan",
    "ns",
    "nr",
    "nd*",
    "qns",
    "insufficient",
    "insufficient sample",
    "quantity not sufficient",
    "not done",
    "notdone",
    "not tested",
    "not analysed",
    "not analyzed",
    "not reported",
    "not available",
    "no sample",
    "no result",
    "missing",
    "cancelled",
    "canceled",
    "hemolysed",
    "hemolyzed",
    "haemolysed",
    "haemolyzed",
    "clotted",
    "lost",
    "invalid",
    "unreportable",
    "not reportable",
    ".",
    "-",
    "--",
    "null",
];

/// Above the upper limit of quantification.
const ABOVE_CODES: &[&str] = &[
    ">uloq",
    "> uloq",
    "auloq",
    "aql",
    "alq",
    "above uloq",
    "above uloq*",
    "above range",
    "above limit of quantification",
];

/// How numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct NumberStyle {
    /// `,` is the decimal mark (`1,5`); `.` then only groups thousands when a `,` follows.
    pub decimal_comma: bool,
}

/// Parses a number as lab exports write it: `1250`, `1.25e3`, `1,250` / `1 250` / `1'250`
/// (thousands grouped by three), and with a decimal comma `1,5` / `1.250,5` / `1 250,5`.
/// Infinite or NaN results are refused (`None`).
pub(crate) fn parse_number_styled(text: &str, style: NumberStyle) -> Option<f64> {
    parse_trimmed_number(trim(text), style)
}

/// `text.trim()`, without the scan for Unicode white space when both ends are printable
/// ASCII (the usual cell): then there is nothing to trim.
#[inline]
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// The hottest path: `digits` or `digits.digits` with at most 15 digits in all (most
/// times, LLOQs and results as exports write them). The digits as a whole number `m` and
/// the decimal places `k` are exact in an f64 (`m < 2^53`, `10^k <= 10^15`), so `m / 10^k`
/// is the f64 nearest the decimal (one correctly rounded division, Clinger's fast path):
/// the value `t.parse::<f64>()` reads, without its general parser. `None` for anything
/// else.
#[inline]
fn plain_decimal(t: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let bytes = t.as_bytes();
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let mut m = 0u64;
    let mut digits = 0usize;
    let mut point = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(b - b'0');
                digits += 1;
            }
            b'.' if point.is_none() && i > 0 && i + 1 < bytes.len() => point = Some(i),
            _ => return None,
        }
    }
    if digits > 15 {
        return None;
    }
    let k = point.map_or(0, |i| bytes.len() - i - 1);
    Some(m as f64 / POW10[k])
}

/// [`parse_number_styled`] of a text without surrounding white space.
#[inline]
fn parse_trimmed_number(t: &str, style: NumberStyle) -> Option<f64> {
    if let Some(v) = plain_decimal(t) {
        return Some(v);
    }
    // Hot path: a plain number.
    if let Ok(v) = t.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    // Only a text that starts like a number can be a grouped or decimal-comma one; codes
    // (`<50`, `BLQ`) leave here without work.
    if !t
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b','))
    {
        return None;
    }
    let normal = normalise_number(t, style)?;
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A number without grouping, with `.` as decimal mark, or `None` if `t` is not a number
/// written in one of the accepted ways.
fn normalise_number(t: &str, style: NumberStyle) -> Option<String> {
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest.trim_start()),
        None => ("", t),
    };
    // Split off an exponent (`1,5e3`).
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let (int_part, frac_part) = if style.decimal_comma {
        match mantissa.rsplit_once(',') {
            Some((i, f)) => (i, Some(f)),
            None => (mantissa, None),
        }
    } else {
        match mantissa.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (mantissa, None),
        }
    };
    if let Some(f) = frac_part {
        if !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let int_digits = ungroup(int_part, style)?;
    let mut out = String::with_capacity(t.len());
    out.push_str(sign);
    out.push_str(&int_digits);
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out.push_str(exponent);
    Some(out)
}

/// The digits of an integer part, plain or grouped by three with one separator: a space
/// (also no-break and narrow no-break), an apostrophe, and `,` (decimal point style) or `.`
/// (decimal comma style).
fn ungroup(int_part: &str, style: NumberStyle) -> Option<String> {
    if int_part.bytes().all(|b| b.is_ascii_digit()) {
        return (!int_part.is_empty()).then(|| int_part.to_string());
    }
    let sep = int_part.chars().find(|c| !c.is_ascii_digit())?;
    let allowed = matches!(sep, ' ' | '\u{a0}' | '\u{202f}' | '\'')
        || (sep == ',' && !style.decimal_comma)
        || (sep == '.' && style.decimal_comma);
    if !allowed {
        return None;
    }
    let groups: Vec<&str> = int_part.split(sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let digits_ok = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && digits_ok).then(|| groups.concat())
}

/// Lower case with runs of white space collapsed to one space.
fn normalise_code(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for word in t.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// The limit after a `<` or `>`: `<50`, `< 50 copies/ug`, `>1,000,000`, `<=0,5`.
fn limit_after(rest: &str, style: NumberStyle) -> Option<f64> {
    let rest = rest.trim_start_matches('=').trim();
    let end = rest
        .find(|c: char| {
            !(c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | 'E' | '+' | '-' | ' ' | '\''))
        })
        .unwrap_or(rest.len());
    let number = rest[..end].trim();
    parse_number_styled(number, style).filter(|v| *v >= 0.0)
}

/// Reads a result cell. `Err(BadValue)` is a text that is no known code; the caller
/// decides what that means (ingestion takes the sample as missing and says so).
pub(crate) fn parse_result(text: &str, style: NumberStyle) -> Result<ResultText, RowProblem> {
    let t = trim(text);
    if t.is_empty() {
        return Ok(ResultText::Empty);
    }
    if let Some(v) = parse_trimmed_number(t, style) {
        return number_result(v);
    }
    // Hot path of BLQ rows: `<50`.
    if let Some(rest) = t.strip_prefix('<') {
        if let Ok(limit) = rest.parse::<f64>() {
            if limit.is_finite() && limit >= 0.0 {
                return limit_result(limit).map(|l| ResultText::Blq(Some(l)));
            }
        }
    }
    let lower = normalise_code(t);
    if NOT_DONE_CODES.contains(&lower.as_str()) || lower.starts_with("not done") {
        return Ok(ResultText::NotDone);
    }
    if BLQ_CODES.contains(&lower.as_str()) {
        return Ok(ResultText::Blq(None));
    }
    if ABOVE_CODES.contains(&lower.as_str()) {
        return Ok(ResultText::Above(None));
    }
    // `<50`, `Detected <50`, `DNQ <50`: the limit is the number after the `<`.
    if let Some(i) = lower.find('<') {
        let before = lower[..i].trim();
        if before.is_empty() || BLQ_CODES.contains(&before) || before == "detected" {
            if let Some(limit) = limit_after(&lower[i + 1..], style) {
                return limit_result(limit).map(|l| ResultText::Blq(Some(l)));
            }
        }
    }
    if let Some(rest) = lower.strip_prefix('>') {
        if let Some(limit) = limit_after(rest, style) {
            return limit_result(limit).map(|l| ResultText::Above(Some(l)));
        }
    }
    // `BLQ (50)`, `<LLOQ (50 copies/ug)`: a BLQ code followed by a remark.
    if ["blq", "bql", "<lloq", "< lloq", "<loq", "<lod"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Ok(ResultText::Blq(None));
    }
    if t.parse::<f64>().is_ok() {
        // inf, NaN written as a number.
        return Err(RowProblem::ValueOutOfRange {
            min: VALUE_MIN_POSITIVE,
            max: VALUE_MAX,
        });
    }
    if looks_like_decimal_comma(t) && !style.decimal_comma {
        return Err(RowProblem::DecimalComma);
    }
    Err(RowProblem::UnknownCode)
}

/// `1,5` or `12,75`: digits, one comma, digits, not grouped by three (that is `1,250`).
fn looks_like_decimal_comma(t: &str) -> bool {
    match t.split_once(',') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn number_result(v: f64) -> Result<ResultText, RowProblem> {
    if v < 0.0 {
        return Err(RowProblem::NegativeValue);
    }
    check_magnitude(v)?;
    Ok(ResultText::Number(v))
}

fn limit_result(v: f64) -> Result<f64, RowProblem> {
    check_magnitude(v).map(|_| v)
}

/// Refuses values outside [`VALUE_MIN_POSITIVE`, `VALUE_MAX`] (0 is fine).
pub(crate) fn check_magnitude(v: f64) -> Result<(), RowProblem> {
    if v == 0.0 || (VALUE_MIN_POSITIVE..=VALUE_MAX).contains(&v.abs()) {
        Ok(())
    } else {
        Err(RowProblem::ValueOutOfRange {
            min: VALUE_MIN_POSITIVE,
            max: VALUE_MAX,
        })
    }
}

/// Parses an LLOQ (or ULOQ) cell. `0` means "no limit" (as in data sets without one).
pub(crate) fn parse_limit(text: &str, style: NumberStyle) -> Result<Option<f64>, RowProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let number = parse_number_styled(t, style);
    if number.is_none() && NOT_DONE_CODES.contains(&normalise_code(t).as_str()) {
        return Ok(None);
    }
    match number {
        Some(v) if v > 0.0 => check_magnitude(v)
            .map(|_| Some(v))
            .map_err(|_| RowProblem::BadLloq),
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

/// Whether a visit label names a sample taken before the infusion: screening, baseline,
/// pre-dose, pre-infusion, pre-treatment, pre-lymphodepletion (any case, `-`/`_`/spaces).
pub(crate) fn is_baseline_visit(label: &str) -> bool {
    let norm = crate::matrix::normalise_label(label);
    let compact: String = norm.chars().filter(|c| !c.is_whitespace()).collect();
    [
        "screen",
        "baseline",
        "predose",
        "preinfusion",
        "pretreatment",
        "prelymphodepletion",
        "preld",
        "pre",
    ]
    .iter()
    .any(|w| {
        if *w == "pre" || *w == "preld" {
            compact == *w
        } else {
            compact.starts_with(w)
        }
    })
}

/// Decides what a sample is, from its result text, the row's LLOQ, ULOQ and BLQ flag.
/// The LLOQ column, a `<x` marker and a value below the LLOQ all make a BLQ sample that
/// keeps its LLOQ; an empty result with an LLOQ is BLQ, without one it is missing. A value
/// above the ULOQ column is kept as a number (the lab reported it); only an above-range code
/// makes a right-censored sample.
pub(crate) fn classify(
    result: ResultText,
    lloq: Option<f64>,
    uloq: Option<f64>,
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
        (ResultText::Above(marker), _) => Ok(SampleValue::AboveUloq {
            uloq: marker.or(uloq),
        }),
        (ResultText::NotDone, _) => Ok(SampleValue::Missing),
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

    const POINT: NumberStyle = NumberStyle {
        decimal_comma: false,
    };
    const COMMA: NumberStyle = NumberStyle {
        decimal_comma: true,
    };

    /// The shortcut of `trim` is `str::trim` (the reference) on cells with and without
    /// white space, ASCII or not, at either end.
    #[test]
    fn trim_is_str_trim() {
        for t in [
            "", " ", "a", "12.5", " 12.5", "12.5 ", "\t<50\r", "\u{a0}5", "5\u{a0}", "\u{202f}",
            "\u{1}x", "µg", "gµ", " µ ",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    /// The fast path for plain decimals reads what `str::parse::<f64>` reads (the std
    /// parser is the reference), up to its 15-digit limit and past it.
    #[test]
    fn plain_decimals_read_as_the_std_parser_reads_them() {
        for t in [
            "0",
            "7",
            "007",
            "28",
            "365",
            "999999999999999",
            "9999999999999999",
            "123456789012345678901",
            "00000000000000000001",
            "0.1",
            "128.845",
            "0.000000000000001",
            "99999999999999.9",
            "9999999999999999.9",
            "1.7976931348623157",
            "007.50",
            "5.",
            ".5",
            "1.2.3",
        ] {
            assert_eq!(parse_trimmed_number(t, POINT), t.parse::<f64>().ok(), "{t}");
        }
        // Random decimals of up to 16 digits.
        let mut next = crate::ingest::test_random(0x9e37_79b9_7f4a_7c15);
        for _ in 0..100_000 {
            let n = 1 + (next() % 16) as usize;
            let mut t: String = (0..n)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            if next() % 4 != 0 {
                let at = (next() % (n as u64 + 1)) as usize;
                t.insert(at, '.');
            }
            let std = t.parse::<f64>().ok().filter(|v| v.is_finite());
            assert_eq!(parse_trimmed_number(&t, POINT), std, "{t}");
        }
    }

    fn sample(
        text: &str,
        lloq: Option<f64>,
        flag: Option<bool>,
    ) -> Result<SampleValue, RowProblem> {
        classify(parse_result(text, POINT)?, lloq, None, flag)
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
        assert_eq!(sample("Detected <50", None, None), Ok(blq50));
        assert_eq!(sample("< 50 copies/ug", None, None), Ok(blq50));
        assert_eq!(sample("<LLOQ (50)", Some(50.0), None), Ok(blq50));
        for code in [
            "BLQ",
            "Detected <LLOQ",
            "detected  <lloq",
            "DNQ",
            "BQL",
            "ND",
            "Negative",
            "Not detected",
        ] {
            assert_eq!(
                sample(code, None, None),
                Ok(SampleValue::Blq { lloq: None }),
                "{code}"
            );
        }
    }

    #[test]
    fn not_done_and_above_range_codes() {
        for code in [
            "QNS",
            "NS",
            "Not done",
            "NA",
            "Hemolysed",
            "haemolyzed",
            "N/A",
        ] {
            assert_eq!(
                sample(code, Some(50.0), None),
                Ok(SampleValue::Missing),
                "{code}"
            );
        }
        assert_eq!(
            sample(">ULOQ", None, None),
            Ok(SampleValue::AboveUloq { uloq: None })
        );
        assert_eq!(
            sample(">1e6", None, None),
            Ok(SampleValue::AboveUloq { uloq: Some(1e6) })
        );
        assert_eq!(
            sample("> 1,000,000", None, None),
            Ok(SampleValue::AboveUloq { uloq: Some(1e6) })
        );
        assert_eq!(
            classify(parse_result(">ULOQ", POINT).unwrap(), None, Some(2e6), None),
            Ok(SampleValue::AboveUloq { uloq: Some(2e6) })
        );
    }

    #[test]
    fn thousands_separators_and_decimal_commas() {
        assert_eq!(parse_number_styled("1,250", POINT), Some(1250.0));
        assert_eq!(parse_number_styled("1 250", POINT), Some(1250.0));
        assert_eq!(parse_number_styled("1\u{a0}250.5", POINT), Some(1250.5));
        assert_eq!(parse_number_styled("12,345,678", POINT), Some(12345678.0));
        assert_eq!(parse_number_styled("1,25", POINT), None);
        assert_eq!(parse_number_styled("1,2500", POINT), None);
        assert_eq!(parse_number_styled("1,5", COMMA), Some(1.5));
        assert_eq!(parse_number_styled("1.250,5", COMMA), Some(1250.5));
        assert_eq!(parse_number_styled("1 250,5", COMMA), Some(1250.5));
        assert_eq!(parse_number_styled("2,5e3", COMMA), Some(2500.0));
        assert_eq!(parse_number_styled("0.5", COMMA), Some(0.5));
        assert_eq!(parse_number_styled("-6", COMMA), Some(-6.0));
        assert_eq!(parse_result("1,5", POINT), Err(RowProblem::DecimalComma));
        assert_eq!(parse_result("1,5", COMMA), Ok(ResultText::Number(1.5)));
        assert_eq!(sample("<0,5", None, None), Err(RowProblem::UnknownCode));
        assert_eq!(
            classify(parse_result("<0,5", COMMA).unwrap(), None, None, None),
            Ok(SampleValue::Blq { lloq: Some(0.5) })
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
        assert_eq!(sample("abc", None, None), Err(RowProblem::UnknownCode));
        let range = Err(RowProblem::ValueOutOfRange {
            min: VALUE_MIN_POSITIVE,
            max: VALUE_MAX,
        });
        assert_eq!(sample("inf", None, None), range);
        assert_eq!(sample("1e308", None, None), range);
        assert_eq!(sample("1e-310", None, None), range);
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
    fn limits_flags_and_visits() {
        assert_eq!(parse_limit("0", POINT), Ok(None));
        assert_eq!(parse_limit("50.0", POINT), Ok(Some(50.0)));
        assert_eq!(parse_limit("x", POINT), Err(RowProblem::BadLloq));
        assert_eq!(parse_limit("-1", POINT), Err(RowProblem::BadLloq));
        assert_eq!(parse_limit("1e308", POINT), Err(RowProblem::BadLloq));
        assert_eq!(parse_flag("Y"), Ok(Some(true)));
        assert_eq!(parse_flag("no"), Ok(Some(false)));
        assert_eq!(parse_flag("maybe"), Err(RowProblem::BadBlqFlag));
        for v in [
            "Screening",
            "SCREENING 2",
            "Baseline",
            "Pre-dose",
            "predose",
            "Pre-infusion",
            "pre_infusion",
            "Pre",
        ] {
            assert!(is_baseline_visit(v), "{v}");
        }
        for v in ["Day 7", "Month 3", "Preparation", "Premium", "D0 post"] {
            assert!(!is_baseline_visit(v), "{v}");
        }
    }
}
