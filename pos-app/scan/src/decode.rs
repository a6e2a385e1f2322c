//! The decoder pipeline: grey frame → (downscaled) lines across, lines down, then QR → codes
//! that passed the vote and, for retail numbers, the GS1 check digit.

use std::borrow::Cow;

use image::GrayImage;
use pos_shared::Gtin;
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer, LineOrientation};
use rxing::qrcode::cpp_port::QrReader;
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

    /// Cheapest first: rows with the histogram threshold (an upright linear code usually
    /// settles there), then QR, then rows with the local threshold, then columns (a symbol
    /// turned 90°) with both. Votes from every pass count together.
    fn decode_at_size(&mut self, frame: &GrayImage) -> Vec<ScannedCode> {
        let (w, h) = frame.dimensions();
        let Ok(src) = Luma8Source::new_with_slice(frame.as_raw(), w, h) else {
            return Vec::new();
        };
        let histogram = BinaryBitmap::new(GlobalHistogramBinarizer::new(src.clone()));
        let mut local = BinaryBitmap::new(HybridBinarizer::new(src));
        let linear = self.lines.any();
        let plan = LinePlan {
            lines: self.settings.lines.max(1),
            enough_votes: 4,
        };
        let mut ballot = Ballot::default();
        let (rows, cols) = (h as usize, w as usize);
        let by_histogram = |orient: LineOrientation| {
            let histogram = &histogram;
            move |i: usize| {
                histogram
                    .get_black_line(i, orient)
                    .ok()
                    .map(Cow::into_owned)
            }
        };
        if linear {
            let line = by_histogram(LineOrientation::Row);
            oned::scan(
                line,
                rows,
                Direction::Rows,
                &plan,
                &mut self.lines,
                &mut ballot,
            );
            let found = to_codes(&ballot);
            if !found.is_empty() {
                return found;
            }
        }
        if self.settings.formats.contains(&Symbology::Qr) {
            if let Some(code) = read_qr(&mut local) {
                return vec![code];
            }
        }
        if !linear {
            return Vec::new();
        }
        // The local threshold needs blocks to work on; tiny frames get the histogram only.
        let big_enough = w >= 40 && h >= 40;
        let matrix = local.get_black_matrix();
        let passes: [(Direction, bool); 3] = [
            (Direction::Rows, false),
            (Direction::Columns, true),
            (Direction::Columns, false),
        ];
        for (dir, with_histogram) in passes {
            let len = if dir == Direction::Rows { rows } else { cols };
            if with_histogram {
                let line = by_histogram(LineOrientation::Column);
                oned::scan(line, len, dir, &plan, &mut self.lines, &mut ballot);
            } else if big_enough {
                let line = |i: usize| {
                    Some(match dir {
                        Direction::Rows => matrix.getRow(i as u32),
                        Direction::Columns => matrix.getCol(i as u32),
                    })
                };
                oned::scan(line, len, dir, &plan, &mut self.lines, &mut ballot);
            }
            let found = to_codes(&ballot);
            if !found.is_empty() {
                return found;
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

/// A QR code, whose Reed-Solomon correction already rules out a misread. The detector is
/// rxing's port of zxing-cpp's, which finds finder patterns in blurred, dim and perspective
/// photos where the Java port's does not (20/20 of the ZXing set against 17/20).
fn read_qr(bitmap: &mut BinaryBitmap<HybridBinarizer<Luma8Source>>) -> Option<ScannedCode> {
    let formats = std::collections::HashSet::from([rxing::BarcodeFormat::QR_CODE]);
    let hints = DecodeHints::default()
        .with(rxing::DecodeHintValue::TryHarder(true))
        .with(rxing::DecodeHintValue::PossibleFormats(formats));
    let res = QrReader.decode_with_hints(bitmap, &hints).ok()?;
    if *res.getBarcodeFormat() != rxing::BarcodeFormat::QR_CODE {
        return None;
    }
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
