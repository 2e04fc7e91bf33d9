//! The time axis of concentration-time figures.
//!
//! CAR-T expansion happens in the first weeks (Tmax is typically day 7-14) and the
//! persistence phase lasts months to years: on one linear 0-365 d axis days 0-28, where
//! Cmax and AUC0-28d live, take 7% of the width. When the follow-up goes beyond
//! [`SPLIT_AFTER_DAY`], a figure is therefore drawn as two panels sharing the
//! concentration axis: days 0-28 on the left (the expansion phase, [`EXPANSION_WIDTH`] of
//! the width) and the whole follow-up on the right, with the 0-28 d window shaded. Both are
//! linear in time, so a slope means the same thing everywhere in a panel (a log or
//! square-root time axis would bend the mono-exponential phases that readers judge by eye).

use crate::style::linear_range;

/// End of the expansion window, days (the AUC0-28d window).
pub const EXPANSION_END_DAY: f64 = 28.0;

/// Follow-up longer than this (days) gets the split 0-28 d / whole follow-up layout.
pub const SPLIT_AFTER_DAY: f64 = 56.0;

/// Share of the width given to the 0-28 d panel in the split layout.
pub const EXPANSION_WIDTH: f64 = 0.4;

/// Which part of the follow-up a panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePanel {
    /// Days 0-28 (left panel of the split layout).
    Expansion,
    /// The whole follow-up (right panel of the split layout).
    FollowUp,
    /// The whole follow-up, when it is short enough for one panel.
    Whole,
}

impl TimePanel {
    /// Title of the panel's time axis.
    pub fn axis_label(self) -> &'static str {
        match self {
            TimePanel::Expansion => "Days since infusion: 0-28 (expansion)",
            TimePanel::FollowUp => "Days since infusion: whole follow-up",
            TimePanel::Whole => "Days since infusion",
        }
    }
}

/// The panels and their time ranges for data from `t_lo` to `t_hi` days.
pub fn time_layout(t_lo: f64, t_hi: f64) -> Vec<(TimePanel, (f64, f64))> {
    let (lo, hi) = linear_range(t_lo, t_hi);
    if hi > SPLIT_AFTER_DAY {
        let early_hi = EXPANSION_END_DAY + 0.04 * (EXPANSION_END_DAY - lo.min(0.0));
        vec![
            (TimePanel::Expansion, (lo, early_hi)),
            (TimePanel::FollowUp, (lo, hi)),
        ]
    } else {
        vec![(TimePanel::Whole, (lo, hi))]
    }
}

/// Tick positions of a time axis from `lo` to `hi` days: multiples of a step a clinician
/// counts in (1, 2, 7, 14, 28, 56, 84, 168 days, then 1, 2, 5, 10... years), at most
/// `max_ticks` of them.
pub fn day_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let mut steps: Vec<f64> = vec![1.0, 2.0, 7.0, 14.0, 28.0, 56.0, 84.0, 168.0];
    let mut k = 365.0;
    while steps.len() < 80 {
        for m in [1.0, 2.0, 5.0] {
            steps.push(k * m);
        }
        k *= 10.0;
    }
    let max_ticks = max_ticks.max(2) as f64;
    let step = steps
        .into_iter()
        .find(|s| span / s < max_ticks)
        .unwrap_or(span);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// A linear day axis with ticks at [`day_ticks`]: plotters' own f64 axis picks 0, 5,
/// 10... and its `WithKeyPoints` cannot take a label formatter.
#[derive(Debug, Clone)]
pub struct DayAxis {
    range: (f64, f64),
    ticks: Vec<f64>,
}

impl DayAxis {
    /// From `lo` to `hi` days with at most `max_ticks` ticks.
    pub fn new(lo: f64, hi: f64, max_ticks: usize) -> DayAxis {
        DayAxis {
            range: (lo, hi),
            ticks: day_ticks(lo, hi, max_ticks),
        }
    }
}

impl plotters::coord::ranged1d::Ranged for DayAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let (lo, hi) = self.range;
        let f = (value - lo) / (hi - lo);
        limit.0 + (f * (limit.1 - limit.0) as f64).round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.0..self.range.1
    }
}

/// Splits `area` side by side for `n` time panels (1 or 2).
pub(crate) fn split_time<DB: plotters::prelude::DrawingBackend>(
    area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    n: usize,
) -> Vec<plotters::prelude::DrawingArea<DB, plotters::coord::Shift>> {
    if n < 2 {
        return vec![area.clone()];
    }
    let w = area.dim_in_pixel().0 as f64;
    let (a, b) = area.split_horizontally((w * EXPANSION_WIDTH).round() as u32);
    vec![a, b]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_and_ticks() {
        let l = time_layout(0.0, 365.0);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].0, TimePanel::Expansion);
        assert!((l[0].1 .1 - 29.12).abs() < 1e-9);
        assert_eq!(time_layout(0.0, 28.0).len(), 1);
        // Baseline samples before infusion stay on the axis.
        assert!(time_layout(-6.0, 365.0)[1].1 .0 < -6.0);
        assert_eq!(day_ticks(0.0, 29.12, 6), vec![0.0, 7.0, 14.0, 21.0, 28.0]);
        assert_eq!(
            day_ticks(0.0, 380.0, 8),
            vec![0.0, 56.0, 112.0, 168.0, 224.0, 280.0, 336.0]
        );
        assert_eq!(day_ticks(-6.24, 29.12, 6), vec![0.0, 7.0, 14.0, 21.0, 28.0]);
        assert_eq!(day_ticks(0.0, 1e6, 8).len(), 6);
        assert!(day_ticks(0.0, 1e16, 8).len() <= 8);
    }
}
