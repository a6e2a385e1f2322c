//! Barcodes: generated frames and the ZXing photograph sets.
#![allow(clippy::unwrap_used)]

mod barcode_frames;
mod barcode_photos;
