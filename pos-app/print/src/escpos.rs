//! A receipt document to ESC/POS bytes, through the `escpos` crate's command builder.
//!
//! French and English print as text in code page PC858 (accents and €), encoded here: the
//! crate's own PC858 table sends `-` as 0xF0 and `Ô` as `Ò`, and characters outside the page are
//! replaced by a visible `?`, never sent as UTF-8 bytes. Arabic prints as a 1-bit raster
//! (`GS v 0`) drawn by `raster`. The QR code is the printer's own (`GS ( k`); the drawer kick is
//! the full five-byte `ESC p m t1 t2`.

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{
    JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};

use super::layout::{Block, Lang, Receipt};
use super::raster::{self, Bitmap};
pub use super::text::{qr_module, text_lines, TextLine};
use pos_core::{PosError, Result};

/// The upper half (0x80–0xFF) of code page 858: code page 850 with € at 0xD5.
pub const PC858_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', 'Á', 'Â', 'À', '©', '╣', '║', '╗', '╝', '¢', '¥', '┐', //
    '└', '┴', '┬', '├', '─', '┼', 'ã', 'Ã', '╚', '╔', '╩', '╦', '╠', '═', '╬', '¤', //
    'ð', 'Ð', 'Ê', 'Ë', 'È', '€', 'Í', 'Î', 'Ï', '┘', '┌', '█', '▄', '¦', 'Ì', '▀', //
    'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', //
    '\u{AD}', '±', '‗', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '■', '\u{A0}',
];

/// The byte printed for a character that code page 858 does not have.
pub const REPLACEMENT: u8 = b'?';

/// `ESC p 0 t1 t2`: pulse pin 2 for 50 ms on, 500 ms off.
pub const DRAWER_KICK: [u8; 5] = [0x1B, b'p', 0, 25, 250];

/// Rows of raster sent per `GS v 0` command (printers buffer a limited band).
const BAND_ROWS: u32 = 240;

/// Encodes text to PC858: ASCII as is, accents through the table, a few look-alikes
/// (typographic quotes and dashes, œ), and `?` for everything else.
pub fn encode_pc858(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '..='~' => out.push(c as u8),
            '\u{2018}' | '\u{2019}' | '\u{02BC}' => out.push(b'\''),
            '\u{201C}' | '\u{201D}' => out.push(b'"'),
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push(b'-'),
            '\u{202F}' | '\u{2009}' => out.push(b' '),
            'œ' => out.extend_from_slice(b"oe"),
            'Œ' => out.extend_from_slice(b"OE"),
            '…' => out.extend_from_slice(b"..."),
            _ => match PC858_HIGH.iter().position(|&h| h == c) {
                Some(i) => out.push(0x80 + i as u8),
                None => out.push(REPLACEMENT),
            },
        }
    }
    out
}

/// Collects what the crate's printer writes.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

fn esc(e: escpos::errors::PrinterError) -> PosError {
    PosError::Invalid(format!("receipt encoding: {e}"))
}

fn qr(printer: &mut Printer<Capture>, payload: &str, module: u8) -> Result<()> {
    let option = QRCodeOption::new(QRCodeModel::Model2, module, QRCodeCorrectionLevel::M);
    printer
        .justify(JustifyMode::CENTER)
        .and_then(|p| p.qrcode_option(payload, option))
        .and_then(|p| p.feed())
        .and_then(|p| p.justify(JustifyMode::LEFT))
        .map_err(esc)?;
    Ok(())
}

/// `GS v 0` commands for a 1-bit image, in bands.
pub fn raster_commands(bitmap: &Bitmap) -> Vec<u8> {
    let bytes_per_row = bitmap.width.div_ceil(8);
    let packed = bitmap.packed_rows();
    let mut out = Vec::with_capacity(packed.len() + 16);
    let mut row = 0;
    while row < bitmap.height {
        let rows = BAND_ROWS.min(bitmap.height - row);
        out.extend_from_slice(&[0x1D, b'v', b'0', 0]);
        out.extend_from_slice(&[(bytes_per_row & 0xFF) as u8, (bytes_per_row >> 8) as u8]);
        out.extend_from_slice(&[(rows & 0xFF) as u8, (rows >> 8) as u8]);
        let start = (row * bytes_per_row) as usize;
        let end = ((row + rows) * bytes_per_row) as usize;
        out.extend_from_slice(&packed[start..end]);
        row += rows;
    }
    out
}

/// Options for one print job.
#[derive(Clone, Debug, Default)]
pub struct EncodeOptions {
    /// A 1-bit logo (already dithered) printed at the top.
    pub logo: Option<Bitmap>,
}

/// The whole job: init, code page, logo, body (text or raster), QR, feed and cut; the drawer
/// kick first, so the drawer opens while the paper prints.
pub fn encode(receipt: &Receipt, options: &EncodeOptions) -> Result<Vec<u8>> {
    let capture = Capture::default();
    let printer_options =
        PrinterOptions::new(Some(PageCode::PC858), None, receipt.paper.cols() as u8);
    let mut printer = Printer::new(capture.clone(), Protocol::default(), Some(printer_options));
    printer.init().map_err(esc)?;
    if receipt.open_drawer {
        printer.custom(&DRAWER_KICK).map_err(esc)?;
    }
    if let Some(logo) = &options.logo {
        printer.custom(&raster_commands(logo)).map_err(esc)?;
    }
    let module = qr_module(receipt);
    if receipt.lang == Lang::Ar {
        // Everything but the QR codes as one raster per stretch between them.
        let mut stretch = Vec::new();
        for block in &receipt.blocks {
            if let Block::Qr { payload } = block {
                flush_raster(&mut printer, receipt, &mut stretch)?;
                qr(&mut printer, payload, module)?;
            } else {
                stretch.push(block.clone());
            }
        }
        flush_raster(&mut printer, receipt, &mut stretch)?;
    } else {
        for line in text_lines(receipt) {
            match line {
                TextLine::Text { text, centre, big } => {
                    if centre {
                        printer.justify(JustifyMode::CENTER).map_err(esc)?;
                    }
                    if big {
                        printer.bold(true).and_then(|p| p.size(1, 2)).map_err(esc)?;
                    }
                    printer
                        .custom(&encode_pc858(&text))
                        .and_then(|p| p.feed())
                        .map_err(esc)?;
                    if big {
                        printer
                            .reset_size()
                            .and_then(|p| p.bold(false))
                            .map_err(esc)?;
                    }
                    if centre {
                        printer.justify(JustifyMode::LEFT).map_err(esc)?;
                    }
                }
                TextLine::Qr(payload) => qr(&mut printer, &payload, module)?,
                TextLine::Feed => {
                    printer.feed().map_err(esc)?;
                }
            }
        }
    }
    printer.feeds(3).and_then(|p| p.print_cut()).map_err(esc)?;
    drop(printer);
    let bytes = capture.0.take();
    Ok(bytes)
}

fn flush_raster(
    printer: &mut Printer<Capture>,
    receipt: &Receipt,
    blocks: &mut Vec<Block>,
) -> Result<()> {
    if blocks.is_empty() {
        return Ok(());
    }
    let part = Receipt {
        blocks: std::mem::take(blocks),
        ..receipt.clone()
    };
    let bitmap = raster::render_blocks(&part)?;
    printer.custom(&raster_commands(&bitmap)).map_err(esc)?;
    Ok(())
}

/// Just the drawer kick (the "no sale" open).
pub fn drawer_kick() -> Vec<u8> {
    let mut out = vec![0x1B, b'@'];
    out.extend_from_slice(&DRAWER_KICK);
    out
}
