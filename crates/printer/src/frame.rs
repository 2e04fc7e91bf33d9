//! The result tables as columns (for data frames: the Python package) rather than CSV
//! bytes: the column names of [`crate::nca`], [`crate::fit`] and [`crate::failure`] and the
//! same values as their CSV (the tests below parse the CSV and compare), with
//! three differences a data frame asks for: a missing number is NaN (the CSV's `NA`), text
//! cells are raw (no spreadsheet-formula guard, as in the JSON output), and an RSE above
//! 1000% stays a number (the CSV writes `>1000`).
//!
//! Text columns are dictionary-encoded (distinct values and one code per row), so that a
//! table of millions of rows becomes a few distinct Python strings and an integer array.

use crate::failure::Failure;
use crate::fit::FitRow;
use crate::nca::Row as NcaRow;
use cartpk_ck::fit::ObservationScale;
use cartpk_ck::{BlqMethod, CkModel};
use cartpk_core::Profile;
use cartpk_nca::{NcaOptions, NcaResult, Parameter};
use rayon::prelude::*;
use std::collections::HashMap;

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; NaN is missing.
    Num(Vec<f64>),
    /// Whole numbers (counts).
    Int(Vec<i64>),
    /// Flags.
    Bool(Vec<bool>),
    /// Text, dictionary-encoded: `levels[codes[i]]` is row `i`.
    Text {
        /// Distinct values, in order of first appearance.
        levels: Vec<String>,
        /// One code per row.
        codes: Vec<u32>,
    },
}

/// A table: named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// Column names, as in the CSV header.
    pub names: Vec<String>,
    /// Columns, in the same order.
    pub columns: Vec<Column>,
}

impl Frame {
    fn push(&mut self, name: impl Into<String>, column: Column) {
        self.names.push(name.into());
        self.columns.push(column);
    }
}

/// Builds a dictionary-encoded text column.
#[derive(Debug, Default)]
pub struct TextColumn {
    index: HashMap<String, u32>,
    levels: Vec<String>,
    codes: Vec<u32>,
}

impl TextColumn {
    /// With room for `n` rows.
    pub fn with_capacity(n: usize) -> TextColumn {
        TextColumn {
            codes: Vec::with_capacity(n),
            ..TextColumn::default()
        }
    }

    /// Appends one cell.
    pub fn push(&mut self, s: &str) {
        let code = match self.index.get(s) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(self.levels.len())
                    .expect("fewer than 2^32 distinct values in one column");
                self.index.insert(s.to_string(), c);
                self.levels.push(s.to_string());
                c
            }
        };
        self.codes.push(code);
    }

    /// Appends `n` copies of the last distinct value pushed with [`TextColumn::push`]
    /// (cheap repetition of a profile's key over its rows).
    fn repeat_code(&mut self, code: u32, n: usize) {
        self.codes.extend(std::iter::repeat_n(code, n));
    }

    fn code_of(&mut self, s: &str) -> u32 {
        self.push(s);
        self.codes.pop().expect("just pushed")
    }

    /// The finished column.
    pub fn finish(self) -> Column {
        Column::Text {
            levels: self.levels,
            codes: self.codes,
        }
    }
}

/// `frame` with the column names of the CSV table it stands for.
fn named(mut frame: Frame, names: Vec<String>) -> Frame {
    assert_eq!(
        names.len(),
        frame.columns.len(),
        "one column per CSV column: {names:?}"
    );
    frame.names = names;
    frame
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A number as the CSV tables write it: missing and non-finite values are NA (NaN here).
fn num(v: Option<f64>) -> f64 {
    v.filter(|x| x.is_finite()).unwrap_or(f64::NAN)
}

fn dose_unit(p: &Profile) -> &str {
    p.dose.as_ref().map_or("", |d| d.unit.as_str())
}

/// The warnings of a result that concern `only` (all when `None`), joined by `; `, as the
/// CSV tables write them.
fn join_warnings(
    result: &NcaResult,
    texts: &[String],
    only: Option<&cartpk_nca::ParameterValue>,
) -> String {
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

/// The wide NCA table (`nca_wide.csv`): one row per profile; `subject, matrix, assay,
/// conc_unit, dose, dose_unit`, every parameter as `name [unit]` (the `.dn` columns only
/// when a profile has a dose), `warnings`.
pub fn nca_wide(rows: &[NcaRow<'_>], options: &NcaOptions) -> Frame {
    let any_dose = crate::nca::any_dose(rows);
    let n = rows.len();
    // The parameter columns of the wide CSV: its columns less the six key columns and the
    // warnings, in the order of `Parameter::ALL` (one per interval where per interval).
    let all = crate::nca::wide_columns(options, any_dose);
    let names: Vec<String> = all[6..all.len() - 1].to_vec();
    let mut slots: Vec<Parameter> = Vec::new();
    for p in Parameter::ALL {
        if p.needs_dose() && !any_dose {
            continue;
        }
        let k = if p.per_interval() {
            options.intervals.len()
        } else {
            1
        };
        slots.extend(std::iter::repeat_n(p, k));
    }
    assert_eq!(slots.len(), names.len(), "one column per parameter slot");
    // Values by row, in parallel; then transposed into columns.
    let values: Vec<Vec<f64>> = rows
        .par_iter()
        .map(|row| {
            let params = row.result.parameters();
            let mut vi = params.iter().peekable();
            let mut out = Vec::with_capacity(slots.len());
            for &param in &slots {
                // A profile without a dose has no .dn values: NA in those columns.
                let v = match vi.peek() {
                    Some(v) if v.parameter == param => vi.next().and_then(|v| v.value),
                    _ => None,
                };
                out.push(num(v));
            }
            out
        })
        .collect();
    let warnings: Vec<String> = rows
        .par_iter()
        .map(|r| {
            let texts: Vec<String> = r.result.warnings.iter().map(|w| w.to_string()).collect();
            join_warnings(r.result, &texts, None)
        })
        .collect();
    let mut frame = Frame::default();
    let mut subject = TextColumn::with_capacity(n);
    let mut matrix = TextColumn::with_capacity(n);
    let mut assay = TextColumn::with_capacity(n);
    let mut conc_unit = TextColumn::with_capacity(n);
    let mut dose = Vec::with_capacity(n);
    let mut dose_u = TextColumn::with_capacity(n);
    for r in rows {
        let p = r.profile;
        subject.push(&p.key.subject);
        matrix.push(p.key.matrix.label());
        assay.push(p.key.assay.label());
        conc_unit.push(p.unit.label());
        dose.push(num(p.dose.as_ref().map(|d| d.amount)));
        dose_u.push(dose_unit(p));
    }
    frame.push("subject", subject.finish());
    frame.push("matrix", matrix.finish());
    frame.push("assay", assay.finish());
    frame.push("conc_unit", conc_unit.finish());
    frame.push("dose", Column::Num(dose));
    frame.push("dose_unit", dose_u.finish());
    for (j, name) in names.into_iter().enumerate() {
        frame.push(name, Column::Num(values.iter().map(|v| v[j]).collect()));
    }
    let mut w = TextColumn::with_capacity(n);
    for s in &warnings {
        w.push(s);
    }
    frame.push("warnings", w.finish());
    named(frame, all)
}

/// The long NCA table (`nca_long.csv`): `subject, matrix, assay, parameter, pptestcd,
/// interval_start_day, interval_end_day, value, unit, warnings`; a parameter over the
/// whole profile has the interval 0 to infinity.
pub fn nca_long(rows: &[NcaRow<'_>]) -> Frame {
    // Each profile's parameters, with their unit and warnings, in parallel.
    struct Part {
        values: Vec<cartpk_nca::ParameterValue>,
        warnings: Vec<String>,
    }
    let parts: Vec<Part> = rows
        .par_iter()
        .map(|row| {
            let values = row.result.parameters();
            let texts: Vec<String> = row.result.warnings.iter().map(|w| w.to_string()).collect();
            let warnings = if texts.is_empty() {
                vec![String::new(); values.len()]
            } else {
                values
                    .iter()
                    .map(|v| join_warnings(row.result, &texts, Some(v)))
                    .collect()
            };
            Part { values, warnings }
        })
        .collect();
    let n: usize = parts.iter().map(|p| p.values.len()).sum();
    let mut subject = TextColumn::with_capacity(n);
    let mut matrix = TextColumn::with_capacity(n);
    let mut assay = TextColumn::with_capacity(n);
    let mut parameter = TextColumn::with_capacity(n);
    let mut pptestcd = TextColumn::with_capacity(n);
    let mut start = Vec::with_capacity(n);
    let mut end = Vec::with_capacity(n);
    let mut value = Vec::with_capacity(n);
    let mut unit = TextColumn::with_capacity(n);
    let mut warnings = TextColumn::with_capacity(n);
    for (row, part) in rows.iter().zip(&parts) {
        let p = row.profile;
        let k = part.values.len();
        let c = subject.code_of(&p.key.subject);
        subject.repeat_code(c, k);
        let c = matrix.code_of(p.key.matrix.label());
        matrix.repeat_code(c, k);
        let c = assay.code_of(p.key.assay.label());
        assay.repeat_code(c, k);
        let (cu, du) = (p.unit.label(), dose_unit(p));
        for (v, w) in part.values.iter().zip(&part.warnings) {
            parameter.push(v.parameter.name());
            pptestcd.push(v.parameter.pp_code());
            match v.interval {
                Some(iv) => {
                    start.push(iv.start);
                    end.push(iv.end);
                }
                None => {
                    start.push(0.0);
                    end.push(f64::INFINITY);
                }
            }
            value.push(num(v.value));
            unit.push(&v.parameter.unit(cu, du));
            warnings.push(w);
        }
    }
    let mut frame = Frame::default();
    frame.push("subject", subject.finish());
    frame.push("matrix", matrix.finish());
    frame.push("assay", assay.finish());
    frame.push("parameter", parameter.finish());
    frame.push("pptestcd", pptestcd.finish());
    frame.push("interval_start_day", Column::Num(start));
    frame.push("interval_end_day", Column::Num(end));
    frame.push("value", Column::Num(value));
    frame.push("unit", unit.finish());
    frame.push("warnings", warnings.finish());
    named(frame, strings(&crate::nca::LONG_COLUMNS))
}

/// The errors table: `file, line, column, subject, matrix, assay, message` (line NaN when
/// no row is to blame).
pub fn errors(failures: &[Failure]) -> Frame {
    let n = failures.len();
    let mut file = TextColumn::with_capacity(n);
    let mut line = Vec::with_capacity(n);
    let mut column = TextColumn::with_capacity(n);
    let mut subject = TextColumn::with_capacity(n);
    let mut matrix = TextColumn::with_capacity(n);
    let mut assay = TextColumn::with_capacity(n);
    let mut message = TextColumn::with_capacity(n);
    for f in failures {
        file.push(&f.file);
        line.push(f.line.map_or(f64::NAN, |l| l as f64));
        column.push(f.column.as_deref().unwrap_or(""));
        let (s, m, a) = match &f.profile {
            Some(k) => (k.subject.as_str(), k.matrix.label(), k.assay.label()),
            None => ("", "", ""),
        };
        subject.push(s);
        matrix.push(m);
        assay.push(a);
        message.push(&f.message);
    }
    let mut frame = Frame::default();
    frame.push("file", file.finish());
    frame.push("line", Column::Num(line));
    frame.push("column", column.finish());
    frame.push("subject", subject.finish());
    frame.push("matrix", matrix.finish());
    frame.push("assay", assay.finish());
    frame.push("message", message.finish());
    named(frame, strings(&crate::failure::ERRORS_COLUMNS))
}

/// A model unit with `conc` replaced by the profile's concentration unit.
fn model_unit(unit: &str, conc_unit: &str) -> String {
    match unit {
        "conc" => conc_unit.to_string(),
        "ln(conc)" => format!("ln({conc_unit})"),
        u => u.to_string(),
    }
}

fn push_key(cols: &mut [TextColumn; 3], p: &Profile) {
    cols[0].push(&p.key.subject);
    cols[1].push(p.key.matrix.label());
    cols[2].push(p.key.assay.label());
}

fn finish_key(frame: &mut Frame, cols: [TextColumn; 3]) {
    for (name, c) in ["subject", "matrix", "assay"].into_iter().zip(cols) {
        frame.push(name, c.finish());
    }
}

/// `fit_summary.csv`: one row per fit.
pub fn fit_summary(model: &dyn CkModel, rows: &[FitRow<'_>]) -> Frame {
    let n = rows.len();
    let mut key: [TextColumn; 3] = Default::default();
    let mut text: Vec<TextColumn> = (0..4).map(|_| TextColumn::with_capacity(n)).collect();
    let mut counts: Vec<Vec<i64>> = (0..5).map(|_| Vec::with_capacity(n)).collect();
    let mut stats: Vec<Vec<f64>> = (0..3).map(|_| Vec::with_capacity(n)).collect();
    let mut converged = Vec::with_capacity(n);
    let mut termination = TextColumn::with_capacity(n);
    let mut iterations = Vec::with_capacity(n);
    let mut gradient_norm = Vec::with_capacity(n);
    let mut condition_number = Vec::with_capacity(n);
    let mut reportable = Vec::with_capacity(n);
    let mut trust_failures = TextColumn::with_capacity(n);
    let params = model.parameters();
    let k = model.n_theta();
    let derived_names = model.derived(&model.to_natural(&vec![0.0; k]));
    // Estimates (value, rse) for every model parameter and sigma, then derived.
    let n_est = params.len() + 1;
    let mut est: Vec<Vec<f64>> = (0..2 * n_est).map(|_| Vec::with_capacity(n)).collect();
    let mut derived: Vec<Vec<f64>> = (0..derived_names.len())
        .map(|_| Vec::with_capacity(n))
        .collect();
    let mut warnings = TextColumn::with_capacity(n);
    for r in rows {
        let f = r.fit;
        push_key(&mut key, r.profile);
        let blq = match f.blq {
            BlqMethod::M3 => "M3",
            BlqMethod::M1 => "M1",
        };
        let scale = match f.scale {
            ObservationScale::Log => "log",
            ObservationScale::Logit { .. } => "logit",
        };
        for (c, t) in text
            .iter_mut()
            .zip([r.profile.unit.label(), f.model, blq, scale])
        {
            c.push(t);
        }
        for (c, v) in
            counts
                .iter_mut()
                .zip([f.n_obs, f.n_quantified, f.n_blq, f.n_baseline, f.n_params])
        {
            c.push(v as i64);
        }
        for (c, v) in stats.iter_mut().zip([f.neg2ll, f.aic, f.bic]) {
            c.push(num(Some(v)));
        }
        converged.push(f.converged);
        termination.push(&f.termination.to_string());
        iterations.push(f.iterations as i64);
        gradient_norm.push(num(Some(f.gradient_norm)));
        condition_number.push(num(Some(f.condition_number)));
        reportable.push(f.reportable());
        let tf: Vec<String> = f.trust_failures.iter().map(|t| t.to_string()).collect();
        trust_failures.push(&tf.join("; "));
        for (i, e) in f.estimates.iter().enumerate().take(n_est) {
            est[2 * i].push(num(Some(e.value)));
            est[2 * i + 1].push(num(e.rse_pct));
        }
        for (c, d) in derived.iter_mut().zip(&f.derived) {
            c.push(num(Some(d.value)));
        }
        let w: Vec<String> = f.warnings.iter().map(|w| w.to_string()).collect();
        warnings.push(&w.join("; "));
    }
    let mut frame = Frame::default();
    finish_key(&mut frame, key);
    let mut text = text.into_iter();
    for name in ["conc_unit", "model", "blq_method", "scale"] {
        frame.push(name, text.next().expect("four text columns").finish());
    }
    let mut counts = counts.into_iter();
    for name in ["n_obs", "n_quantified", "n_blq", "n_baseline", "n_params"] {
        frame.push(name, Column::Int(counts.next().expect("five counts")));
    }
    let mut stats = stats.into_iter();
    for name in ["neg2ll", "aic", "bic"] {
        frame.push(name, Column::Num(stats.next().expect("three statistics")));
    }
    frame.push("converged", Column::Bool(converged));
    frame.push("termination", termination.finish());
    frame.push("iterations", Column::Int(iterations));
    frame.push("gradient_norm", Column::Num(gradient_norm));
    frame.push("condition_number", Column::Num(condition_number));
    frame.push("reportable", Column::Bool(reportable));
    frame.push("trust_failures", trust_failures.finish());
    let mut est = est.into_iter();
    for p in params {
        let u = model_unit(p.unit, "conc_unit");
        frame.push(
            format!("{} [{u}]", p.name),
            Column::Num(est.next().expect("value")),
        );
        frame.push(
            format!("{}.rse [%]", p.name),
            Column::Num(est.next().expect("rse")),
        );
    }
    frame.push(
        "sigma [ln(conc_unit)]",
        Column::Num(est.next().expect("sigma")),
    );
    frame.push("sigma.rse [%]", Column::Num(est.next().expect("sigma rse")));
    for (d, values) in derived_names.iter().zip(derived) {
        frame.push(
            format!("{} [{}]", d.name, model_unit(d.unit, "conc_unit")),
            Column::Num(values),
        );
    }
    frame.push("warnings", warnings.finish());
    named(frame, crate::fit::summary_columns(model))
}

/// `fit_estimates.csv`: `subject, matrix, assay, parameter, kind, value, unit, se,
/// rse_pct`, every estimate (kind `estimate`) and derived quantity (kind `derived`).
pub fn fit_estimates(rows: &[FitRow<'_>]) -> Frame {
    let mut key: [TextColumn; 3] = Default::default();
    let mut parameter = TextColumn::default();
    let mut kind = TextColumn::default();
    let mut value = Vec::new();
    let mut unit = TextColumn::default();
    let mut se = Vec::new();
    let mut rse = Vec::new();
    for r in rows {
        let cu = r.profile.unit.label();
        for e in &r.fit.estimates {
            push_key(&mut key, r.profile);
            parameter.push(e.name);
            kind.push("estimate");
            value.push(num(Some(e.value)));
            unit.push(&model_unit(e.unit, cu));
            se.push(num(e.se));
            rse.push(num(e.rse_pct));
        }
        for d in &r.fit.derived {
            push_key(&mut key, r.profile);
            parameter.push(d.name);
            kind.push("derived");
            value.push(num(Some(d.value)));
            unit.push(&model_unit(d.unit, cu));
            se.push(f64::NAN);
            rse.push(f64::NAN);
        }
    }
    let mut frame = Frame::default();
    finish_key(&mut frame, key);
    frame.push("parameter", parameter.finish());
    frame.push("kind", kind.finish());
    frame.push("value", Column::Num(value));
    frame.push("unit", unit.finish());
    frame.push("se", Column::Num(se));
    frame.push("rse_pct", Column::Num(rse));
    named(frame, strings(&crate::fit::ESTIMATES_COLUMNS))
}

/// `fit_predictions.csv`: `subject, matrix, assay, time_day, observed, blq, predicted,
/// residual_log, weighted_residual, conc_unit`.
pub fn fit_predictions(rows: &[FitRow<'_>]) -> Frame {
    let mut key: [TextColumn; 3] = Default::default();
    let mut nums: Vec<Vec<f64>> = vec![Vec::new(); 5];
    let mut blq = Vec::new();
    let mut conc_unit = TextColumn::default();
    for r in rows {
        for p in &r.predictions {
            push_key(&mut key, r.profile);
            for (c, v) in nums.iter_mut().zip([
                p.time,
                p.observed,
                p.predicted,
                p.residual_log,
                p.weighted_residual,
            ]) {
                c.push(num(Some(v)));
            }
            blq.push(p.blq);
            conc_unit.push(r.profile.unit.label());
        }
    }
    let mut frame = Frame::default();
    finish_key(&mut frame, key);
    let mut nums = nums.into_iter();
    let mut next = || Column::Num(nums.next().expect("five numeric columns"));
    frame.push("time_day", next());
    frame.push("observed", next());
    frame.push("blq", Column::Bool(blq));
    frame.push("predicted", next());
    frame.push("residual_log", next());
    frame.push("weighted_residual", next());
    frame.push("conc_unit", conc_unit.finish());
    named(frame, strings(&crate::fit::PREDICTIONS_COLUMNS))
}

#[cfg(test)]
mod tests {
    //! Every frame against the CSV bytes of the same rows: same header, same cells (text
    //! equal, numbers bit-equal, `NA` as NaN, `Inf` as infinity, `>1000` as a number above
    //! 1000).
    use super::*;
    use cartpk_core::ingest::{read_path, IngestOptions};

    fn dataset() -> cartpk_core::ingest::Dataset {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cart_cohort.csv");
        read_path(&path, &IngestOptions::default()).expect("the example cohort reads")
    }

    fn assert_same(frame: &Frame, csv: &[u8]) {
        let mut rdr = csv::Reader::from_reader(csv);
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(frame.names, header);
        let records: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
        for (j, (name, col)) in frame.names.iter().zip(&frame.columns).enumerate() {
            let cells = records.iter().map(|r| &r[j]);
            match col {
                Column::Num(v) => {
                    assert_eq!(v.len(), records.len(), "{name}");
                    for (x, cell) in v.iter().zip(cells) {
                        match cell {
                            "NA" | "" => assert!(x.is_nan(), "{name}: {x} vs NA"),
                            "Inf" => assert_eq!(*x, f64::INFINITY, "{name}"),
                            ">1000" => assert!(*x > 1000.0, "{name}"),
                            c => assert_eq!(
                                c.parse::<f64>().unwrap().to_bits(),
                                x.to_bits(),
                                "{name}: {c} vs {x}"
                            ),
                        }
                    }
                }
                Column::Int(v) => {
                    for (x, cell) in v.iter().zip(cells) {
                        assert_eq!(cell, x.to_string(), "{name}");
                    }
                }
                Column::Bool(v) => {
                    for (x, cell) in v.iter().zip(cells) {
                        assert_eq!(cell, x.to_string(), "{name}");
                    }
                }
                Column::Text { levels, codes } => {
                    assert_eq!(codes.len(), records.len(), "{name}");
                    for (k, cell) in codes.iter().zip(cells) {
                        assert_eq!(cell, levels[*k as usize], "{name}");
                    }
                }
            }
        }
    }

    #[test]
    fn nca_frames_equal_the_csv_tables() {
        let mut data = dataset();
        // A dose on half the profiles: the .dn columns, NA where there is none.
        for p in data.profiles.iter_mut().step_by(2) {
            p.dose = Some(cartpk_core::Dose {
                amount: 5e7,
                unit: "cells".into(),
            });
        }
        let options = NcaOptions::default();
        let results = cartpk_nca::nca_batch(&data.profiles, &options, &Default::default());
        let rows: Vec<NcaRow<'_>> = data
            .profiles
            .iter()
            .zip(&results)
            .filter_map(|(profile, r)| r.as_ref().ok().map(|result| NcaRow { profile, result }))
            .collect();
        assert!(rows.len() > 50);
        let any_dose = crate::nca::any_dose(&rows);
        let mut wide = crate::nca::wide_header(&options, any_dose).into_bytes();
        crate::nca::wide_body(&rows, &options, any_dose)
            .iter()
            .for_each(|p| wide.extend_from_slice(p));
        assert_same(&nca_wide(&rows, &options), &wide);
        let mut long = crate::nca::LONG_HEADER.as_bytes().to_vec();
        crate::nca::long_body(&rows)
            .iter()
            .for_each(|p| long.extend_from_slice(p));
        assert_same(&nca_long(&rows), &long);
    }

    #[test]
    fn fit_and_errors_frames_equal_the_csv_tables() {
        let data = dataset();
        let model = cartpk_ck::Stein2019;
        let profiles: Vec<_> = data
            .profiles
            .iter()
            .filter(|p| p.key.matrix.label() == "blood")
            .take(6)
            .cloned()
            .collect();
        let options = cartpk_ck::FitOptions::default();
        let fits = cartpk_ck::fit_batch(&model, &profiles, &options);
        let rows: Vec<FitRow<'_>> = profiles
            .iter()
            .zip(&fits)
            .filter_map(|(profile, f)| {
                f.as_ref().ok().map(|fit| FitRow {
                    profile,
                    fit,
                    predictions: fit.predictions_for(&model, profile, &options),
                })
            })
            .collect();
        assert!(!rows.is_empty());
        assert_same(
            &fit_summary(&model, &rows),
            &crate::fit::summary_csv(&model, &rows),
        );
        assert_same(&fit_estimates(&rows), &crate::fit::estimates_csv(&rows));
        assert_same(&fit_predictions(&rows), &crate::fit::predictions_csv(&rows));
        let mut failures = Failure::from_dataset(&data);
        failures.push(Failure::of_profile(
            "f.csv",
            &profiles[0].key,
            "not fitted: x".into(),
        ));
        assert_same(&errors(&failures), &crate::failure::errors_csv(&failures));
    }
}
