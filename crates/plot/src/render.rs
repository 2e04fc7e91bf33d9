//! Turning a figure into PNG or SVG bytes.
//!
//! Every figure is drawn once, as SVG, by plotters. PNG is that SVG rasterised by `resvg`
//! (anti-aliased shapes, text shaped by rustybuzz with the font's real advances and kerning)
//! with only the bundled DejaVu Sans in its font database, so a PNG looks the same on every
//! machine and matches the SVG. plotters' own bitmap backend is not used: its ab_glyph
//! text path loses glyph advances ("Cma x") and it draws without anti-aliasing.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::{Arc, Once, OnceLock};

/// DejaVu Sans (Bitstream Vera licence, `fonts/LICENSE-DejaVu.txt`).
pub(crate) static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static FONT: Once = Once::new();

/// plotters measures text (legend boxes, label areas) with ab_glyph and the bundled font.
fn register_font() {
    FONT.call_once(|| {
        // The font is bundled and valid; if plotters refused it, label areas would be
        // mis-sized, which the layout tests would catch.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU_SANS);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, DEJAVU_SANS);
    });
}

/// The font database of the PNG rasteriser: the bundled font only, answering every family
/// (plotters writes `font-family="sans-serif"`), built once.
fn font_db() -> Arc<resvg::usvg::fontdb::Database> {
    static DB: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(DEJAVU_SANS.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        db.set_monospace_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Rasterises an SVG document to a PNG of `w` x `h` pixels on white.
pub fn svg_to_png(svg: &str, w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    let options = resvg::usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: font_db(),
        ..resvg::usvg::Options::default()
    };
    // Labels are drawn from cached glyph outlines (text_paths.rs): shaping them anew per
    // figure was a quarter of the rasteriser's time.
    let (svg, labels) = crate::text_paths::split_labels(svg, &options);
    // Translucent shapes blended directly instead of on offscreen layers (opacity.rs).
    let svg = crate::opacity::paint_opacity(&svg);
    // Grid lines, axes and ticks on whole pixels (rules.rs).
    let svg = crate::rules::crisp_rules(&svg);
    let tree = resvg::usvg::Tree::from_str(&svg, &options)
        .map_err(|e| PlotError::Draw(format!("SVG not readable by the rasteriser: {e}")))?;
    let size = tree.size();
    let scale =
        resvg::tiny_skia::Transform::from_scale(w as f32 / size.width(), h as f32 / size.height());
    with_canvas(w, h, |pixmap| {
        resvg::render(&tree, scale, pixmap);
        for label in &labels {
            crate::text_paths::draw_label(label, scale, pixmap);
        }
        crate::png_encode::encode_opaque_rgb(pixmap.data_mut(), w, h)
    })
}

/// Runs `draw` on a white `w` x `h` canvas. Each thread keeps its last canvas: a fresh
/// 1.6 MB pixmap per figure cost a zeroing pass and page faults on top of the white fill.
fn with_canvas<T>(
    w: u32,
    h: u32,
    draw: impl FnOnce(&mut resvg::tiny_skia::PixmapMut<'_>) -> Result<T, PlotError>,
) -> Result<T, PlotError> {
    thread_local! {
        static CANVAS: std::cell::RefCell<Option<resvg::tiny_skia::Pixmap>> =
            const { std::cell::RefCell::new(None) };
    }
    CANVAS.with(|cell| {
        let mut slot = cell.borrow_mut();
        if !slot
            .as_ref()
            .is_some_and(|p| p.width() == w && p.height() == h)
        {
            *slot =
                Some(resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| {
                    PlotError::Options(format!("cannot allocate {w} x {h} pixels"))
                })?);
        }
        let pixmap = slot
            .as_mut()
            .expect("the canvas was allocated just above when missing or of another size");
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        draw(&mut pixmap.as_mut())
    })
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
    /// Drawing stopped unexpectedly (a panic in the drawing library, caught so that one
    /// figure never takes down the others).
    #[error("drawing stopped unexpectedly: {0}")]
    Panic(String),
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

    /// What the figure leaves out and why (values a log axis cannot show, times outside
    /// the drawable range...), one sentence each, for the caller's warnings. The figure
    /// itself also says how many samples it leaves out.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
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

/// [`start`], with a grey note under the title (what the figure shows, its conventions):
/// notes belong there, not in the legend, which names drawn elements only.
pub(crate) fn start_with_note<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
    options: &PlotOptions,
) -> Result<DrawingArea<DB, Shift>, PlotError>
where
    DB::ErrorType: 'static,
{
    let body = start(root, title, options)?;
    if note.is_empty() {
        return Ok(body);
    }
    let h = options.px(18.0) as u32;
    let (top, rest) = body.split_vertically(h);
    top.draw(&Text::new(
        note.to_string(),
        ((body.dim_in_pixel().0 / 2) as i32, 0),
        ("sans-serif", options.px(11.5))
            .into_font()
            .color(&RGBColor(90, 90, 90))
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            )),
    ))?;
    Ok(rest)
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

/// A rendered figure and what it left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// PNG or SVG bytes.
    pub bytes: Vec<u8>,
    /// [`Figure::warnings`]: samples or values not drawn, and why.
    pub warnings: Vec<String>,
}

/// Renders `figure` to PNG or SVG bytes.
///
/// Never hangs or panics on data: values a figure cannot draw are left out (see
/// [`render_checked`] for the list), and a panic inside the drawing library becomes
/// [`PlotError::Panic`] for this figure only.
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
    let svg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            figure.draw(&root, options)?;
            root.present()?;
        }
        Ok::<String, PlotError>(svg)
    }))
    .map_err(|p| {
        let why = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        PlotError::Panic(why)
    })??;
    match format {
        ImageFormat::Svg => Ok(svg.into_bytes()),
        ImageFormat::Png => svg_to_png(&svg, w, h),
    }
}

/// [`render`], with the figure's [`Figure::warnings`].
pub fn render_checked<F: Figure>(
    figure: &F,
    format: ImageFormat,
    options: &PlotOptions,
) -> Result<Rendered, PlotError> {
    Ok(Rendered {
        bytes: render(figure, format, options)?,
        warnings: figure.warnings(),
    })
}
