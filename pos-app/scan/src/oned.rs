//! Linear barcodes (EAN/UPC, Code 128) read line by line, with votes.
//!
//! rxing's own loop returns the first scan line that decodes, and one line through a blurred or
//! scratched symbol can decode to another number with a valid check digit. Here every line
//! scanned gives a vote; a text is accepted only when enough distinct lines agree and no
//! conflicting text over the same bars comes close.

use std::collections::HashMap;

use rxing::common::BitArray;
use rxing::oned::{Code128Reader, MultiFormatUPCEANReader, OneDReader};
use rxing::DecodeHints;

use super::quiet::lighten_surface;
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
                if short_symbol_trusted(&res, bits) {
                    push_hit(&res, out);
                }
            }
        }
        if let Some(r) = self.code128.as_mut() {
            if let Ok(res) = r.decode_row(line, bits, &self.hints) {
                push_hit(&res, out);
            }
        }
    }
}

/// EAN-8 and UPC-E fit inside longer symbols: under strong perspective a stretch of an EAN-13
/// can pass for one, with the guard-wide light space rxing checks for on each side. A real
/// short symbol has a margin of its own: ask for [`SHORT_MARGIN_MODULES`] light modules beyond
/// both guards (the standard asks for 7; printers are often tighter). A UPC-E must also be
/// imaged at [`UPCE_MIN_MODULE_PX`] or more.
fn short_symbol_trusted(res: &rxing::RXingResult, bits: &BitArray) -> bool {
    // Modules between the guard centres rxing reports, and from each centre to the guard's edge.
    let (span, start_half, end_half) = match res.getBarcodeFormat() {
        rxing::BarcodeFormat::EAN_8 => (64.0, 1.5, 1.5),
        rxing::BarcodeFormat::UPC_E => (46.5, 1.5, 3.0),
        _ => return true,
    };
    let pts = res.getPoints();
    let (Some(a), Some(b)) = (pts.first(), pts.last()) else {
        return false;
    };
    let (x0, x1) = (a.x.min(b.x), a.x.max(b.x));
    let module = (x1 - x0) / span;
    if *res.getBarcodeFormat() == rxing::BarcodeFormat::UPC_E && module < UPCE_MIN_MODULE_PX {
        return false;
    }
    let margin = SHORT_MARGIN_MODULES * module;
    let before = light_beyond(bits, x0 - start_half * module, -1, module);
    let after = light_beyond(bits, x1 + end_half * module, 1, module);
    before >= margin && after >= margin
}

/// The light run beyond a guard whose outer edge is expected near `edge` (within a module:
/// printed and binarized bars come out a little wider or narrower), going `dir` (±1).
fn light_beyond(bits: &BitArray, edge: f32, dir: isize, module: f32) -> f32 {
    let size = bits.get_size() as isize;
    let dark = |x: isize| (0..size).contains(&x) && bits.get(x as usize);
    let (from, to) = (
        (edge - dir as f32 * module) as isize,
        (edge + dir as f32 * module) as isize,
    );
    // The guard's last dark pixel in the window, else the window's inner end.
    let mut x = from;
    let mut last = from;
    while x != to + dir {
        if dark(x) {
            last = x;
        }
        x += dir;
    }
    let mut len = 0;
    let mut x = last + dir;
    while (0..size).contains(&x) && !dark(x) {
        len += 1;
        x += dir;
    }
    len as f32
}

/// The light margin asked of EAN-8 and UPC-E, in modules.
const SHORT_MARGIN_MODULES: f32 = 4.0;

/// The narrowest module a UPC-E is read at, in pixels. Below it one- and two-module bars blur
/// into each other, and UPC-E carries its check digit only in the parity pattern of its six
/// digits, which catches fewer of the errors that follow: a can photographed at 1.25 px per module read as another
/// valid UPC-E on every line, the same on each. EAN-8 and EAN-13 carry a true check digit and
/// keep reading smaller. A cashier holds the item closer; a no-read costs a second, a wrong
/// item costs the shop.
const UPCE_MIN_MODULE_PX: f32 = 1.3;

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

/// Reads lines in one direction, centre first, voting into `ballot`; `line(i)` binarizes line
/// `i` (a per-line histogram threshold, or a row of the local-block threshold for uneven light).
/// A line that reads nothing as it is gets a second look with dark surface beside a light
/// margin made light ([`lighten_surface`]). Rows and columns never count as the same line.
pub(crate) fn scan(
    line: impl Fn(usize) -> Option<BitArray>,
    len: usize,
    dir: Direction,
    plan: &LinePlan,
    readers: &mut LineReaders,
    ballot: &mut Ballot,
) {
    let salt = match dir {
        Direction::Rows => 0,
        Direction::Columns => 1 << 20,
    };
    let mut hits = Vec::new();
    for i in centre_out(len, plan.lines) {
        let Some(bits) = line(i) else {
            continue;
        };
        read_both_ways(readers, i as u32, &bits, &mut hits);
        if hits.is_empty() {
            if let Some(v) = lighten_surface(&bits) {
                read_both_ways(readers, i as u32, &v, &mut hits);
            }
        }
        for h in hits.drain(..) {
            ballot.add(salt + i as u32, h);
        }
        if ballot.settled(plan.enough_votes) {
            return;
        }
    }
}

fn read_both_ways(readers: &mut LineReaders, line: u32, bits: &BitArray, hits: &mut Vec<Hit>) {
    readers.read(line, bits, hits);
    let before = hits.len();
    let mut bits = bits.clone();
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
