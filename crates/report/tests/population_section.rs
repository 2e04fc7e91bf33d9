//! The population part of `cartpk run` on the example cohort (data/seed_cohort.csv, 48
//! patients): blood qPCR (rich sampling, 48 subjects >= MIN_POPULATION_SUBJECTS) gets a
//! population fit, with its parameter table, shrinkage, individual estimates, VPC figure
//! and CSV files; blood flow (%CAR+) is not pooled, with a note saying why. A covariate
//! effect from the subjects file (response on Cmax) shows as a ratio with its CI: on this
//! cohort response was simulated from expansion (logit P(CR/CRi) = logit(0.708) +
//! ln(Cmax/24,000), cartpk_ck::simulate), so the non-responders' Cmax ratio is below 1.

use cartpk_core::ingest::{read_path, IngestOptions};
use cartpk_core::SubjectsTable;
use cartpk_report::{analyse, FigureKind, Settings};
use std::path::Path;

#[test]
fn run_report_has_the_population_section_for_large_rich_cohorts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = read_path(
        &root.join("data/seed_cohort.csv"),
        &IngestOptions::default(),
    )
    .unwrap();
    let subjects = SubjectsTable::read(&root.join("data/seed_cohort_subjects.csv"), b',').unwrap();
    let mut settings = Settings::default();
    settings.population.covariates = vec!["cmax~response".parse().unwrap()];
    // Fewer VPC replicates keep the debug test quick; the figure and tables are the same.
    settings.population.options.vpc.replicates = 100;
    let report = analyse(&data, Some(&subjects), &settings);

    assert_eq!(report.population.len(), 1, "blood qPCR only");
    let p = &report.population[0];
    assert_eq!(
        (p.tables.key.matrix.as_str(), p.tables.key.assay.as_str()),
        ("blood", "qpcr")
    );
    assert_eq!(p.tables.n_subjects, 48);
    let effect = p
        .tables
        .parameters
        .iter()
        .find(|r| r.kind == "covariate")
        .expect("the covariate row");
    assert_eq!(effect.parameter, "beta_cmax_response_NR");
    assert!(effect.ratio.unwrap() < 1.0 && effect.ci95_high.is_some());
    assert!(report
        .warnings
        .iter()
        .any(|w| w.kind == "population_not_fitted" && w.message.contains("blood flow")));

    let vpc = report
        .figures
        .iter()
        .find(|f| f.kind == FigureKind::PopulationVpc)
        .expect("the VPC figure");
    assert_eq!(vpc.path, "plots/vpc_blood_qpcr.png");
    assert_eq!(&vpc.bytes[1..4], b"PNG");

    let files = report.files().unwrap();
    let file = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_else(|| panic!("{name} written"))
    };
    let html = file("report.html");
    assert!(html.contains("Population model (SAEM)"));
    assert!(html.contains("blood qPCR: population parameters"));
    assert!(html.contains("blood qPCR: shrinkage"));
    assert!(html.contains("vpc_blood_qpcr.png"));
    let params = file("population_parameters.csv");
    assert!(params.starts_with("matrix,assay,conc_unit,parameter,kind"));
    assert_eq!(
        params.lines().count(),
        1 + 6 + 1 + 1,
        "6 typical, 1 covariate, sigma"
    );
    assert_eq!(file("population_individual.csv").lines().count(), 1 + 48);
    assert!(file("population_vpc.csv").contains(",blq,"));
}
