//! Camera scanning as the window shows it. Frames from any source go to the decoder's worker
//! (dropped while it is busy, never queued); a small preview goes out a few times a second
//! with what was read on it, and an item held in front of the camera goes to the cart once.
//!
//! The loop knows nothing of the window: it takes a frame source, a way to put a code in the
//! cart, and a way to show an event, so it is tested on still frames without a camera.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use image::codecs::jpeg::JpegEncoder;
use image::GrayImage;
use serde::Serialize;

use super::CartDto;
use pos_core::error::Result;
use pos_scan::{
    Debounce, DebounceSettings, DecoderSettings, Frame, FrameSource, ScanError, ScanWorker,
    ScannedCode,
};

/// What the camera panel shows after a frame.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CameraEvent {
    /// A JPEG data URL of the frame, scaled down; none when it is not yet time for a new one.
    pub preview: Option<String>,
    /// A code read in this frame, to highlight on the preview.
    pub read: Option<CameraRead>,
    /// The cart after a read went into it.
    pub cart: Option<CartDto>,
    /// Why a read was not added, or why the camera stopped: `{code, message}`.
    pub error: Option<CameraError>,
    /// The camera stopped (it failed, or was closed).
    pub stopped: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CameraRead {
    pub format: String,
    pub text: String,
    /// True when this read went to the cart; false while the same item is still held there.
    pub added: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CameraError {
    pub code: String,
    pub message: String,
}

/// How the feed paces itself.
#[derive(Clone, Debug)]
pub struct FeedOptions {
    /// At most one preview per this period (the decoder sees every frame it can take).
    pub preview_every: Duration,
    /// The preview's width in pixels.
    pub preview_width: u32,
    /// A pause between frames, for sources that do not pace themselves (still images).
    pub frame_pause: Duration,
    pub debounce: DebounceSettings,
}

impl Default for FeedOptions {
    fn default() -> Self {
        FeedOptions {
            preview_every: Duration::from_millis(125),
            preview_width: 480,
            frame_pause: Duration::ZERO,
            debounce: DebounceSettings::default(),
        }
    }
}

/// Runs the camera until `stop` is set or the source ends or fails.
pub fn run_feed(
    source: &mut dyn FrameSource,
    stop: &AtomicBool,
    options: &FeedOptions,
    mut to_cart: impl FnMut(&str) -> Result<CartDto>,
    mut show: impl FnMut(CameraEvent),
) {
    let mut worker = ScanWorker::start(DecoderSettings::default());
    let mut reads = Reads {
        debounce: Debounce::new(options.debounce),
        start: Instant::now(),
    };
    let mut last_preview: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let frame = match source.next_frame() {
            Some(Ok(frame)) => frame,
            Some(Err(e)) => {
                show(stopped(Some(scan_error(&e))));
                return;
            }
            None => break,
        };
        let mut shown = None;
        if last_preview.is_none_or(|t| t.elapsed() >= options.preview_every) {
            shown = preview(&frame, options.preview_width);
            last_preview = Some(Instant::now());
        }
        worker.offer(frame);
        // Under load several frames' reads arrive at once: each is its own event, so the
        // highlight of an item that went in is never overwritten by a later repeat of it.
        let mut events = Vec::new();
        for codes in worker.results() {
            reads.take(codes, &mut events, &mut to_cart);
        }
        match events.first_mut() {
            Some(first) => first.preview = shown,
            None if shown.is_some() => events.push(CameraEvent {
                preview: shown,
                ..CameraEvent::default()
            }),
            None => {}
        }
        events.into_iter().for_each(&mut show);
        if !options.frame_pause.is_zero() {
            std::thread::sleep(options.frame_pause);
        }
    }
    // The frames still in the decoder were in front of the camera too.
    while let Some(codes) = worker.wait(Duration::from_secs(2)) {
        let mut events = Vec::new();
        reads.take(codes, &mut events, &mut to_cart);
        events.into_iter().for_each(&mut show);
    }
    show(stopped(None));
}

/// Codes read so far: each item once, into the cart.
struct Reads {
    debounce: Debounce,
    start: Instant,
}

impl Reads {
    /// One event per code read: whether it went into the cart, or why not.
    fn take(
        &mut self,
        codes: Vec<ScannedCode>,
        events: &mut Vec<CameraEvent>,
        to_cart: &mut impl FnMut(&str) -> Result<CartDto>,
    ) {
        for code in codes {
            let mut event = CameraEvent::default();
            let now = self.start.elapsed().as_millis() as u64;
            let mut added = self.debounce.seen(code.lookup_key(), now).is_some();
            if added {
                match to_cart(code.lookup_key()) {
                    Ok(cart) => event.cart = Some(cart),
                    Err(e) => {
                        added = false;
                        event.error = Some(CameraError {
                            code: e.code().to_owned(),
                            message: e.to_string(),
                        });
                    }
                }
            }
            event.read = Some(CameraRead {
                format: code.format.as_str().to_owned(),
                text: code.text,
                added,
            });
            events.push(event);
        }
    }
}

fn stopped(error: Option<CameraError>) -> CameraEvent {
    CameraEvent {
        error,
        stopped: true,
        ..CameraEvent::default()
    }
}

fn scan_error(e: &ScanError) -> CameraError {
    CameraError {
        code: e.code().to_owned(),
        message: e.to_string(),
    }
}

/// The frame scaled to `width`, as a JPEG data URL; none if it cannot be encoded.
fn preview(frame: &GrayImage, width: u32) -> Option<String> {
    let (w, h) = frame.dimensions();
    if w == 0 || h == 0 {
        return None;
    }
    let width = width.min(w).max(1);
    let height = (u64::from(h) * u64::from(width) / u64::from(w)).max(1) as u32;
    let small = image::imageops::thumbnail(frame, width, height);
    let mut jpeg = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut jpeg, 70)
        .encode_image(&small)
        .ok()?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(jpeg.into_inner());
    Some(format!("data:image/jpeg;base64,{b64}"))
}

/// Still images shown to the decoder as a camera would: each held for `hold` frames, in a loop.
/// Used for a till without a camera (`POS_CAMERA_FILES`) and in tests.
pub struct StillFrames {
    frames: Vec<Frame>,
    hold: usize,
    at: usize,
    rounds: Option<usize>,
}

impl StillFrames {
    /// `rounds`: how many times through the images (none: until stopped).
    pub fn new(frames: Vec<Frame>, hold: usize, rounds: Option<usize>) -> Self {
        StillFrames {
            frames,
            hold: hold.max(1),
            at: 0,
            rounds,
        }
    }
}

impl FrameSource for StillFrames {
    fn name(&self) -> String {
        format!("{} still image(s)", self.frames.len())
    }

    fn next_frame(&mut self) -> Option<std::result::Result<Frame, ScanError>> {
        let per_round = self.frames.len() * self.hold;
        if per_round == 0 || self.rounds.is_some_and(|r| self.at >= r * per_round) {
            return None;
        }
        let frame = self.frames[(self.at % per_round) / self.hold].clone();
        self.at += 1;
        Some(Ok(frame))
    }
}
