//! The stages a case goes through, as a user's run would: ingestion, the subjects table,
//! NCA under several option sets, the model fit, and patient figures. Each stage returns
//! `Ok` when it handled the input (a result or a clean, typed error); a panic or a hang is
//! what the harness looks for, and is caught by the caller.

use cartpk_ck::{fit_profile, FitOptions, FitResult, SharedModel};
use cartpk_core::ingest::{read_bytes, Dataset, IngestOptions};
use cartpk_core::{Assay, ConcUnit, Matrix, Profile, SubjectsTable, TimeUnit};
use cartpk_nca::{
    nca_batch, AucMethod, BlqRule, BlqRules, Interval, LambdaZOverrides, ManualLambdaZ, NcaError,
    NcaOptions, NcaResult,
};
use cartpk_plot::patient::PatientPlot;
use cartpk_plot::{render, ImageFormat, PlotOptions};
use std::collections::BTreeMap;

/// A stage of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// `cartpk_core::ingest::read_bytes`.
    Ingest,
    /// `cartpk_core::SubjectsTable::from_bytes` of the same bytes.
    Subjects,
    /// `cartpk_nca::nca_batch` on every profile, under each of [`nca_option_sets`].
    Nca,
    /// `cartpk_ck::fit_profile` (Stein 2019) on the profiles of the plotted patients.
    Fit,
    /// `cartpk_plot::render` of the patient figures, PNG and SVG.
    Plot,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 5] = [
        Stage::Ingest,
        Stage::Subjects,
        Stage::Nca,
        Stage::Fit,
        Stage::Plot,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Subjects => "subjects",
            Stage::Nca => "nca",
            Stage::Fit => "fit",
            Stage::Plot => "plot",
        }
    }

    /// The stage of a name.
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Patients drawn (and fitted) per case: enough to reach every code path of a figure,
/// few enough to keep a case fast.
pub const MAX_PATIENTS: usize = 2;
/// Profiles fitted per case, at most.
pub const MAX_FITS: usize = 4;

/// The delimiter a user would give for this file: `;` or tab when the header has one and
/// no comma.
pub fn delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let has = |c: u8| header.contains(&c);
    if has(b',') {
        b','
    } else if has(b';') {
        b';'
    } else if has(b'\t') {
        b'\t'
    } else {
        b','
    }
}

/// The ingestion options of a case: the defaults with the file's delimiter, and (chosen by
/// `variant`) a default unit, no or another time unit, a decimal comma, or constant
/// columns, as flags would set them.
pub fn ingest_options(bytes: &[u8], variant: u64) -> IngestOptions {
    let mut o = IngestOptions {
        delimiter: delimiter(bytes),
        ..IngestOptions::default()
    };
    match variant % 6 {
        1 => o.unit = Some(ConcUnit::CopiesPerUg),
        2 => o.time_unit = None,
        3 => o.time_unit = Some(TimeUnit::Hours),
        4 => {
            // A lab export as `--decimal-comma --assay qpcr --lloq 50 --uloq 1e6` reads it.
            o.decimal_comma = true;
            o.assay = Some(Assay::Qpcr);
            o.lloq = Some(50.0);
            o.uloq = Some(1e6);
        }
        5 => {
            // Every constant at once, far from the usual (values at the limits of f64
            // come from the data; a constant LLOQ of 1e-310 would put one known hang,
            // FINDINGS.md F2, into every sixth case).
            o.subject = Some("P1".into());
            o.matrix = Some(Matrix::Blood);
            o.assay = Some(Assay::Qpcr);
            o.lloq = Some(1e-3);
            o.uloq = Some(1e12);
        }
        _ => {}
    }
    o
}

/// Ingestion: `Ok(Some)` for a data set, `Ok(None)` for a clean error.
pub fn ingest(bytes: &[u8], options: &IngestOptions) -> Option<Dataset> {
    read_bytes(bytes, "fuzz.csv", options).ok()
}

/// The subjects table of the same bytes; whether it was read.
pub fn subjects(bytes: &[u8], delimiter: u8) -> bool {
    SubjectsTable::from_bytes("fuzz.csv", bytes, delimiter).is_ok()
}

/// The NCA option sets every case is analysed with: PKNCA's defaults first (their
/// results feed the figures), then every other rule and extreme settings.
pub fn nca_option_sets() -> Vec<(&'static str, NcaOptions)> {
    let linear = NcaOptions {
        auc_method: AucMethod::Linear,
        blq: BlqRules {
            before_first: BlqRule::Lloq,
            between: BlqRule::HalfLloq,
            after_last: BlqRule::Lloq,
        },
        ..NcaOptions::default()
    };
    let drop = NcaOptions {
        blq: BlqRules {
            before_first: BlqRule::Drop,
            between: BlqRule::Drop,
            after_last: BlqRule::Drop,
        },
        intervals: [(0.0, 1.0), (28.0, 84.0), (0.0, 1e300)]
            .iter()
            .filter_map(|&(a, b)| Interval::new(a, b))
            .collect(),
        ..NcaOptions::default()
    };
    let mut extreme = NcaOptions {
        blq: BlqRules {
            before_first: BlqRule::Value(1e-300),
            between: BlqRule::Value(1e308),
            after_last: BlqRule::Zero,
        },
        intervals: Vec::new(),
        ..NcaOptions::default()
    };
    extreme.lambda_z.min_points = 2;
    extreme.lambda_z.allow_tmax = true;
    extreme.lambda_z.adj_r2_factor = 0.0;
    vec![
        ("default", NcaOptions::default()),
        ("linear, BLQ at LLOQ", linear),
        ("BLQ dropped, odd intervals", drop),
        ("extreme BLQ values, 2-point lambda_z", extreme),
    ]
}

/// Manual terminal phases for every profile: from day 28 to the end of time.
pub fn manual_overrides(profiles: &[Profile]) -> LambdaZOverrides {
    profiles
        .iter()
        .map(|p| {
            (
                p.key.clone(),
                ManualLambdaZ {
                    start: 28.0,
                    end: f64::INFINITY,
                    exclude: vec![84.0],
                },
            )
        })
        .collect()
}

/// NCA of every profile under every option set, and with manual lambda_z; returns the
/// results under the defaults.
pub fn nca(profiles: &[Profile]) -> Vec<Result<NcaResult, NcaError>> {
    let none = LambdaZOverrides::new();
    let sets = nca_option_sets();
    let default = nca_batch(profiles, &sets[0].1, &none);
    for (_, o) in &sets[1..] {
        nca_batch(profiles, o, &none);
    }
    nca_batch(profiles, &sets[0].1, &manual_overrides(profiles));
    default
}

/// The first patients of the data set (subject order) and the indices of their profiles.
pub fn patients(profiles: &[Profile], max: usize) -> Vec<(String, Vec<usize>)> {
    let mut by_subject: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in profiles.iter().enumerate() {
        by_subject.entry(&p.key.subject).or_default().push(i);
    }
    by_subject
        .into_iter()
        .take(max)
        .map(|(s, idx)| (s.to_string(), idx))
        .collect()
}

/// Fits the profiles `idx` (at most [`MAX_FITS`]) with the model every command fits by
/// default (`SharedModel::default()`); one entry per profile of the data set, `None`
/// where not fitted.
pub fn fit(profiles: &[Profile], idx: &[usize]) -> Vec<Option<FitResult>> {
    let model = SharedModel::default();
    let mut out = vec![None; profiles.len()];
    for &i in idx.iter().take(MAX_FITS) {
        out[i] = fit_profile(&*model, &profiles[i], &FitOptions::default()).ok();
    }
    out
}

/// The figure of one patient, built by the report library's own function (the one
/// `cartpk plot` and `cartpk run` call), so the harness exercises the product's code.
pub fn patient_plot(
    subject: &str,
    idx: &[usize],
    profiles: &[Profile],
    nca: &[Result<NcaResult, NcaError>],
    fits: &[Option<FitResult>],
) -> PatientPlot {
    let patient = cartpk_report::figures::Patient {
        subject,
        profiles: idx.to_vec(),
        file_name: String::new(),
    };
    let model = SharedModel::default();
    cartpk_report::figures::patient_plot(&patient, profiles, nca, &|_| true, &*model, &|i| {
        fits[i].as_ref()
    })
}

/// Renders a figure as PNG and as SVG; how many of the two were drawn.
pub fn render_both(plot: &PatientPlot) -> usize {
    let o = PlotOptions::default();
    [ImageFormat::Png, ImageFormat::Svg]
        .into_iter()
        .filter(|&f| render(plot, f, &o).is_ok())
        .count()
}

/// What one case did at each stage, when run in process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Profiles read.
    pub profiles: usize,
    /// Profiles analysed by NCA (default options).
    pub nca_ok: usize,
    /// Profiles fitted.
    pub fitted: usize,
    /// Figures drawn (PNG and SVG count one each).
    pub figures: usize,
}

/// Every stage on `bytes` in process (no isolation: a panic propagates to the caller).
pub fn run_all(bytes: &[u8], variant: u64) -> Trace {
    let options = ingest_options(bytes, variant);
    let _ = subjects(bytes, options.delimiter);
    let Some(data) = ingest(bytes, &options) else {
        return Trace::default();
    };
    let nca = nca(&data.profiles);
    let pts = patients(&data.profiles, MAX_PATIENTS);
    let idx: Vec<usize> = pts.iter().flat_map(|(_, i)| i.iter().copied()).collect();
    let fits = fit(&data.profiles, &idx);
    let mut figures = 0;
    for (s, i) in &pts {
        figures += render_both(&patient_plot(s, i, &data.profiles, &nca, &fits));
    }
    Trace {
        profiles: data.profiles.len(),
        nca_ok: nca.iter().filter(|r| r.is_ok()).count(),
        fitted: fits.iter().filter(|f| f.is_some()).count(),
        figures,
    }
}
