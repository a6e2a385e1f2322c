//! Test frames without a camera: a code rendered with rxing's writers onto a label, placed in a
//! frame through a perspective warp (rotation included), then blurred, dimmed and noised, all
//! from a seeded random generator so every run sees the same frames.

use image::GrayImage;
use pos_shared::gtin;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rxing::common::BitMatrix;
use rxing::{EncodeHintValue, EncodeHints, MultiFormatWriter, Writer};

use super::{ScanError, Symbology};

/// How much to spoil a frame. `Distortion::default()` is a clean, square-on frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Distortion {
    /// Rotation of the symbol in the frame, degrees.
    pub rotate_deg: f32,
    /// Corners moved by up to this fraction of the symbol's size (a tilted pack).
    pub perspective: f32,
    /// Box-blur radius in pixels, applied twice (close to a Gaussian); 0 for none.
    pub blur: u32,
    /// Noise amplitude in grey levels (uniform, ±).
    pub noise: u8,
    /// 1.0 keeps black and white; 0.3 leaves 30 % of the range (dim light, faded print).
    pub contrast: f32,
    /// Pixels per module (narrowest bar); under ~1.5 no camera decoder can resolve the bars.
    pub module_px: f32,
}

impl Default for Distortion {
    fn default() -> Self {
        Distortion {
            rotate_deg: 0.0,
            perspective: 0.0,
            blur: 0,
            noise: 0,
            contrast: 1.0,
            module_px: 3.0,
        }
    }
}

impl Distortion {
    /// What a camera at the counter sees on a good day: slightly turned and tilted, a little
    /// soft, some sensor noise, not full contrast.
    pub fn mild(rng: &mut impl Rng) -> Self {
        let flip = if rng.random_bool(0.5) { 180.0 } else { 0.0 };
        Distortion {
            rotate_deg: flip + rng.random_range(-8.0..8.0),
            perspective: rng.random_range(0.0..0.06),
            blur: rng.random_range(0..=1),
            noise: rng.random_range(0..=12),
            contrast: rng.random_range(0.6..1.0),
            module_px: rng.random_range(3.0..5.0),
        }
    }

    /// Anything from clean to unreadable: any angle, strong tilt, blur, noise, dim.
    pub fn harsh(rng: &mut impl Rng) -> Self {
        Distortion {
            rotate_deg: rng.random_range(0.0..360.0),
            perspective: rng.random_range(0.0..0.3),
            blur: rng.random_range(0..=4),
            noise: rng.random_range(0..=60),
            contrast: rng.random_range(0.1..1.0),
            module_px: rng.random_range(0.8..4.0),
        }
    }
}

/// A frame and what it shows.
#[derive(Debug, Clone)]
pub struct GeneratedFrame {
    pub image: GrayImage,
    pub format: Symbology,
    pub text: String,
}

/// Seeded maker of test frames of one size.
pub struct FrameGenerator {
    rng: StdRng,
    width: u32,
    height: u32,
}

impl FrameGenerator {
    pub fn new(seed: u64, width: u32, height: u32) -> Self {
        FrameGenerator {
            rng: StdRng::seed_from_u64(seed),
            width: width.max(16),
            height: height.max(16),
        }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    /// Valid random contents for a format, as a reader prints them.
    pub fn random_text(&mut self, format: Symbology) -> String {
        let with_check = |body: String| -> String {
            let c = gtin::check_digit(&body).unwrap_or(0);
            format!("{body}{c}")
        };
        let r = &mut self.rng;
        match format {
            Symbology::Ean13 => {
                let first = r.random_range(1..10u8);
                with_check(digits(r, 12, first))
            }
            Symbology::Ean8 => with_check(digits(r, 7, 6)),
            Symbology::UpcA => with_check(digits(r, 11, 0)),
            Symbology::UpcE => {
                let body = digits(r, 7, 0);
                let expanded = gtin::expand_upce(&format!("{body}0")).unwrap_or_default();
                let c = gtin::check_digit(expanded.get(..11).unwrap_or("0")).unwrap_or(0);
                format!("{body}{c}")
            }
            Symbology::Code128 => {
                const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-";
                let n = r.random_range(6..=14);
                (0..n)
                    .map(|_| ALPHABET[r.random_range(0..ALPHABET.len())] as char)
                    .collect()
            }
            Symbology::Qr => {
                let id: u32 = r.random_range(0..1_000_000);
                format!("https://superette.dz/p/{id:06}?lot=L{}", id % 97)
            }
        }
    }

    /// A frame showing `text` as `format`, spoiled by `d`.
    pub fn render(
        &mut self,
        format: Symbology,
        text: &str,
        d: &Distortion,
    ) -> Result<GeneratedFrame, ScanError> {
        let matrix = encode(format, text)?;
        let image = self.compose(&matrix, format == Symbology::Qr, d);
        Ok(GeneratedFrame {
            image,
            format,
            text: text.to_owned(),
        })
    }

    /// A frame with a random code of `format`.
    pub fn random_frame(
        &mut self,
        format: Symbology,
        d: &Distortion,
    ) -> Result<GeneratedFrame, ScanError> {
        let text = self.random_text(format);
        self.render(format, &text, d)
    }

    /// An empty, evenly lit frame at a random grey.
    pub fn blank(&mut self) -> GrayImage {
        let v = self.rng.random_range(30..230u8);
        GrayImage::from_pixel(self.width, self.height, image::Luma([v]))
    }

    /// Pure noise: every pixel random, optionally blurred into blobs and streaks.
    pub fn noise(&mut self, blur: u32) -> GrayImage {
        let (w, h) = (self.width, self.height);
        let raw: Vec<u8> = (0..w * h).map(|_| self.rng.random()).collect();
        let mut img = GrayImage::from_raw(w, h, raw).unwrap_or_else(|| GrayImage::new(w, h));
        box_blur(&mut img, blur);
        box_blur(&mut img, blur);
        img
    }

    fn compose(&mut self, m: &BitMatrix, square: bool, d: &Distortion) -> GrayImage {
        let (w, h) = (self.width as f32, self.height as f32);
        let (mw, mh) = (m.width().max(1) as f32, m.height().max(1) as f32);
        let (sin, cos) = d.rotate_deg.to_radians().sin_cos();
        // The widest symbol that still fits the frame once turned.
        let fit = if square {
            w.min(h)
        } else {
            (w / cos.abs().max(1e-3)).min(h / sin.abs().max(1e-3))
        } * 0.9;
        // QR codes are printed with larger modules than bars.
        let module = d.module_px.max(0.5) * if square { 2.0 } else { 1.0 };
        let sw = (mw * module).min(fit);
        let sh = if square {
            sw
        } else {
            (sw * 0.45).max(40.0).min(h * 0.9)
        };
        let (cx, cy) = (w / 2.0, h / 2.0);
        let mut corners = [(0.0f32, 0.0f32); 4];
        for (i, (u, v)) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .into_iter()
            .enumerate()
        {
            let jitter = d.perspective * sw.max(sh);
            let x = (u - 0.5) * sw + self.rng.random_range(-1.0..=1.0) * jitter;
            let y = (v - 0.5) * sh + self.rng.random_range(-1.0..=1.0) * jitter;
            corners[i] = (cx + x * cos - y * sin, cy + x * sin + y * cos);
        }
        let Some(to_symbol) = square_to_quad(&corners).and_then(|h| invert(&h)) else {
            return GrayImage::from_pixel(self.width, self.height, image::Luma([128]));
        };
        let background = self.rng.random_range(60..200u8);
        let (ink, paper) = (20.0f32, 235.0f32);
        let mut img = GrayImage::new(self.width, self.height);
        for (x, y, px) in img.enumerate_pixels_mut() {
            // Two samples per axis so bar edges come out grey, as through a lens.
            let mut sum = 0.0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (u, v) = apply(&to_symbol, x as f32 + ox, y as f32 + oy);
                sum += if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                    let (bx, by) = ((u * mw) as u32, if square { (v * mh) as u32 } else { 0 });
                    if m.get(bx, by) {
                        ink
                    } else {
                        paper
                    }
                } else {
                    f32::from(background)
                };
            }
            px.0[0] = (sum / 4.0) as u8;
        }
        box_blur(&mut img, d.blur);
        box_blur(&mut img, d.blur);
        let mid = 128.0 + self.rng.random_range(-30.0..30.0f32) * (1.0 - d.contrast);
        let amp = i16::from(d.noise);
        for px in img.pixels_mut() {
            let v = mid + (f32::from(px.0[0]) - 128.0) * d.contrast;
            let n = if amp > 0 {
                self.rng.random_range(-amp..=amp)
            } else {
                0
            };
            px.0[0] = (v as i16 + n).clamp(0, 255) as u8;
        }
        img
    }
}

/// The symbol as modules (1D symbols are one row high), with a quiet zone.
fn encode(format: Symbology, text: &str) -> Result<BitMatrix, ScanError> {
    let margin = if format == Symbology::Qr { 4 } else { 10 };
    let hints = EncodeHints::default().with(EncodeHintValue::Margin(margin.to_string()));
    MultiFormatWriter
        .encode_with_hints(text, &format.to_rxing(), 0, 0, &hints)
        .map_err(|e| ScanError::ImageUnreadable {
            path: format!("generated {format} {text:?}"),
            detail: e.to_string(),
        })
}

/// `n` random digits, the first one given.
fn digits(r: &mut StdRng, n: usize, first: u8) -> String {
    let mut s = String::from((b'0' + first) as char);
    s.extend((1..n).map(|_| (b'0' + r.random_range(0..10u8)) as char));
    s
}

type Mat3 = [[f32; 3]; 3];

/// The projective map from the unit square onto `q` (corners in order 00, 10, 11, 01).
fn square_to_quad(q: &[(f32, f32); 4]) -> Option<Mat3> {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = *q;
    let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
    let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    if den.abs() < 1e-9 {
        return None;
    }
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    Some([
        [x1 - x0 + g * x1, x3 - x0 + h * x3, x0],
        [y1 - y0 + g * y1, y3 - y0 + h * y3, y0],
        [g, h, 1.0],
    ])
}

fn invert(m: &Mat3) -> Option<Mat3> {
    let c = |r: usize, k: usize| m[r % 3][k % 3];
    let mut inv = [[0.0f32; 3]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            // Cofactor of (j, i): the adjugate is the transposed cofactor matrix.
            *v = c(j + 1, i + 1) * c(j + 2, i + 2) - c(j + 1, i + 2) * c(j + 2, i + 1);
        }
    }
    let det = m[0][0] * inv[0][0] + m[0][1] * inv[1][0] + m[0][2] * inv[2][0];
    if det.abs() < 1e-12 {
        return None;
    }
    for v in inv.iter_mut().flatten() {
        *v /= det;
    }
    Some(inv)
}

fn apply(m: &Mat3, x: f32, y: f32) -> (f32, f32) {
    let w = m[2][0] * x + m[2][1] * y + m[2][2];
    (
        (m[0][0] * x + m[0][1] * y + m[0][2]) / w,
        (m[1][0] * x + m[1][1] * y + m[1][2]) / w,
    )
}

/// Separable box blur of radius `r` (0: nothing).
fn box_blur(img: &mut GrayImage, r: u32) {
    if r == 0 {
        return;
    }
    let (w, h) = (img.width() as usize, img.height() as usize);
    let r = r as usize;
    let buf = img.as_mut();
    let mut line = Vec::new();
    let blur_line = |get: &mut dyn FnMut(usize) -> u8, len: usize, out: &mut Vec<u8>| {
        out.clear();
        for i in 0..len {
            let (a, b) = (i.saturating_sub(r), (i + r).min(len - 1));
            let sum: u32 = (a..=b).map(|k| u32::from(get(k))).sum();
            out.push((sum / (b - a + 1) as u32) as u8);
        }
    };
    for y in 0..h {
        let row = buf[y * w..(y + 1) * w].to_vec();
        blur_line(&mut |k| row[k], w, &mut line);
        buf[y * w..(y + 1) * w].copy_from_slice(&line);
    }
    for x in 0..w {
        let col: Vec<u8> = (0..h).map(|y| buf[y * w + x]).collect();
        blur_line(&mut |k| col[k], h, &mut line);
        for (y, v) in line.iter().enumerate() {
            buf[y * w + x] = *v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warp_maps_the_unit_square_onto_its_corners_and_back() {
        let q = [(10.0, 20.0), (110.0, 25.0), (100.0, 90.0), (5.0, 80.0)];
        let m = square_to_quad(&q).expect("quad");
        let inv = invert(&m).expect("invertible");
        for ((u, v), (x, y)) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .into_iter()
            .zip(q)
        {
            let (px, py) = apply(&m, u, v);
            assert!((px - x).abs() < 1e-3 && (py - y).abs() < 1e-3, "{u},{v}");
            let (bu, bv) = apply(&inv, x, y);
            assert!((bu - u).abs() < 1e-4 && (bv - v).abs() < 1e-4);
        }
    }

    #[test]
    fn random_retail_texts_carry_valid_check_digits() {
        let mut g = FrameGenerator::new(7, 64, 64);
        for f in [Symbology::Ean13, Symbology::Ean8, Symbology::UpcA] {
            for _ in 0..20 {
                let t = g.random_text(f);
                assert!(pos_shared::Gtin::parse(&t).is_ok(), "{f} {t}");
            }
        }
        for _ in 0..20 {
            let t = g.random_text(Symbology::UpcE);
            assert!(pos_shared::Gtin::parse_upce(&t).is_ok(), "UPC-E {t}");
        }
    }
}
