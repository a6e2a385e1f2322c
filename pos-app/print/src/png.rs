//! PNG previews: the receipt raster (`raster::preview`) as a 1-bit greyscale PNG, what the UI
//! shows and what the golden files in `fixtures/receipts/` hold.

use super::raster::Bitmap;
use pos_core::{PosError, Result};

fn png_err(e: impl std::fmt::Display) -> PosError {
    PosError::Invalid(format!("PNG: {e}"))
}

/// Encodes a bitmap as a 1-bit greyscale PNG (black dots black, paper white).
pub fn encode(bitmap: &Bitmap) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, bitmap.width, bitmap.height.max(1));
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        let mut writer = enc.write_header().map_err(png_err)?;
        let mut data = bitmap.packed_rows();
        if data.is_empty() {
            data = vec![0; bitmap.width.div_ceil(8) as usize];
        }
        // In a greyscale PNG a set bit is white.
        data.iter_mut().for_each(|b| *b = !*b);
        writer.write_image_data(&data).map_err(png_err)?;
    }
    Ok(out)
}

/// Decodes a PNG (any colour type) to a 1-bit bitmap: dots darker than mid-grey are black.
pub fn decode(bytes: &[u8]) -> Result<Bitmap> {
    let (grey, w, h) = decode_grey(bytes)?;
    let mut out = Bitmap::new(w, h);
    for (i, g) in grey.iter().enumerate() {
        if *g < 128 {
            out.pixels[i] = 1;
        }
    }
    Ok(out)
}

/// Decodes a PNG (any colour type) to 8-bit grey values with its width and height.
fn decode_grey(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32)> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(png_err)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| png_err("image too large"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(png_err)?;
    let (w, h) = (info.width, info.height);
    let grey = grey_of(
        &buf[..info.buffer_size()],
        info.color_type.samples(),
        w,
        h,
        info.line_size,
    );
    Ok((grey, w, h))
}

/// 8-bit grey values (0 = black) of a decoded frame; transparent pixels count as paper.
pub fn grey_of(buf: &[u8], channels: usize, w: u32, h: u32, line: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let p = &buf[y * line + x * channels..y * line + (x + 1) * channels];
            let (luma, alpha) = match channels {
                1 => (u32::from(p[0]), 255),
                2 => (u32::from(p[0]), u32::from(p[1])),
                3 => (
                    (u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10,
                    255,
                ),
                _ => (
                    (u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10,
                    u32::from(p[3]),
                ),
            };
            out.push((255 - (255 - luma) * alpha / 255) as u8);
        }
    }
    out
}

/// A logo from a PNG file, dithered to 1 bit and at most half the paper wide.
pub fn load_logo(path: &std::path::Path, max_width: u32) -> Result<Bitmap> {
    let bytes = std::fs::read(path).map_err(|e| PosError::File {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    let (grey, w, h) = decode_grey(&bytes)?;
    super::raster::dither(&grey, w, h, max_width)
}
