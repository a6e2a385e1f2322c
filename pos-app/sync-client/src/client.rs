//! The HTTP side of sync: enrol, push, pull. Blocking calls with timeouts, run by the sync loop
//! (never by the till's hot path). Answers come back as the protocol's codes; `429` is
//! `RateLimited` with the server's `Retry-After`, and `502`/`503`/`504` are `Offline` (try
//! again later, nothing refused), as is no answer at all, with its cause (see `cause`). Push
//! bodies over 4 KiB are gzipped. The client itself comes from `connect::http_client`.

use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::StatusCode;

use pos_shared::api::{
    EnrollRequest, EnrollResponse, Envelope, PullResponse, PushEntry, PushRequest, PushResponse,
    SnapshotResponse, PROTOCOL_VERSION,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use pos_core::sync::{Endpoint, Enrolment, Network, Transport};
use pos_core::{OfflineCause, PosError, Result};

use crate::cause::unreachable;
use crate::connect::{http_client, Timeouts};

pub struct SyncClient {
    base: String,
    device_id: Uuid,
    token: String,
    http: reqwest::blocking::Client,
}

/// Push bodies larger than this go gzipped (sales compress about fivefold).
const GZIP_ABOVE: usize = 4 * 1024;
/// A `Retry-After` beyond this is not believed (a confused proxy must not stop sync for hours).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// The body of a push as sent, and whether it is gzipped.
pub fn push_body(req: &PushRequest) -> Result<(Vec<u8>, bool)> {
    let json = serde_json::to_vec(req).map_err(|e| PosError::Sync {
        code: "CLIENT".into(),
        message: e.to_string(),
    })?;
    if json.len() <= GZIP_ABOVE {
        return Ok((json, false));
    }
    let mut gz = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
    gz.write_all(&json)
        .and_then(|()| gz.finish())
        .map(|body| (body, true))
        .map_err(|e| PosError::Sync {
            code: "CLIENT".into(),
            message: e.to_string(),
        })
}

fn answer<T: DeserializeOwned>(resp: reqwest::Result<reqwest::blocking::Response>) -> Result<T> {
    let resp = resp.map_err(|e| unreachable(&e))?;
    let status = resp.status();
    if status.is_redirection() {
        let to = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("another address")
            .to_owned();
        return Err(PosError::Sync {
            code: "REDIRECTED".into(),
            message: format!(
                "the server sends the till to {to}; set the sync server's address to that"
            ),
        });
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        // Nothing of the request was done: the caller waits this long and carries on.
        let secs = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(1);
        let retry_after = Duration::from_secs(secs.max(1)).min(MAX_RETRY_AFTER);
        return Err(PosError::RateLimited { retry_after });
    }
    if matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    ) {
        // The server (or its database, or the proxy in front) is there but cannot serve now.
        let text = resp.text().unwrap_or_default();
        let why = serde_json::from_str::<Envelope<serde_json::Value>>(&text)
            .ok()
            .and_then(|e| e.into_result().err())
            .map(|e| e.message)
            .unwrap_or_else(|| status.to_string());
        return Err(PosError::Offline {
            cause: OfflineCause::ServerUnavailable,
            detail: why,
        });
    }
    let plain = resp.url().scheme() == "http";
    let text = resp.text().map_err(|e| unreachable(&e))?;
    let envelope: Envelope<T> = serde_json::from_str(&text).map_err(|e| {
        // nginx and Caddy answer plain http on their https port with a 400 page saying so.
        if plain && status == StatusCode::BAD_REQUEST && text.to_ascii_lowercase().contains("https")
        {
            return PosError::Offline {
                cause: OfflineCause::TlsNotSpoken,
                detail: format!("the server answered {status}: it expects https://"),
            };
        }
        PosError::Sync {
            code: "BAD_ANSWER".into(),
            message: format!("the server answered {status} with something unreadable: {e}"),
        }
    })?;
    envelope.into_result().map_err(|e| PosError::Sync {
        code: e.code,
        message: e.message,
    })
}

impl SyncClient {
    /// The enrolled terminal `device_id` talking to `server` with its `token`; refused at once
    /// (nothing sent) if that would be plain http to another machine without the setting.
    pub fn new(
        server: &Endpoint,
        device_id: Uuid,
        token: &str,
        timeouts: Timeouts,
    ) -> Result<SyncClient> {
        Ok(SyncClient {
            base: server.url.trim().trim_end_matches('/').to_owned(),
            device_id,
            token: token.to_owned(),
            http: http_client(server, timeouts)?,
        })
    }

    /// Enrols with a one-time `code` (under the same rule as a token: no plain http to another
    /// machine unless allowed).
    pub fn enroll(
        server: &Endpoint,
        code: &str,
        terminal: &Enrolment,
        timeouts: Timeouts,
    ) -> Result<EnrollResponse> {
        let http = http_client(server, timeouts)?;
        let req = EnrollRequest {
            protocol: PROTOCOL_VERSION,
            code: code.to_owned(),
            name: terminal.name.clone(),
            setup_through: terminal.setup_through,
            enrolled_as: terminal.enrolled_as,
        };
        let base = server.url.trim().trim_end_matches('/');
        answer(
            http.post(format!("{base}/v1/devices/enroll"))
                .json(&req)
                .send(),
        )
    }
}

impl Transport for SyncClient {
    fn push(&self, entries: Vec<PushEntry>) -> Result<PushResponse> {
        let req = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: self.device_id,
            entries,
        };
        let (body, gzipped) = push_body(&req)?;
        let mut post = self
            .http
            .post(format!("{}/v1/sync/push", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if gzipped {
            post = post.header(reqwest::header::CONTENT_ENCODING, "gzip");
        }
        answer(post.body(body).send())
    }

    fn pull(&self, since: i64, limit: i64) -> Result<PullResponse> {
        let url = format!("{}/v1/sync/pull?since={since}&limit={limit}", self.base);
        answer(self.http.get(url).bearer_auth(&self.token).send())
    }

    fn snapshot(&self, after: Option<Uuid>, limit: i64) -> Result<SnapshotResponse> {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let url = format!("{}/v1/sync/snapshot?limit={limit}{after}", self.base);
        answer(self.http.get(url).bearer_auth(&self.token).send())
    }
}

/// Sync servers reached over HTTPS (or plain HTTP to this machine, or where the till's
/// settings allow it), with the default timeouts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Http;

impl Network for Http {
    fn enroll(
        &self,
        server: &Endpoint,
        code: &str,
        terminal: &Enrolment,
    ) -> Result<EnrollResponse> {
        SyncClient::enroll(server, code, terminal, Timeouts::default())
    }

    fn connect(
        &self,
        server: &Endpoint,
        device_id: Uuid,
        token: &str,
    ) -> Result<Box<dyn Transport>> {
        let client = SyncClient::new(server, device_id, token, Timeouts::default())?;
        Ok(Box::new(client))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn request(entries: usize) -> PushRequest {
        PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: Uuid::from_u128(1),
            entries: (1..=entries as i64)
                .map(|seq| PushEntry {
                    seq,
                    kind: "audit".into(),
                    entity_id: format!("e{seq}"),
                    hlc: format!("{seq:015}-000000-0000000000000001"),
                    body: "eyJ3aG8iOiJLYXJpbSJ9".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn small_pushes_go_plain_large_ones_gzipped() {
        let small = request(2);
        let (body, gzipped) = push_body(&small).unwrap();
        assert!(!gzipped);
        assert_eq!(body, serde_json::to_vec(&small).unwrap());

        let large = request(500);
        let (body, gzipped) = push_body(&large).unwrap();
        assert!(gzipped);
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_end(&mut json)
            .unwrap();
        assert_eq!(json, serde_json::to_vec(&large).unwrap());
        assert!(
            body.len() * 4 < json.len(),
            "{} of {}",
            body.len(),
            json.len()
        );
    }
}
