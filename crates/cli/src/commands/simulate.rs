//! `cartpk simulate`: a virtual cohort to a CSV in the input format, and the true
//! parameters beside it.

use super::Outcome;
use crate::flags::hiargs::SimulateConfig;
use crate::output::atomic::write_atomic;
use anyhow::{Context, Result};
use cartpk_ck::simulate::{simulate_trial, SimulatedTrial};
use cartpk_printer::fields::{push_num, push_record, push_text};

/// Writes the cohort.
pub fn run(config: &SimulateConfig) -> Result<Outcome> {
    // By default no sample after a subject's death or last contact: see `simulate_trial`.
    let SimulatedTrial {
        cohort,
        covariates,
        outcomes,
    } = simulate_trial(&config.spec, config.dose_cells, config.sampling);
    let mut data = Vec::new();
    push_record(
        &mut data,
        &[
            "subject", "matrix", "assay", "time", "value", "unit", "lloq",
        ],
    );
    let mut params = Vec::new();
    push_record(
        &mut params,
        &[
            "subject",
            "cmax [copies/ug]",
            "tmax [day]",
            "rho [1/day]",
            "alpha [1/day]",
            "beta [1/day]",
            "fb [fraction]",
        ],
    );
    for s in &cohort {
        for r in &s.rows {
            for f in [&r.subject, &r.matrix, &r.assay] {
                push_text(&mut data, f);
                data.push(b',');
            }
            push_num(&mut data, Some(r.time));
            data.push(b',');
            match r.value {
                // Six significant digits, as assay exports report.
                Some(v) => data.extend_from_slice(format_sig(v).as_bytes()),
                None => {
                    data.push(b'<');
                    push_num(&mut data, Some(r.lloq));
                }
            }
            data.push(b',');
            push_text(&mut data, &r.unit);
            data.push(b',');
            push_num(&mut data, Some(r.lloq));
            data.push(b'\n');
        }
        let p = s.params;
        push_text(&mut params, &s.subject);
        for v in [p.cmax, p.tmax, p.rho, p.alpha, p.beta, p.fb] {
            params.push(b',');
            push_num(&mut params, Some(v));
        }
        params.push(b'\n');
    }
    if let Some(dir) = config.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the output directory", dir.display()))?;
    }
    write_atomic(&config.out, &data)?;
    let stem = config
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let params_path = config.out.with_file_name(format!("{stem}_params.csv"));
    write_atomic(&params_path, &params)?;
    let mut subjects = Vec::new();
    push_record(
        &mut subjects,
        &[
            "subject",
            "dose",
            "dose_unit",
            "weight_kg",
            "age_years",
            "response",
            "crs_grade",
            // Simulated outcomes (days from infusion), appended so that the columns above
            // keep their values: see `simulate_outcomes`.
            "os_time",
            "os_event",
            "rfs_time",
            "rfs_event",
            "efs_time",
            "efs_event",
            "icans_grade",
        ],
    );
    for (c, o) in covariates.iter().zip(&outcomes) {
        push_text(&mut subjects, &c.subject);
        subjects.push(b',');
        push_num(&mut subjects, Some(c.dose_cells));
        subjects.extend_from_slice(b",CAR+ cells,");
        push_num(&mut subjects, Some((c.weight_kg * 10.0).round() / 10.0));
        subjects.push(b',');
        push_num(&mut subjects, Some(c.age_years.round()));
        subjects.push(b',');
        push_text(&mut subjects, &c.response);
        subjects.push(b',');
        push_num(&mut subjects, Some(f64::from(c.crs_grade)));
        let flag = |b: bool| Some(f64::from(u8::from(b)));
        for v in [
            Some(o.os_time),
            flag(o.os_event),
            o.rfs_time,
            o.rfs_event.and_then(flag),
            Some(o.efs_time),
            flag(o.efs_event),
            Some(f64::from(o.icans_grade)),
        ] {
            subjects.push(b',');
            // An outcome that does not apply (RFS of a non-responder) is an empty cell.
            if v.is_some() {
                push_num(&mut subjects, v);
            }
        }
        subjects.push(b'\n');
    }
    let subjects_path = config.out.with_file_name(format!("{stem}_subjects.csv"));
    write_atomic(&subjects_path, &subjects)?;
    if !config.quiet {
        eprintln!(
        "cartpk simulate: {} subjects, {} rows (seed {}) to {}; true parameters to {}; subjects to {}",
        cohort.len(),
        cohort.iter().map(|s| s.rows.len()).sum::<usize>(),
        config.spec.seed,
        config.out.display(),
        params_path.display(),
        subjects_path.display()
    );
    }
    Ok(Outcome::Complete)
}

/// `v` rounded to 6 significant digits, written without exponent noise.
fn format_sig(v: f64) -> String {
    let s = format!("{v:.5e}");
    s.parse::<f64>().map(|x| x.to_string()).unwrap_or(s)
}
