//! The per-patient figure.

use crate::render::{say, start, Figure, PlotError, PlotOptions};
use crate::style::{
    colour, draw_markers, fmt_num, log_range, log_tick, series_label, unit_axis_label, Marker,
};
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
        }
    }

    /// With a fitted curve.
    pub fn with_fit(mut self, curve: Vec<(f64, f64)>) -> PatientSeries {
        self.fit = Some(curve);
        self
    }
}

/// Everything drawn for one patient.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientPlot {
    /// Subject identifier.
    pub subject: String,
    /// Its profiles.
    pub series: Vec<PatientSeries>,
}

impl PatientPlot {
    /// The title: subject and the headline NCA values of the first series that has them.
    pub fn title(&self) -> String {
        let key = self.series.iter().find(|s| s.cmax.is_some());
        match key {
            Some(s) => {
                let (tmax, cmax) = s.cmax.expect("found by cmax.is_some()");
                let mut t = format!(
                    "{}  |  {}: Cmax {} {} at day {}",
                    self.subject,
                    series_label(&s.matrix, &s.assay),
                    fmt_num(cmax),
                    s.unit.label(),
                    fmt_num(tmax)
                );
                if let Some(a) = s.auc_0_28 {
                    t.push_str(&format!(", AUC0-28d {} day*{}", fmt_num(a), s.unit.label()));
                }
                t
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
        let panels = body.split_evenly((units.len(), 1));
        // One time axis for all panels, so they line up.
        let t_max = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.time))
            .fold(0.0f64, f64::max);
        let x_hi = (t_max * 1.04).max(1.0);
        for (panel, unit) in panels.iter().zip(&units) {
            let series: Vec<(usize, &PatientSeries)> = self
                .series
                .iter()
                .enumerate()
                .filter(|(_, s)| &s.unit == unit)
                .collect();
            draw_panel(panel, &series, unit, x_hi, options)?;
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[(usize, &PatientSeries)],
    unit: &ConcUnit,
    x_hi: f64,
    options: &PlotOptions,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let px = |v: f64| options.px(v);
    let values = series
        .iter()
        .flat_map(|(_, s)| s.points.iter().map(|p| p.value));
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        let message = format!("{}: no sample that a log axis can show", unit.label());
        return say(area, &message, options);
    }
    let (y_lo, y_hi) = log_range(lo / 1.5, hi * 1.5);
    let mut chart = ChartBuilder::on(area)
        .margin(px(8.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(62.0))
        .build_cartesian_2d(0.0..x_hi, (y_lo..y_hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("Days since infusion")
        .y_desc(unit_axis_label(unit))
        .y_label_formatter(&log_tick)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", px(12.0)))
        .axis_desc_style(("sans-serif", px(13.0)))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;

    // The AUC0-28d window.
    chart.draw_series(std::iter::once(Rectangle::new(
        [(0.0, y_lo), (28f64.min(x_hi), y_hi)],
        RGBColor(120, 120, 120).mix(0.10).filled(),
    )))?;
    chart.draw_series(std::iter::once(Text::new(
        "AUC0-28d",
        (0.5, y_lo * 1.6),
        ("sans-serif", px(11.0))
            .into_font()
            .color(&RGBColor(100, 100, 100)),
    )))?;

    // LLOQ lines (one per distinct LLOQ).
    let mut lloqs: Vec<f64> = series.iter().filter_map(|(_, s)| s.lloq).collect();
    lloqs.sort_by(f64::total_cmp);
    lloqs.dedup();
    for (j, l) in lloqs.iter().enumerate() {
        let s = chart.draw_series(DashedLineSeries::new(
            vec![(0.0, *l), (x_hi, *l)],
            px(6.0),
            px(4.0),
            RGBColor(90, 90, 90).stroke_width(px(1.0) as u32),
        ))?;
        if j == 0 {
            s.label("LLOQ").legend(move |(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 16, y)],
                    RGBColor(90, 90, 90).stroke_width(1),
                )
            });
        }
    }

    let stroke = px(2.0) as u32;
    let size = px(4.0);
    let mut any_blq = false;
    for &(i, s) in series {
        let c = colour(i);
        let shape = Marker::of(&s.matrix);
        // Thin connecting line through every drawn point.
        chart.draw_series(LineSeries::new(
            s.points.iter().map(|p| (p.time, p.value)),
            c.mix(0.5).stroke_width(px(1.0) as u32),
        ))?;
        if let Some(curve) = &s.fit {
            chart
                .draw_series(LineSeries::new(
                    curve
                        .iter()
                        .copied()
                        .filter(|&(t, v)| v >= y_lo && v <= y_hi && t <= x_hi),
                    c.stroke_width(stroke),
                ))?
                .label(format!("{} fit", series_label(&s.matrix, &s.assay)))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                });
        }
        let quantified: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| !p.blq)
            .map(|p| (p.time, p.value))
            .collect();
        let blq: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| p.blq)
            .map(|p| (p.time, p.value))
            .collect();
        draw_markers(
            &mut chart,
            shape,
            &quantified,
            size,
            c.filled(),
            Some(series_label(&s.matrix, &s.assay)),
        )?;
        draw_markers(&mut chart, shape, &blq, size, c.stroke_width(stroke), None)?;
        any_blq |= s.points.iter().any(|p| p.blq);
        if let Some((tmax, cmax)) = s.cmax {
            chart.draw_series(std::iter::once(
                EmptyElement::at((tmax, cmax))
                    + Circle::new(
                        (0, 0),
                        size * 2,
                        RGBColor(60, 60, 60).stroke_width(px(1.0) as u32),
                    )
                    + Text::new(
                        "Cmax",
                        (size * 2 + 2, -size * 3),
                        ("sans-serif", px(11.0)).into_font(),
                    ),
            ))?;
        }
    }
    if any_blq {
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label("BLQ (at LLOQ)")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", px(11.0)))
        .draw()?;
    Ok(())
}
