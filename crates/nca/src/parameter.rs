//! The reported parameters: PKNCA names, CDISC PP test codes and units.

use crate::options::Interval;

/// What a parameter is measured in, resolved against a profile's units by
/// [`Parameter::unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// The profile's concentration unit, e.g. `copies/ug`.
    Conc,
    /// Days.
    Time,
    /// Concentration x day, e.g. `day*copies/ug`.
    Auc,
    /// 1/day.
    PerTime,
    /// Percent.
    Percent,
    /// A ratio or fraction without unit.
    Unitless,
    /// A count of samples.
    Count,
    /// Concentration per dose unit.
    ConcPerDose,
    /// AUC per dose unit.
    AucPerDose,
}

/// A reported NCA parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Parameter {
    /// Number of samples in the profile (any kind).
    NSamples,
    /// Number of quantifiable (positive, above LLOQ) samples.
    NQuant,
    /// Number of BLQ samples.
    NBlq,
    /// Largest observed concentration.
    Cmax,
    /// Time of Cmax (first, if tied).
    Tmax,
    /// Time of the first quantifiable sample.
    Tfirst,
    /// Time of the last quantifiable sample.
    Tlast,
    /// Last quantifiable concentration.
    ClastObs,
    /// AUC from 0 to Tlast.
    Auclast,
    /// AUC over an interval, no extrapolation after the last sample (`aucint.last`).
    AucintLast,
    /// Terminal rate constant.
    LambdaZ,
    /// R2 of the terminal fit.
    RSquared,
    /// Adjusted R2 of the terminal fit.
    AdjRSquared,
    /// Points in the terminal fit.
    LambdaZNPoints,
    /// First time in the terminal fit.
    LambdaZTimeFirst,
    /// Last time in the terminal fit.
    LambdaZTimeLast,
    /// Concentration predicted by the terminal fit at Tlast.
    ClastPred,
    /// Terminal half-life.
    HalfLife,
    /// Span of the terminal points in half-lives.
    SpanRatio,
    /// AUC to infinity from the observed Clast.
    AucinfObs,
    /// AUC to infinity from the predicted Clast.
    AucinfPred,
    /// Percentage of AUCinf,obs that is extrapolated.
    AucpextObs,
    /// Dose-normalised Cmax.
    CmaxDn,
    /// Dose-normalised AUClast.
    AuclastDn,
    /// Dose-normalised AUCinf,obs.
    AucinfObsDn,
    /// Dose-normalised partial AUC.
    AucintLastDn,
}

impl Parameter {
    /// Every parameter, in report order.
    pub const ALL: [Parameter; 26] = [
        Parameter::NSamples,
        Parameter::NQuant,
        Parameter::NBlq,
        Parameter::Cmax,
        Parameter::Tmax,
        Parameter::Tfirst,
        Parameter::Tlast,
        Parameter::ClastObs,
        Parameter::Auclast,
        Parameter::AucintLast,
        Parameter::LambdaZ,
        Parameter::RSquared,
        Parameter::AdjRSquared,
        Parameter::LambdaZNPoints,
        Parameter::LambdaZTimeFirst,
        Parameter::LambdaZTimeLast,
        Parameter::ClastPred,
        Parameter::HalfLife,
        Parameter::SpanRatio,
        Parameter::AucinfObs,
        Parameter::AucinfPred,
        Parameter::AucpextObs,
        Parameter::CmaxDn,
        Parameter::AuclastDn,
        Parameter::AucinfObsDn,
        Parameter::AucintLastDn,
    ];

    /// PKNCA's name of the parameter (`cmax`, `aucint.last`, `lambda.z`...).
    pub fn name(self) -> &'static str {
        match self {
            Parameter::NSamples => "n.samples",
            Parameter::NQuant => "n.quant",
            Parameter::NBlq => "n.blq",
            Parameter::Cmax => "cmax",
            Parameter::Tmax => "tmax",
            Parameter::Tfirst => "tfirst",
            Parameter::Tlast => "tlast",
            Parameter::ClastObs => "clast.obs",
            Parameter::Auclast => "auclast",
            Parameter::AucintLast => "aucint.last",
            Parameter::LambdaZ => "lambda.z",
            Parameter::RSquared => "r.squared",
            Parameter::AdjRSquared => "adj.r.squared",
            Parameter::LambdaZNPoints => "lambda.z.n.points",
            Parameter::LambdaZTimeFirst => "lambda.z.time.first",
            Parameter::LambdaZTimeLast => "lambda.z.time.last",
            Parameter::ClastPred => "clast.pred",
            Parameter::HalfLife => "half.life",
            Parameter::SpanRatio => "span.ratio",
            Parameter::AucinfObs => "aucinf.obs",
            Parameter::AucinfPred => "aucinf.pred",
            Parameter::AucpextObs => "aucpext.obs",
            Parameter::CmaxDn => "cmax.dn",
            Parameter::AuclastDn => "auclast.dn",
            Parameter::AucinfObsDn => "aucinf.obs.dn",
            Parameter::AucintLastDn => "aucint.last.dn",
        }
    }

    /// The CDISC SDTM PP test code (`PPTESTCD`), as PKNCA maps it; empty where CDISC has
    /// none (the sample counts).
    pub fn pp_code(self) -> &'static str {
        match self {
            Parameter::NSamples | Parameter::NQuant | Parameter::NBlq => "",
            Parameter::Cmax => "CMAX",
            Parameter::Tmax => "TMAX",
            Parameter::Tfirst => "TFIRST",
            Parameter::Tlast => "TLST",
            Parameter::ClastObs => "CLST",
            Parameter::Auclast => "AUCLST",
            Parameter::AucintLast => "AUCINT",
            Parameter::LambdaZ => "LAMZ",
            Parameter::RSquared => "R2",
            Parameter::AdjRSquared => "R2ADJ",
            Parameter::LambdaZNPoints => "LAMZNPT",
            Parameter::LambdaZTimeFirst => "LAMZLL",
            Parameter::LambdaZTimeLast => "LAMZUL",
            Parameter::ClastPred => "CLSTP",
            Parameter::HalfLife => "LAMZHL",
            Parameter::SpanRatio => "LAMZSPN",
            Parameter::AucinfObs => "AUCIFO",
            Parameter::AucinfPred => "AUCIFP",
            Parameter::AucpextObs => "AUCPEO",
            Parameter::CmaxDn => "CMAXD",
            Parameter::AuclastDn => "AUCLSTD",
            Parameter::AucinfObsDn => "AUCIFOD",
            Parameter::AucintLastDn => "AUCINTD",
        }
    }

    /// What the parameter is measured in.
    pub fn unit_kind(self) -> UnitKind {
        use Parameter::*;
        match self {
            NSamples | NQuant | NBlq | LambdaZNPoints => UnitKind::Count,
            Cmax | ClastObs | ClastPred => UnitKind::Conc,
            Tmax | Tfirst | Tlast | LambdaZTimeFirst | LambdaZTimeLast | HalfLife => UnitKind::Time,
            Auclast | AucintLast | AucinfObs | AucinfPred => UnitKind::Auc,
            LambdaZ => UnitKind::PerTime,
            RSquared | AdjRSquared | SpanRatio => UnitKind::Unitless,
            AucpextObs => UnitKind::Percent,
            CmaxDn => UnitKind::ConcPerDose,
            AuclastDn | AucinfObsDn | AucintLastDn => UnitKind::AucPerDose,
        }
    }

    /// The unit, given the profile's concentration unit and dose unit.
    pub fn unit(self, conc_unit: &str, dose_unit: &str) -> String {
        let per_dose = |u: String| {
            if dose_unit.is_empty() {
                format!("{u}/dose")
            } else {
                format!("{u}/{dose_unit}")
            }
        };
        match self.unit_kind() {
            UnitKind::Conc => conc_unit.to_string(),
            UnitKind::Time => "day".to_string(),
            UnitKind::Auc => format!("day*{conc_unit}"),
            UnitKind::PerTime => "1/day".to_string(),
            UnitKind::Percent => "%".to_string(),
            UnitKind::Unitless => "unitless".to_string(),
            UnitKind::Count => "count".to_string(),
            UnitKind::ConcPerDose => per_dose(conc_unit.to_string()),
            UnitKind::AucPerDose => per_dose(format!("day*{conc_unit}")),
        }
    }

    /// Whether the parameter is computed per partial-AUC interval.
    pub fn per_interval(self) -> bool {
        matches!(self, Parameter::AucintLast | Parameter::AucintLastDn)
    }

    /// Whether the parameter needs a dose.
    pub fn needs_dose(self) -> bool {
        matches!(
            self,
            Parameter::CmaxDn
                | Parameter::AuclastDn
                | Parameter::AucinfObsDn
                | Parameter::AucintLastDn
        )
    }
}

/// One reported value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ParameterValue {
    /// Which parameter.
    pub parameter: Parameter,
    /// The interval, for per-interval parameters.
    pub interval: Option<Interval>,
    /// The value; `None` is NA (not computable, see the warnings).
    pub value: Option<f64>,
}

impl ParameterValue {
    /// The column name used in wide tables: the PKNCA name, with the interval for partial
    /// AUCs (`aucint.last.0-28`), as in PKNCA's own wide output.
    pub fn column_name(&self) -> String {
        match self.interval {
            Some(iv) => format!("{}.{}", self.parameter.name(), iv.label()),
            None => self.parameter.name().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_declaration_order() {
        // Tables index per-parameter data by `parameter as usize`.
        for (i, p) in Parameter::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i, "{p:?}");
        }
    }

    #[test]
    fn units_by_hand() {
        assert_eq!(Parameter::AucintLast.unit("copies/ug", ""), "day*copies/ug");
        assert_eq!(Parameter::LambdaZ.unit("%", ""), "1/day");
        assert_eq!(
            Parameter::CmaxDn.unit("copies/ug", "cells"),
            "copies/ug/cells"
        );
        assert_eq!(Parameter::AuclastDn.unit("%", ""), "day*%/dose");
        assert_eq!(Parameter::HalfLife.pp_code(), "LAMZHL");
    }
}
