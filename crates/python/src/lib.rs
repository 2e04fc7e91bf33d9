//! The native part of the `cartpk` Python package (`cartpk._cartpk`). The Python layer
//! (`python/cartpk/__init__.py`) turns data frames into columns and columns back into data
//! frames; this module reads, analyses and builds the result tables as columns, with the
//! GIL released during the work.
//!
//! A column crosses the boundary as raw bytes (f64, i64, u32 codes) plus, for text, its
//! distinct values: no Python object per cell.

mod frame_in;
mod options;
mod run;
mod simulate;

use cartpk_core::ingest::{read_bytes, read_path, Dataset as CoreDataset, IngestError};
use cartpk_printer::frame::{self, Column, Frame};
use cartpk_printer::Failure;
use frame_in::InColumn;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use std::sync::Arc;

/// Runs `work` with the GIL released, on `threads` worker threads (every core when `None`).
fn detached<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    py.detach(|| match threads {
        None => Ok(work()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|pool| pool.install(work))
            .map_err(|e| e.to_string()),
    })
    .map_err(PyValueError::new_err)
}

/// An exception of `cartpk.errors` (defined in Python, so that it has documented fields).
fn input_error(
    py: Python<'_>,
    message: String,
    file: &str,
    line: Option<u64>,
    column: Option<(usize, String)>,
) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let cls = py.import("cartpk.errors")?.getattr("InputError")?;
        let (col_index, col_name) = match column {
            Some((i, n)) => (Some(i), Some(n)),
            None => (None, None),
        };
        let e = cls.call1((message.clone(), file, line, col_index, col_name))?;
        Ok(PyErr::from_value(e))
    })();
    made.unwrap_or_else(|e| e)
}

fn ingest_error(py: Python<'_>, e: &IngestError) -> PyErr {
    let message = e.to_string();
    match e {
        IngestError::Io { file, .. } | IngestError::Empty { file } => {
            input_error(py, message, file, None, None)
        }
        IngestError::Csv { file, line, .. } => {
            input_error(py, message, file, (*line > 0).then_some(*line), None)
        }
        IngestError::MissingColumns { file, line, .. }
        | IngestError::HeaderUnit { file, line, .. } => {
            input_error(py, message, file, Some(*line), None)
        }
        IngestError::NoData {
            file, header_line, ..
        } => input_error(py, message, file, Some(*header_line), None),
    }
}

/// The 1-based column numbers of the failures of `data`, in the order of
/// `Failure::from_dataset` (rejected profiles' row errors, then bad rows), `None` beyond.
fn column_indices(data: &CoreDataset) -> Vec<Option<usize>> {
    data.rejected
        .iter()
        .flat_map(|r| &r.errors)
        .chain(&data.row_errors)
        .map(|e| e.column.as_ref().map(|c| c.index))
        .collect()
}

/// The errors table with the 1-based column number as a last column, `column_index`
/// (known for the failures that come from `data`'s rows, the first ones).
fn errors_frame(failures: &[Failure], data: &CoreDataset) -> Frame {
    let mut f = frame::errors(failures);
    let mut index = column_indices(data);
    index.resize(failures.len(), None);
    f.names.push("column_index".into());
    f.columns.push(Column::Num(
        index
            .iter()
            .map(|i| i.map_or(f64::NAN, |i| i as f64))
            .collect(),
    ));
    f
}

/// An assay file read into profiles (`cartpk.read_assay`).
#[pyclass(frozen, module = "cartpk._cartpk", name = "Dataset")]
pub struct Dataset {
    inner: Arc<CoreDataset>,
}

#[pymethods]
impl Dataset {
    /// The file name errors refer to (`<DataFrame>` for a data frame).
    #[getter]
    fn source(&self) -> &str {
        &self.inner.source
    }

    /// Number of data rows read.
    #[getter]
    fn n_rows(&self) -> u64 {
        self.inner.n_rows
    }

    /// Number of profiles read without error.
    #[getter]
    fn n_profiles(&self) -> usize {
        self.inner.profiles.len()
    }

    /// Things worth knowing that are not errors (e.g. a repeated identical row).
    fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }

    /// What ingestion assumed (baseline samples, codes taken as missing...), one line per
    /// category.
    fn assumptions(&self) -> Vec<String> {
        self.inner.assumptions.summary()
    }

    /// Every skipped profile's row errors and every bad row: the columns of the errors
    /// table, plus `column_index`.
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pandas(
            py,
            &errors_frame(&Failure::from_dataset(&self.inner), &self.inner),
        )
    }

    /// One row per profile: subject, matrix, assay, conc_unit, n_samples, n_quantified,
    /// dose, dose_unit.
    fn profiles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let ps = &self.inner.profiles;
        let mut f = Frame::default();
        let mut t: Vec<frame::TextColumn> = (0..5).map(|_| Default::default()).collect();
        let mut n_samples = Vec::new();
        let mut n_quant = Vec::new();
        let mut dose = Vec::new();
        for p in ps {
            t[0].push(&p.key.subject);
            t[1].push(p.key.matrix.label());
            t[2].push(p.key.assay.label());
            t[3].push(p.unit.label());
            t[4].push(p.dose.as_ref().map_or("", |d| d.unit.as_str()));
            n_samples.push(p.samples.len() as i64);
            n_quant.push(p.n_quantified() as i64);
            dose.push(p.dose.as_ref().map_or(f64::NAN, |d| d.amount));
        }
        let mut t = t.into_iter();
        for name in ["subject", "matrix", "assay", "conc_unit"] {
            f.names.push(name.into());
            f.columns.push(t.next().expect("text column").finish());
        }
        f.names
            .extend(["n_samples".into(), "n_quantified".into(), "dose".into()]);
        f.columns.extend([
            Column::Int(n_samples),
            Column::Int(n_quant),
            Column::Num(dose),
        ]);
        f.names.push("dose_unit".into());
        f.columns.push(t.next().expect("dose unit").finish());
        pandas(py, &f)
    }

    /// Every sample: subject, matrix, assay, time_day, value (NaN unless quantified),
    /// status (`quantified`, `blq`, `above_uloq`, `missing`), limit (the LLOQ of a BLQ
    /// sample, the ULOQ of one above range), conc_unit.
    fn samples<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        use cartpk_core::SampleValue;
        let mut t: Vec<frame::TextColumn> = (0..5).map(|_| Default::default()).collect();
        let (mut time, mut value, mut limit) = (Vec::new(), Vec::new(), Vec::new());
        for p in &self.inner.profiles {
            for s in &p.samples {
                t[0].push(&p.key.subject);
                t[1].push(p.key.matrix.label());
                t[2].push(p.key.assay.label());
                t[4].push(p.unit.label());
                time.push(s.time);
                let (v, status, l) = match s.value {
                    SampleValue::Quantified { value } => (value, "quantified", None),
                    SampleValue::Blq { lloq } => (f64::NAN, "blq", lloq),
                    SampleValue::AboveUloq { uloq } => (f64::NAN, "above_uloq", uloq),
                    SampleValue::Missing => (f64::NAN, "missing", None),
                };
                value.push(v);
                t[3].push(status);
                limit.push(l.unwrap_or(f64::NAN));
            }
        }
        let mut t = t.into_iter().map(frame::TextColumn::finish);
        let mut next = || t.next().expect("text column");
        let f = Frame {
            names: [
                "subject",
                "matrix",
                "assay",
                "time_day",
                "value",
                "status",
                "limit",
                "conc_unit",
            ]
            .map(String::from)
            .to_vec(),
            columns: vec![
                next(),
                next(),
                next(),
                Column::Num(time),
                Column::Num(value),
                next(),
                Column::Num(limit),
                next(),
            ],
        };
        pandas(py, &f)
    }

    fn __len__(&self) -> usize {
        self.inner.profiles.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<cartpk.Dataset {}: {} rows, {} profiles, {} skipped, {} bad rows>",
            self.inner.source,
            self.inner.n_rows,
            self.inner.profiles.len(),
            self.inner.rejected.len(),
            self.inner.row_errors.len()
        )
    }
}

/// A frame as a list of `(name, kind, data, levels)`: kind `f64`, `i64`, `bool` (one byte
/// per row) or `text` (u32 codes into `levels`).
fn to_python<'py>(py: Python<'py>, f: &Frame) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (name, c) in f.names.iter().zip(&f.columns) {
        let t = match c {
            Column::Num(v) => {
                let bytes = PyBytes::new(py, &bytemuck_f64(v));
                (name.as_str(), "f64", bytes, py.None()).into_pyobject(py)?
            }
            Column::Int(v) => {
                let b: Vec<u8> = v.iter().flat_map(|x| x.to_ne_bytes()).collect();
                (name.as_str(), "i64", PyBytes::new(py, &b), py.None()).into_pyobject(py)?
            }
            Column::Bool(v) => {
                let b: Vec<u8> = v.iter().map(|&x| u8::from(x)).collect();
                (name.as_str(), "bool", PyBytes::new(py, &b), py.None()).into_pyobject(py)?
            }
            Column::Text { levels, codes } => {
                let b: Vec<u8> = codes.iter().flat_map(|x| x.to_ne_bytes()).collect();
                let levels = PyList::new(py, levels)?;
                (name.as_str(), "text", PyBytes::new(py, &b), levels).into_pyobject(py)?
            }
        };
        out.append(t)?;
    }
    Ok(out)
}

/// A frame as a pandas DataFrame (by the Python layer's `to_pandas`).
fn pandas<'py>(py: Python<'py>, f: &Frame) -> PyResult<Bound<'py, PyAny>> {
    py.import("cartpk._frames")?
        .call_method1("to_pandas", (to_python(py, f)?,))
}

fn bytemuck_f64(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

/// Reads an assay CSV file.
#[pyfunction]
fn read_path_(py: Python<'_>, path: &str, opts: &Bound<'_, PyDict>) -> PyResult<Dataset> {
    let options = options::ingest(opts)?;
    let threads = options::threads(opts)?;
    let path = std::path::PathBuf::from(path);
    let read = detached(py, threads, || read_path(&path, &options))?;
    match read {
        Ok(d) => Ok(Dataset { inner: Arc::new(d) }),
        Err(e) => Err(ingest_error(py, &e)),
    }
}

/// Reads a data frame's columns: `columns` is a list of `(kind, data, levels)`, kind
/// `f64`/`i64` (raw native-endian bytes) or `text` (i64 codes, -1 for missing, and the
/// distinct values joined by NUL).
#[pyfunction]
fn read_columns_(
    py: Python<'_>,
    names: Vec<String>,
    columns: Vec<Bound<'_, PyTuple>>,
    source: &str,
    opts: &Bound<'_, PyDict>,
) -> PyResult<Dataset> {
    let mut options = options::ingest(opts)?;
    // A frame's header is the names given: never guess another delimiter from them.
    options.delimiter = b',';
    options.detect_delimiter = false;
    let threads = options::threads(opts)?;
    let mut cols = Vec::with_capacity(columns.len());
    for c in &columns {
        let kind: String = c.get_item(0)?.extract()?;
        let data = c.get_item(1)?;
        let data: &[u8] = data.cast::<PyBytes>()?.as_bytes();
        let words = data.chunks_exact(8);
        cols.push(match kind.as_str() {
            "f64" => InColumn::Num(
                words
                    .map(|w| f64::from_ne_bytes(w.try_into().expect("8 bytes")))
                    .collect(),
            ),
            "i64" => InColumn::Int(
                words
                    .map(|w| i64::from_ne_bytes(w.try_into().expect("8 bytes")))
                    .collect(),
            ),
            "utf8" => {
                let data = c.get_item(2)?;
                let data: &[u8] = data.cast::<PyBytes>()?.as_bytes();
                let valid = c.get_item(3)?;
                let valid: &[u8] = valid.cast::<PyBytes>()?.as_bytes();
                InColumn::Utf8 {
                    offsets: words
                        .map(|w| i64::from_ne_bytes(w.try_into().expect("8 bytes")))
                        .collect(),
                    data: data.to_vec(),
                    valid: valid.to_vec(),
                }
            }
            "text" => {
                let joined: String = c.get_item(2)?.extract()?;
                let levels = if joined.is_empty() {
                    Vec::new()
                } else {
                    joined.split('\0').map(str::to_string).collect()
                };
                InColumn::Text {
                    levels,
                    codes: words
                        .map(|w| i64::from_ne_bytes(w.try_into().expect("8 bytes")))
                        .collect(),
                }
            }
            k => return Err(PyValueError::new_err(format!("unknown column kind {k}"))),
        });
    }
    let source = source.to_string();
    let read = detached(py, threads, || {
        frame_in::to_csv(&names, &cols)
            .map_err(|e| e.0)
            .map(|csv| read_bytes(&csv, &source, &options))
    })?;
    match read {
        Err(shape) => Err(PyValueError::new_err(shape)),
        Ok(Err(e)) => Err(ingest_error(py, &e)),
        Ok(Ok(d)) => Ok(Dataset { inner: Arc::new(d) }),
    }
}

/// The profiles with the default dose applied where the data give none.
fn with_dose(data: &CoreDataset, dose: Option<cartpk_core::Dose>) -> Option<CoreDataset> {
    let dose = dose?;
    let mut d = data.clone();
    for p in d.profiles.iter_mut().filter(|p| p.dose.is_none()) {
        p.dose = Some(dose.clone());
    }
    Some(d)
}

/// NCA of every profile: `(table, errors)`, the table wide (`nca_wide.csv`) or long
/// (`nca_long.csv`).
#[pyfunction]
fn nca_<'py>(
    py: Python<'py>,
    data: &Dataset,
    layout: &str,
    opts: &Bound<'py, PyDict>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
    let nca_options = options::nca(opts)?;
    let dose = options::dose(opts)?;
    let threads = options::threads(opts)?;
    let long = match layout {
        "wide" => false,
        "long" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "layout: expected 'wide' or 'long', found '{other}'"
            )))
        }
    };
    let inner = data.inner.clone();
    let (table, failures) = detached(py, threads, move || {
        let dosed = with_dose(&inner, dose);
        let data = dosed.as_ref().unwrap_or(&inner);
        let results = cartpk_nca::nca_batch(&data.profiles, &nca_options, &Default::default());
        let mut failures = Failure::from_dataset(data);
        let mut rows = Vec::with_capacity(results.len());
        for (profile, result) in data.profiles.iter().zip(&results) {
            match result {
                Ok(r) => rows.push(cartpk_printer::nca::Row { profile, result: r }),
                Err(e) => failures.push(Failure::of_profile(
                    &data.source,
                    &profile.key,
                    format!("{}: {e}", profile.key),
                )),
            }
        }
        let table = if long {
            frame::nca_long(&rows)
        } else {
            frame::nca_wide(&rows, &nca_options)
        };
        (table, errors_frame(&failures, data))
    })?;
    Ok((to_python(py, &table)?, to_python(py, &failures)?))
}

/// Model fits of every profile: `{"summary", "estimates", "predictions", "errors"}`.
#[pyfunction]
fn fit_<'py>(
    py: Python<'py>,
    data: &Dataset,
    opts: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyDict>> {
    let fit_options = options::fit(opts, "blq")?;
    let threads = options::threads(opts)?;
    let model = options::model(opts)?.0;
    let inner = data.inner.clone();
    let frames = detached(py, threads, move || {
        let fits = cartpk_ck::fit_batch(model.as_ref(), &inner.profiles, &fit_options);
        let mut failures = Failure::from_dataset(&inner);
        let mut rows = Vec::with_capacity(fits.len());
        for (profile, fit) in inner.profiles.iter().zip(&fits) {
            match fit {
                Ok(f) => rows.push(cartpk_printer::fit::FitRow {
                    profile,
                    fit: f,
                    predictions: f.predictions_for(model.as_ref(), profile, &fit_options),
                }),
                Err(e) => failures.push(Failure::of_profile(
                    &inner.source,
                    &profile.key,
                    format!("{}: not fitted: {e}", profile.key),
                )),
            }
        }
        [
            ("summary", frame::fit_summary(model.as_ref(), &rows)),
            ("estimates", frame::fit_estimates(&rows)),
            ("predictions", frame::fit_predictions(&rows)),
            ("errors", errors_frame(&failures, &inner)),
        ]
    })?;
    let out = PyDict::new(py);
    for (name, f) in &frames {
        out.set_item(name, to_python(py, f)?)?;
    }
    Ok(out)
}

/// A simulated cohort: `(data, params, subjects)` tables.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn simulate_<'py>(
    py: Python<'py>,
    n_subjects: usize,
    seed: u64,
    sigma: f64,
    variability: f64,
    lloq: f64,
    matrices: String,
    dose: f64,
    prefix: String,
    full_schedule: bool,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>)> {
    let o = simulate::SimulateOptions {
        n_subjects,
        seed,
        sigma,
        variability,
        lloq,
        matrices,
        dose,
        prefix,
        full_schedule,
    };
    let spec = simulate::spec(&o).map_err(PyValueError::new_err)?;
    let sampling = cartpk_ck::simulate::TrialSampling::full_schedule(o.full_schedule);
    let (data, params, subjects) =
        detached(py, None, || simulate::cohort(&spec, o.dose, sampling))?;
    Ok((
        to_python(py, &data)?,
        to_python(py, &params)?,
        to_python(py, &subjects)?,
    ))
}

/// `cartpk run`: analyses `data` (with the subjects table read from `subjects`, a
/// `(name, bytes)` pair), writes every file of the report under `out`; returns
/// `(files written, {csv name: bytes}, nca wide table, fit summary table)`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn run_<'py>(
    py: Python<'py>,
    data: &Dataset,
    subjects: Option<(String, Vec<u8>)>,
    input_bytes: Option<Vec<u8>>,
    out: std::path::PathBuf,
    command_line: String,
    opts: &Bound<'py, PyDict>,
) -> PyResult<(Vec<String>, Bound<'py, PyDict>)> {
    let settings = run::settings(opts)?;
    let threads = options::threads(opts)?;
    let ingest = options::ingest(opts)?;
    let subjects_bytes = subjects.as_ref().map(|(_, b)| b.clone());
    let subjects = match subjects {
        Some((name, bytes)) => Some(
            cartpk_core::SubjectsTable::from_bytes_mapped(
                &name,
                &bytes,
                ingest.delimiter,
                &ingest.columns,
            )
            .map_err(|e| input_error(py, e.to_string(), &name, None, None))?,
        ),
        None => None,
    };
    let inner = data.inner.clone();
    let written = detached(py, threads, move || -> Result<_, String> {
        let mut report = cartpk_report::analyse(&inner, subjects.as_ref(), &settings);
        let mut provenance = cartpk_report::Provenance::now(&command_line);
        if let Some(b) = &input_bytes {
            provenance = provenance.with_input(&inner.source, b);
        }
        if let (Some(t), Some(b)) = (&subjects, &subjects_bytes) {
            provenance = provenance.with_input(&t.file, b);
        }
        report.provenance = provenance;
        let mut files = run::nca_and_fit_tables(&report, &inner)?;
        files.extend(report.files().map_err(|e| e.to_string())?);
        let mut written = Vec::new();
        let mut tables = Vec::new();
        for (path, bytes) in files {
            run::write_atomic(&out.join(&path), &bytes)
                .map_err(|e| format!("{}: {e}", out.join(&path).display()))?;
            if path.ends_with(".csv") && !path.contains('/') {
                tables.push((path.clone(), bytes));
            }
            written.push(path);
        }
        Ok((written, tables))
    })?;
    let (written, tables) = written.map_err(pyo3::exceptions::PyOSError::new_err)?;
    let d = PyDict::new(py);
    for (name, bytes) in tables {
        d.set_item(name, PyBytes::new(py, &bytes))?;
    }
    Ok((written, d))
}

/// The population fit of every matrix x assay with at least `min_subjects` subjects (as
/// `cartpk fit --population`): the `population_*.csv` tables as bytes (by
/// `cartpk_printer::population`, the CLI's writer) and the warnings.
#[pyfunction]
fn population_<'py>(
    py: Python<'py>,
    data: &Dataset,
    opts: &Bound<'py, PyDict>,
) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
    use cartpk_ck::population::{report, PopulationModel, SaemOptions};
    let d = SaemOptions::default();
    let fit_options = options::fit(opts, "blq")?;
    let threads = options::threads(opts)?;
    let seed = options::get::<u64>(opts, "seed")?.unwrap_or(d.seed);
    let mut cohort_options = report::CohortFitOptions::with_seed(seed);
    cohort_options.saem.exploratory = options::get::<usize>(opts, "k1")?.unwrap_or(d.exploratory);
    let k2 = options::get::<usize>(opts, "k2")?.unwrap_or(d.smoothing);
    if k2 == 0 {
        return Err(PyValueError::new_err(
            "k2: expected at least 1 smoothing iteration",
        ));
    }
    cohort_options.saem.smoothing = k2;
    cohort_options.saem.blq = fit_options.blq;
    let min_subjects =
        options::get::<usize>(opts, "min_subjects")?.unwrap_or(report::MIN_POPULATION_SUBJECTS);
    if min_subjects < 2 {
        return Err(PyValueError::new_err("min_subjects: expected at least 2"));
    }
    let inner = data.inner.clone();
    let (tables, warnings) = detached(py, threads, move || {
        let model = PopulationModel::stein2019();
        let (cohorts, mut warnings) = report::cohorts(&inner.profiles, min_subjects);
        let mut fits = Vec::with_capacity(cohorts.len());
        for c in &cohorts {
            match report::fit_cohort(c, &model, &cohort_options) {
                Ok(t) => {
                    warnings.extend(
                        t.warnings
                            .iter()
                            .map(|w| format!("{} {}: {w}", c.matrix, c.assay)),
                    );
                    fits.push(t);
                }
                Err(e) => warnings.push(format!(
                    "{} {}: population fit failed: {e}",
                    c.matrix, c.assay
                )),
            }
        }
        use cartpk_printer::population as p;
        (
            [
                ("parameters", p::parameters_csv(&fits)),
                ("individual", p::individual_csv(&fits)),
                ("shrinkage", p::shrinkage_csv(&fits)),
                ("vpc", p::vpc_csv(&fits)),
                ("residuals", p::residuals_csv(&fits)),
            ],
            warnings,
        )
    })?;
    let out = PyDict::new(py);
    for (name, bytes) in tables {
        out.set_item(name, PyBytes::new(py, &bytes))?;
    }
    Ok((out, warnings))
}

/// The library's defaults of every option, for the Python layer's tests.
#[pyfunction]
fn defaults_(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let nca = cartpk_nca::NcaOptions::default();
    d.set_item(
        "auc_method",
        match nca.auc_method {
            cartpk_nca::AucMethod::Linear => "linear",
            cartpk_nca::AucMethod::LinUpLogDown => "lin-up-log-down",
        },
    )?;
    d.set_item("auc_start", nca.start.to_string())?;
    let iv: Vec<(f64, f64)> = nca.intervals.iter().map(|i| (i.start, i.end)).collect();
    d.set_item("intervals", iv)?;
    d.set_item("blq_before_first", nca.blq.before_first.to_string())?;
    d.set_item("blq_between", nca.blq.between.to_string())?;
    d.set_item("blq_after_last", nca.blq.after_last.to_string())?;
    d.set_item("lambda_z_min_points", nca.lambda_z.min_points)?;
    d.set_item("lambda_z_adj_r2_factor", nca.lambda_z.adj_r2_factor)?;
    let fit = cartpk_ck::FitOptions::default();
    d.set_item("sigma_min", fit.sigma_min)?;
    d.set_item("fit_baseline", fit.include_baseline)?;
    d.set_item("ridge_tol", fit.ridge_tol)?;
    d.set_item(
        "blq",
        match fit.blq {
            cartpk_ck::BlqMethod::M3 => "m3",
            cartpk_ck::BlqMethod::M1 => "m1",
        },
    )?;
    let s = cartpk_report::Settings::default();
    d.set_item(
        "fit_blq",
        if s.fit.blq == cartpk_ck::BlqMethod::M3 {
            "m3"
        } else {
            "m1"
        },
    )?;
    d.set_item("min_adj_r_squared", s.criteria.min_adj_r_squared)?;
    d.set_item("min_span_half_lives", s.criteria.min_span_half_lives)?;
    d.set_item("max_aucpext_pct", s.criteria.max_aucpext_pct)?;
    d.set_item("rich_min_samples", s.sampling.min_times)?;
    d.set_item("rich_min_expansion_samples", s.sampling.min_expansion_times)?;
    d.set_item("inline_patients", s.inline_patient_limit)?;
    d.set_item("dose_unit", "cells")?;
    let saem = cartpk_ck::population::SaemOptions::default();
    d.set_item("seed", saem.seed)?;
    d.set_item("k1", saem.exploratory)?;
    d.set_item("k2", saem.smoothing)?;
    d.set_item(
        "min_subjects",
        cartpk_ck::population::report::MIN_POPULATION_SUBJECTS,
    )?;
    Ok(d)
}

/// The native module.
#[pymodule]
fn _cartpk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Dataset>()?;
    m.add_function(wrap_pyfunction!(read_path_, m)?)?;
    m.add_function(wrap_pyfunction!(read_columns_, m)?)?;
    m.add_function(wrap_pyfunction!(nca_, m)?)?;
    m.add_function(wrap_pyfunction!(fit_, m)?)?;
    m.add_function(wrap_pyfunction!(defaults_, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_, m)?)?;
    m.add_function(wrap_pyfunction!(run_, m)?)?;
    m.add_function(wrap_pyfunction!(population_, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
