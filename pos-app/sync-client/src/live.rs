//! The live channel from the till's side: a thread holds `GET /v1/sync/live` open and wakes the
//! sync loop whenever the server says the store's feed moved, so another terminal's sale is
//! pulled within a second instead of at the next poll. If the channel drops, the thread
//! reconnects with backoff; the loop's regular poll covers the gap, so nothing depends on it.

use std::io::{BufRead, BufReader};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use pos_shared::api::LiveEvent;

use pos_core::sync::{Backoff, Endpoint};

use crate::connect::{http_client, Timeouts};

/// Longer than the server's 15 s keep-alive: silence this long means the connection is dead.
const SILENCE: Duration = Duration::from_secs(45);

/// Wake-ups from the live channel.
pub struct LiveWatch {
    rx: Receiver<()>,
}

impl LiveWatch {
    /// Starts watching `server` with the device's `token` on a thread of its own. A server the
    /// token may not go to (plain http to another machine) is not watched: the regular poll
    /// says why.
    pub fn start(server: &Endpoint, token: &str) -> LiveWatch {
        let (tx, rx) = mpsc::channel();
        let url = format!("{}/v1/sync/live", server.url.trim().trim_end_matches('/'));
        let timeouts = Timeouts {
            // For the blocking client this bounds each read too, so a silent connection ends.
            answer: SILENCE,
            ..Timeouts::default()
        };
        let http = match http_client(server, timeouts) {
            Ok(http) => http,
            Err(e) => {
                eprintln!("live channel not started: {e}");
                return LiveWatch { rx };
            }
        };
        let token = token.to_owned();
        std::thread::Builder::new()
            .name("sync-live".into())
            .spawn(move || watch(&http, &url, &token, &tx))
            .map(|_| ())
            .unwrap_or_else(|e| eprintln!("live channel not started: {e}"));
        LiveWatch { rx }
    }

    /// Waits until the feed moves or `period` passes; true when woken by the server. Several
    /// wake-ups that arrived meanwhile count as one (one pull takes them all).
    pub fn wait(&self, period: Duration) -> bool {
        let woken = match self.rx.recv_timeout(period) {
            Ok(()) => true,
            Err(RecvTimeoutError::Timeout) => false,
            // The thread is gone: polling alone from now on.
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(period);
                false
            }
        };
        while self.rx.try_recv().is_ok() {}
        woken
    }
}

fn watch(http: &reqwest::blocking::Client, url: &str, token: &str, tx: &Sender<()>) {
    let mut backoff = Backoff::default();
    loop {
        match http.get(url).bearer_auth(token).send() {
            Ok(resp) if resp.status().is_success() => {
                backoff.reset();
                for line in BufReader::new(resp).lines() {
                    let Ok(line) = line else { break };
                    // Only data lines carry news; `event:` names and `:` keep-alives do not.
                    let Some(data) = line.strip_prefix("data:") else {
                        continue;
                    };
                    if serde_json::from_str::<LiveEvent>(data.trim()).is_ok()
                        && tx.send(()).is_err()
                    {
                        return; // nobody waits any more
                    }
                }
            }
            // Refused (revoked, not enrolled) or unreachable: try again later.
            Ok(_) | Err(_) => {}
        }
        std::thread::sleep(backoff.next(rand::random::<f64>()));
    }
}
