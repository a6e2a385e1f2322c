//! Camera scanning without a camera: generated frames held in front of the decoder as a
//! cashier would hold items, through the same loop the window runs.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::camera::{run_feed, CameraEvent, FeedOptions, StillFrames};
use super::tests::counter;
use pos_scan::{Distortion, FrameGenerator, Symbology};

fn frames(codes: &[&str]) -> Vec<image::GrayImage> {
    let mut generator = FrameGenerator::new(7, 640, 480);
    let mut out = vec![generator.blank()];
    for code in codes {
        let frame = generator.render(Symbology::Ean13, code, &Distortion::default());
        out.push(frame.expect("the demo barcodes render").image);
        out.push(generator.blank());
    }
    out
}

#[test]
fn items_held_in_front_of_the_camera_go_to_the_cart_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    c.login("1111").unwrap();
    c.open_shift("5000").unwrap();

    // Two demo products and one valid EAN-13 that is not in the catalog, each held for 15
    // frames with an empty frame between them.
    let mut source = StillFrames::new(
        frames(&["6130502000100", "6130502000278", "4006381333931"]),
        15,
        Some(1),
    );
    let options = FeedOptions {
        frame_pause: Duration::from_millis(5),
        preview_every: Duration::ZERO,
        ..FeedOptions::default()
    };
    let mut events: Vec<CameraEvent> = Vec::new();
    run_feed(
        &mut source,
        &AtomicBool::new(false),
        &options,
        |code| c.scan(code),
        |e| events.push(e),
    );

    let cart = c.cart().unwrap();
    let names: Vec<_> = cart
        .lines
        .iter()
        .map(|l| (l.name.as_str(), l.qty))
        .collect();
    assert_eq!(
        names.len(),
        2,
        "one line per item held, not per frame: {names:?}"
    );
    assert!(cart.lines.iter().all(|l| l.qty == 1), "{names:?}");

    let added: Vec<_> = events
        .iter()
        .filter_map(|e| e.read.as_ref().filter(|r| r.added))
        .map(|r| r.text.as_str())
        .collect();
    assert_eq!(added, ["6130502000100", "6130502000278"]);
    let refused: Vec<_> = events.iter().filter_map(|e| e.error.as_ref()).collect();
    assert_eq!(
        refused.len(),
        1,
        "the unknown product is reported once: {refused:?}"
    );
    assert_eq!(refused[0].code, "UNKNOWN_PRODUCT");

    assert!(events.iter().any(|e| e
        .preview
        .as_deref()
        .is_some_and(|p| p.starts_with("data:image/jpeg;base64,"))));
    let last = events.last().expect("the feed reports that it stopped");
    assert!(last.stopped && last.error.is_none());
}

#[test]
fn a_stop_ends_the_feed_and_an_empty_source_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    c.login("1111").unwrap();
    let mut source = StillFrames::new(frames(&["6130502000100"]), 10, None);
    let mut events = Vec::new();
    run_feed(
        &mut source,
        &AtomicBool::new(true),
        &FeedOptions::default(),
        |code| c.scan(code),
        |e| events.push(e),
    );
    assert_eq!(events.len(), 1);
    assert!(events[0].stopped);

    let mut nothing = StillFrames::new(Vec::new(), 10, None);
    let mut events = Vec::new();
    run_feed(
        &mut nothing,
        &AtomicBool::new(false),
        &FeedOptions::default(),
        |code| c.scan(code),
        |e| events.push(e),
    );
    assert!(events.iter().all(|e| e.read.is_none()));
    assert!(c.cart().unwrap().lines.is_empty());
}
