//! The camera panel's thread: frames from the chosen camera (or the still images named in
//! `POS_CAMERA_FILES`, for a till without one) through the counter's camera feed, each event
//! sent to the window as `camera`. One camera at a time; opening it again restarts it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use super::{Desk, UiError};
use pos_counter::camera::{run_feed, FeedOptions, StillFrames};
use pos_scan::{read_image, Camera, CameraSettings, FrameSource, ScanError};

/// A camera feed running on its own thread.
pub struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Opens camera `device` and starts reading; a camera that cannot open is the answer's error.
pub fn start(app: AppHandle, device: u32) -> Result<Running, UiError> {
    let stop = Arc::new(AtomicBool::new(false));
    let (opened, is_open) = mpsc::sync_channel::<Result<(), UiError>>(1);
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("camera".into())
        .spawn(move || {
            let (mut source, options) = match open(device) {
                Ok(opened_source) => opened_source,
                Err(e) => {
                    let _ = opened.send(Err(UiError::from(pos_counter::scan_error(e))));
                    return;
                }
            };
            let _ = opened.send(Ok(()));
            run_feed(
                source.as_mut(),
                &flag,
                &options,
                |code| app.state::<Desk>().counter_scan(code),
                |event| {
                    let _ = app.emit("camera", event);
                },
            );
        })
        .map_err(|e| UiError {
            code: "CAMERA_FAILED".into(),
            cause: None,
            message: format!("the camera thread did not start: {e}"),
        })?;
    let running = Running {
        stop,
        thread: Some(thread),
    };
    match is_open.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(())) => Ok(running),
        Ok(Err(e)) => {
            running.stop();
            Err(e)
        }
        Err(_) => {
            running.stop();
            Err(UiError {
                code: "CAMERA_FAILED".into(),
                cause: None,
                message: "the camera did not open within 5 seconds: check its cable".into(),
            })
        }
    }
}

type Source = Box<dyn FrameSource>;

fn open(device: u32) -> Result<(Source, FeedOptions), ScanError> {
    if let Some(files) = std::env::var_os("POS_CAMERA_FILES") {
        let frames = std::env::split_paths(&files)
            .map(|p: PathBuf| read_image(&p))
            .collect::<Result<Vec<_>, _>>()?;
        // About a second per image at 30 frames a second, like items passed one by one.
        let options = FeedOptions {
            frame_pause: Duration::from_millis(33),
            ..FeedOptions::default()
        };
        return Ok((Box::new(StillFrames::new(frames, 30, None)), options));
    }
    let settings = CameraSettings {
        device,
        ..CameraSettings::default()
    };
    Ok((Box::new(Camera::open(&settings)?), FeedOptions::default()))
}
