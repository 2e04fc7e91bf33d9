//! The NCA result tables: long CSV (one row per parameter, CDISC PP codes alongside PKNCA
//! names), wide CSV (one row per profile) and JSON. Rows are formatted in parallel.

use crate::failure::Failure;
use crate::fields::{push_num, push_text};
use cartpk_core::Profile;
use cartpk_nca::{Interval, NcaOptions, NcaResult, Parameter, ParameterValue, UnitKind};
use rayon::prelude::*;
use serde::Serialize;

/// A profile and its result, ready to be written.
pub struct Row<'a> {
    /// The profile (key, unit, dose).
    pub profile: &'a Profile,
    /// Its NCA.
    pub result: &'a NcaResult,
}

const CHUNK: usize = 512;

/// The warnings of a profile, formatted once.
fn warning_texts(result: &NcaResult) -> Vec<String> {
    result.warnings.iter().map(|w| w.to_string()).collect()
}

/// The warnings that concern `only` (all when `None`), joined by `; `.
fn join_warnings(result: &NcaResult, texts: &[String], only: Option<&ParameterValue>) -> String {
    let mut out = String::new();
    for (w, text) in result.warnings.iter().zip(texts) {
        if only.is_none_or(|v| w.concerns(v)) {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(text);
        }
    }
    out
}

/// Units of every parameter for one (concentration unit, dose unit) pair, as CSV fields
/// (escaped once); profiles share a handful of pairs, so each chunk keeps the few it meets.
#[derive(Default)]
struct UnitCache(Vec<(String, String, Vec<Vec<u8>>)>);

impl UnitCache {
    fn get(&mut self, conc_unit: &str, dose_unit: &str) -> &[Vec<u8>] {
        let i = match self
            .0
            .iter()
            .position(|(c, d, _)| c == conc_unit && d == dose_unit)
        {
            Some(i) => i,
            None => {
                let units = Parameter::ALL
                    .iter()
                    .map(|p| {
                        let mut field = Vec::new();
                        push_text(&mut field, &p.unit(conc_unit, dose_unit));
                        field
                    })
                    .collect();
                self.0
                    .push((conc_unit.to_string(), dose_unit.to_string(), units));
                self.0.len() - 1
            }
        };
        &self.0[i].2
    }
}

fn dose_unit(p: &Profile) -> &str {
    p.dose.as_ref().map_or("", |d| d.unit.as_str())
}

/// The columns of the long CSV: one row per parameter of a profile.
pub const LONG_COLUMNS: [&str; 10] = [
    "subject",
    "matrix",
    "assay",
    "parameter",
    "pptestcd",
    "interval_start_day",
    "interval_end_day",
    "value",
    "unit",
    "warnings",
];

/// The header line of the long CSV ([`LONG_COLUMNS`]).
pub const LONG_HEADER: &str =
    "subject,matrix,assay,parameter,pptestcd,interval_start_day,interval_end_day,value,unit,warnings\n";

/// Whether any profile has a dose, in which case the wide table has the dose-normalised
/// columns.
pub fn any_dose(rows: &[Row<'_>]) -> bool {
    rows.iter().any(|r| r.profile.dose.is_some())
}

/// What the long and wide rows of one profile share, formatted once: its parameter values
/// and their text, and the text of its warnings. Kept between the profiles of a part so
/// that the value text and the warnings-field buffers are reused (the values and warning
/// texts are collected afresh for each profile).
#[derive(Default)]
struct ProfileText {
    values: Vec<ParameterValue>,
    /// The values as written ([`push_num`]): value `i` is `text[ends[i - 1]..ends[i]]`.
    text: Vec<u8>,
    ends: Vec<usize>,
    warnings: Vec<String>,
    /// The long table's warnings field for each set of the warnings (bit `i`: warning `i`)
    /// met so far: most parameters of a profile share one set, so each is escaped once.
    warning_fields: Vec<(u64, Vec<u8>)>,
}

impl ProfileText {
    fn set(&mut self, result: &NcaResult) {
        self.values = result.parameters();
        self.text.clear();
        self.ends.clear();
        for v in &self.values {
            push_num(&mut self.text, v.value);
            self.ends.push(self.text.len());
        }
        self.warnings = warning_texts(result);
        self.warning_fields.clear();
    }

    /// Appends the long table's warnings field of value `v`: the warnings that concern it.
    fn push_warnings_field(&mut self, out: &mut Vec<u8>, result: &NcaResult, v: &ParameterValue) {
        if result.warnings.len() > 64 {
            push_text(out, &join_warnings(result, &self.warnings, Some(v)));
            return;
        }
        let set = result
            .warnings
            .iter()
            .enumerate()
            .filter(|(_, w)| w.concerns(v))
            .fold(0u64, |set, (i, _)| set | 1 << i);
        if let Some((_, field)) = self.warning_fields.iter().find(|(s, _)| *s == set) {
            out.extend_from_slice(field);
            return;
        }
        let mut field = Vec::new();
        push_text(&mut field, &join_warnings(result, &self.warnings, Some(v)));
        out.extend_from_slice(&field);
        self.warning_fields.push((set, field));
    }

    fn value(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// The fixed fields of each long row of a parameter, `name,pptestcd,` (one per
/// [`Parameter::ALL`]), and of each interval, `start,end` (one per interval of the
/// options, so per-interval rows need no number formatting).
struct LongFields {
    name_code: Vec<Vec<u8>>,
    intervals: Vec<(Interval, Vec<u8>)>,
}

impl LongFields {
    fn new(intervals: &[Interval]) -> LongFields {
        LongFields {
            name_code: Parameter::ALL
                .iter()
                .map(|p| format!("{},{},", p.name(), p.pp_code()).into_bytes())
                .collect(),
            intervals: intervals
                .iter()
                .map(|&iv| {
                    let mut field = Vec::new();
                    push_interval(&mut field, iv);
                    (iv, field)
                })
                .collect(),
        }
    }
}

fn push_interval(out: &mut Vec<u8>, iv: Interval) {
    push_num(out, Some(iv.start));
    out.push(b',');
    push_num(out, Some(iv.end));
}

/// Appends the long rows of one profile.
fn push_long_rows(
    out: &mut Vec<u8>,
    row: &Row<'_>,
    text: &mut ProfileText,
    fields: &LongFields,
    units: &mut UnitCache,
    prefix: &mut Vec<u8>,
) {
    // The key fields are the same on every row of a profile: escaped once.
    let key = &row.profile.key;
    prefix.clear();
    for field in [key.subject.as_str(), key.matrix.label(), key.assay.label()] {
        push_text(prefix, field);
        prefix.push(b',');
    }
    let units = units.get(row.profile.unit.label(), dose_unit(row.profile));
    // Taken out while the rows are written, so that `text` can cache warning fields.
    let values = std::mem::take(&mut text.values);
    for (i, v) in values.iter().enumerate() {
        out.extend_from_slice(prefix);
        out.extend_from_slice(&fields.name_code[v.parameter as usize]);
        match v.interval {
            Some(iv) => match fields.intervals.iter().find(|(known, _)| *known == iv) {
                Some((_, field)) => out.extend_from_slice(field),
                None => push_interval(out, iv),
            },
            None => out.extend_from_slice(b"0,Inf"),
        }
        out.push(b',');
        out.extend_from_slice(text.value(i));
        out.push(b',');
        out.extend_from_slice(&units[v.parameter as usize]);
        out.push(b',');
        if !text.warnings.is_empty() {
            text.push_warnings_field(out, row.result, v);
        }
        out.push(b'\n');
    }
    text.values = values;
}

/// Appends the wide row of one profile, with the dose-normalised columns when `any_dose`.
fn push_wide_row(
    out: &mut Vec<u8>,
    row: &Row<'_>,
    text: &ProfileText,
    n_intervals: usize,
    any_dose: bool,
) {
    let p = row.profile;
    let key = [
        p.key.subject.as_str(),
        p.key.matrix.label(),
        p.key.assay.label(),
        p.unit.label(),
    ];
    for field in key {
        push_text(out, field);
        out.push(b',');
    }
    push_num(out, p.dose.as_ref().map(|d| d.amount));
    out.push(b',');
    push_text(out, dose_unit(p));
    let mut vi = text.values.iter().enumerate().peekable();
    for param in Parameter::ALL {
        if param.needs_dose() && !any_dose {
            continue;
        }
        let n = if param.per_interval() { n_intervals } else { 1 };
        for _ in 0..n {
            out.push(b',');
            // A profile without a dose has no .dn values: NA in those columns.
            match vi.peek() {
                Some((_, v)) if v.parameter == param => {
                    let (i, _) = vi.next().expect("peek() just returned this value");
                    out.extend_from_slice(text.value(i));
                }
                _ => out.extend_from_slice(b"NA"),
            }
        }
    }
    out.push(b',');
    push_text(out, &join_warnings(row.result, &text.warnings, None));
    out.push(b'\n');
}

/// The rows of the long table (no header), formatted in parallel chunks; the chunks in
/// order are the table.
pub fn long_body(rows: &[Row<'_>]) -> Vec<Vec<u8>> {
    rows.par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = Vec::with_capacity(chunk.len() * 2400);
            let fields = LongFields::new(&[]);
            let (mut units, mut prefix, mut text) =
                (UnitCache::default(), Vec::new(), ProfileText::default());
            for row in chunk {
                text.set(row.result);
                push_long_rows(&mut out, row, &mut text, &fields, &mut units, &mut prefix);
            }
            out
        })
        .collect()
}

/// Which wide rows [`tables_body`] formats: with the dose-normalised columns, without, or
/// both (while it is not yet known whether any profile of the table has a dose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WideColumns {
    /// With the dose-normalised columns.
    WithDose,
    /// Without them.
    WithoutDose,
    /// Both ways.
    Both,
}

/// The rows of the long and the wide table of some profiles, formatted in one pass (each
/// value is formatted once for both tables).
#[derive(Debug, Default)]
pub struct TablesBody {
    /// Long rows: the parts in order are the rows.
    pub long: Vec<Vec<u8>>,
    /// Wide rows, with the dose-normalised columns unless only [`WideColumns::WithoutDose`]
    /// was asked for.
    pub wide: Vec<Vec<u8>>,
    /// Wide rows without the dose-normalised columns, for [`WideColumns::Both`].
    pub wide_without_dose: Option<Vec<Vec<u8>>>,
}

/// The bytes of [`long_body`] and [`wide_body`] of `rows`, formatted together in parallel
/// chunks; without the long rows (`long` false, [`TablesBody::long`] empty) for a run that
/// writes the wide table alone.
pub fn tables_body(
    rows: &[Row<'_>],
    options: &NcaOptions,
    wide: WideColumns,
    long: bool,
) -> TablesBody {
    let n_intervals = options.intervals.len();
    let parts: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = rows
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut long_rows = Vec::with_capacity(if long { chunk.len() * 2400 } else { 0 });
            let mut wide_with = Vec::with_capacity(chunk.len() * 600);
            let mut wide_without = Vec::new();
            if wide == WideColumns::Both {
                wide_without.reserve(chunk.len() * 600);
            }
            let fields = LongFields::new(&options.intervals);
            let (mut units, mut prefix, mut text) =
                (UnitCache::default(), Vec::new(), ProfileText::default());
            for row in chunk {
                text.set(row.result);
                if long {
                    push_long_rows(
                        &mut long_rows,
                        row,
                        &mut text,
                        &fields,
                        &mut units,
                        &mut prefix,
                    );
                }
                match wide {
                    WideColumns::WithDose => {
                        push_wide_row(&mut wide_with, row, &text, n_intervals, true)
                    }
                    WideColumns::WithoutDose => {
                        push_wide_row(&mut wide_with, row, &text, n_intervals, false)
                    }
                    WideColumns::Both => {
                        push_wide_row(&mut wide_with, row, &text, n_intervals, true);
                        push_wide_row(&mut wide_without, row, &text, n_intervals, false);
                    }
                }
            }
            (long_rows, wide_with, wide_without)
        })
        .collect();
    let mut body = TablesBody::default();
    let mut without = Vec::new();
    for (long_rows, wide, wide_without) in parts {
        if long {
            body.long.push(long_rows);
        }
        body.wide.push(wide);
        without.push(wide_without);
    }
    if wide == WideColumns::Both {
        body.wide_without_dose = Some(without);
    }
    body
}

fn unit_expr(p: Parameter) -> &'static str {
    match p.unit_kind() {
        UnitKind::Conc => "conc_unit",
        UnitKind::Time => "day",
        UnitKind::Auc => "day*conc_unit",
        UnitKind::PerTime => "1/day",
        UnitKind::Percent => "%",
        UnitKind::Unitless => "unitless",
        UnitKind::Count => "count",
        UnitKind::ConcPerDose => "conc_unit/dose_unit",
        UnitKind::AucPerDose => "day*conc_unit/dose_unit",
    }
}

/// The columns of the wide CSV: `subject, matrix, assay, conc_unit, dose, dose_unit`, then
/// every parameter as `name [unit]` (per-interval parameters as `name.start-end [unit]`;
/// units written in terms of the row's `conc_unit` and `dose_unit` where they vary by
/// profile; the dose-normalised parameters only when `any_dose`), then `warnings`.
pub fn wide_columns(options: &NcaOptions, any_dose: bool) -> Vec<String> {
    let mut columns: Vec<String> = [
        "subject",
        "matrix",
        "assay",
        "conc_unit",
        "dose",
        "dose_unit",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for p in Parameter::ALL {
        if p.needs_dose() && !any_dose {
            continue;
        }
        if p.per_interval() {
            for iv in &options.intervals {
                columns.push(format!("{}.{} [{}]", p.name(), iv.label(), unit_expr(p)));
            }
        } else {
            columns.push(format!("{} [{}]", p.name(), unit_expr(p)));
        }
    }
    columns.push("warnings".to_string());
    columns
}

/// The header line of the wide CSV ([`wide_columns`]; the names need no quoting).
pub fn wide_header(options: &NcaOptions, any_dose: bool) -> String {
    let mut header = wide_columns(options, any_dose).join(",");
    header.push('\n');
    header
}

/// The rows of the wide table (no header), formatted in parallel chunks; the chunks in
/// order are the table.
pub fn wide_body(rows: &[Row<'_>], options: &NcaOptions, any_dose: bool) -> Vec<Vec<u8>> {
    let n_intervals = options.intervals.len();
    rows.par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = Vec::with_capacity(chunk.len() * 600);
            let mut text = ProfileText::default();
            for row in chunk {
                text.set(row.result);
                push_wide_row(&mut out, row, &text, n_intervals, any_dose);
            }
            out
        })
        .collect()
}

#[derive(Serialize)]
struct JsonParameter {
    parameter: &'static str,
    pptestcd: &'static str,
    interval_start_day: f64,
    interval_end_day: Option<f64>,
    value: Option<f64>,
    unit: String,
}

#[derive(Serialize)]
struct JsonProfile<'a> {
    subject: &'a str,
    matrix: &'a str,
    assay: &'a str,
    conc_unit: &'a str,
    dose: Option<&'a cartpk_core::Dose>,
    parameters: Vec<JsonParameter>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct JsonHead<'a> {
    cartpk_version: &'static str,
    input: &'a str,
    settings: &'a NcaOptions,
}

fn json_profile<'a>(row: &Row<'a>) -> JsonProfile<'a> {
    let p = row.profile;
    JsonProfile {
        subject: &p.key.subject,
        matrix: p.key.matrix.label(),
        assay: p.key.assay.label(),
        conc_unit: p.unit.label(),
        dose: p.dose.as_ref(),
        parameters: row
            .result
            .parameters()
            .into_iter()
            .map(|v| JsonParameter {
                parameter: v.parameter.name(),
                pptestcd: v.parameter.pp_code(),
                interval_start_day: v.interval.map_or(0.0, |i| i.start),
                interval_end_day: v.interval.map(|i| i.end),
                value: v.value.filter(|x| x.is_finite()),
                unit: v.parameter.unit(p.unit.label(), dose_unit(p)),
            })
            .collect(),
        warnings: row.result.warnings.iter().map(|w| w.to_string()).collect(),
    }
}

/// Appends `value` as pretty JSON, every line after the first indented by `indent` more
/// spaces, as it appears nested in a pretty document (JSON strings hold no raw line
/// break, so every `\n` is between tokens).
fn push_pretty_nested(out: &mut Vec<u8>, value: &impl Serialize, indent: usize) {
    let text = serde_json::to_vec_pretty(value).expect("reports hold only serialisable values");
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.resize(out.len() + indent, b' ');
        }
        out.extend_from_slice(line);
    }
}

/// `nca.json` written in pieces, so that a caller can stream it one chunk of profiles at a
/// time: [`JsonStream::head`], then [`JsonStream::profiles`] for each chunk in order, then
/// [`JsonStream::tail`]. The pieces in order are the bytes of [`json`].
#[derive(Debug, Default)]
pub struct JsonStream {
    any_profile: bool,
}

impl JsonStream {
    /// A stream with no profile written yet.
    pub fn new() -> JsonStream {
        JsonStream::default()
    }

    /// The document up to the opening of the `profiles` array.
    pub fn head(&self, options: &NcaOptions, input: &str) -> Vec<u8> {
        let head = JsonHead {
            cartpk_version: env!("CARGO_PKG_VERSION"),
            input,
            settings: options,
        };
        let mut out = serde_json::to_vec_pretty(&head).expect("settings are serialisable");
        // `{...\n}` without its closing line, continued by the next member.
        out.truncate(out.len() - 2);
        out.extend_from_slice(b",\n  \"profiles\": [");
        out
    }

    /// The next profiles of the array, formatted in parallel: the parts in order, to be
    /// written one after the other. Not joined into one buffer, which would hold each
    /// chunk's JSON twice and copy it once (36 MB a chunk of 7,000 profiles).
    pub fn profiles(&mut self, rows: &[Row<'_>]) -> Vec<Vec<u8>> {
        let mut parts: Vec<Vec<u8>> = rows
            .par_chunks(CHUNK / 4)
            .map(|chunk| {
                let mut out = Vec::with_capacity(chunk.len() * 6000);
                for row in chunk {
                    out.extend_from_slice(b",\n    ");
                    push_pretty_nested(&mut out, &json_profile(row), 4);
                }
                out
            })
            .collect();
        if !self.any_profile {
            if let Some(first) = parts.iter_mut().find(|p| !p.is_empty()) {
                // The first element has no comma before it.
                first.remove(0);
                self.any_profile = true;
            }
        }
        parts
    }

    /// The end of the document: the close of the array, the failures.
    pub fn tail(&self, failures: &[Failure]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.any_profile {
            out.extend_from_slice(b"\n  ]");
        } else {
            out.push(b']');
        }
        out.extend_from_slice(b",\n  \"failures\": ");
        push_pretty_nested(&mut out, &failures, 2);
        out.extend_from_slice(b"\n}\n");
        out
    }
}

/// JSON: `{cartpk_version, input, settings, profiles: [...], failures: [...]}`; NA is
/// `null`.
pub fn json(rows: &[Row<'_>], options: &NcaOptions, input: &str, failures: &[Failure]) -> Vec<u8> {
    let mut stream = JsonStream::new();
    let mut out = stream.head(options, input);
    for part in stream.profiles(rows) {
        out.extend_from_slice(&part);
    }
    out.extend_from_slice(&stream.tail(failures));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartpk_core::{Assay, ConcUnit, Matrix, ProfileKey, Sample, SampleValue};

    fn profile(subject: &str, values: &[f64]) -> Profile {
        let samples = values
            .iter()
            .enumerate()
            .map(|(i, &v)| Sample {
                time: [0.0, 1.0, 7.0, 14.0, 28.0, 90.0][i],
                value: if v > 0.0 {
                    SampleValue::Quantified { value: v }
                } else {
                    SampleValue::Blq { lloq: Some(50.0) }
                },
                baseline_visit: false,
            })
            .collect();
        let key = ProfileKey {
            subject: subject.into(),
            matrix: Matrix::Blood,
            assay: Assay::Qpcr,
        };
        Profile::new(key, ConcUnit::parse("copies/ug").unwrap(), samples)
    }

    #[derive(Serialize)]
    struct WholeReport<'a> {
        cartpk_version: &'static str,
        input: &'a str,
        settings: &'a NcaOptions,
        profiles: Vec<JsonProfile<'a>>,
        failures: &'a [Failure],
    }

    /// The streamed pieces are the bytes serde_json writes for the whole report at once
    /// (how nca.json was written before it was streamed).
    #[test]
    fn streamed_json_is_the_whole_document() {
        let profiles = [
            profile("a,\"b", &[0.0, 100.0, 5000.0, 800.0, 60.0, 0.0]),
            profile("=c", &[10.0, 200.0, 9000.0, 700.0, 300.0, 55.0]),
            profile("d", &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ];
        let options = NcaOptions::default();
        let results: Vec<_> = profiles
            .iter()
            .map(|p| cartpk_nca::nca_profile(p, &options, None).unwrap())
            .collect();
        let rows: Vec<Row<'_>> = profiles
            .iter()
            .zip(&results)
            .map(|(profile, result)| Row { profile, result })
            .collect();
        let failure = Failure::of_profile("in.csv", &profiles[0].key, "bad \"x\"".into());
        for failures in [vec![], vec![failure.clone(), failure]] {
            for n in [0, 1, 3] {
                let whole = WholeReport {
                    cartpk_version: env!("CARGO_PKG_VERSION"),
                    input: "in.csv",
                    settings: &options,
                    profiles: rows[..n].iter().map(json_profile).collect(),
                    failures: &failures,
                };
                let expected = crate::fields::json_bytes(&whole);
                assert_eq!(
                    String::from_utf8(json(&rows[..n], &options, "in.csv", &failures)).unwrap(),
                    String::from_utf8(expected.clone()).unwrap()
                );
                // In pieces of one profile.
                let mut s = JsonStream::new();
                let mut out = s.head(&options, "in.csv");
                for r in rows[..n].chunks(1) {
                    out.extend(s.profiles(r).concat());
                }
                out.extend(s.profiles(&[]).concat());
                out.extend(s.tail(&failures));
                assert_eq!(out, expected);
            }
        }
    }
}
