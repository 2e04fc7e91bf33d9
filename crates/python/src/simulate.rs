//! `cartpk.simulate`: the cohort of `cartpk simulate` as columns. The sampling arms are
//! those of the command line's `--matrices` (crates/cli/src/flags/hiargs.rs); the tests
//! compare this cohort with the CLI's file.

use cartpk_ck::simulate::{
    simulate_trial, CohortSpec, SamplingArm, SimulatedTrial, TrialSampling, Typical,
    SEED_TRIAL_DAYS,
};
use cartpk_printer::frame::{Column, Frame, TextColumn};

/// The command line's options of `cartpk simulate`.
pub struct SimulateOptions {
    /// `--n-subjects`.
    pub n_subjects: usize,
    /// `--seed`.
    pub seed: u64,
    /// `--sigma`.
    pub sigma: f64,
    /// `--variability`.
    pub variability: f64,
    /// `--lloq` (qPCR, copies/ug).
    pub lloq: f64,
    /// `--matrices`.
    pub matrices: String,
    /// `--dose` (CAR+ cells).
    pub dose: f64,
    /// `--prefix`.
    pub prefix: String,
    /// `--full-schedule`.
    pub full_schedule: bool,
}

/// The cohort specification, checked as the CLI checks its flags.
pub fn spec(o: &SimulateOptions) -> Result<CohortSpec, String> {
    if o.n_subjects == 0 {
        return Err("n_subjects: expected at least 1".into());
    }
    if !(o.sigma >= 0.0 && o.sigma.is_finite()) {
        return Err(format!("sigma: expected a number >= 0, found {}", o.sigma));
    }
    if !(o.variability >= 0.0 && o.variability.is_finite()) {
        return Err(format!(
            "variability: expected a number >= 0, found {}",
            o.variability
        ));
    }
    if !(o.lloq > 0.0 && o.lloq.is_finite()) {
        return Err(format!("lloq: expected a number > 0, found {}", o.lloq));
    }
    if !(o.dose > 0.0 && o.dose.is_finite()) {
        return Err(format!(
            "dose: expected a number of CAR+ cells > 0, found {}",
            o.dose
        ));
    }
    let mut spec = CohortSpec::published(o.n_subjects, o.seed);
    spec.sigma = o.sigma;
    spec.subject_prefix = o.prefix.clone();
    let w = spec.omega2;
    let f = o.variability;
    spec.omega2 = Typical {
        cmax: w.cmax * f,
        foldx: w.foldx * f,
        tmax: w.tmax * f,
        alpha: w.alpha * f,
        beta: w.beta * f,
        fb: w.fb * f,
    };
    let arm = |matrix: &str, times: Vec<f64>, scale: f64, availability: f64| SamplingArm {
        matrix: matrix.to_string(),
        assay: "qpcr".to_string(),
        unit: "copies/ug".to_string(),
        times,
        lloq: o.lloq,
        scale,
        availability,
        max_value: None,
    };
    spec.arms.clear();
    for m in o
        .matrices
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        spec.arms.push(match m.to_ascii_lowercase().as_str() {
            "blood" => arm("blood", SEED_TRIAL_DAYS.to_vec(), 1.0, 1.0),
            "flow" => SamplingArm {
                assay: "flow".to_string(),
                unit: "%".to_string(),
                lloq: 0.1,
                max_value: Some(100.0),
                ..arm("blood", SEED_TRIAL_DAYS.to_vec(), 1e-3, 1.0)
            },
            "marrow" => arm("marrow", vec![28.0, 84.0, 168.0], 0.5, 1.0),
            "csf" => arm("csf", vec![28.0], 0.1, 0.6),
            other => {
                return Err(format!(
                    "matrices: unknown matrix '{other}'; expected blood, flow, marrow or csf"
                ))
            }
        });
    }
    if spec.arms.is_empty() {
        return Err("matrices: expected at least one of blood, flow, marrow, csf".into());
    }
    Ok(spec)
}

/// `v` rounded to 6 significant digits, as `cartpk simulate` writes values.
fn sig6(v: f64) -> f64 {
    format!("{v:.5e}").parse().unwrap_or(v)
}

fn text(name: &str, f: &mut Frame, values: impl Iterator<Item = impl AsRef<str>>) {
    let mut c = TextColumn::default();
    for v in values {
        c.push(v.as_ref());
    }
    f.names.push(name.into());
    f.columns.push(c.finish());
}

fn nums(name: &str, f: &mut Frame, values: impl Iterator<Item = f64>) {
    f.names.push(name.into());
    f.columns.push(Column::Num(values.collect()));
}

/// `(data, params, subjects)`: the input-format table (a BLQ value is NaN with its
/// `lloq`, which reads as BLQ), every subject's true parameters and the subjects table.
pub fn cohort(
    spec: &CohortSpec,
    dose_cells: f64,
    sampling: TrialSampling,
) -> (Frame, Frame, Frame) {
    let SimulatedTrial {
        cohort,
        covariates: cov,
        outcomes: out,
    } = simulate_trial(spec, dose_cells, sampling);
    let rows: Vec<_> = cohort.iter().flat_map(|s| &s.rows).collect();
    let mut data = Frame::default();
    text("subject", &mut data, rows.iter().map(|r| &r.subject));
    text("matrix", &mut data, rows.iter().map(|r| &r.matrix));
    text("assay", &mut data, rows.iter().map(|r| &r.assay));
    nums("time", &mut data, rows.iter().map(|r| r.time));
    nums(
        "value",
        &mut data,
        rows.iter().map(|r| r.value.map_or(f64::NAN, sig6)),
    );
    text("unit", &mut data, rows.iter().map(|r| &r.unit));
    nums("lloq", &mut data, rows.iter().map(|r| r.lloq));

    let mut params = Frame::default();
    text("subject", &mut params, cohort.iter().map(|s| &s.subject));
    for (name, get) in [
        (
            "cmax [copies/ug]",
            (|p| p.cmax) as fn(&cartpk_ck::SteinParams) -> f64,
        ),
        ("tmax [day]", |p| p.tmax),
        ("rho [1/day]", |p| p.rho),
        ("alpha [1/day]", |p| p.alpha),
        ("beta [1/day]", |p| p.beta),
        ("fb [fraction]", |p| p.fb),
    ] {
        nums(name, &mut params, cohort.iter().map(|s| get(&s.params)));
    }

    let mut subjects = Frame::default();
    text("subject", &mut subjects, cov.iter().map(|c| &c.subject));
    nums("dose", &mut subjects, cov.iter().map(|c| c.dose_cells));
    text("dose_unit", &mut subjects, cov.iter().map(|_| "CAR+ cells"));
    nums(
        "weight_kg",
        &mut subjects,
        cov.iter().map(|c| (c.weight_kg * 10.0).round() / 10.0),
    );
    nums(
        "age_years",
        &mut subjects,
        cov.iter().map(|c| c.age_years.round()),
    );
    text("response", &mut subjects, cov.iter().map(|c| &c.response));
    nums(
        "crs_grade",
        &mut subjects,
        cov.iter().map(|c| f64::from(c.crs_grade)),
    );
    let flag = |b: bool| f64::from(u8::from(b));
    nums("os_time", &mut subjects, out.iter().map(|o| o.os_time));
    nums(
        "os_event",
        &mut subjects,
        out.iter().map(|o| flag(o.os_event)),
    );
    nums(
        "rfs_time",
        &mut subjects,
        out.iter().map(|o| o.rfs_time.unwrap_or(f64::NAN)),
    );
    nums(
        "rfs_event",
        &mut subjects,
        out.iter().map(|o| o.rfs_event.map_or(f64::NAN, flag)),
    );
    nums("efs_time", &mut subjects, out.iter().map(|o| o.efs_time));
    nums(
        "efs_event",
        &mut subjects,
        out.iter().map(|o| flag(o.efs_event)),
    );
    nums(
        "icans_grade",
        &mut subjects,
        out.iter().map(|o| f64::from(o.icans_grade)),
    );
    (data, params, subjects)
}
