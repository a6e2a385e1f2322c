//! `pos scan-image`, `pos scan-camera` and `pos barcode`: barcodes from files or a camera, and
//! drawn to a file. No till database is opened, so these work on any machine (a support laptop,
//! a camera being set up).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pos_core::Result;
use pos_counter::scan_error;
use pos_scan::{
    Camera, CameraSettings, Debounce, DebounceSettings, Decoder, Distortion, FrameGenerator,
    FrameSource, ScanWorker, Symbology,
};

/// One line per file: `FILE<TAB>FORMAT<TAB>TEXT` (empty format and text when nothing is read).
/// An unreadable file is reported on its line (and in `error` with `--json`); the others go on.
pub fn scan_images(files: &[PathBuf], json: bool) -> Result<()> {
    let mut decoder = Decoder::default();
    let mut results = Vec::new();
    let mut first_error = None;
    for file in files {
        let name = file.display().to_string();
        match pos_scan::read_image(file) {
            Ok(frame) => {
                let codes = decoder.decode(&frame);
                let first = codes.first();
                if !json {
                    println!(
                        "{name}\t{}\t{}",
                        first.map(|c| c.format.as_str()).unwrap_or(""),
                        first
                            .map(|c| c.text.replace(['\t', '\n', '\r'], " "))
                            .unwrap_or_default()
                    );
                }
                results.push(serde_json::json!({ "file": name, "codes": codes }));
            }
            Err(e) => {
                if !json {
                    println!("{name}\t\t");
                    eprintln!("error [{}]: {e}", e.code());
                }
                results.push(serde_json::json!({
                    "file": name,
                    "codes": [],
                    "error": { "code": e.code(), "message": e.to_string() },
                }));
                first_error.get_or_insert(e);
            }
        }
    }
    if json {
        println!("{}", serde_json::json!({ "files": results }));
    }
    match first_error {
        // With several files the per-file lines already tell which failed; the exit code says so.
        Some(e) if files.len() == 1 => Err(scan_error(e)),
        Some(_) => Err(pos_core::PosError::Invalid(
            "some files could not be read (see above)".into(),
        )),
        None => Ok(()),
    }
}

/// Prints each code once as it is read (debounced), until interrupted or `seconds` pass.
pub fn scan_camera(device: u32, seconds: Option<u64>, json: bool) -> Result<()> {
    let settings = CameraSettings {
        device,
        ..CameraSettings::default()
    };
    let mut camera = Camera::open(&settings).map_err(scan_error)?;
    eprintln!("reading barcodes from {} (Ctrl-C to stop)", camera.name());
    let mut worker = ScanWorker::start(Default::default());
    let mut debounce = Debounce::new(DebounceSettings::default());
    let start = Instant::now();
    while seconds.is_none_or(|s| start.elapsed() < Duration::from_secs(s)) {
        let Some(frame) = camera.next_frame() else {
            break;
        };
        worker.offer(frame.map_err(scan_error)?);
        for codes in worker.results() {
            let now = start.elapsed().as_millis() as u64;
            for code in codes {
                if debounce.seen(code.lookup_key(), now).is_some() {
                    if json {
                        println!("{}", serde_json::json!(code));
                    } else {
                        println!("{}\t{}", code.format, code.text);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Draws `text` as `format`, clean and square-on, into a PNG at `out`.
pub fn barcode(format: &str, text: &str, out: &Path) -> Result<()> {
    let format: Symbology = format.parse().map_err(scan_error)?;
    let mut generator = FrameGenerator::new(0, 640, 480);
    let frame = generator
        .render(format, text, &Distortion::default())
        .map_err(scan_error)?;
    frame
        .image
        .save(out)
        .map_err(|e| pos_core::PosError::Invalid(format!("cannot write {}: {e}", out.display())))?;
    println!("{}", out.display());
    Ok(())
}
