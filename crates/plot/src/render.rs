//! Turning a figure into PNG or SVG bytes, with the bundled font registered once.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::Once;

static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        // The font is bundled and valid; if plotters refused it, text would be missing from
        // bitmaps, which the PNG tests would catch.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU_SANS);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, DEJAVU_SANS);
    });
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG (RGB, 8 bit).
    Png,
    /// SVG (text as `<text>` elements).
    Svg,
}

impl ImageFormat {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// Figure size and resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotOptions {
    /// Width, inches.
    pub width_in: f64,
    /// Height, inches.
    pub height_in: f64,
    /// Dots per inch; text and lines scale with it (100 dpi = the base sizes).
    pub dpi: f64,
}

impl Default for PlotOptions {
    /// 8 x 5 inches at 100 dpi (800 x 500 px).
    fn default() -> Self {
        PlotOptions {
            width_in: 8.0,
            height_in: 5.0,
            dpi: 100.0,
        }
    }
}

impl PlotOptions {
    /// Size in pixels.
    pub fn pixels(&self) -> (u32, u32) {
        (
            (self.width_in * self.dpi).round().max(50.0) as u32,
            (self.height_in * self.dpi).round().max(50.0) as u32,
        )
    }

    /// Scale of text and strokes relative to 100 dpi.
    pub fn scale(&self) -> f64 {
        self.dpi / 100.0
    }

    /// A size given at 100 dpi (font size, margin, stroke), in pixels at this resolution.
    pub fn px(&self, at_100_dpi: f64) -> i32 {
        (at_100_dpi * self.scale()).round().max(1.0) as i32
    }
}

/// Why a figure could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The drawing backend failed.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
    /// The options make no sense.
    #[error("invalid plot options: {0}")]
    Options(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError::Draw(e.to_string())
    }
}

/// Something that can be drawn on any plotters backend.
pub trait Figure {
    /// Draws the figure on `root`, which has the size of [`PlotOptions::pixels`].
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        options: &PlotOptions,
    ) -> Result<(), PlotError>
    where
        DB::ErrorType: 'static;
}

/// Clears `root` to white and draws `title` at the top; returns the area below it.
pub(crate) fn start<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    options: &PlotOptions,
) -> Result<DrawingArea<DB, Shift>, PlotError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    Ok(root.titled(title, ("sans-serif", options.px(17.0)).into_font())?)
}

/// Writes `message` where the figure would be, for data that cannot be drawn.
pub(crate) fn say<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    message: &str,
    options: &PlotOptions,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let at = (options.px(40.0), options.px(60.0));
    area.draw(&Text::new(
        message.to_string(),
        at,
        ("sans-serif", options.px(16.0)).into_font(),
    ))?;
    Ok(())
}

/// Renders `figure` to PNG or SVG bytes.
pub fn render<F: Figure>(
    figure: &F,
    format: ImageFormat,
    options: &PlotOptions,
) -> Result<Vec<u8>, PlotError> {
    if !(options.dpi > 0.0 && options.width_in > 0.0 && options.height_in > 0.0)
        || options.dpi > 1200.0
        || options.width_in * options.height_in > 400.0
    {
        return Err(PlotError::Options(format!(
            "size {} x {} in at {} dpi; expected a positive size up to 400 square inches and 1 to 1200 dpi",
            options.width_in, options.height_in, options.dpi
        )));
    }
    register_font();
    let (w, h) = options.pixels();
    match format {
        ImageFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                figure.draw(&root, options)?;
                root.present()?;
            }
            Ok(svg.into_bytes())
        }
        ImageFormat::Png => {
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                figure.draw(&root, options)?;
                root.present()?;
            }
            let mut png = Vec::new();
            let encoder = image::codecs::png::PngEncoder::new(&mut png);
            image::ImageEncoder::write_image(encoder, &rgb, w, h, image::ColorType::Rgb8)
                .map_err(|e| PlotError::Encode(e.to_string()))?;
            Ok(png)
        }
    }
}
