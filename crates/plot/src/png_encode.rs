//! PNG encoding of a rasterised figure, tuned for speed.
//!
//! `tiny_skia::Pixmap::encode_png` copies the pixmap to un-premultiply it, writes RGBA and
//! compresses with zlib level 6 and adaptive row filters: about half of the CPU time of a
//! patient PNG (docs/benchmarks.md, "Plots"). A figure is drawn on opaque white, so its
//! pixels are already un-premultiplied and the alpha channel is always 255: the PNG is
//! written as RGB straight from the pixmap, with row filters and fdeflate's fast
//! compressor. Measured on the benchmark's patient figure (callgrind, per figure): zlib 6 +
//! adaptive 128 M instructions, 41 kB; zlib 1 + `Up` 36 M, 57 kB; fdeflate + adaptive
//! 16 M, 81 kB; fdeflate + `Up` 12 M but 285 kB. Files about twice as large for an eighth
//! of the time. Then, on the patient figure with crisp grid lines (rules.rs), timed
//! per encode: adaptive 2.2 ms, 101 kB; `Paeth` alone 1.3 ms, 107 kB; `Sub` 1.2 ms, 145 kB;
//! `Up` 2.4 ms, 371 kB. Adaptive tries the five filters on every row; Paeth, the filter it
//! picks on most rows of a figure, alone keeps the size within 6% for 40% less time.

use crate::render::PlotError;

/// Encodes an opaque RGBA pixmap (`w` x `h`, premultiplied, alpha 255 everywhere) as an
/// 8-bit RGB PNG.
pub(crate) fn encode_opaque_rgb(rgba: &[u8], w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for pixel in rgba.chunks_exact(4) {
        rgb.extend_from_slice(&pixel[..3]);
    }
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_deflate_compression(png::DeflateCompression::FdeflateUltraFast);
        encoder.set_filter(png::Filter::Paeth);
        let mut writer = encoder
            .write_header()
            .map_err(|e| PlotError::Encode(e.to_string()))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| PlotError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| PlotError::Encode(e.to_string()))?;
    }
    Ok(out)
}
