//! The start rule (PKNCA `impute`: start_conc0, start_predose, none), baseline samples and
//! above-range samples. Expected values are hand calculations, written out.

use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
use cartpk_nca::{nca_profile, AucMethod, NcaOptions, NcaWarning, StartImpute, StartNote};

fn profile(samples: Vec<Sample>) -> Profile {
    let key = ProfileKey {
        subject: "101-001".into(),
        matrix: Matrix::Blood,
        assay: Assay::Qpcr,
    };
    Profile::new(key, ConcUnit::CopiesPerUg, samples)
}

fn opts(start: StartImpute) -> NcaOptions {
    NcaOptions {
        auc_method: AucMethod::Linear,
        start,
        ..NcaOptions::default()
    }
}

/// Issue 9: without a day-0 sample, AUClast was NA while AUC0-28 took 0 at day 0. Under
/// start_conc0 both start from 0 at day 0; under none both are NA.
#[test]
fn one_rule_for_auclast_and_partial_aucs() {
    // Linear: 0-7: 7*1000/2 = 3500; 7-14: 7*1500 = 10500; 14-28: 14*1500 = 21000.
    let p = profile(vec![
        Sample::quantified(7.0, 1000.0),
        Sample::quantified(14.0, 2000.0),
        Sample::quantified(28.0, 1000.0),
    ]);
    let r = nca_profile(&p, &opts(StartImpute::Conc0), None).unwrap();
    assert_eq!(r.auclast, Some(35000.0));
    assert_eq!(r.auc_0_28(), Some(35000.0));
    assert_eq!(r.auc_start, StartImpute::Conc0);
    assert_eq!(r.auc_start_note, Some(StartNote::Conc0Added));
    assert!(r
        .warnings
        .contains(&NcaWarning::AucStart(StartNote::Conc0Added)));

    let r = nca_profile(&p, &opts(StartImpute::None), None).unwrap();
    assert_eq!(r.auclast, None);
    assert_eq!(r.auc_0_28(), None);
    assert_eq!(r.cmax, Some(2000.0));
}

/// start_conc0 replaces a positive day-0 value (PKNCA's documented behaviour); none keeps it.
#[test]
fn conc0_replaces_day0_background() {
    let p = profile(vec![
        Sample::quantified(0.0, 100.0),
        Sample::quantified(7.0, 1000.0),
        Sample::quantified(14.0, 500.0),
    ]);
    let r = nca_profile(&p, &opts(StartImpute::Conc0), None).unwrap();
    // 0-7: 3500; 7-14: 7 * 750 = 5250.
    assert_eq!(r.auclast, Some(8750.0));
    assert_eq!(
        r.auc_start_note,
        Some(StartNote::Conc0Replaced { was: 100.0 })
    );
    let r = nca_profile(&p, &opts(StartImpute::None), None).unwrap();
    // 0-7: 7 * 550 = 3850.
    assert_eq!(r.auclast, Some(3850.0 + 5250.0));
    assert_eq!(r.auc_start_note, None);
}

/// Baseline samples (negative time) are kept, never skip the profile, are not analysed
/// (PKNCA interval [0, Inf)), and are counted in a warning.
#[test]
fn baseline_samples_are_outside_the_analysis() {
    let with = profile(vec![
        Sample::blq(-6.0, Some(50.0)),
        Sample::quantified(-5.0, 80.0),
        Sample::blq(0.0, Some(50.0)),
        Sample::quantified(7.0, 1000.0),
        Sample::quantified(14.0, 500.0),
    ]);
    let without = profile(with.samples[2..].to_vec());
    let a = nca_profile(&with, &NcaOptions::default(), None).unwrap();
    let b = nca_profile(&without, &NcaOptions::default(), None).unwrap();
    assert_eq!(a.auclast, b.auclast);
    assert_eq!(a.cmax, b.cmax);
    assert_eq!(a.n_samples, 3);
    assert!(a.warnings.contains(&NcaWarning::BaselineSamples { n: 2 }));
}

/// start_predose moves the last baseline value to day 0 when it is within 5% of the span
/// to the last sample (here 0.05 * 28 = 1.4 days): day -1 qualifies, day -6 does not.
#[test]
fn predose_within_five_percent() {
    let near = profile(vec![
        Sample::quantified(-1.0, 40.0),
        Sample::quantified(7.0, 1000.0),
        Sample::quantified(28.0, 500.0),
    ]);
    let r = nca_profile(&near, &opts(StartImpute::Predose), None).unwrap();
    // 0-7: 7 * 520 = 3640; 7-28: 21 * 750 = 15750.
    assert_eq!(r.auclast, Some(3640.0 + 15750.0));
    assert_eq!(
        r.auc_start_note,
        Some(StartNote::Predose {
            from_time: -1.0,
            conc: 40.0
        })
    );
    let far = profile(vec![
        Sample::quantified(-6.0, 40.0),
        Sample::quantified(7.0, 1000.0),
        Sample::quantified(28.0, 500.0),
    ]);
    let r = nca_profile(&far, &opts(StartImpute::Predose), None).unwrap();
    assert_eq!(r.auclast, None);
}

/// An above-range sample counts at its limit and is flagged on the parameters it touches.
#[test]
fn above_uloq_counts_at_the_limit_and_is_flagged() {
    let p = profile(vec![
        Sample::blq(0.0, Some(50.0)),
        Sample::above_uloq(7.0, Some(1e6)),
        Sample::quantified(14.0, 5e5),
    ]);
    let r = nca_profile(&p, &opts(StartImpute::Conc0), None).unwrap();
    assert_eq!(r.cmax, Some(1e6));
    // 0-7: 3.5e6; 7-14: 7 * 7.5e5 = 5.25e6.
    assert_eq!(r.auclast, Some(3.5e6 + 5.25e6));
    let w = NcaWarning::AboveUloq {
        n: 1,
        n_no_limit: 0,
    };
    assert!(r.warnings.contains(&w));
    let flagged: Vec<_> = r
        .parameters()
        .into_iter()
        .filter(|v| w.concerns(v))
        .map(|v| v.parameter)
        .collect();
    assert!(flagged.contains(&cartpk_nca::Parameter::Cmax));
    assert!(flagged.contains(&cartpk_nca::Parameter::Auclast));
    // Without a limit the sample cannot count: left out, and said.
    let p = profile(vec![
        Sample::blq(0.0, Some(50.0)),
        Sample::above_uloq(7.0, None),
        Sample::quantified(14.0, 5e5),
    ]);
    let r = nca_profile(&p, &opts(StartImpute::Conc0), None).unwrap();
    assert_eq!(r.cmax, Some(5e5));
    assert!(r.warnings.contains(&NcaWarning::AboveUloq {
        n: 0,
        n_no_limit: 1
    }));
}
