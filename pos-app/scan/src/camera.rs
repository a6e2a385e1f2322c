//! A V4L2 camera as a frame source: the luma plane of YUYV or GREY frames (no colour
//! conversion needed for decoding), or MJPEG frames decoded to grey.

use std::path::PathBuf;

use image::GrayImage;
use serde::{Deserialize, Serialize};

use super::frames::FrameSource;
use super::ScanError;

/// Which camera, at what size and rate; stored with the till's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CameraSettings {
    /// `/dev/videoN`.
    pub device: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraSettings {
    fn default() -> Self {
        CameraSettings {
            device: 0,
            width: 1280,
            height: 720,
            fps: 30,
        }
    }
}

impl CameraSettings {
    pub fn device_path(&self) -> PathBuf {
        PathBuf::from(format!("/dev/video{}", self.device))
    }
}

/// An open camera.
pub struct Camera {
    path: String,
    inner: imp::Capture,
}

impl Camera {
    /// Opens the camera; `NO_CAMERA` names the device path when there is none.
    pub fn open(settings: &CameraSettings) -> Result<Camera, ScanError> {
        let path = settings.device_path();
        let name = path.display().to_string();
        if !path.exists() {
            return Err(ScanError::NoCamera { path: name });
        }
        let inner =
            imp::Capture::open(&path, settings).map_err(|detail| ScanError::CameraFailed {
                path: name.clone(),
                detail,
            })?;
        Ok(Camera { path: name, inner })
    }
}

impl FrameSource for Camera {
    fn name(&self) -> String {
        self.path.clone()
    }

    fn next_frame(&mut self) -> Option<Result<GrayImage, ScanError>> {
        Some(self.inner.next().map_err(|detail| ScanError::CameraFailed {
            path: self.path.clone(),
            detail,
        }))
    }
}

/// The luma plane of a packed YUYV frame.
pub(crate) fn yuyv_luma(buf: &[u8], width: u32, height: u32) -> Option<GrayImage> {
    let n = (width as usize).checked_mul(height as usize)?;
    if buf.len() < n * 2 {
        return None;
    }
    let luma: Vec<u8> = buf.iter().step_by(2).take(n).copied().collect();
    GrayImage::from_raw(width, height, luma)
}

#[cfg(feature = "camera")]
mod imp {
    use std::path::Path;

    use image::GrayImage;
    use v4l::buffer::Type;
    use v4l::io::mmap::Stream;
    use v4l::io::traits::CaptureStream;
    use v4l::video::Capture as _;
    use v4l::{Device, FourCC};

    use super::CameraSettings;

    pub struct Capture {
        stream: Stream<'static>,
        width: u32,
        height: u32,
        fourcc: [u8; 4],
    }

    impl Capture {
        pub fn open(path: &Path, s: &CameraSettings) -> Result<Capture, String> {
            let dev = Device::with_path(path).map_err(|e| e.to_string())?;
            let mut fmt = dev.format().map_err(|e| e.to_string())?;
            fmt.width = s.width;
            fmt.height = s.height;
            fmt.fourcc = FourCC::new(b"YUYV");
            let fmt = dev.set_format(&fmt).map_err(|e| e.to_string())?;
            // A camera that cannot change its rate keeps its own; that is not an error.
            let _ = dev.set_params(&v4l::video::capture::Parameters::with_fps(s.fps.max(1)));
            let fourcc = fmt.fourcc.repr;
            if !matches!(&fourcc, b"YUYV" | b"GREY" | b"MJPG") {
                return Err(format!(
                    "the camera only offers {}; YUYV, GREY or MJPG is needed",
                    String::from_utf8_lossy(&fourcc)
                ));
            }
            let stream = Stream::with_buffers(&dev, Type::VideoCapture, 4)
                .map_err(|e| format!("cannot start capture: {e}"))?;
            Ok(Capture {
                stream,
                width: fmt.width,
                height: fmt.height,
                fourcc,
            })
        }

        pub fn next(&mut self) -> Result<GrayImage, String> {
            let (buf, meta) = self.stream.next().map_err(|e| e.to_string())?;
            let used = (meta.bytesused as usize).min(buf.len());
            let buf = &buf[..used];
            let bad = || format!("a {}x{} frame of {} bytes", self.width, self.height, used);
            match &self.fourcc {
                b"YUYV" => super::yuyv_luma(buf, self.width, self.height).ok_or_else(bad),
                b"GREY" => GrayImage::from_raw(
                    self.width,
                    self.height,
                    buf.get(..(self.width * self.height) as usize)
                        .ok_or_else(bad)?
                        .to_vec(),
                )
                .ok_or_else(bad),
                _ => super::super::load_frame(buf, "camera frame").map_err(|e| e.to_string()),
            }
        }
    }
}

#[cfg(not(feature = "camera"))]
mod imp {
    use std::path::Path;

    use image::GrayImage;

    use super::CameraSettings;

    pub struct Capture;

    impl Capture {
        pub fn open(_: &Path, _: &CameraSettings) -> Result<Capture, String> {
            Err("this build has no camera support (build with the `camera` feature)".into())
        }

        pub fn next(&mut self) -> Result<GrayImage, String> {
            Err("this build has no camera support".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_device_is_no_camera_naming_the_path() {
        let s = CameraSettings {
            device: 97,
            ..CameraSettings::default()
        };
        match Camera::open(&s) {
            Err(e) => {
                assert_eq!(e.code(), "NO_CAMERA");
                assert!(e.to_string().contains("/dev/video97"), "{e}");
            }
            Ok(_) => println!("skipped: /dev/video97 exists on this machine"),
        }
    }

    #[test]
    fn the_first_camera_gives_frames_when_there_is_one() {
        let s = CameraSettings::default();
        if !s.device_path().exists() {
            println!("skipped: no camera at {}", s.device_path().display());
            return;
        }
        let mut cam = Camera::open(&s).expect("camera opens");
        let frame = cam.next_frame().expect("a frame").expect("frame ok");
        assert!(frame.width() > 0 && frame.height() > 0);
    }

    #[test]
    fn yuyv_keeps_the_luma_bytes() {
        let buf = [10, 128, 20, 128, 30, 128, 40, 128];
        let img = yuyv_luma(&buf, 2, 2).expect("frame");
        assert_eq!(img.as_raw(), &vec![10, 20, 30, 40]);
        assert!(yuyv_luma(&buf[..6], 2, 2).is_none(), "short buffer");
    }
}
