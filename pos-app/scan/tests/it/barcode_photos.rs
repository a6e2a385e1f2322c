//! The ZXing photograph sets: read counts at or above ZXing's published try-harder counts, and
//! not one misread, not even on the photographs of things that are not barcodes.

use std::path::{Path, PathBuf};

use pos_scan::{read_image, Decoder, ScannedCode};

fn sets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/barcodes")
}

/// Numbers compare as GTIN-14 (UPC-A may be read as a 13-digit EAN); QR line ends as `\n`.
fn normalise(text: &str) -> String {
    let t = text.trim_end_matches(['\r', '\n']).replace("\r\n", "\n");
    if !t.is_empty() && t.len() <= 14 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{t:0>14}")
    } else {
        t
    }
}

struct SetResult {
    images: usize,
    read: usize,
    misreads: Vec<String>,
}

fn run_set(name: &str) -> SetResult {
    let dir = sets_dir().join(name);
    let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg")))
        .collect();
    images.sort();
    let mut decoder = Decoder::default();
    let mut out = SetResult {
        images: images.len(),
        read: 0,
        misreads: Vec::new(),
    };
    for img in &images {
        // A photograph without a text holds no barcode: any read is a misread.
        let expected = std::fs::read_to_string(img.with_extension("txt")).unwrap_or_default();
        let frame = read_image(img).expect("fixture image decodes");
        let codes: Vec<ScannedCode> = decoder.decode(&frame);
        let mut ok = false;
        for c in &codes {
            if normalise(&c.text) == normalise(&expected) {
                ok = true;
            } else {
                out.misreads.push(format!(
                    "{}: read {:?} as {} (expected {:?})",
                    img.display(),
                    c.text,
                    c.format,
                    expected.trim()
                ));
            }
        }
        if ok {
            out.read += 1;
        } else if !expected.is_empty() {
            eprintln!("not read: {}", img.display());
        }
    }
    eprintln!(
        "{name}: {}/{} read, {} misreads",
        out.read,
        out.images,
        out.misreads.len()
    );
    out
}

#[test]
fn photo_sets_read_at_least_zxing_try_harder_and_never_misread() {
    let mut misreads = Vec::new();
    // ZXing's try-harder counts for the retail sets; zxing-cpp's (all read) for the others.
    // Two sets stay one under ZXing's, by choice: ean8-1/8.png ends at its bars (no light
    // margin, which a short symbol must show: see `short_symbol_trusted`), and upce-3 is
    // shot through glare. ZXing misreads one of upce-2 (it allows itself one); this allows none.
    for (name, floor) in [
        ("ean13-1", 32),
        ("upca-1", 18),
        ("ean8-1", 7),
        ("upce-1", 3),
        ("upce-2", 35),
        ("upce-3", 7),
        ("code128-1", 6),
        ("qrcode-1", 20),
        ("falsepositives-2", 0),
    ] {
        let r = run_set(name);
        assert!(r.read >= floor, "{name}: {} read, floor {floor}", r.read);
        misreads.extend(r.misreads);
    }
    assert!(misreads.is_empty(), "misreads:\n{}", misreads.join("\n"));
}
