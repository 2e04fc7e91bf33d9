//! The exposure metrics of the report, each with one name everywhere: PKNCA's name (as in
//! the columns of `nca_wide.csv`: `cmax`, `aucint.last.0-28`, `half.life`), the CDISC
//! `PPTESTCD`, the label of a study report (`Cmax`, `AUC0-28d`, `t1/2`) and the unit.

use crate::criteria::{aucinf_exclusions, half_life_exclusions, AcceptanceCriteria, Exclusion};
use cartpk_nca::{Interval, NcaResult, Parameter};

/// Dose normalisation: flat doses per 10^8 CAR+ cells; doses per kg per 10^6 cells/kg (the
/// usual labelled dose scale, e.g. 0.6-6 x 10^6 cells/kg).
pub fn dose_scale(dose_unit: &str) -> (f64, String) {
    if dose_unit.to_ascii_lowercase().contains("/kg") {
        (1e6, "10^6 cells/kg".to_string())
    } else {
        (1e8, "10^8 CAR+ cells".to_string())
    }
}

/// One metric of the summary tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Cmax.
    Cmax,
    /// Tmax (reported as median (min, max)).
    Tmax,
    /// A partial AUC (aucint.last).
    Auc(Interval),
    /// Clast (observed).
    Clast,
    /// Tlast (reported as median (min, max)).
    Tlast,
    /// Terminal half-life.
    HalfLife,
    /// AUCinf (observed).
    Aucinf,
    /// Cmax per dose.
    CmaxDn,
    /// A partial AUC per dose.
    AucDn(Interval),
}

impl Metric {
    /// The metrics of a rich profile, in report order, for the given partial-AUC intervals.
    pub fn full(intervals: &[Interval]) -> Vec<Metric> {
        let mut m = vec![Metric::Cmax, Metric::Tmax];
        m.extend(intervals.iter().map(|&i| Metric::Auc(i)));
        m.extend([
            Metric::Clast,
            Metric::Tlast,
            Metric::HalfLife,
            Metric::Aucinf,
            Metric::CmaxDn,
        ]);
        m.extend(intervals.iter().take(1).map(|&i| Metric::AucDn(i)));
        m
    }

    /// The PKNCA parameter behind it.
    pub fn parameter(self) -> Parameter {
        match self {
            Metric::Cmax => Parameter::Cmax,
            Metric::Tmax => Parameter::Tmax,
            Metric::Auc(_) => Parameter::AucintLast,
            Metric::Clast => Parameter::ClastObs,
            Metric::Tlast => Parameter::Tlast,
            Metric::HalfLife => Parameter::HalfLife,
            Metric::Aucinf => Parameter::AucinfObs,
            Metric::CmaxDn => Parameter::CmaxDn,
            Metric::AucDn(_) => Parameter::AucintLastDn,
        }
    }

    /// PKNCA's name, with the interval for partial AUCs (`aucint.last.0-28`), as the
    /// column names of `nca_wide.csv`.
    pub fn name(self) -> String {
        match self {
            Metric::Auc(i) | Metric::AucDn(i) => {
                format!("{}.{}", self.parameter().name(), i.label())
            }
            _ => self.parameter().name().to_string(),
        }
    }

    /// CDISC PPTESTCD.
    pub fn pptestcd(self) -> &'static str {
        self.parameter().pp_code()
    }

    /// The label of a study report.
    pub fn label(self) -> String {
        let days = |i: Interval| format!("{}-{}d", i.start, i.end);
        match self {
            Metric::Cmax => "Cmax".into(),
            Metric::Tmax => "Tmax".into(),
            Metric::Auc(i) => format!("AUC{}", days(i)),
            Metric::Clast => "Clast".into(),
            Metric::Tlast => "Tlast".into(),
            Metric::HalfLife => "t1/2".into(),
            Metric::Aucinf => "AUCinf,obs".into(),
            Metric::CmaxDn => "Cmax/dose".into(),
            Metric::AucDn(i) => format!("AUC{}/dose", days(i)),
        }
    }

    /// Whether the metric is a time, summarised as median (min, max).
    pub fn is_time(self) -> bool {
        matches!(self, Metric::Tmax | Metric::Tlast)
    }

    /// Whether it needs a dose.
    pub fn needs_dose(self) -> bool {
        matches!(self, Metric::CmaxDn | Metric::AucDn(_))
    }

    /// Its unit, from the concentration unit and the dose unit.
    pub fn unit(self, conc: &str, dose_unit: Option<&str>) -> String {
        match self {
            Metric::Cmax | Metric::Clast => conc.to_string(),
            Metric::Tmax | Metric::Tlast | Metric::HalfLife => "day".into(),
            Metric::Auc(_) | Metric::Aucinf => format!("day*{conc}"),
            Metric::CmaxDn => format!("{conc} per {}", dose_scale(dose_unit.unwrap_or("")).1),
            Metric::AucDn(_) => {
                format!("day*{conc} per {}", dose_scale(dose_unit.unwrap_or("")).1)
            }
        }
    }

    /// The value of a profile's result, in [`Metric::unit`].
    pub fn value(self, r: &NcaResult) -> Option<f64> {
        let per_dose = |v: Option<f64>| {
            let d = r.dose.as_ref()?;
            let (scale, _) = dose_scale(&d.unit);
            v.map(|v| v / d.amount * scale)
        };
        match self {
            Metric::Cmax => r.cmax,
            Metric::Tmax => r.tmax,
            Metric::Auc(i) => r.auc_over(i.start, i.end),
            Metric::Clast => r.clast_obs,
            Metric::Tlast => r.tlast,
            Metric::HalfLife => r.half_life(),
            Metric::Aucinf => r.aucinf_obs,
            Metric::CmaxDn => per_dose(r.cmax),
            Metric::AucDn(i) => per_dose(r.auc_over(i.start, i.end)),
        }
    }

    /// Why the value of `r` is left out of the summaries (empty: included).
    pub fn exclusions(self, r: &NcaResult, c: &AcceptanceCriteria) -> Vec<Exclusion> {
        match self {
            Metric::HalfLife => half_life_exclusions(r, c),
            Metric::Aucinf => aucinf_exclusions(r, c),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_per_metric() {
        let i = Interval {
            start: 0.0,
            end: 28.0,
        };
        // The same names as the columns of nca_wide.csv and PKNCA's PPTESTCD.
        assert_eq!(Metric::Auc(i).name(), "aucint.last.0-28");
        assert_eq!(Metric::Auc(i).pptestcd(), "AUCINT");
        assert_eq!(Metric::Auc(i).label(), "AUC0-28d");
        assert_eq!(Metric::HalfLife.name(), "half.life");
        assert_eq!(Metric::HalfLife.label(), "t1/2");
        assert_eq!(Metric::Clast.name(), "clast.obs");
        assert_eq!(
            Metric::CmaxDn.unit("copies/ug", Some("CAR+ cells")),
            "copies/ug per 10^8 CAR+ cells"
        );
        assert_eq!(dose_scale("cells/kg").0, 1e6);
    }
}
