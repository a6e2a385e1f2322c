//! Where frames come from: a camera, image files, or the generator. The decoder does not care.

use std::path::PathBuf;

use image::GrayImage;

use super::generate::{Distortion, FrameGenerator};
use super::{read_image, ScanError, Symbology};

/// A grey frame: only luminance matters for reading barcodes.
pub type Frame = GrayImage;

/// Anything that yields frames one at a time; `None` when there are no more.
pub trait FrameSource {
    /// A name for messages: a device path, a file name.
    fn name(&self) -> String;
    fn next_frame(&mut self) -> Option<Result<Frame, ScanError>>;
}

/// Image files, in the order given.
pub struct ImageFiles {
    paths: std::vec::IntoIter<PathBuf>,
    current: String,
}

impl ImageFiles {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        ImageFiles {
            paths: paths.into_iter(),
            current: String::new(),
        }
    }
}

impl FrameSource for ImageFiles {
    fn name(&self) -> String {
        self.current.clone()
    }

    fn next_frame(&mut self) -> Option<Result<Frame, ScanError>> {
        let path = self.paths.next()?;
        self.current = path.display().to_string();
        Some(read_image(&path))
    }
}

/// Generated frames cycling through `formats`, each spoiled by a fresh mild or harsh distortion.
pub struct Generated {
    generator: FrameGenerator,
    formats: Vec<Symbology>,
    harsh: bool,
    left: usize,
    /// What the last frame showed, to check a decoder against.
    pub last: Option<(Symbology, String)>,
}

impl Generated {
    pub fn new(
        generator: FrameGenerator,
        formats: Vec<Symbology>,
        harsh: bool,
        count: usize,
    ) -> Self {
        Generated {
            generator,
            formats,
            harsh,
            left: count,
            last: None,
        }
    }
}

impl FrameSource for Generated {
    fn name(&self) -> String {
        "generated".into()
    }

    fn next_frame(&mut self) -> Option<Result<Frame, ScanError>> {
        if self.left == 0 || self.formats.is_empty() {
            return None;
        }
        self.left -= 1;
        let format = self.formats[self.left % self.formats.len()];
        let d = if self.harsh {
            Distortion::harsh(self.generator.rng())
        } else {
            Distortion::mild(self.generator.rng())
        };
        Some(self.generator.random_frame(format, &d).map(|f| {
            self.last = Some((f.format, f.text));
            f.image
        }))
    }
}
