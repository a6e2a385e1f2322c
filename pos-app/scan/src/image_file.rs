//! Image files to grey frames, with the size checked from the header before anything is
//! decoded: a 12000×12000 photograph is refused in microseconds instead of taking 400 MB.

use std::io::{BufRead, Cursor, Seek};
use std::path::Path;

use image::{GrayImage, ImageReader, Limits};

use super::ScanError;

/// Longest side accepted, in pixels (a 40 MP phone photo is ~7700 wide).
pub const MAX_IMAGE_SIDE: u32 = 10_000;
/// Most pixels accepted in one image.
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;

/// Reads an image file (PNG or JPEG) as a grey frame.
pub fn read_image(path: &Path) -> Result<GrayImage, ScanError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ScanError::ImageUnreadable {
        path: name.clone(),
        detail: e.to_string(),
    })?;
    load_frame(&bytes, &name)
}

/// Decodes image bytes (PNG or JPEG) as a grey frame; `name` is used in errors.
pub fn load_frame(bytes: &[u8], name: &str) -> Result<GrayImage, ScanError> {
    if bytes.is_empty() {
        return Err(ScanError::ImageEmpty { path: name.into() });
    }
    let unreadable = |e: &dyn std::fmt::Display| ScanError::ImageUnreadable {
        path: name.into(),
        detail: e.to_string(),
    };
    let (width, height) = reader(Cursor::new(bytes), name)?
        .into_dimensions()
        .map_err(|e| unreadable(&e))?;
    check_size(name, width, height)?;
    let mut reader = reader(Cursor::new(bytes), name)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    // The decoded RGBA buffer plus the decoder's own working memory.
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let img = reader.decode().map_err(|e| unreadable(&e))?;
    Ok(img.into_luma8())
}

fn reader<R: BufRead + Seek>(r: R, name: &str) -> Result<ImageReader<R>, ScanError> {
    let reader =
        ImageReader::new(r)
            .with_guessed_format()
            .map_err(|e| ScanError::ImageUnreadable {
                path: name.into(),
                detail: e.to_string(),
            })?;
    if reader.format().is_none() {
        return Err(ScanError::ImageUnreadable {
            path: name.into(),
            detail: "not a PNG or JPEG image".into(),
        });
    }
    Ok(reader)
}

fn check_size(name: &str, width: u32, height: u32) -> Result<(), ScanError> {
    if width == 0 || height == 0 {
        return Err(ScanError::ImageEmpty { path: name.into() });
    }
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(ScanError::ImageTooLarge {
            path: name.into(),
            width,
            height,
            limit: MAX_IMAGE_SIDE,
            max_mp: (MAX_IMAGE_PIXELS / 1_000_000) as u32,
        });
    }
    Ok(())
}
