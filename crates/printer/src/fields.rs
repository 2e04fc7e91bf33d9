//! Writing CSV fields straight into a byte buffer: numbers with ryu/itoa, text quoted only
//! when RFC 4180 requires it. Faster than a general CSV writer for tables of millions of
//! rows, and the same bytes.

/// Appends a number: `NA` for no value (R's convention, as in PKNCA output), else the
/// shortest decimal that reads back to the same f64 (ryu), without a trailing `.0`.
pub fn push_num(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        // Times and counts are mostly whole numbers: integer formatting is much cheaper.
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => {
            out.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
        }
        Some(x) if x.is_finite() => {
            let mut buf = ryu::Buffer::new();
            let s = buf.format_finite(x);
            out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
        }
        _ => out.extend_from_slice(b"NA"),
    }
}

/// Appends a text field, quoted as RFC 4180 asks when it holds a delimiter, quote or line
/// break, and with a `'` in front when a spreadsheet would run it as a formula
/// (`cartpk_core::spreadsheet`; numbers are never altered).
pub fn push_text(out: &mut Vec<u8>, s: &str) {
    let s = &*cartpk_core::spreadsheet::neutralise(s);
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends fields separated by commas and a newline.
pub fn push_record(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_text(out, f);
    }
    out.push(b'\n');
}

/// A report as pretty JSON with a final newline.
pub fn json_bytes(report: &impl serde::Serialize) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(report).expect("reports hold only serialisable values");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_quoting() {
        let mut out = Vec::new();
        push_num(&mut out, Some(11.0));
        out.push(b' ');
        push_num(&mut out, Some(0.25));
        out.push(b' ');
        push_num(&mut out, None);
        out.push(b' ');
        push_num(&mut out, Some(f64::NAN));
        out.push(b' ');
        push_text(&mut out, "a,b \"c\"");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "11 0.25 NA NA \"a,b \"\"c\"\"\""
        );
    }
}
