//! Receipts drawn as 1-bit images, one dot per printer dot (203 dpi): Arabic receipts go to paper
//! this way, and every PNG preview is this image. Text is shaped and laid out by cosmic-text
//! (bidi, Arabic joining, fallback from Arabic to Latin) with the two bundled OFL fonts in
//! `fixtures/fonts/`. Logos are dithered (Floyd–Steinberg) to 1 bit.

use std::sync::{Mutex, MutexGuard, OnceLock};

use cosmic_text::{fontdb, Attrs, Buffer, Color, Family, FontSystem, Metrics, Shaping, SwashCache};

use super::layout::{Align, Block, Lang, Receipt};
use super::text::{qr_module, text_lines, TextLine};
use pos_core::{PosError, Result};

const ARABIC_FONT: &[u8] = include_bytes!("../../../fixtures/fonts/NotoSansArabic-Regular.ttf");
const MONO_FONT: &[u8] = include_bytes!("../../../fixtures/fonts/NotoSansMono-Regular.ttf");
const ARABIC_FAMILY: &str = "Noto Sans Arabic";
const MONO_FAMILY: &str = "Noto Sans Mono";

/// The printer's font A cell: 12 × 24 dots; Noto Sans Mono at 20 px advances 12 px.
const CELL_W: f32 = 12.0;
const LINE_H: u32 = 24;
const MONO_PX: f32 = 20.0;
const ARABIC_PX: f32 = 22.0;
const ARABIC_LINE: u32 = 32;
/// Dots kept clear at each side of raster text: Arabic initial forms overhang their advance.
const MARGIN: u32 = 6;

/// A 1-bit image: `pixels[y * width + x]` is 1 for a black dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Bitmap {
    pub fn new(width: u32, height: u32) -> Bitmap {
        Bitmap {
            width,
            height,
            pixels: vec![0; (width * height) as usize],
        }
    }

    fn grow(&mut self, height: u32) {
        if height > self.height {
            self.pixels.resize((self.width * height) as usize, 0);
            self.height = height;
        }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.pixels[(y * self.width + x) as usize] != 0
    }

    pub fn set(&mut self, x: i64, y: i64) {
        if x >= 0 && y >= 0 && (x as u32) < self.width {
            let (x, y) = (x as u32, y as u32);
            self.grow(y + 1);
            self.pixels[(y * self.width + x) as usize] = 1;
        }
    }

    /// Rows packed 8 dots a byte, most significant bit first, 1 = black (`GS v 0`).
    pub fn packed_rows(&self) -> Vec<u8> {
        let bpr = self.width.div_ceil(8) as usize;
        let mut out = vec![0u8; bpr * self.height as usize];
        for y in 0..self.height as usize {
            let row = &self.pixels[y * self.width as usize..(y + 1) * self.width as usize];
            for (x, &p) in row.iter().enumerate() {
                if p != 0 {
                    out[y * bpr + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        out
    }

    /// Stacks `other` under this image (same width), shifted right by `dx`.
    fn append(&mut self, other: &Bitmap, dx: u32) {
        let top = self.height;
        self.grow(top + other.height);
        for y in 0..other.height {
            for x in 0..other.width {
                if other.get(x, y) {
                    self.set(i64::from(x + dx), i64::from(top + y));
                }
            }
        }
    }

    fn feed(&mut self, dots: u32) {
        self.grow(self.height + dots);
    }
}

struct Fonts {
    system: FontSystem,
    cache: SwashCache,
}

fn fonts() -> Result<MutexGuard<'static, Fonts>> {
    static FONTS: OnceLock<Mutex<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_font_data(ARABIC_FONT.to_vec());
            db.load_font_data(MONO_FONT.to_vec());
            Mutex::new(Fonts {
                system: FontSystem::new_with_locale_and_db("ar-DZ".into(), db),
                cache: SwashCache::new(),
            })
        })
        .lock()
        .map_err(|_| PosError::Invalid("the receipt fonts are unavailable".into()))
}

struct Text<'a> {
    text: &'a str,
    family: &'static str,
    px: f32,
    line: u32,
    /// Wrap width; `None` lays the text out on one line.
    width: Option<f32>,
    align: Option<cosmic_text::Align>,
    mono: bool,
}

fn layout(f: &mut Fonts, t: &Text<'_>) -> Buffer {
    let mut buf = Buffer::new(&mut f.system, Metrics::new(t.px, t.line as f32));
    buf.set_size(t.width, None);
    if t.mono {
        buf.set_monospace_width(Some(CELL_W));
    }
    buf.set_text(
        t.text,
        &Attrs::new().family(Family::Name(t.family)),
        Shaping::Advanced,
        t.align,
    );
    buf.shape_until_scroll(&mut f.system, false);
    buf
}

/// Laid-out width of the widest line, in dots.
fn measure(f: &mut Fonts, t: &Text<'_>) -> f32 {
    layout(f, t)
        .layout_runs()
        .map(|r| r.line_w)
        .fold(0.0, f32::max)
}

/// Draws `t` with its top-left at (`x0`, `y0`); returns the height used.
fn draw(f: &mut Fonts, bmp: &mut Bitmap, t: &Text<'_>, x0: i64, y0: i64) -> u32 {
    let mut buf = layout(f, t);
    let lines = buf.layout_runs().count().max(1) as u32;
    let Fonts { system, cache } = f;
    buf.draw(system, cache, Color::rgb(0, 0, 0), |x, y, w, h, color| {
        if color.as_rgba()[3] >= 128 {
            for dy in 0..h as i64 {
                for dx in 0..w as i64 {
                    bmp.set(x0 + i64::from(x) + dx, y0 + i64::from(y) + dy);
                }
            }
        }
    });
    lines * t.line
}

/// A QR code drawn as the printer draws it for `GS ( k` (model 2, level M, `module` dots).
pub fn qr_bitmap(payload: &str, module: u32, width: u32) -> Result<Bitmap> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let code = QrCode::encode_text(payload, QrCodeEcc::Medium)
        .map_err(|e| PosError::Invalid(format!("QR code: {e:?}")))?;
    let size = code.size() as u32 * module;
    let left = width.saturating_sub(size) / 2;
    let mut bmp = Bitmap::new(width, size);
    for y in 0..code.size() {
        for x in 0..code.size() {
            if code.get_module(x, y) {
                for dy in 0..module {
                    for dx in 0..module {
                        bmp.set(
                            i64::from(left + x as u32 * module + dx),
                            i64::from(y as u32 * module + dy),
                        );
                    }
                }
            }
        }
    }
    Ok(bmp)
}

/// The blocks of a receipt (its QR codes left out) as the raster sent to paper for Arabic.
pub fn render_blocks(receipt: &Receipt) -> Result<Bitmap> {
    let full = receipt.paper.dots();
    let width = full - 2 * MARGIN;
    let mut bmp = Bitmap::new(full, 0);
    let m = i64::from(MARGIN);
    let mut f = fonts()?;
    let rtl = receipt.lang.rtl();
    let (start, end) = if rtl {
        (cosmic_text::Align::Right, cosmic_text::Align::Left)
    } else {
        (cosmic_text::Align::Left, cosmic_text::Align::Right)
    };
    let mut y = 0i64;
    for block in &receipt.blocks {
        match block {
            Block::Text { text, align, big } => {
                let px = if *big { ARABIC_PX * 1.4 } else { ARABIC_PX };
                let line = if *big {
                    ARABIC_LINE * 3 / 2
                } else {
                    ARABIC_LINE
                };
                let align = match align {
                    Align::Start => start,
                    Align::Centre => cosmic_text::Align::Center,
                };
                let t = Text {
                    text,
                    family: ARABIC_FAMILY,
                    px,
                    line,
                    width: Some(width as f32),
                    align: Some(align),
                    mono: false,
                };
                y += i64::from(draw(&mut f, &mut bmp, &t, m, y));
            }
            Block::Row { label, value, big } => {
                let px = if *big { ARABIC_PX * 1.3 } else { ARABIC_PX };
                let line = if *big {
                    ARABIC_LINE * 3 / 2
                } else {
                    ARABIC_LINE
                };
                let v = Text {
                    text: value,
                    family: ARABIC_FAMILY,
                    px,
                    line,
                    width: None,
                    align: None,
                    mono: false,
                };
                let value_w = measure(&mut f, &v).ceil();
                let label_w = (width as f32 - value_w - CELL_W).max(CELL_W * 4.0);
                let l = Text {
                    text: label,
                    family: ARABIC_FAMILY,
                    px,
                    line,
                    width: Some(label_w),
                    align: Some(start),
                    mono: false,
                };
                let label_x = if rtl {
                    i64::from(width) - label_w as i64
                } else {
                    0
                };
                let used = draw(&mut f, &mut bmp, &l, label_x, y);
                let value_x = if rtl {
                    0
                } else {
                    i64::from(width) - value_w as i64
                };
                let v = Text {
                    align: Some(end),
                    ..v
                };
                draw(&mut f, &mut bmp, &v, value_x, y);
                y += i64::from(used);
            }
            Block::Rule => {
                for x in 0..i64::from(full) {
                    bmp.set(x, y + 11);
                    bmp.set(x, y + 12);
                }
                y += 24;
            }
            Block::Feed => y += i64::from(LINE_H),
            Block::Qr { .. } => {}
        }
        bmp.grow(y as u32);
    }
    Ok(bmp)
}

/// French and English lines drawn on the printer's 12 × 24 grid (what text mode prints).
fn render_text_line(f: &mut Fonts, width: u32, text: &str, centre: bool, big: bool) -> Bitmap {
    let mut line = Bitmap::new(width, LINE_H);
    let cols = (width as f32 / CELL_W) as usize;
    let used = text.chars().count().min(cols);
    let x = if centre {
        ((cols - used) / 2) as f32 * CELL_W
    } else {
        0.0
    };
    let t = Text {
        text,
        family: MONO_FAMILY,
        px: MONO_PX,
        line: LINE_H,
        width: None,
        align: None,
        mono: true,
    };
    draw(f, &mut line, &t, x as i64, 0);
    line.grow(LINE_H);
    if !big {
        return line;
    }
    // Double height, as `GS ! 0x01` prints it.
    let mut tall = Bitmap::new(width, LINE_H * 2);
    for y in 0..LINE_H * 2 {
        for x in 0..width {
            if line.get(x, y / 2) {
                tall.set(i64::from(x), i64::from(y));
            }
        }
    }
    tall
}

/// What the paper will look like: the same raster for Arabic, the text grid for French and
/// English, the QR codes where the printer puts them, the feed before the cut.
pub fn preview(receipt: &Receipt, logo: Option<&Bitmap>) -> Result<Bitmap> {
    let width = receipt.paper.dots();
    let module = u32::from(qr_module(receipt));
    let mut out = Bitmap::new(width, 0);
    if let Some(logo) = logo {
        out.append(logo, 0);
    }
    if receipt.lang == Lang::Ar {
        let mut stretch = Vec::new();
        for block in &receipt.blocks {
            if let Block::Qr { payload } = block {
                let part = Receipt {
                    blocks: std::mem::take(&mut stretch),
                    ..receipt.clone()
                };
                out.append(&render_blocks(&part)?, 0);
                out.append(&qr_bitmap(payload, module, width)?, 0);
                out.feed(LINE_H);
            } else {
                stretch.push(block.clone());
            }
        }
        let part = Receipt {
            blocks: stretch,
            ..receipt.clone()
        };
        out.append(&render_blocks(&part)?, 0);
    } else {
        let mut f = fonts()?;
        for line in text_lines(receipt) {
            match line {
                TextLine::Text { text, centre, big } => {
                    out.append(&render_text_line(&mut f, width, &text, centre, big), 0)
                }
                TextLine::Qr(payload) => {
                    out.append(&qr_bitmap(&payload, module, width)?, 0);
                    out.feed(LINE_H);
                }
                TextLine::Feed => out.feed(LINE_H),
            }
        }
    }
    out.feed(LINE_H * 3);
    Ok(out)
}

/// Floyd–Steinberg dithering of an 8-bit grey image (0 = black) to 1 bit, scaled (nearest
/// neighbour) to at most `max_width` dots wide.
pub fn dither(grey: &[u8], width: u32, height: u32, max_width: u32) -> Result<Bitmap> {
    if width == 0 || height == 0 || grey.len() != (width * height) as usize {
        return Err(PosError::Invalid(format!(
            "logo image: {width}×{height} with {} pixels",
            grey.len()
        )));
    }
    let scale = (max_width as f32 / width as f32).min(1.0);
    let (w, h) = (
        ((width as f32 * scale) as u32).max(1),
        ((height as f32 * scale) as u32).max(1),
    );
    let mut err: Vec<f32> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let sx = ((x as f32 / scale) as u32).min(width - 1);
            let sy = ((y as f32 / scale) as u32).min(height - 1);
            f32::from(grey[(sy * width + sx) as usize])
        })
        .collect();
    let mut out = Bitmap::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) as usize;
            let old = err[i];
            let new = if old < 128.0 { 0.0 } else { 255.0 };
            if new == 0.0 {
                out.set(i64::from(x), i64::from(y));
            }
            let e = old - new;
            let mut spread = |dx: i64, dy: i64, k: f32| {
                let (nx, ny) = (i64::from(x) + dx, i64::from(y) + dy);
                if nx >= 0 && nx < i64::from(w) && ny < i64::from(h) {
                    err[(ny as u32 * w + nx as u32) as usize] += e * k;
                }
            };
            spread(1, 0, 7.0 / 16.0);
            spread(-1, 1, 3.0 / 16.0);
            spread(0, 1, 5.0 / 16.0);
            spread(1, 1, 1.0 / 16.0);
        }
    }
    Ok(out)
}
