//! Barcodes from cameras, image files and keyboard-wedge scanners.
//!
//! A wrong product on a receipt is worse than no read, so the decoder only accepts a code that
//! several independent scan lines agree on (or that a QR code's error correction vouches for),
//! and retail numbers must pass the GS1 check digit. Everything here is pure or works on
//! in-memory frames; the camera is one [`FrameSource`] among others, so the whole pipeline is
//! tested on files and generated frames.

mod camera;
mod debounce;
mod decode;
mod frames;
mod generate;
mod image_file;
mod oned;
mod quiet;
mod wedge;
mod worker;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use camera::{Camera, CameraSettings};
pub use debounce::{Debounce, DebounceSettings, Scan};
pub use decode::{Decoder, DecoderSettings};
pub use frames::{Frame, FrameSource, Generated, ImageFiles};
pub use generate::{Distortion, FrameGenerator, GeneratedFrame};
pub use image_file::{load_frame, read_image, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};
pub use wedge::{Terminator, WedgeSettings};
pub use worker::ScanWorker;

/// The symbologies a shop meets: retail numbers on packs, Code 128 on cartons and labels, QR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    UpcE,
    Code128,
    Qr,
}

impl Symbology {
    pub const ALL: [Symbology; 6] = [
        Symbology::Ean13,
        Symbology::Ean8,
        Symbology::UpcA,
        Symbology::UpcE,
        Symbology::Code128,
        Symbology::Qr,
    ];

    /// The name printed by `pos scan-image` and stored in settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Symbology::Ean13 => "EAN_13",
            Symbology::Ean8 => "EAN_8",
            Symbology::UpcA => "UPC_A",
            Symbology::UpcE => "UPC_E",
            Symbology::Code128 => "CODE_128",
            Symbology::Qr => "QR_CODE",
        }
    }

    /// EAN/UPC: numbers with a GS1 check digit that name a trade item.
    pub fn is_retail(self) -> bool {
        matches!(
            self,
            Symbology::Ean13 | Symbology::Ean8 | Symbology::UpcA | Symbology::UpcE
        )
    }

    fn to_rxing(self) -> rxing::BarcodeFormat {
        match self {
            Symbology::Ean13 => rxing::BarcodeFormat::EAN_13,
            Symbology::Ean8 => rxing::BarcodeFormat::EAN_8,
            Symbology::UpcA => rxing::BarcodeFormat::UPC_A,
            Symbology::UpcE => rxing::BarcodeFormat::UPC_E,
            Symbology::Code128 => rxing::BarcodeFormat::CODE_128,
            Symbology::Qr => rxing::BarcodeFormat::QR_CODE,
        }
    }

    fn from_rxing(f: &rxing::BarcodeFormat) -> Option<Self> {
        Some(match f {
            rxing::BarcodeFormat::EAN_13 => Symbology::Ean13,
            rxing::BarcodeFormat::EAN_8 => Symbology::Ean8,
            rxing::BarcodeFormat::UPC_A => Symbology::UpcA,
            rxing::BarcodeFormat::UPC_E => Symbology::UpcE,
            rxing::BarcodeFormat::CODE_128 => Symbology::Code128,
            rxing::BarcodeFormat::QR_CODE => Symbology::Qr,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Symbology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Symbology {
    type Err = ScanError;
    fn from_str(s: &str) -> Result<Self, ScanError> {
        let norm = s.trim().to_ascii_uppercase().replace(['-', ' '], "_");
        Symbology::ALL
            .into_iter()
            .find(|f| f.as_str() == norm || f.as_str().replace('_', "") == norm.replace('_', ""))
            .ok_or_else(|| ScanError::UnknownSymbology(s.to_owned()))
    }
}

/// One code read from a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedCode {
    pub format: Symbology,
    /// The text as printed under the bars (UPC-A keeps its 12 digits).
    pub text: String,
    /// For EAN/UPC: the 14-digit form the catalog stores and looks up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gtin14: Option<String>,
    /// How many independent scan lines read this text (1 for QR, whose error correction vouches).
    pub votes: u32,
}

impl ScannedCode {
    /// What to hand the till: the GTIN-14 for retail numbers, the text otherwise.
    pub fn lookup_key(&self) -> &str {
        self.gtin14.as_deref().unwrap_or(&self.text)
    }
}

/// Why an image or a camera gave no frame. Each has a stable `code()`.
#[derive(Debug, Error)]
pub enum ScanError {
    #[error("cannot read image {path}: {detail}")]
    ImageUnreadable { path: String, detail: String },
    #[error("image {path} is {width}x{height} pixels; the limit is {limit}x{limit} ({max_mp} megapixels): scale it down")]
    ImageTooLarge {
        path: String,
        width: u32,
        height: u32,
        limit: u32,
        max_mp: u32,
    },
    #[error("image {path} is empty (0 pixels)")]
    ImageEmpty { path: String },
    #[error("no camera at {path}: plug one in or choose another device with --device N")]
    NoCamera { path: String },
    #[error("camera {path} failed: {detail}")]
    CameraFailed { path: String, detail: String },
    #[error("unknown barcode format {0:?}: use ean13, ean8, upca, upce, code128 or qr")]
    UnknownSymbology(String),
}

impl ScanError {
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::ImageUnreadable { .. } => "IMAGE_UNREADABLE",
            ScanError::ImageTooLarge { .. } => "IMAGE_TOO_LARGE",
            ScanError::ImageEmpty { .. } => "IMAGE_EMPTY",
            ScanError::NoCamera { .. } => "NO_CAMERA",
            ScanError::CameraFailed { .. } => "CAMERA_FAILED",
            ScanError::UnknownSymbology(_) => "UNKNOWN_SYMBOLOGY",
        }
    }
}
