//! Covariate effects as a user states them (`cmax~response`, `cmax~dose_per_kg:power`) and
//! their values from a subjects file: what `cartpk fit --population --covariate` and
//! `cartpk run` turn into [`CovariateStatement`]s and [`PopulationSubject::covariates`].
//!
//! Grammar: `PARAMETER~COLUMN[:FORM[=REFERENCE]]`, FORM `categorical` (the default) or
//! `power`.
//! - Categorical: one indicator per level other than the reference; the reference is the
//!   level with the most subjects (Monolix's default; ties: the first in sorted order) or
//!   the one given (`cmax~response:categorical=NR`).
//! - Power: x = ln(value / reference), psi ~ (value / reference)^beta; the reference is the
//!   median of the subjects' values or the one given (`cl~weight_kg:power=70`).

use super::data::{CovariateValue, PopulationSubject};
use super::statement::{CovariateKind, CovariateStatement, PopulationModel, Variability};
use super::PopulationError;
use cartpk_core::SubjectsTable;
use std::collections::BTreeMap;

/// The form of a covariate effect and its optional reference.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum CovariateForm {
    /// Categorical; `None`: the most frequent level.
    Categorical {
        /// Reference level.
        reference: Option<String>,
    },
    /// Power; `None`: the median.
    Power {
        /// Reference value.
        reference: Option<f64>,
    },
}

/// One covariate effect as written by the user.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CovariateSpec {
    /// The parameter (`cmax`).
    pub parameter: String,
    /// The subjects file's column.
    pub column: String,
    /// Categorical or power.
    pub form: CovariateForm,
}

impl std::str::FromStr for CovariateSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let expected = "expected PARAMETER~COLUMN[:categorical[=LEVEL]|:power[=REFERENCE]], e.g. cmax~response or cmax~dose_per_kg:power";
        let (parameter, rest) = s
            .split_once('~')
            .ok_or_else(|| format!("'{s}': no '~'; {expected}"))?;
        let (column, form) = match rest.split_once(':') {
            Some((c, f)) => (c, Some(f)),
            None => (rest, None),
        };
        let (parameter, column) = (parameter.trim(), column.trim());
        if parameter.is_empty() || column.is_empty() {
            return Err(format!("'{s}': empty parameter or column; {expected}"));
        }
        let form = match form.map(|f| {
            let (name, reference) = match f.split_once('=') {
                Some((n, r)) => (n.trim(), Some(r.trim())),
                None => (f.trim(), None),
            };
            (name.to_ascii_lowercase(), reference)
        }) {
            None => CovariateForm::Categorical { reference: None },
            Some((name, reference)) if name == "categorical" => CovariateForm::Categorical {
                reference: reference.map(str::to_string),
            },
            Some((name, reference)) if name == "power" => CovariateForm::Power {
                reference: match reference {
                    None => None,
                    Some(r) => Some(
                        r.parse::<f64>()
                            .ok()
                            .filter(|v| *v > 0.0 && v.is_finite())
                            .ok_or_else(|| {
                                format!("'{s}': power reference '{r}' is not a number > 0")
                            })?,
                    ),
                },
            },
            Some((name, _)) => {
                return Err(format!(
                    "'{s}': unknown form '{name}' (categorical or power); {expected}"
                ))
            }
        };
        Ok(CovariateSpec {
            parameter: parameter.to_string(),
            column: column.to_string(),
            form,
        })
    }
}

/// Each subject's covariate values by column name, keyed by subject.
pub type SubjectCovariates = BTreeMap<String, BTreeMap<String, CovariateValue>>;

/// The covariate statements and per-subject values of `specs`, from `table` for the
/// subjects `ids` (those the fit will use). Errors name the file and column: a parameter
/// that is not in the model (or has no random effect), a column not in the file, a
/// categorical column with one level only among these subjects, a power covariate with a
/// value that is not a number > 0. Subjects without a row or with an empty cell get no
/// value (the fit leaves them out with a warning naming them).
pub fn resolve_covariates(
    model: &PopulationModel,
    specs: &[CovariateSpec],
    table: &SubjectsTable,
    ids: &[&str],
) -> Result<(Vec<CovariateStatement>, SubjectCovariates), PopulationError> {
    let mut statements = Vec::new();
    let mut values: SubjectCovariates = BTreeMap::new();
    let err = |m: String| PopulationError::Statement(m);
    for spec in specs {
        let k = model.index(&spec.parameter).ok_or_else(|| {
            err(format!(
                "covariate {}~{}: no parameter '{}' in the model (parameters: {})",
                spec.parameter,
                spec.column,
                spec.parameter,
                model
                    .parameters
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let param = &model.parameters[k];
        if param.variability != Variability::RandomEffect {
            return Err(err(format!(
                "covariate {}~{}: {} has no random effect; covariate effects need one",
                spec.parameter, spec.column, param.name
            )));
        }
        let col = table.column(&spec.column).ok_or_else(|| {
            err(format!(
                "{}: no column '{}' for covariate {}~{}; the header has: {}",
                table.file,
                spec.column,
                spec.parameter,
                spec.column,
                table.header.join(", ")
            ))
        })?;
        let name = table.header[col].clone();
        let cells: Vec<(&str, &str)> = ids
            .iter()
            .filter_map(|id| table.get(id, col).map(|v| (*id, v)))
            .collect();
        match &spec.form {
            CovariateForm::Categorical { reference } => {
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for (_, v) in &cells {
                    *counts.entry(v).or_default() += 1;
                }
                if counts.len() < 2 {
                    return Err(err(format!(
                        "{}: column '{name}' has {} level(s) among the {} subjects fitted ({}); a categorical effect needs two",
                        table.file,
                        counts.len(),
                        ids.len(),
                        counts.keys().copied().collect::<Vec<_>>().join(", ")
                    )));
                }
                let reference = match reference {
                    Some(r) => {
                        if !counts.contains_key(r.as_str()) {
                            return Err(err(format!(
                                "{}: column '{name}' has no level '{r}' among the subjects fitted (levels: {})",
                                table.file,
                                counts.keys().copied().collect::<Vec<_>>().join(", ")
                            )));
                        }
                        r.clone()
                    }
                    // Most subjects; ties to the first in sorted order (BTreeMap order).
                    None => counts
                        .iter()
                        .fold(
                            ("", 0),
                            |best, (l, n)| if *n > best.1 { (l, *n) } else { best },
                        )
                        .0
                        .to_string(),
                };
                for level in counts.keys().filter(|l| **l != reference) {
                    statements.push(CovariateStatement {
                        parameter: param.name,
                        covariate: name.clone(),
                        kind: CovariateKind::Categorical {
                            level: (*level).to_string(),
                        },
                    });
                }
                for (id, v) in &cells {
                    values
                        .entry((*id).to_string())
                        .or_default()
                        .insert(name.clone(), CovariateValue::Level((*v).to_string()));
                }
            }
            CovariateForm::Power { reference } => {
                let mut numbers = Vec::with_capacity(cells.len());
                for (id, v) in &cells {
                    match v.parse::<f64>() {
                        Ok(x) if x > 0.0 && x.is_finite() => numbers.push((*id, x)),
                        _ => {
                            return Err(err(format!(
                                "{}: column '{name}', subject {id}: '{v}' is not a number > 0 (a power covariate needs one)",
                                table.file
                            )))
                        }
                    }
                }
                if numbers.is_empty() {
                    return Err(err(format!(
                        "{}: column '{name}' has no value for the subjects fitted",
                        table.file
                    )));
                }
                let reference = match reference {
                    Some(r) => *r,
                    None => {
                        let mut v: Vec<f64> = numbers.iter().map(|(_, x)| *x).collect();
                        v.sort_by(f64::total_cmp);
                        let n = v.len();
                        if n % 2 == 1 {
                            v[n / 2]
                        } else {
                            0.5 * (v[n / 2 - 1] + v[n / 2])
                        }
                    }
                };
                statements.push(CovariateStatement {
                    parameter: param.name,
                    covariate: name.clone(),
                    kind: CovariateKind::Power { reference },
                });
                for (id, x) in numbers {
                    values
                        .entry(id.to_string())
                        .or_default()
                        .insert(name.clone(), CovariateValue::Number(x));
                }
            }
        }
    }
    Ok((statements, values))
}

/// Copies each subject's resolved covariate values into it.
pub fn attach_covariates(subjects: &mut [PopulationSubject], values: &SubjectCovariates) {
    for s in subjects {
        if let Some(v) = values.get(&s.id) {
            s.covariates
                .extend(v.iter().map(|(k, x)| (k.clone(), x.clone())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> SubjectsTable {
        SubjectsTable::from_bytes(
            "subjects.csv",
            b"subject,response,weight_kg\nA,CR,70\nB,NR,80\nC,CR,60\nD,,90\n",
            b',',
        )
        .expect("valid table")
    }

    #[test]
    fn parses_the_forms() {
        let s: CovariateSpec = "cmax~response".parse().expect("valid");
        assert_eq!(s.form, CovariateForm::Categorical { reference: None });
        let s: CovariateSpec = "cmax~response:categorical=NR".parse().expect("valid");
        assert_eq!(
            s.form,
            CovariateForm::Categorical {
                reference: Some("NR".into())
            }
        );
        let s: CovariateSpec = "cmax~dose_per_kg:power".parse().expect("valid");
        assert_eq!(s.form, CovariateForm::Power { reference: None });
        let s: CovariateSpec = "cmax~weight_kg:power=70".parse().expect("valid");
        assert_eq!(
            s.form,
            CovariateForm::Power {
                reference: Some(70.0)
            }
        );
        assert!("cmax".parse::<CovariateSpec>().is_err());
        assert!("cmax~w:linear".parse::<CovariateSpec>().is_err());
        assert!("cmax~w:power=-1".parse::<CovariateSpec>().is_err());
    }

    #[test]
    fn resolves_levels_and_power_references_from_the_table() {
        let model = PopulationModel::stein2019();
        let specs: Vec<CovariateSpec> = vec![
            "cmax~response".parse().expect("valid"),
            "alpha~weight_kg:power".parse().expect("valid"),
        ];
        let (st, values) =
            resolve_covariates(&model, &specs, &table(), &["A", "B", "C", "D"]).expect("resolves");
        // Reference CR (2 subjects against 1): one indicator for NR.
        assert_eq!(
            st[0].kind,
            CovariateKind::Categorical { level: "NR".into() }
        );
        // Median of 70, 80, 60, 90 = 75.
        assert_eq!(st[1].kind, CovariateKind::Power { reference: 75.0 });
        assert_eq!(values["B"]["response"], CovariateValue::Level("NR".into()));
        assert!(
            !values["D"].contains_key("response"),
            "empty cell: no value"
        );
        let mut subjects = vec![PopulationSubject::new("A", vec![])];
        attach_covariates(&mut subjects, &values);
        assert_eq!(
            subjects[0].covariates["weight_kg"],
            CovariateValue::Number(70.0)
        );
    }

    #[test]
    fn errors_name_the_file_and_column() {
        let model = PopulationModel::stein2019();
        let e = |spec: &str| {
            resolve_covariates(
                &model,
                &[spec.parse().expect("valid")],
                &table(),
                &["A", "B", "C"],
            )
            .expect_err("an error")
            .to_string()
        };
        let m = e("cmax~dose_per_kg:power");
        assert!(
            m.contains("subjects.csv") && m.contains("dose_per_kg"),
            "{m}"
        );
        let m = e("cmax~response:power");
        assert!(m.contains("'response'") && m.contains("'CR'"), "{m}");
        let m = e("clearance~response");
        assert!(m.contains("no parameter 'clearance'"), "{m}");
        let m = resolve_covariates(
            &model,
            &["cmax~response".parse().expect("valid")],
            &table(),
            &["A", "C"],
        )
        .expect_err("one level")
        .to_string();
        assert!(m.contains("1 level"), "{m}");
    }
}
