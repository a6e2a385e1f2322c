//! Linear barcodes (EAN/UPC, Code 128) read line by line, with votes.
//!
//! rxing's own loop returns the first scan line that decodes, and one line through a blurred or
//! scratched symbol can decode to another number with a valid check digit. Here every line
//! scanned gives a vote; a text is accepted only when enough distinct lines agree and no
//! conflicting text over the same bars comes close.

use std::collections::HashMap;

use rxing::common::{BitArray, GlobalHistogramBinarizer, HybridBinarizer, LineOrientation};
use rxing::oned::{Code128Reader, MultiFormatUPCEANReader, OneDReader};
use rxing::{BinaryBitmap, DecodeHints, Luma8Source};

use super::Symbology;

/// A read from one scan line.
#[derive(Debug, Clone)]
struct Hit {
    format: Symbology,
    text: String,
    /// Where along the line the symbol starts and ends (pixels).
    x0: f32,
    x1: f32,
}

/// A text and the distinct lines that read it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub format: Symbology,
    pub text: String,
    pub lines: Vec<u32>,
    x0: f32,
    x1: f32,
}

impl Candidate {
    pub fn votes(&self) -> u32 {
        self.lines.len() as u32
    }
    fn overlaps(&self, other: &Candidate) -> bool {
        self.x0.min(self.x1) <= other.x0.max(other.x1)
            && other.x0.min(other.x1) <= self.x0.max(self.x1)
    }
}

/// Which way to scan: along the rows, or down the columns (a symbol turned 90°).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Rows,
    Columns,
}

/// Lines to read and votes to require.
#[derive(Debug, Clone)]
pub(crate) struct LinePlan {
    /// Lines scanned across the frame, centre first.
    pub lines: usize,
    /// Stop early once the best text has this many votes and nothing conflicts.
    pub enough_votes: u32,
}

/// Collects votes from every line of one frame, orientation and binarizer.
#[derive(Default)]
pub(crate) struct Ballot {
    by_text: HashMap<(Symbology, String), Candidate>,
}

impl Ballot {
    fn add(&mut self, line: u32, hit: Hit) {
        let c = self
            .by_text
            .entry((hit.format, hit.text.clone()))
            .or_insert_with(|| Candidate {
                format: hit.format,
                text: hit.text,
                lines: Vec::new(),
                x0: hit.x0,
                x1: hit.x1,
            });
        if !c.lines.contains(&line) {
            c.lines.push(line);
        }
        c.x0 = c.x0.min(hit.x0.min(hit.x1));
        c.x1 = c.x1.max(hit.x0.max(hit.x1));
    }

    /// The texts the lines agree on: enough votes, and every conflicting read over the same
    /// bars at most a third as many. Short symbologies (EAN-8, UPC-E), which can be found
    /// inside longer symbols and in noise, need more votes and lose to an overlapping long one.
    pub fn accepted(&self) -> Vec<Candidate> {
        let all: Vec<&Candidate> = self.by_text.values().collect();
        let mut out: Vec<Candidate> = Vec::new();
        for c in &all {
            if c.votes() < min_votes(c.format) {
                continue;
            }
            let contested = all.iter().any(|o| {
                !std::ptr::eq(*o, *c)
                    && same_family(o.format, c.format)
                    && o.overlaps(c)
                    && (short(c.format) && !short(o.format) && o.votes() >= 2
                        || o.votes() * 3 > c.votes())
            });
            if !contested {
                out.push((*c).clone());
            }
        }
        out.sort_by(|a, b| b.votes().cmp(&a.votes()).then(a.text.cmp(&b.text)));
        out
    }

    fn settled(&self, enough: u32) -> bool {
        let acc = self.accepted();
        acc.first().is_some_and(|c| c.votes() >= enough)
    }
}

fn short(f: Symbology) -> bool {
    matches!(f, Symbology::Ean8 | Symbology::UpcE)
}

fn same_family(a: Symbology, b: Symbology) -> bool {
    a.is_retail() == b.is_retail()
}

fn min_votes(f: Symbology) -> u32 {
    if short(f) {
        4
    } else {
        3
    }
}

/// The line readers for the linear formats asked for.
pub(crate) struct LineReaders {
    upcean: Option<MultiFormatUPCEANReader>,
    code128: Option<Code128Reader>,
    hints: DecodeHints,
}

impl LineReaders {
    pub fn new(formats: &[Symbology]) -> Self {
        let retail: std::collections::HashSet<rxing::BarcodeFormat> = formats
            .iter()
            .filter(|f| f.is_retail())
            .map(|f| f.to_rxing())
            .collect();
        let hints = DecodeHints::default()
            .with(rxing::DecodeHintValue::TryHarder(true))
            .with(rxing::DecodeHintValue::PossibleFormats(retail.clone()));
        LineReaders {
            upcean: (!retail.is_empty()).then(|| MultiFormatUPCEANReader::new(&hints)),
            code128: formats
                .contains(&Symbology::Code128)
                .then_some(Code128Reader),
            hints,
        }
    }

    pub fn any(&self) -> bool {
        self.upcean.is_some() || self.code128.is_some()
    }

    fn read(&mut self, line: u32, bits: &BitArray, out: &mut Vec<Hit>) {
        if let Some(r) = self.upcean.as_mut() {
            if let Ok(res) = r.decode_row(line, bits, &self.hints) {
                push_hit(&res, out);
            }
        }
        if let Some(r) = self.code128.as_mut() {
            if let Ok(res) = r.decode_row(line, bits, &self.hints) {
                push_hit(&res, out);
            }
        }
    }
}

fn push_hit(res: &rxing::RXingResult, out: &mut Vec<Hit>) {
    let Some(format) = Symbology::from_rxing(res.getBarcodeFormat()) else {
        return;
    };
    let pts = res.getPoints();
    let (x0, x1) = match (pts.first(), pts.last()) {
        (Some(a), Some(b)) => (a.x, b.x),
        _ => (0.0, 0.0),
    };
    out.push(Hit {
        format,
        text: res.getText().to_owned(),
        x0,
        x1,
    });
}

/// Line indices from the centre outwards, `count` of them spread over `len`.
fn centre_out(len: usize, count: usize) -> impl Iterator<Item = usize> {
    let step = (len / count.max(1)).max(1);
    let middle = len / 2;
    (0..len.div_ceil(step) * 2 + 1).filter_map(move |i| {
        let k = i.div_ceil(2) * step;
        let line = if i % 2 == 0 {
            middle.checked_add(k)
        } else {
            middle.checked_sub(k)
        }?;
        (line < len).then_some(line)
    })
}

/// Reads lines of a grey frame in one direction with two binarizers (a per-line histogram
/// threshold, then the local-block threshold for uneven light), voting into `ballot`.
/// The line numbers are offset by `salt` so rows and columns never count as the same line.
pub(crate) fn scan(
    luma: &[u8],
    width: u32,
    height: u32,
    dir: Direction,
    plan: &LinePlan,
    readers: &mut LineReaders,
    ballot: &mut Ballot,
) {
    let Ok(src) = Luma8Source::new_with_slice(luma, width, height) else {
        return;
    };
    let (len, orient, salt) = match dir {
        Direction::Rows => (height as usize, LineOrientation::Row, 0),
        Direction::Columns => (width as usize, LineOrientation::Column, 1 << 20),
    };
    let mut hits = Vec::new();
    let ghb = BinaryBitmap::new(GlobalHistogramBinarizer::new(src.clone()));
    for line in centre_out(len, plan.lines) {
        let Ok(bits) = ghb.get_black_line(line, orient) else {
            continue;
        };
        read_both_ways(readers, line as u32, bits.into_owned(), &mut hits);
        for h in hits.drain(..) {
            ballot.add(salt + line as u32, h);
        }
        if ballot.settled(plan.enough_votes) {
            return;
        }
    }
    if width < 40 || height < 40 {
        return;
    }
    let hybrid = BinaryBitmap::new(HybridBinarizer::new(src));
    let matrix = hybrid.get_black_matrix();
    for line in centre_out(len, plan.lines) {
        let bits = match dir {
            Direction::Rows => matrix.getRow(line as u32),
            Direction::Columns => matrix.getCol(line as u32),
        };
        read_both_ways(readers, line as u32, bits, &mut hits);
        for h in hits.drain(..) {
            ballot.add(salt + line as u32, h);
        }
        if ballot.settled(plan.enough_votes) {
            return;
        }
    }
}

fn read_both_ways(readers: &mut LineReaders, line: u32, mut bits: BitArray, hits: &mut Vec<Hit>) {
    readers.read(line, &bits, hits);
    let before = hits.len();
    bits.reverse();
    readers.read(line, &bits, hits);
    // A symbol read both ways on one line is one vote, which `Ballot::add` already ensures;
    // a reversed read's positions are mirrored back so overlaps compare like with like.
    let size = bits.get_size() as f32;
    for h in &mut hits[before..] {
        h.x0 = size - 1.0 - h.x0;
        h.x1 = size - 1.0 - h.x1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_out_starts_in_the_middle_and_covers_the_range() {
        let lines: Vec<usize> = centre_out(10, 10).collect();
        assert_eq!(lines[0], 5);
        let mut sorted = lines.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert!(centre_out(100, 10).count() >= 10);
        assert_eq!(centre_out(0, 10).count(), 0);
    }
}
