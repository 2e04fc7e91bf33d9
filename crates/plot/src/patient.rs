//! The per-patient figure.
//!
//! One row of panels per unit (qPCR copies/µg gDNA, flow %CAR+...), concentrations on a
//! log10 axis (%CAR+ capped at 100), time as days 0-28 beside the whole follow-up
//! ([`crate::time_axis`]). One colour per matrix x assay and one marker shape per matrix;
//! BLQ samples as open markers at their LLOQ; the LLOQ dashed; the fitted model curve when
//! given; Cmax ringed and labelled once per rich profile ([`PatientSeries::mark_cmax`]).

use crate::render::{say, start, Figure, PlotError, PlotOptions};
use crate::style::{
    clip_polyline, colour, dashed_legend, draw_markers, drawable_value, fmt_num, log_range_for,
    log_tick, on_time_axis, series_label, sig3, unit_axis_label, why_not_drawn, Marker,
};
use crate::time_axis::{split_time, time_layout, DayAxis, TimePanel, EXPANSION_END_DAY};
use cartpk_core::{Assay, ConcUnit, Matrix, Profile, SampleValue};
use cartpk_nca::NcaResult;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One plotted observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesPoint {
    /// Days since infusion.
    pub time: f64,
    /// Value (for BLQ: the LLOQ, where it is drawn), concentration unit.
    pub value: f64,
    /// Whether the sample is BLQ (drawn as an open marker).
    pub blq: bool,
}

/// Quantified samples within days 0-28 that make a profile rich enough to mark its Cmax
/// (the default of [`PatientSeries::mark_cmax`]): a peak needs samples on both sides of
/// it during expansion. Blood in CAR-T trials is sampled 6-10 times in the first 28 days;
/// marrow and CSF a few times over months (e.g. days 28, 84, 168), where the largest
/// sample is just the first visit, not a peak.
pub const RICH_MIN_QUANTIFIED_0_28: usize = 3;

/// Whether `points` sample the expansion phase richly enough to mark a Cmax
/// ([`RICH_MIN_QUANTIFIED_0_28`] quantified samples within days 0-28).
pub fn is_rich(points: &[SeriesPoint]) -> bool {
    points
        .iter()
        .filter(|p| !p.blq && (0.0..=EXPANSION_END_DAY).contains(&p.time))
        .count()
        >= RICH_MIN_QUANTIFIED_0_28
}

/// Times (days) at which to evaluate a fitted curve from `t_start` to `t_end` so that it
/// draws smooth at any size: every 0.05 day up to day 28 (expansion and the peak, where
/// the curve bends sharply), then 400 steps to `t_end`.
pub fn curve_times(t_start: f64, t_end: f64) -> Vec<f64> {
    if !(t_start.is_finite() && t_end.is_finite()) || t_end <= t_start {
        return Vec::new();
    }
    let mut out = Vec::new();
    let early_end = EXPANSION_END_DAY.min(t_end);
    if early_end > t_start {
        let n = ((early_end - t_start) / 0.05).ceil().min(2000.0) as usize;
        out.extend((0..n).map(|i| t_start + (early_end - t_start) * i as f64 / n as f64));
    }
    let from = early_end.max(t_start);
    let n = 400;
    out.extend((0..=n).map(|i| from + (t_end - from) * i as f64 / n as f64));
    out
}

/// One matrix x assay of a patient.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientSeries {
    /// Matrix.
    pub matrix: Matrix,
    /// Assay.
    pub assay: Assay,
    /// Unit of the values.
    pub unit: ConcUnit,
    /// The observations that can be drawn on a log axis.
    pub points: Vec<SeriesPoint>,
    /// BLQ samples with no LLOQ (or reported zeros), which a log axis cannot show.
    pub n_not_drawn: usize,
    /// The LLOQ (the largest, if it varies), drawn dashed.
    pub lloq: Option<f64>,
    /// (Tmax, Cmax) from NCA.
    pub cmax: Option<(f64, f64)>,
    /// AUC0-28d from NCA, for the title.
    pub auc_0_28: Option<f64>,
    /// Fitted model curve, (day, concentration) pairs.
    pub fit: Option<Vec<(f64, f64)>>,
    /// Whether Cmax is marked on the figure and quoted in its title: only for profiles
    /// that sample the peak. [`PatientSeries::from_profile`] sets it by [`is_rich`];
    /// a caller with its own sampling rule sets it directly.
    pub mark_cmax: bool,
}

impl PatientSeries {
    /// From a profile and, when available, its NCA.
    pub fn from_profile(profile: &Profile, nca: Option<&NcaResult>) -> PatientSeries {
        let mut points = Vec::with_capacity(profile.samples.len());
        let mut lloq: Option<f64> = None;
        let mut n_not_drawn = 0;
        for s in &profile.samples {
            match s.value {
                SampleValue::Quantified { value } if value > 0.0 => points.push(SeriesPoint {
                    time: s.time,
                    value,
                    blq: false,
                }),
                SampleValue::Blq { lloq: Some(l) } if l > 0.0 => {
                    lloq = Some(lloq.map_or(l, |m: f64| m.max(l)));
                    points.push(SeriesPoint {
                        time: s.time,
                        value: l,
                        blq: true,
                    });
                }
                SampleValue::Missing => {}
                _ => n_not_drawn += 1,
            }
        }
        let mark_cmax = is_rich(&points);
        PatientSeries {
            matrix: profile.key.matrix.clone(),
            assay: profile.key.assay.clone(),
            unit: profile.unit.clone(),
            points,
            n_not_drawn,
            lloq,
            cmax: nca.and_then(|r| r.tmax.zip(r.cmax)),
            auc_0_28: nca.and_then(|r| r.auc_0_28()),
            fit: None,
            mark_cmax,
        }
    }

    /// With a fitted curve.
    pub fn with_fit(mut self, curve: Vec<(f64, f64)>) -> PatientSeries {
        self.fit = Some(curve);
        self
    }

    /// With a fitted curve evaluated at [`curve_times`] from day 0 (or the first sample,
    /// if earlier) to `t_end`.
    pub fn with_model(self, t_end: f64, conc: impl Fn(f64) -> f64) -> PatientSeries {
        let t0 = self.points.iter().map(|p| p.time).fold(0.0f64, f64::min);
        let curve = curve_times(t0, t_end)
            .into_iter()
            .map(|t| (t, conc(t)))
            .collect();
        self.with_fit(curve)
    }

    /// The points a figure can draw (time and value on the axes).
    fn drawable(&self) -> impl Iterator<Item = &SeriesPoint> {
        self.points
            .iter()
            .filter(|p| on_time_axis(p.time) && drawable_value(&self.unit, p.value))
    }

    /// The Cmax to mark, if any.
    fn marked_cmax(&self) -> Option<(f64, f64)> {
        self.cmax
            .filter(|&(t, c)| self.mark_cmax && on_time_axis(t) && drawable_value(&self.unit, c))
    }

    /// Samples left out, and why.
    fn left_out(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.points {
            if !on_time_axis(p.time) {
                out.push(format!(
                    "sample at day {} not drawn: outside the drawable time range ±{} days",
                    p.time,
                    crate::style::MAX_ABS_DAY
                ));
            } else if !drawable_value(&self.unit, p.value) {
                out.push(format!(
                    "sample at day {} not drawn: {}",
                    fmt_num(p.time),
                    why_not_drawn(&self.unit, p.value)
                ));
            }
        }
        if self.n_not_drawn > 0 {
            out.push(format!(
                "{} sample(s) not drawn: BLQ without an LLOQ, or zero, which a log axis cannot show",
                self.n_not_drawn
            ));
        }
        out
    }
}

/// Everything drawn for one patient.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientPlot {
    /// Subject identifier.
    pub subject: String,
    /// Its profiles.
    pub series: Vec<PatientSeries>,
    /// Day of the patient's death, if it died: drawn as a vertical line, so that the end of
    /// the samples reads as the end of the patient, not of the schedule.
    pub death_day: Option<f64>,
}

impl PatientPlot {
    /// The title: subject and the headline NCA values of the first rich series.
    pub fn title(&self) -> String {
        let key = self.series.iter().find(|s| s.marked_cmax().is_some());
        match key {
            Some(s) => {
                let (tmax, cmax) = s.cmax.expect("found by marked_cmax().is_some()");
                let mut t = format!(
                    "{}  |  {}: Cmax {} {} at day {}",
                    self.subject,
                    series_label(&s.matrix, &s.assay),
                    sig3(cmax),
                    s.unit.label(),
                    fmt_num(tmax)
                );
                if let Some(a) = s.auc_0_28 {
                    t.push_str(&format!(", AUC0-28d {} day*{}", sig3(a), s.unit.label()));
                }
                t
            }
            None if self.series.iter().any(|s| s.drawable().any(|p| !p.blq)) => {
                self.subject.clone()
            }
            None => format!("{}  |  no quantifiable sample", self.subject),
        }
    }

    /// Units in order of first appearance: one panel each.
    fn panels(&self) -> Vec<ConcUnit> {
        let mut units: Vec<ConcUnit> = Vec::new();
        for s in &self.series {
            if !units.contains(&s.unit) {
                units.push(s.unit.clone());
            }
        }
        units
    }
}

impl Figure for PatientPlot {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static,
    {
        let body = start(root, &self.title(), options)?;
        let units = self.panels();
        if units.is_empty() {
            return say(&body, "no samples to draw", options);
        }
        let rows = body.split_evenly((units.len(), 1));
        // One time axis for all rows, so they line up.
        let (t_lo, t_hi) = self
            .series
            .iter()
            .flat_map(|s| s.drawable().map(|p| p.time))
            .chain(self.death_day.filter(|d| d.is_finite()))
            .fold((0.0f64, 0.0f64), |(lo, hi), t| (lo.min(t), hi.max(t)));
        let layout = time_layout(t_lo, t_hi);
        for (row, unit) in rows.iter().zip(&units) {
            let series: Vec<(usize, &PatientSeries)> = self
                .series
                .iter()
                .enumerate()
                .filter(|(_, s)| &s.unit == unit)
                .collect();
            draw_row(row, &series, unit, &layout, self.death_day, options)?;
        }
        Ok(())
    }

    fn warnings(&self) -> Vec<String> {
        self.series
            .iter()
            .flat_map(|s| {
                let label = format!("{} {}", self.subject, series_label(&s.matrix, &s.assay));
                s.left_out()
                    .into_iter()
                    .map(move |w| format!("{label}: figure: {w}"))
            })
            .collect()
    }
}

/// One unit: the split (or single) time panels side by side.
fn draw_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[(usize, &PatientSeries)],
    unit: &ConcUnit,
    layout: &[(TimePanel, (f64, f64))],
    death_day: Option<f64>,
    options: &PlotOptions,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let values = series.iter().flat_map(|(_, s)| {
        s.drawable()
            .map(|p| p.value)
            .chain(s.lloq.filter(|&l| drawable_value(unit, l)))
    });
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let n_left_out: usize = series.iter().map(|(_, s)| s.left_out().len()).sum();
    if !lo.is_finite() {
        let message = format!(
            "{}: no sample that a log axis can show ({} left out)",
            unit.label(),
            n_left_out
        );
        return say(area, &message, options);
    }
    let y = log_range_for(unit, lo / 1.5, hi * 1.5);
    let areas = split_time(area, layout.len());
    for (k, (panel_area, &(panel, x))) in areas.iter().zip(layout).enumerate() {
        let last = k + 1 == layout.len();
        draw_panel(
            panel_area,
            series,
            unit,
            PanelSpec {
                panel,
                x,
                y,
                first: k == 0,
                last,
                n_left_out: if last { n_left_out } else { 0 },
                death_day,
            },
            options,
        )?;
    }
    Ok(())
}

/// Where a panel sits and what it shows.
#[derive(Debug, Clone, Copy)]
struct PanelSpec {
    panel: TimePanel,
    x: (f64, f64),
    y: (f64, f64),
    /// The leftmost panel carries the concentration axis title.
    first: bool,
    /// The rightmost panel carries the legend.
    last: bool,
    n_left_out: usize,
    /// The patient's death, drawn where the panel's days reach it.
    death_day: Option<f64>,
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[(usize, &PatientSeries)],
    unit: &ConcUnit,
    spec: PanelSpec,
    options: &PlotOptions,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let px = |v: f64| options.px(v);
    let PanelSpec { panel, x, y, .. } = spec;
    let (y_lo, y_hi) = y;
    let max_ticks = if panel == TimePanel::Expansion { 6 } else { 9 };
    let mut chart = ChartBuilder::on(area)
        .margin(px(8.0))
        .margin_left(if spec.first { px(8.0) } else { px(2.0) })
        .x_label_area_size(px(40.0))
        .y_label_area_size(if spec.first { px(62.0) } else { px(40.0) })
        .build_cartesian_2d(DayAxis::new(x.0, x.1, max_ticks), (y_lo..y_hi).log_scale())?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(panel.axis_label())
        .y_label_formatter(&log_tick)
        .x_label_formatter(&crate::style::day_tick)
        .label_style(("sans-serif", px(12.0)))
        .axis_desc_style(("sans-serif", px(12.5)))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(222, 222, 222));
    if spec.first {
        mesh.y_desc(unit_axis_label(unit));
    }
    mesh.draw()?;

    // The AUC0-28d window, shaded where the panel shows more than it.
    if panel != TimePanel::Expansion && x.1 > EXPANSION_END_DAY {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0f64.max(x.0), y_lo), (EXPANSION_END_DAY, y_hi)],
            RGBColor(120, 120, 120).mix(0.10).filled(),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            "0-28 d",
            (
                0f64.max(x.0) + (x.1 - x.0) * 0.005,
                y_hi / (y_hi / y_lo).powf(0.015),
            ),
            ("sans-serif", px(10.5))
                .into_font()
                .color(&RGBColor(100, 100, 100)),
        )))?;
    }

    let in_x = |t: f64| t >= x.0 && t <= x.1;
    // The patient's death: a solid black line, labelled on the panel.
    if let Some(d) = spec.death_day.filter(|&d| in_x(d)) {
        let black = RGBColor(0, 0, 0);
        chart.draw_series(LineSeries::new(
            vec![(d, y_lo), (d, y_hi)],
            black.stroke_width(px(2.0) as u32),
        ))?;
        // Written up along the line, on its left, from the bottom: clear of the legend (top
        // right) and narrow beside the last samples.
        let text = format!("died, day {}", fmt_num(d));
        let style = ("sans-serif", px(10.5))
            .into_font()
            .transform(FontTransform::Rotate270)
            .color(&black);
        chart.draw_series(std::iter::once(Text::new(
            text,
            (d - (x.1 - x.0) * 0.025, y_lo * (y_hi / y_lo).powf(0.08)),
            style,
        )))?;
    }
    // LLOQ lines (one per distinct LLOQ).
    let mut lloqs: Vec<f64> = series
        .iter()
        .filter_map(|(_, s)| s.lloq)
        .filter(|&l| l >= y_lo && l <= y_hi)
        .collect();
    lloqs.sort_by(f64::total_cmp);
    lloqs.dedup();
    let grey = RGBColor(90, 90, 90);
    for (j, l) in lloqs.iter().enumerate() {
        let s = chart.draw_series(DashedLineSeries::new(
            vec![(x.0, *l), (x.1, *l)],
            px(6.0),
            px(4.0),
            grey.stroke_width(px(1.0) as u32),
        ))?;
        if j == 0 && spec.last {
            s.label("LLOQ")
                .legend(move |at| dashed_legend(at, 16, grey.stroke_width(1)));
        }
    }

    let stroke = px(2.0) as u32;
    let size = px(4.0);
    let mut any_blq = false;
    for &(i, s) in series {
        let c = colour(i);
        let shape = Marker::of(&s.matrix);
        let pts: Vec<&SeriesPoint> = s.drawable().collect();
        // Thin connecting line through the observations (over BLQ at the LLOQ too).
        let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.time, p.value)).collect();
        for run in clip_polyline(&line, x, y, true) {
            chart.draw_series(LineSeries::new(
                run,
                c.mix(0.45).stroke_width(px(1.0) as u32),
            ))?;
        }
        if let Some(curve) = &s.fit {
            let runs = clip_polyline(curve, x, y, true);
            let mut labelled = !spec.last;
            for run in runs {
                let drawn = chart.draw_series(LineSeries::new(run, c.stroke_width(stroke)))?;
                if !labelled {
                    labelled = true;
                    drawn
                        .label(format!("{} model fit", series_label(&s.matrix, &s.assay)))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                        });
                }
            }
        }
        let quantified: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| !p.blq && in_x(p.time))
            .map(|p| (p.time, p.value))
            .collect();
        let blq: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| p.blq && in_x(p.time))
            .map(|p| (p.time, p.value))
            .collect();
        // Open markers on white, so a BLQ marker over the LLOQ line still reads as open.
        draw_markers(&mut chart, shape, &blq, size, WHITE.filled(), None)?;
        draw_markers(
            &mut chart,
            shape,
            &blq,
            size,
            c.stroke_width(px(1.5) as u32),
            None,
        )?;
        draw_markers(
            &mut chart,
            shape,
            &quantified,
            size,
            c.filled(),
            spec.last.then(|| series_label(&s.matrix, &s.assay)),
        )?;
        any_blq |= pts.iter().any(|p| p.blq);
        // Cmax: once per profile, in the panel that shows the peak best.
        if let Some((tmax, cmax)) = s.marked_cmax() {
            let here = match panel {
                TimePanel::Expansion => tmax <= x.1,
                TimePanel::FollowUp => tmax > EXPANSION_END_DAY,
                TimePanel::Whole => true,
            };
            if here && in_x(tmax) {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((tmax, cmax))
                        + Circle::new((0, 0), size * 2, grey.stroke_width(px(1.0) as u32))
                        + Text::new(
                            format!("Cmax {}", sig3(cmax)),
                            (size * 2 + 2, -size * 3),
                            ("sans-serif", px(11.0)).into_font(),
                        ),
                ))?;
            }
        }
    }
    if spec.last {
        if any_blq {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label("BLQ (open, at LLOQ)")
                .legend(|(x, y)| Circle::new((x + 8, y), 4, BLACK.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", px(11.0)))
            .draw()?;
        if spec.n_left_out > 0 {
            let (w, h) = area.dim_in_pixel();
            area.draw(&Text::new(
                format!("{} sample(s) not drawn (see warnings)", spec.n_left_out),
                (w as i32 - px(260.0), h as i32 - px(14.0)),
                ("sans-serif", px(10.5))
                    .into_font()
                    .color(&RGBColor(170, 40, 40)),
            ))?;
        }
    }
    Ok(())
}
