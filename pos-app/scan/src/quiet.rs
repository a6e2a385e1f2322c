//! Short quiet zones on dark packs.
//!
//! A reader only trusts a symbol with enough light space around it (Code 128 wants 5½ modules
//! before its start, UPC-E 6 after its end guard), and measures that space on the scan line.
//! A label printed with a tight margin on a darker pack fails that test although nothing is
//! wrong with it: the margin is light, then the pack reads as one long dark run. No bar is wider
//! than 4 modules, so a dark run far wider than the bars beside it is surface, not ink; this
//! gives the reader a second look at the line with such runs made light, while the light margin
//! next to the symbol must still be there.

use rxing::common::BitArray;

/// The runs next to a margin that give the module size: 6 runs span 6–11 modules.
const RUNS_FOR_MODULE: usize = 6;
/// A dark run at least this many (estimated) modules wide is surface: bars are at most 4.
const SURFACE_MODULES: f32 = 6.0;
/// A dark run cut by the frame's edge is surface from this width: a bar could only be that
/// wide with a space beside it of at least [`MARGIN_MODULES`], and the reader still needs a
/// start or stop pattern and a check digit after it.
const EDGE_SURFACE_MODULES: f32 = 3.0;
/// The light margin the symbol must keep itself, in (estimated) modules.
const MARGIN_MODULES: f32 = 2.0;

/// The line with dark surface runs beside a light margin made light; `None` when there are none.
pub(crate) fn lighten_surface(bits: &BitArray) -> Option<BitArray> {
    let runs = runs(bits);
    let mut out: Option<BitArray> = None;
    let mut start = 0usize;
    for (i, &(dark, len)) in runs.iter().enumerate() {
        if dark && (is_surface(&runs, i, Side::Before) || is_surface(&runs, i, Side::After)) {
            let line = out.get_or_insert_with(|| bits.clone());
            for x in start..start + len {
                line.unset(x);
            }
        }
        start += len;
    }
    out
}

#[derive(Clone, Copy)]
enum Side {
    Before,
    After,
}

/// Is dark run `i` a surface beside a margin, with the symbol's runs beyond that margin?
fn is_surface(runs: &[(bool, usize)], i: usize, side: Side) -> bool {
    let step = |k: usize, n: usize| -> Option<usize> {
        match side {
            Side::Before => k.checked_sub(n),
            Side::After => k.checked_add(n).filter(|&j| j < runs.len()),
        }
    };
    let Some(margin) = step(i, 1) else {
        return false;
    };
    let Some(far) = step(margin, RUNS_FOR_MODULE) else {
        return false;
    };
    let (lo, hi) = (far.min(margin), far.max(margin));
    let symbol: usize = runs[lo..=hi]
        .iter()
        .enumerate()
        .filter(|&(k, _)| lo + k != margin)
        .map(|(_, r)| r.1)
        .sum();
    let module = symbol as f32 / RUNS_FOR_MODULE as f32;
    let dark = runs[i].1 as f32;
    let light = runs[margin].1 as f32;
    let at_edge = i == 0 || i + 1 == runs.len();
    let surface = if at_edge {
        EDGE_SURFACE_MODULES
    } else {
        SURFACE_MODULES
    };
    dark >= (surface * module).max(6.0) && light >= MARGIN_MODULES * module
}

/// (dark, length) runs along the line.
fn runs(bits: &BitArray) -> Vec<(bool, usize)> {
    let size = bits.get_size();
    let mut out: Vec<(bool, usize)> = Vec::new();
    let mut x = 0;
    while x < size {
        let dark = bits.get(x);
        let end = if dark {
            bits.getNextUnset(x)
        } else {
            bits.getNextSet(x)
        }
        .min(size);
        out.push((dark, end - x));
        x = end.max(x + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(pattern: &str) -> BitArray {
        let mut b = BitArray::with_size(pattern.len());
        for (i, c) in pattern.chars().enumerate() {
            if c == '#' {
                b.set(i);
            }
        }
        b
    }

    fn text(b: &BitArray) -> String {
        (0..b.get_size())
            .map(|i| if b.get(i) { '#' } else { '.' })
            .collect()
    }

    #[test]
    fn surface_beside_a_margin_is_lightened_and_bars_are_kept() {
        // 2-px modules: dark surface, a 5-module margin, bars, a margin, surface.
        let bars = "##..####..##....######..##";
        let surface = "#".repeat(20);
        let margin = ".".repeat(10);
        let l = line(&format!("{surface}{margin}{bars}{margin}{surface}"));
        let got = lighten_surface(&l).expect("surface found");
        let clear = ".".repeat(20);
        assert_eq!(text(&got), format!("{clear}{margin}{bars}{margin}{clear}"));
    }

    #[test]
    fn no_surface_no_variant() {
        assert!(lighten_surface(&line("..##..####..##....######..##..")).is_none());
        // A wide bar inside a symbol (no margin beside it) is kept.
        assert!(lighten_surface(&line("..##..##..############..##..##..##..")).is_none());
    }
}
