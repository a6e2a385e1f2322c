//! Generated frames (rendered with rxing's writers, then turned, tilted, blurred, dimmed and
//! noised) and bad image files: reads where a camera would read, never a wrong code, and a
//! clear error instead of a panic.

use pos_scan::{
    load_frame, Decoder, Distortion, FrameGenerator, FrameSource, Generated, Symbology,
};

fn same(format: Symbology, expected: &str, got: &str) -> bool {
    if format.is_retail() {
        got.len() <= 14 && format!("{got:0>14}") == format!("{expected:0>14}")
    } else {
        got == expected
    }
}

/// Decodes `count` frames; returns (read, misreads).
fn run(seed: u64, harsh: bool, count: usize) -> (usize, Vec<String>) {
    let generator = FrameGenerator::new(seed, 640, 480);
    let mut source = Generated::new(generator, Symbology::ALL.to_vec(), harsh, count);
    let mut decoder = Decoder::default();
    let (mut read, mut misreads) = (0, Vec::new());
    while let Some(frame) = source.next_frame() {
        let frame = frame.expect("generated frame");
        let (format, text) = source.last.clone().expect("what the frame shows");
        let codes = decoder.decode(&frame);
        if codes.iter().any(|c| same(format, &text, &c.text)) {
            read += 1;
        }
        for c in codes.iter().filter(|c| !same(format, &text, &c.text)) {
            misreads.push(format!(
                "{format} {text:?} read as {} {:?}",
                c.format, c.text
            ));
        }
    }
    (read, misreads)
}

/// At least 99 % of mild frames are read, and nothing is ever misread.
#[test]
fn mild_distortion_reads_99_percent_without_a_misread() {
    let count = 300;
    let (read, misreads) = run(1, false, count);
    println!("mild: {read}/{count} read");
    assert!(misreads.is_empty(), "{misreads:#?}");
    assert!(read * 100 >= count * 99, "only {read}/{count} read");
}

#[test]
fn harsh_distortion_never_misreads() {
    let count = 120;
    let (read, misreads) = run(2, true, count);
    println!("harsh: {read}/{count} read");
    assert!(misreads.is_empty(), "{misreads:#?}");
}

#[test]
fn each_format_reads_clean_at_any_right_angle() {
    let mut g = FrameGenerator::new(3, 1280, 960);
    let mut decoder = Decoder::default();
    for format in Symbology::ALL {
        for angle in [0.0, 90.0, 180.0, 270.0] {
            let d = Distortion {
                rotate_deg: angle,
                ..Distortion::default()
            };
            let f = g.random_frame(format, &d).expect("frame");
            let codes = decoder.decode(&f.image);
            assert!(
                codes
                    .first()
                    .is_some_and(|c| same(format, &f.text, &c.text)),
                "{format} at {angle}°: {codes:?}"
            );
        }
    }
}

#[test]
fn blank_and_noise_frames_yield_nothing() {
    let mut g = FrameGenerator::new(4, 640, 480);
    let mut decoder = Decoder::default();
    for i in 0..30 {
        let blank = g.blank();
        assert!(decoder.decode(&blank).is_empty(), "blank frame {i}");
        let noise = g.noise(i % 4);
        let codes = decoder.decode(&noise);
        assert!(codes.is_empty(), "noise frame {i} gave {codes:?}");
    }
}

#[test]
fn the_decoder_reads_only_the_formats_asked_for() {
    let mut g = FrameGenerator::new(5, 1280, 960);
    let f = g
        .random_frame(Symbology::Qr, &Distortion::default())
        .expect("frame");
    let mut retail_only = Decoder::new(pos_scan::DecoderSettings {
        formats: vec![Symbology::Ean13, Symbology::UpcA],
        ..Default::default()
    });
    assert!(retail_only.decode(&f.image).is_empty());
    assert_eq!(Decoder::default().decode(&f.image)[0].text, f.text);
}

#[test]
fn a_scanned_upc_a_carries_the_gtin14_the_catalog_stores() {
    let mut g = FrameGenerator::new(6, 640, 480);
    let f = g
        .render(Symbology::UpcA, "036000291452", &Distortion::default())
        .expect("frame");
    let codes = Decoder::default().decode(&f.image);
    assert_eq!(codes[0].text, "036000291452");
    assert_eq!(codes[0].gtin14.as_deref(), Some("00036000291452"));
    assert_eq!(codes[0].lookup_key(), "00036000291452");
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::GrayImage::new(width, height)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode");
    out
}

#[test]
fn bad_images_give_a_clear_error_and_never_panic() {
    let good = png(64, 48);
    assert!(load_frame(&good, "ok.png").is_ok());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", Vec::new(), "IMAGE_EMPTY"),
        (
            "not an image",
            b"hello, this is text".to_vec(),
            "IMAGE_UNREADABLE",
        ),
        (
            "truncated PNG",
            good[..good.len() / 2].to_vec(),
            "IMAGE_UNREADABLE",
        ),
        (
            "corrupt PNG body",
            {
                let mut b = good.clone();
                let n = b.len();
                for x in &mut b[40..n - 12] {
                    *x ^= 0x5a;
                }
                b
            },
            "IMAGE_UNREADABLE",
        ),
        (
            "truncated JPEG",
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F'],
            "IMAGE_UNREADABLE",
        ),
    ];
    for (name, bytes, code) in cases {
        match load_frame(&bytes, name) {
            Err(e) => assert_eq!(e.code(), code, "{name}: {e}"),
            Ok(_) => panic!("{name} decoded"),
        }
    }
}

/// A 12000×12000 PNG header with a tiny body: refused from the header, before any pixel buffer.
#[test]
fn a_huge_image_is_refused_from_its_header() {
    let mut b = png(16, 16);
    // IHDR width and height live at bytes 16..24; the chunk CRC after them is fixed up below.
    b[16..20].copy_from_slice(&12000u32.to_be_bytes());
    b[20..24].copy_from_slice(&12000u32.to_be_bytes());
    let crc = crc32(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    let e = load_frame(&b, "huge.png").expect_err("refused");
    assert_eq!(e.code(), "IMAGE_TOO_LARGE", "{e}");
    assert!(e.to_string().contains("12000x12000"), "{e}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
