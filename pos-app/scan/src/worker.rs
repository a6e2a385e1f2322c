//! Decoding off the UI thread. A camera delivers frames faster than a slow machine may decode
//! them; a frame that arrives while the decoder is busy is dropped, never queued, so what is
//! read is always what is in front of the camera now.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use super::{Decoder, DecoderSettings, Frame, ScannedCode};

/// A decoder on its own thread.
pub struct ScanWorker {
    frames: Option<SyncSender<Frame>>,
    results: Receiver<Vec<ScannedCode>>,
    thread: Option<JoinHandle<()>>,
    dropped: u64,
}

impl ScanWorker {
    pub fn start(settings: DecoderSettings) -> Self {
        // Capacity 1: the frame being decoded plus at most one waiting.
        let (frames, frame_rx) = mpsc::sync_channel::<Frame>(1);
        let (result_tx, results) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let mut decoder = Decoder::new(settings);
            for frame in frame_rx {
                let codes = decoder.decode(&frame);
                if result_tx.send(codes).is_err() {
                    break;
                }
            }
        });
        ScanWorker {
            frames: Some(frames),
            results,
            thread: Some(thread),
            dropped: 0,
        }
    }

    /// Hands a frame over; `false` (and the frame dropped) when the decoder is still busy.
    pub fn offer(&mut self, frame: Frame) -> bool {
        let Some(tx) = &self.frames else {
            return false;
        };
        match tx.try_send(frame) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped += 1;
                false
            }
        }
    }

    /// Results of decoded frames so far (each a possibly empty list of codes), oldest first.
    pub fn results(&self) -> Vec<Vec<ScannedCode>> {
        self.results.try_iter().collect()
    }

    /// Waits for the next decoded frame's result.
    pub fn wait(&self, timeout: std::time::Duration) -> Option<Vec<ScannedCode>> {
        self.results.recv_timeout(timeout).ok()
    }

    /// Frames dropped because the decoder was busy.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl Drop for ScanWorker {
    fn drop(&mut self) {
        self.frames = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
