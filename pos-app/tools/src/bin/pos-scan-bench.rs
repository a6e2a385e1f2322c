//! `pos-scan-bench`: how fast and how well the till reads barcodes.
//!
//! 1. 1280×720 frames with one EAN-13 (generated, mildly distorted): time per frame, p50/p99.
//! 2. The photograph sets in fixtures/barcodes: read count and time per image, next to
//!    zxing-cpp on the same grey frames when `python3 -c "import zxingcpp"` works.
//!
//! `cargo run --release -p pos-app --bin pos-scan-bench [-- --sets DIR --frames N]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use pos_scan::{read_image, Decoder, Distortion, FrameGenerator, Symbology};

#[derive(Parser)]
struct Args {
    /// Folder of photo sets (SET/N.png with N.txt).
    #[arg(long, default_value = "fixtures/barcodes")]
    sets: PathBuf,
    /// Generated 720p frames to time.
    #[arg(long, default_value_t = 300)]
    frames: usize,
    /// Where the grey frames for zxing-cpp are written.
    #[arg(long, default_value = "target/bench/scan")]
    work: PathBuf,
}

fn main() -> Result<()> {
    let args = Args::parse();
    frames_720p(args.frames)?;
    let ours = photo_sets(&args.sets, &args.work)?;
    let theirs = zxing_cpp(&args.work);
    println!("\nphoto sets        rxing pipeline (read, ms/image)   zxing-cpp (read, ms/image)");
    for (set, images, read, ms, misreads) in &ours {
        let other = theirs
            .iter()
            .find(|t| &t.0 == set)
            .map(|t| format!("{:>3}/{:<3} {:>7.2} ms  misreads {}", t.1, t.2, t.3, t.4))
            .unwrap_or_else(|| "not available (pip install zxing-cpp)".into());
        println!("{set:<12} {read:>3}/{images:<3} {ms:>7.2} ms  misreads {misreads}      {other}");
    }
    Ok(())
}

fn frames_720p(count: usize) -> Result<()> {
    let mut g = FrameGenerator::new(42, 1280, 720);
    let mut decoder = Decoder::default();
    let mut times = Vec::with_capacity(count);
    let mut read = 0;
    for _ in 0..count {
        let d = Distortion::mild(g.rng());
        let f = g.random_frame(Symbology::Ean13, &d)?;
        let start = Instant::now();
        let codes = decoder.decode(&f.image);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if codes.first().is_some_and(|c| c.text == f.text) {
            read += 1;
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "720p frame, one EAN-13: {read}/{count} read, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    let mut blank = FrameGenerator::new(43, 1280, 720);
    let frame = blank.noise(2);
    let start = Instant::now();
    let n = 20;
    for _ in 0..n {
        decoder.decode(&frame);
    }
    println!(
        "720p frame, no code:    {:.2} ms per frame",
        start.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
    Ok(())
}

type SetResult = (String, usize, usize, f64, usize);

fn normalise(text: &str) -> String {
    let t = text
        .replace("\r\n", "\n")
        .trim_end_matches(['\r', '\n'])
        .to_owned();
    if !t.is_empty() && t.len() <= 14 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{t:0>14}")
    } else {
        t
    }
}

fn photo_sets(root: &Path, work: &Path) -> Result<Vec<SetResult>> {
    let mut sets: Vec<PathBuf> = std::fs::read_dir(root)
        .with_context(|| format!("photo sets in {}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    sets.sort();
    let mut decoder = Decoder::default();
    let mut out = Vec::new();
    for set in sets {
        let name = set
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = work.join(&name);
        std::fs::create_dir_all(&dir)?;
        let mut images: Vec<PathBuf> = std::fs::read_dir(&set)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg")))
            .collect();
        images.sort();
        let (mut read, mut misreads, mut total) = (0, 0, 0.0);
        for img in &images {
            // A set without texts (ZXing's `falsepositives`) holds no barcode: any read is wrong.
            let expected = std::fs::read_to_string(img.with_extension("txt"))
                .ok()
                .map(|t| normalise(&t));
            let frame = read_image(img)?;
            let stem = img
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut pgm = format!("P5\n{} {}\n255\n", frame.width(), frame.height()).into_bytes();
            pgm.extend_from_slice(frame.as_raw());
            std::fs::write(dir.join(format!("{stem}.pgm")), pgm)?;
            if expected.is_some() {
                std::fs::copy(img.with_extension("txt"), dir.join(format!("{stem}.txt")))?;
            }
            let start = Instant::now();
            let codes = decoder.decode(&frame);
            total += start.elapsed().as_secs_f64() * 1000.0;
            if codes.iter().any(|c| Some(normalise(&c.text)) == expected) {
                read += 1;
            }
            for wrong in codes
                .iter()
                .filter(|c| Some(normalise(&c.text)) != expected)
            {
                misreads += 1;
                eprintln!(
                    "misread {}: {:?} as {}",
                    img.display(),
                    wrong.text,
                    wrong.format
                );
            }
        }
        let ms = total / images.len().max(1) as f64;
        out.push((name, images.len(), read, ms, misreads));
    }
    Ok(out)
}

/// (set, read, images, ms per image, misreads) from the zxing-cpp script, if it runs.
fn zxing_cpp(work: &Path) -> Vec<(String, usize, usize, f64, usize)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/zxing_cpp_photos.py");
    let Ok(out) = Command::new("python3").arg(script).arg(work).output() else {
        return Vec::new();
    };
    if !out.status.success() {
        eprintln!(
            "zxing-cpp: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return Vec::new();
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((
                f.first()?.to_string(),
                f.get(1)?.parse().ok()?,
                f.get(2)?.parse().ok()?,
                f.get(3)?.parse().ok()?,
                f.get(4)?.parse().ok()?,
            ))
        })
        .collect()
}
