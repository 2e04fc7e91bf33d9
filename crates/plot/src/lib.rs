//! # cartpk-plot
//!
//! Publication-grade CAR-T cellular-kinetics figures on plotters, as PNG or SVG bytes:
//!
//! - [`patient`]: one figure per patient: concentration vs days since infusion on a log10
//!   axis, one panel per unit (qPCR copies/ug gDNA, flow %CAR+...), one colour and marker
//!   per matrix x assay, BLQ samples as open markers at their LLOQ, the LLOQ dashed, Cmax
//!   marked at Tmax, the day 0-28 window of AUC0-28d shaded, and the fitted model curve when
//!   one is given.
//! - [`cohort`]: spaghetti plot of every profile with the median and 5-95th percentile band
//!   over time, optionally by group (e.g. responders vs non-responders).
//! - [`gof`]: goodness of fit of a model: observed vs predicted, residuals vs time.
//!
//! Text is drawn with DejaVu Sans, bundled in the crate (Bitstream Vera licence,
//! `fonts/LICENSE-DejaVu.txt`), so figures render the same on a headless machine with no
//! system fonts. The library writes no files: [`render`] returns the encoded bytes, and
//! every figure also draws on any plotters backend through [`Figure::draw`].
//!
//! ```
//! use cartpk_core::{Assay, ConcUnit, Matrix, Profile, ProfileKey, Sample};
//! use cartpk_nca::{nca_profile, NcaOptions};
//! use cartpk_plot::patient::{PatientPlot, PatientSeries};
//! use cartpk_plot::{render, ImageFormat, PlotOptions};
//!
//! let key = ProfileKey { subject: "P01".into(), matrix: Matrix::Blood, assay: Assay::Qpcr };
//! let profile = Profile::new(key, ConcUnit::CopiesPerUg, vec![
//!     Sample::blq(0.0, Some(50.0)),
//!     Sample::quantified(11.0, 24_000.0),
//!     Sample::quantified(28.0, 900.0),
//! ]);
//! let nca = nca_profile(&profile, &NcaOptions::default(), None).ok();
//! let plot = PatientPlot {
//!     subject: "P01".into(),
//!     series: vec![PatientSeries::from_profile(&profile, nca.as_ref())],
//!     death_day: None,
//! };
//! let png: Vec<u8> = render(&plot, ImageFormat::Png, &PlotOptions::default()).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

pub mod boxplot;
pub mod cohort;
pub mod exposure_response;
pub mod gof;
pub mod km;
mod log2_axis;
mod opacity;
pub mod patient;
mod png_encode;
mod render;
mod rules;
pub mod style;
mod text_paths;
pub mod time_axis;
pub mod vpc;

pub use render::{
    render, render_checked, svg_to_png, Figure, ImageFormat, PlotError, PlotOptions, Rendered,
};
pub use style::series_label;
