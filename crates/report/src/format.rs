//! Numbers as a study report shows them: three significant figures, and one notation per
//! column (fixed when every value of the column lies in [0.01, 10^4), otherwise scientific
//! for the whole column, `2.25e5`), so that a column never mixes `25.7` and `2.25e5`.

/// The notation of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// `25.7`, `206`, `0.0123`.
    Fixed,
    /// `2.57e1`, `2.06e2`.
    Scientific,
}

/// The notation that shows every value of `values` in three significant figures.
pub fn notation(values: &[f64]) -> Notation {
    let fixed = values
        .iter()
        .filter(|v| v.is_finite() && **v != 0.0)
        .all(|v| (0.01..9999.5).contains(&v.abs()));
    if fixed {
        Notation::Fixed
    } else {
        Notation::Scientific
    }
}

/// `value` in three significant figures in notation `n`; `NA` when missing or not finite.
pub fn sig3(value: Option<f64>, n: Notation) -> String {
    let Some(x) = value.filter(|x| x.is_finite()) else {
        return "NA".to_string();
    };
    if x == 0.0 {
        return "0".to_string();
    }
    match n {
        Notation::Fixed => {
            let mag = x.abs().log10().floor() as i32;
            let decimals = (2 - mag).max(0) as usize;
            // Round to 3 significant figures first so that 1234 shows as 1230.
            let p = 10f64.powi(mag - 2);
            let r = (x / p).round() * p;
            format!("{r:.decimals$}")
        }
        Notation::Scientific => format!("{x:.2e}"),
    }
}

/// A whole column: its notation chosen from its values, then each formatted.
pub fn column(values: &[Option<f64>]) -> Vec<String> {
    let finite: Vec<f64> = values.iter().flatten().copied().collect();
    let n = notation(&finite);
    values.iter().map(|v| sig3(*v, n)).collect()
}

/// A percentage, three significant figures, fixed.
pub fn pct(value: Option<f64>) -> String {
    match value.filter(|x| x.is_finite()) {
        Some(x) if x.abs() >= 1e4 => format!("{x:.2e}%"),
        Some(x) => format!("{}%", sig3(Some(x), Notation::Fixed)),
        None => "NA".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_figures() {
        assert_eq!(sig3(Some(25.685), Notation::Fixed), "25.7");
        assert_eq!(sig3(Some(206.0), Notation::Fixed), "206");
        assert_eq!(sig3(Some(1234.0), Notation::Fixed), "1230");
        assert_eq!(sig3(Some(0.012345), Notation::Fixed), "0.0123");
        assert_eq!(sig3(Some(225200.0), Notation::Scientific), "2.25e5");
        assert_eq!(sig3(None, Notation::Fixed), "NA");
    }

    #[test]
    fn one_notation_per_column() {
        // The example column: 25.685, 206, 2.252e5 -> all scientific.
        let c = column(&[Some(25.685), Some(206.0), Some(2.252e5)]);
        assert_eq!(c, vec!["2.57e1", "2.06e2", "2.25e5"]);
        let c = column(&[Some(25.685), Some(206.0), None]);
        assert_eq!(c, vec!["25.7", "206", "NA"]);
    }
}

#[cfg(test)]
mod plot_agreement {
    use super::{notation, sig3};

    /// The figures' labels (`cartpk_plot::style::sig3`) follow the tables' rule: the same
    /// text for one value as a column of that value alone.
    #[test]
    fn figure_labels_match_the_tables() {
        for v in [
            64591.0, 40.588, 24000.0, 81.0, 9999.4, 9999.6, 0.0123, 0.00999, 1234.0, 3.83e5,
            -12.345, 0.0,
        ] {
            assert_eq!(
                cartpk_plot::style::sig3(v),
                sig3(Some(v), notation(&[v])),
                "value {v}"
            );
        }
    }
}
