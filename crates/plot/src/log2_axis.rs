//! Ticks of a log2 axis (the exposure axis of the logistic exposure-response figures, whose
//! odds ratios are per doubling): at round numbers, 1, 2 and 5 times a power of ten, and
//! every label of an axis in one notation. Plotters' own ticks on a log2 range fall at
//! powers of two and, formatted one by one, mixed `65536` with `1.31e5` on the same axis.

use crate::style::{fmt_num, superscript};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use std::ops::Range;

/// A tick: its position (log2 of the value) and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Log2Tick {
    /// log2 of the value.
    pub at: f64,
    /// The value as the axis shows it.
    pub label: String,
}

/// Ticks of a log2 axis spanning `lo..hi` (in log2 units). 1, 2 and 5 times each power of
/// ten while that gives at most 8 ticks, powers of ten only on wider axes; when fewer than
/// two round numbers fall inside (a narrow axis), 5 evenly spaced ticks. Labels are plain
/// numbers when every tick lies in [0.01, 10^5), otherwise all in `m×10ⁿ` form.
pub fn log2_ticks(lo: f64, hi: f64) -> Vec<Log2Tick> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Vec::new();
    }
    let (vlo, vhi) = (lo.exp2(), hi.exp2());
    let decades = |mantissas: &[f64]| -> Vec<(f64, i32)> {
        let (d0, d1) = (vlo.log10().floor() as i32, vhi.log10().ceil() as i32);
        (d0..=d1)
            .flat_map(|d| mantissas.iter().map(move |&m| (m, d)))
            .filter(|&(m, d)| {
                let v = m * 10f64.powi(d);
                v >= vlo && v <= vhi
            })
            .collect()
    };
    let mut picked = decades(&[1.0, 2.0, 5.0]);
    if picked.len() > 8 {
        picked = decades(&[1.0]);
    }
    if picked.len() < 2 {
        // Too narrow for round numbers: evenly spaced, labelled to three figures.
        return (0..5)
            .map(|i| {
                let at = lo + (hi - lo) * (0.1 + 0.2 * f64::from(i));
                Log2Tick {
                    at,
                    label: crate::style::sig3(at.exp2()),
                }
            })
            .collect();
    }
    let plain = picked.iter().all(|&(m, d)| {
        let v = m * 10f64.powi(d);
        (0.01..1e5).contains(&v)
    });
    picked
        .into_iter()
        .map(|(m, d)| {
            let v = m * 10f64.powi(d);
            let label = if plain {
                fmt_num(v)
            } else if m == 1.0 {
                format!("10{}", superscript(d))
            } else {
                format!("{m:.0}×10{}", superscript(d))
            };
            Log2Tick {
                at: v.log2(),
                label,
            }
        })
        .collect()
}

/// A linear axis in log2 units whose grid lines and labels are [`log2_ticks`]. Its own
/// type because plotters' `with_key_points` on an `f64` range has no label formatter.
#[derive(Clone)]
pub struct Log2Axis {
    inner: RangedCoordf64,
    ticks: Vec<Log2Tick>,
}

impl Log2Axis {
    /// The axis over `range` (log2 units).
    pub fn new(range: Range<f64>) -> Log2Axis {
        Log2Axis {
            ticks: log2_ticks(range.start, range.end),
            inner: range.into(),
        }
    }

    /// The label of the tick nearest `at` (plotters asks with the positions it was given).
    pub fn label(&self, at: f64) -> String {
        self.ticks
            .iter()
            .min_by(|a, b| (a.at - at).abs().total_cmp(&(b.at - at).abs()))
            .map_or_else(String::new, |t| t.label.clone())
    }
}

impl Ranged for Log2Axis {
    type ValueType = f64;
    // Labels come from `label` through the chart's formatter, never from `Debug`.
    type FormatOption = DefaultFormatting;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // The ticks are the bold grid; no light lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.iter().map(|t| t.at).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(lo: f64, hi: f64) -> Vec<String> {
        log2_ticks(lo.log2(), hi.log2())
            .into_iter()
            .map(|t| t.label)
            .collect()
    }

    #[test]
    fn round_numbers_in_one_notation() {
        // Hand-worked: 1-2-5 values within 3,000..150,000 are 5000, 1e4, 2e4, 5e4, 1e5;
        // 1e5 is at the limit of plain notation, so the whole axis is scientific.
        assert_eq!(
            labels(3000.0, 150_000.0),
            ["5×10³", "10⁴", "2×10⁴", "5×10⁴", "10⁵"]
        );
        assert_eq!(labels(30.0, 900.0), ["50", "100", "200", "500"]);
        assert_eq!(labels(0.3, 3.0), ["0.5", "1", "2"]);
    }

    #[test]
    fn wide_axes_keep_powers_of_ten() {
        // 9 to 1.1e7: 1-2-5 would give 19 ticks; powers of ten give 7.
        assert_eq!(
            labels(9.0, 1.1e7),
            ["10¹", "10²", "10³", "10⁴", "10⁵", "10⁶", "10⁷"]
        );
    }

    #[test]
    fn ticks_sit_at_their_values() {
        for t in log2_ticks(3000f64.log2(), 150_000f64.log2()) {
            assert!(t.at >= 3000f64.log2() && t.at <= 150_000f64.log2());
        }
        let t = log2_ticks(30f64.log2(), 900f64.log2());
        assert!((t[1].at.exp2() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn narrow_axes_fall_back_to_even_spacing() {
        let t = log2_ticks(300f64.log2(), 400f64.log2());
        assert_eq!(t.len(), 5);
        assert_eq!(
            t[0].label,
            crate::style::sig3((300f64.log2() + 0.1 * (400f64 / 300.0).log2()).exp2())
        );
        assert!(log2_ticks(1.0, 1.0).is_empty());
        assert!(log2_ticks(f64::NAN, 1.0).is_empty());
    }
}
