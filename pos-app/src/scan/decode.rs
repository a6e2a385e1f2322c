//! The decoder pipeline: grey frame → (downscaled) lines across, lines down, then QR → codes
//! that passed the vote and, for retail numbers, the GS1 check digit.

use image::GrayImage;
use pos_shared::Gtin;
use rxing::common::HybridBinarizer;
use rxing::qrcode::QRCodeReader;
use rxing::{BinaryBitmap, DecodeHints, Luma8Source, Reader};
use serde::{Deserialize, Serialize};

use super::oned::{self, Ballot, Direction, LinePlan, LineReaders};
use super::{ScannedCode, Symbology};

/// What the decoder looks for and how hard; stored with the till's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecoderSettings {
    /// Only these formats are tried (fewer formats: faster, and fewer chances of a false read).
    pub formats: Vec<Symbology>,
    /// Frames longer than this on their long side are first read at this size.
    pub max_side: u32,
    /// Scan lines across the frame per direction.
    pub lines: usize,
}

impl Default for DecoderSettings {
    fn default() -> Self {
        DecoderSettings {
            formats: Symbology::ALL.to_vec(),
            max_side: 1280,
            lines: 160,
        }
    }
}

/// Reads codes from grey frames. Cheap to create; keep one per thread.
pub struct Decoder {
    settings: DecoderSettings,
    lines: LineReaders,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(DecoderSettings::default())
    }
}

impl Decoder {
    pub fn new(settings: DecoderSettings) -> Self {
        let lines = LineReaders::new(&settings.formats);
        Decoder { settings, lines }
    }

    pub fn settings(&self) -> &DecoderSettings {
        &self.settings
    }

    /// The codes in a frame, best first; empty when nothing is read with certainty.
    pub fn decode(&mut self, frame: &GrayImage) -> Vec<ScannedCode> {
        let (w, h) = frame.dimensions();
        if w == 0 || h == 0 {
            return Vec::new();
        }
        let long = w.max(h);
        if long > self.settings.max_side.max(64) {
            let factor = long.div_ceil(self.settings.max_side.max(64));
            let small = shrink(frame, factor);
            let found = self.decode_at_size(&small);
            if !found.is_empty() {
                return found;
            }
        }
        self.decode_at_size(frame)
    }

    fn decode_at_size(&mut self, frame: &GrayImage) -> Vec<ScannedCode> {
        let (w, h) = frame.dimensions();
        let luma = frame.as_raw();
        if self.lines.any() {
            let plan = LinePlan {
                lines: self.settings.lines.max(1),
                enough_votes: 4,
            };
            let mut ballot = Ballot::default();
            for dir in [Direction::Rows, Direction::Columns] {
                oned::scan(luma, w, h, dir, &plan, &mut self.lines, &mut ballot);
                let found = to_codes(&ballot);
                if !found.is_empty() {
                    return found;
                }
            }
        }
        if self.settings.formats.contains(&Symbology::Qr) {
            if let Some(code) = read_qr(luma, w, h) {
                return vec![code];
            }
        }
        Vec::new()
    }
}

/// Accepted candidates as codes; a retail number that fails the GS1 check digit is dropped.
fn to_codes(ballot: &Ballot) -> Vec<ScannedCode> {
    ballot
        .accepted()
        .into_iter()
        .filter_map(|c| {
            let gtin14 = if c.format.is_retail() {
                let g = if c.format == Symbology::UpcE {
                    Gtin::parse_upce(&c.text)
                } else {
                    Gtin::parse(&c.text)
                };
                Some(g.ok()?.gtin14().to_owned())
            } else {
                None
            };
            Some(ScannedCode {
                format: c.format,
                votes: c.votes(),
                text: c.text,
                gtin14,
            })
        })
        .collect()
}

/// A QR code, whose Reed-Solomon correction already rules out a misread.
fn read_qr(luma: &[u8], w: u32, h: u32) -> Option<ScannedCode> {
    let src = Luma8Source::new_with_slice(luma, w, h).ok()?;
    let hints = DecodeHints::default().with(rxing::DecodeHintValue::TryHarder(true));
    let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(src));
    let res = QRCodeReader::new()
        .decode_with_hints(&mut bitmap, &hints)
        .ok()?;
    Some(ScannedCode {
        format: Symbology::Qr,
        text: res.getText().to_owned(),
        gtin14: None,
        votes: 1,
    })
}

/// Area-average downscale by an integer factor (fast, and keeps thin bars grey, not lost).
fn shrink(frame: &GrayImage, factor: u32) -> GrayImage {
    let factor = factor.max(1);
    let (w, h) = frame.dimensions();
    let (nw, nh) = ((w / factor).max(1), (h / factor).max(1));
    let src = frame.as_raw();
    let mut out = vec![0u8; (nw * nh) as usize];
    let area = factor * factor;
    for oy in 0..nh {
        for ox in 0..nw {
            let mut sum = 0u32;
            for dy in 0..factor {
                let y = (oy * factor + dy).min(h - 1);
                let row = (y * w) as usize;
                for dx in 0..factor {
                    let x = (ox * factor + dx).min(w - 1);
                    sum += u32::from(src[row + x as usize]);
                }
            }
            out[(oy * nw + ox) as usize] = (sum / area) as u8;
        }
    }
    GrayImage::from_raw(nw, nh, out).unwrap_or_else(|| GrayImage::new(nw, nh))
}
