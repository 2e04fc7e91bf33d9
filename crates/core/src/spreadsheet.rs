//! Safe to open: text cells that a spreadsheet would run as formulas are neutralised in
//! the tables meant for spreadsheets (CSV), following OWASP's CSV-injection guidance.
//!
//! The rule (docs/robustness.md):
//! - a text cell is *formula-like* when, after any leading `'`, it starts with `=`, `+`,
//!   `-`, `@`, a tab or a carriage return (OWASP's list), or their full-width forms
//!   `＝ ＋ － ＠` (which some spreadsheets also read as formula starts);
//! - a cell that is a plain decimal number (`-5`, `+3.2`, `-1e-3`) is a number, not a
//!   formula: it is never altered;
//! - a formula-like cell is written with one `'` in front. A spreadsheet then shows it as
//!   text, with the quote visible, and runs nothing.
//!
//! The neutralised form is deterministic and reversible ([`restore`]), and the raw id is
//! kept as it is in every JSON output, so joins on ids keep working: join JSON on the raw
//! id, CSV on `neutralise(id)`, or `restore` a CSV cell first. Prefixing a cell that
//! already starts with `'` when the rest is formula-like keeps the mapping one-to-one
//! (`=x` becomes `'=x`, and `'=x` becomes `''=x`).

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: &[char] = &[
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// Whether `s` is a plain decimal number: optional sign, digits with at most one `.`,
/// optional exponent. Spreadsheets read these as numbers; `-inf`, `1,250` or `-1e` are
/// text.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// Whether a spreadsheet would run `id` as a formula if it were written as it is into a
/// CSV cell. For a warning at ingestion, e.g. "subject '=cmd…' starts like a spreadsheet
/// formula: written as '=cmd… in CSV tables, unchanged in JSON".
pub fn formula_like(id: &str) -> bool {
    id.starts_with(FORMULA_STARTS) && !is_plain_number(id)
}

/// Whether `cell` gets a `'` in front: it is formula-like once its own leading quotes are
/// set aside (so that the mapping stays one-to-one).
fn needs_quote(cell: &str) -> bool {
    formula_like(cell.trim_start_matches('\''))
}

/// The cell as written in a CSV table: `'` + `cell` when a spreadsheet would run it,
/// `cell` itself (borrowed, no allocation) otherwise. Numbers are never altered.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The raw text of a cell [`neutralise`] wrote: the inverse, for readers that join CSV
/// tables with other data on the raw id.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// The warning for an id that will be neutralised, or `None`. `what` names the column
/// (`subject`, `matrix`...), `source` the file.
pub fn formula_warning(source: &str, what: &str, id: &str) -> Option<String> {
    formula_like(id).then(|| {
        format!(
            "{source}: {what} '{id}' starts like a spreadsheet formula: written as '{}' in CSV tables (so that a spreadsheet shows it as text), unchanged in JSON",
            neutralise(id)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OWASP's examples (CSV Injection page) and the ids of issue 9.
    #[test]
    fn formula_starts_are_neutralised() {
        for (raw, csv) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+SUM(1+1)", "'+SUM(1+1)"),
            ("@HYPERLINK(\"http://x\")", "'@HYPERLINK(\"http://x\")"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("=1+1", "'=1+1"),
            ("-", "'-"),
            ("\u{FF1D}1+1", "'\u{FF1D}1+1"),
        ] {
            assert!(formula_like(raw), "{raw:?}");
            assert_eq!(neutralise(raw), csv, "{raw:?}");
            assert_eq!(restore(csv), raw, "{raw:?}");
        }
    }

    #[test]
    fn numbers_are_never_altered() {
        for n in [
            "-5", "-0", "+3", "-1.25", "-.5", "-1e-3", "+2E+10", "-12.5e3", "5",
        ] {
            assert!(!formula_like(n), "{n}");
            assert!(matches!(neutralise(n), Cow::Borrowed(_)), "{n}");
        }
        // Text that only looks numeric is text.
        for t in ["-inf", "-NaN", "-1,250", "-1e", "-e5", "+", "-.", "-1-1"] {
            assert!(formula_like(t), "{t}");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for t in [
            "P00001",
            "CART-001-001",
            "blood",
            "copies/ug",
            "",
            " =x",
            "a=b",
            "x-1",
        ] {
            assert!(!formula_like(t), "{t:?}");
            assert!(matches!(neutralise(t), Cow::Borrowed(s) if s == t), "{t:?}");
            assert_eq!(restore(t), t);
        }
    }

    /// Deterministic and one-to-one, so that two different ids never share a CSV cell and
    /// a join on neutralised ids is a join on raw ids.
    #[test]
    fn one_to_one_and_reversible() {
        let ids = [
            "=x", "'=x", "''=x", "'x", "x", "'", "''", "-1", "'-1", "-a", "'-a", "@", "'@",
        ];
        let mut seen = std::collections::HashMap::new();
        for id in ids {
            let n = neutralise(id).into_owned();
            assert_eq!(neutralise(id), n, "deterministic");
            assert_eq!(restore(&n), id, "{id:?} -> {n:?}");
            assert!(!formula_like(&n), "{n:?} would still run");
            if let Some(other) = seen.insert(n.clone(), id) {
                panic!("{other:?} and {id:?} both written as {n:?}");
            }
        }
        assert_eq!(neutralise("'=x"), "''=x");
        assert_eq!(neutralise("'x"), "'x");
    }

    #[test]
    fn warning_names_file_column_and_written_form() {
        let w = formula_warning("in.csv", "subject", "+SUM(1+1)").expect("formula-like");
        assert!(w.starts_with("in.csv: subject '+SUM(1+1)'"), "{w}");
        assert!(w.contains("written as ''+SUM(1+1)'"), "{w}");
        assert_eq!(formula_warning("in.csv", "subject", "P01"), None);
        assert_eq!(formula_warning("in.csv", "subject", "-3"), None);
    }
}
