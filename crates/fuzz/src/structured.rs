//! Structured inputs: proptest strategies that build assay files row by row, with labels,
//! codes and numbers chosen to stress every stage (result codes, times of 1e16 days, values
//! near the limits of f64, labels that normalise to nothing, ids longer than a file name,
//! spreadsheet formulas). The same strategies drive the harness and the proptest tests.

use crate::rng::Rng;
use crate::Case;
use proptest::prelude::Rng as _;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Subject ids: mostly a few ordinary ids (so that profiles have several rows), some that
/// a spreadsheet runs as formulas, some that are bad file names, some too long for one.
pub fn subject() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (1u8..=4).prop_map(|i| format!("P{i:02}")),
        2 => prop::sample::select(vec![
            "=cmd|' /C calc'!A0",
            "+SUM(1+1)",
            "@HYPERLINK(\"http://x\")",
            "-1",
            "../../etc/x",
            ".hidden",
            "P/01",
            "p01",
            "\u{e9}\u{4e2d}",
            " P01 ",
            "-",
            "",
        ])
        .prop_map(String::from),
        1 => (200usize..600).prop_map(|n| format!("P{}", "x".repeat(n))),
    ]
}

/// Matrix labels a lab writes.
pub const MATRICES: &[&str] = &[
    "blood",
    "PB",
    "peripheral blood",
    "bone marrow",
    "BM",
    "CSF",
    "tissue",
];
/// Assay labels a lab writes.
pub const ASSAYS: &[&str] = &["qpcr", "qPCR", "flow", "ddPCR"];
/// Labels that normalise to nothing or are empty.
pub const EMPTY_LABELS: &[&str] = &["-", "_", "()", "", " "];

/// Matrix labels, valid and not.
pub fn matrix() -> impl Strategy<Value = String> {
    label(MATRICES, true)
}

/// Assay labels, valid and not.
pub fn assay() -> impl Strategy<Value = String> {
    label(ASSAYS, true)
}

/// A label from `valid`, or (one time in 16 when `odd`) one that normalises to nothing.
fn label(valid: &'static [&'static str], odd: bool) -> BoxedStrategy<String> {
    let valid = prop::sample::select(valid).prop_map(String::from);
    if odd {
        prop_oneof![
            15 => valid,
            1 => prop::sample::select(EMPTY_LABELS).prop_map(String::from),
        ]
        .boxed()
    } else {
        valid.boxed()
    }
}

/// Numbers at and beyond what an analysis can represent, as an export would write them.
pub const EXTREME_NUMBERS: &[&str] = &[
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e-310",
    "5e-324",
    "1e400",
    "1e16",
    "-1e16",
    "0",
    "-0",
    "-6",
    "NaN",
    "inf",
    "-inf",
    "1,5",
    "",
];

/// Any f64 (NaN, infinities, subnormals), written as Rust writes it.
fn any_number() -> impl Strategy<Value = String> {
    any::<f64>().prop_map(|x| format!("{x}"))
}

/// Times: a CAR-T schedule most of the time, else extremes.
pub fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(vec![0.0, 1.0, 4.0, 7.0, 10.0, 14.0, 21.0, 28.0, 56.0, 84.0, 180.0, 365.0])
            .prop_map(|t| format!("{t}")),
        2 => (0.0f64..1000.0).prop_map(|t| format!("{t}")),
        2 => prop::sample::select(EXTREME_NUMBERS).prop_map(String::from),
        1 => any_number(),
    ]
}

/// Result codes and spellings of BLQ, not-done and above-range values.
pub const CODES: &[&str] = &[
    "<LLOQ",
    "<50",
    "< 50",
    "Detected <LLOQ",
    "DNQ",
    "BQL",
    "BLQ",
    "ND",
    "Negative",
    ">ULOQ",
    ">1e6",
    "QNS",
    "NS",
    "Not done",
    "NA",
    "Hemolysed",
    "1,250",
    "1 250",
    "",
];

/// Values: ordinary concentrations, codes, extremes.
pub fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (1e-2f64..1e7).prop_map(|v| format!("{v}")),
        3 => prop::sample::select(CODES).prop_map(String::from),
        2 => prop::sample::select(EXTREME_NUMBERS).prop_map(String::from),
        1 => any_number(),
    ]
}

/// Units, valid and not.
pub fn unit() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "copies/ug",
        "copies/ug",
        "copies/\u{b5}g gDNA",
        "%",
        "cells/uL",
        "mg/L",
        "",
    ])
    .prop_map(String::from)
}

/// LLOQs, valid and not.
pub fn lloq() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just("50".to_string()),
        2 => prop::sample::select(vec!["", "0", "-1", "1e308", "NaN", "<50", "1e-310", "inf"]).prop_map(String::from),
        1 => any_number(),
    ]
}

/// One row: subject, matrix, assay, time, value, unit, lloq.
pub fn row() -> impl Strategy<Value = [String; 7]> {
    (
        subject(),
        matrix(),
        assay(),
        time(),
        value(),
        unit(),
        lloq(),
    )
        .prop_map(|(s, m, a, t, v, u, l)| [s, m, a, t, v, u, l])
}

/// A field as CSV writes it: quoted when it holds a delimiter, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r', ';', '\t']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A file of the native layout from rows.
pub fn native_file(rows: &[[String; 7]]) -> Vec<u8> {
    let mut out = String::from("subject,matrix,assay,time,value,unit,lloq\n");
    for r in rows {
        let fields: Vec<String> = r.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// Rows drawn field by field: every combination, most of them one profile's worth of
/// nonsense. One file in five may have labels that normalise to nothing (a whole-file
/// failure while that defect is open, which would otherwise hide everything else).
pub fn random_rows() -> impl Strategy<Value = Vec<[String; 7]>> {
    prop_oneof![
        4 => prop::collection::vec(row_with_labels(false), 0..40),
        1 => prop::collection::vec(row_with_labels(true), 0..40),
    ]
}

/// [`random_rows`] as a file.
pub fn random_rows_file() -> impl Strategy<Value = Vec<u8>> {
    random_rows().prop_map(|rows| native_file(&rows))
}

/// A row whose matrix and assay labels may (`odd`) normalise to nothing.
fn row_with_labels(odd: bool) -> impl Strategy<Value = [String; 7]> {
    (
        subject(),
        label(MATRICES, odd),
        label(ASSAYS, odd),
        time(),
        value(),
        unit(),
        lloq(),
    )
        .prop_map(|(s, m, a, t, v, u, l)| [s, m, a, t, v, u, l])
}

/// Realistic profiles (expansion to a peak, then biphasic decline, BLQ below 50) for one
/// to three patients, with up to three cells replaced by an extreme: these reach the fit
/// and the figures with data that is otherwise good.
pub fn profiles_with_extremes() -> impl Strategy<Value = Vec<[String; 7]>> {
    let patient = (
        2.0f64..6.5,  // log10 Cmax
        0usize..6,    // index of Tmax in the schedule
        0.05f64..0.5, // contraction rate, 1/day
        0.0f64..0.05, // persistence rate, 1/day
        matrix(),
        assay(),
    );
    let edit = (
        0usize..1000,
        0usize..7,
        prop_oneof![
            3 => prop::sample::select(EXTREME_NUMBERS).prop_map(String::from),
            2 => prop::sample::select(CODES).prop_map(String::from),
            1 => subject(),
            1 => matrix(),
        ],
    );
    // Whole-file unit slips: hours or minutes taken as days, a huge time unit, values in
    // the wrong unit by many orders of magnitude.
    let time_scale = prop_oneof![
        12 => Just(1.0),
        1 => Just(24.0),
        1 => Just(1440.0),
        1 => Just(1e16),
        1 => Just(1e300),
        1 => Just(1e-9),
    ];
    let value_scale = prop_oneof![
        12 => Just(1.0),
        1 => Just(1e-6),
        1 => Just(1e290),
        1 => Just(1e-290),
    ];
    (
        prop::collection::vec(patient, 1..=3),
        prop::collection::vec(edit, 0..=3),
        time_scale,
        value_scale,
    )
        .prop_map(|(patients, edits, ts, vs)| {
            const DAYS: [f64; 12] = [
                0.0, 1.0, 4.0, 7.0, 10.0, 14.0, 21.0, 28.0, 56.0, 84.0, 180.0, 365.0,
            ];
            let mut rows: Vec<[String; 7]> = Vec::new();
            for (k, (lc, it, a, b, m, asy)) in patients.into_iter().enumerate() {
                let tmax = DAYS[it + 1];
                let cmax = 10f64.powf(lc);
                for &t in &DAYS {
                    let c = if t <= tmax {
                        cmax * (-(tmax - t) * 0.8).exp()
                    } else {
                        let d = t - tmax;
                        cmax * (0.9 * (-a * d).exp() + 0.1 * (-b * d).exp())
                    };
                    let v = if c < 50.0 {
                        "<50".to_string()
                    } else {
                        format!("{}", c * vs)
                    };
                    rows.push([
                        format!("P{:02}", k + 1),
                        m.clone(),
                        asy.clone(),
                        format!("{}", t * ts),
                        v,
                        "copies/ug".into(),
                        "50".into(),
                    ]);
                }
            }
            for (r, c, v) in edits {
                let n = rows.len();
                rows[r % n][c] = v;
            }
            rows
        })
}

/// [`profiles_with_extremes`] as a file.
pub fn profiles_with_extremes_file() -> impl Strategy<Value = Vec<u8>> {
    profiles_with_extremes().prop_map(|rows| native_file(&rows))
}

/// Either kind of structured rows.
pub fn structured_rows() -> impl Strategy<Value = Vec<[String; 7]>> {
    prop_oneof![random_rows(), profiles_with_extremes()]
}

/// Either kind of structured file.
pub fn structured_file() -> impl Strategy<Value = Vec<u8>> {
    structured_rows().prop_map(|rows| native_file(&rows))
}

/// Inputs known to hit an open defect (see `crates/fuzz/FINDINGS.md`), which a test suite
/// that must stay green leaves out until the fix lands. The harness itself avoids nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avoid {
    /// Matrix or assay labels that normalise to nothing (`-`, `_`, `()`): ingestion
    /// panics.
    pub empty_labels: bool,
    /// Numbers beyond 1e300 or below 1e-300 in magnitude: the patient figure hangs.
    pub f64_limits: bool,
    /// Times of 1e15 days and more: the fit panics.
    pub huge_times: bool,
}

impl Avoid {
    /// Leave out nothing.
    pub const NOTHING: Avoid = Avoid {
        empty_labels: false,
        f64_limits: false,
        huge_times: false,
    };

    /// Rewrites the cells of `rows` that would hit an avoided defect into ordinary ones.
    pub fn clean(&self, mut rows: Vec<[String; 7]>) -> Vec<[String; 7]> {
        let empty = |s: &str| !s.chars().any(char::is_alphanumeric);
        let extreme = |s: &str| {
            s.trim()
                .parse::<f64>()
                .is_ok_and(|x| !(x == 0.0 || (1e-300..=1e300).contains(&x.abs())))
        };
        for r in rows.iter_mut() {
            if self.empty_labels {
                if empty(&r[1]) {
                    r[1] = "blood".into();
                }
                if empty(&r[2]) {
                    r[2] = "qpcr".into();
                }
            }
            if self.f64_limits {
                for c in [3, 4, 6] {
                    if extreme(&r[c]) {
                        r[c] = "50".into();
                    }
                }
            }
            if self.huge_times && r[3].trim().parse::<f64>().is_ok_and(|t| t.abs() >= 1e15) {
                r[3] = "14".into();
            }
        }
        rows
    }
}

/// A structured case drawn with the case's generator.
pub fn generated_case(rng: &mut Rng) -> Case {
    let mut key = [0u8; 32];
    rng.0.fill_bytes(&mut key);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &key),
    );
    let realistic = rng.chance(50);
    const NO_REJECT: &str = "these strategies have no filter, so they never reject a value";
    let bytes = if realistic {
        profiles_with_extremes_file()
            .new_tree(&mut runner)
            .expect(NO_REJECT)
            .current()
    } else {
        random_rows_file()
            .new_tree(&mut runner)
            .expect(NO_REJECT)
            .current()
    };
    Case {
        bytes,
        origin: if realistic {
            "structured: realistic profiles with extremes".into()
        } else {
            "structured: random rows".into()
        },
    }
}
