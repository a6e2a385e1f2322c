//! The HTTP side of sync: enrol, push, pull. Blocking calls with timeouts, run by the sync loop
//! (never by the till's hot path). Answers come back as the protocol's codes.

use std::time::Duration;

use pos_shared::api::{
    EnrollRequest, EnrollResponse, Envelope, PullResponse, PushEntry, PushRequest, PushResponse,
    SnapshotResponse, PROTOCOL_VERSION,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{PosError, Result};

pub struct SyncClient {
    base: String,
    device_id: Uuid,
    token: String,
    http: reqwest::blocking::Client,
}

fn http() -> Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| PosError::Sync {
            code: "CLIENT".into(),
            message: e.to_string(),
        })
}

fn answer<T: DeserializeOwned>(resp: reqwest::Result<reqwest::blocking::Response>) -> Result<T> {
    let resp = resp.map_err(|e| PosError::Offline(e.to_string()))?;
    let status = resp.status();
    let envelope: Envelope<T> = resp.json().map_err(|e| PosError::Sync {
        code: "BAD_ANSWER".into(),
        message: format!("the server answered {status} with something unreadable: {e}"),
    })?;
    envelope.into_result().map_err(|e| PosError::Sync {
        code: e.code,
        message: e.message,
    })
}

impl SyncClient {
    pub fn new(base: &str, device_id: Uuid, token: &str) -> Result<SyncClient> {
        Ok(SyncClient {
            base: base.trim_end_matches('/').to_owned(),
            device_id,
            token: token.to_owned(),
            http: http()?,
        })
    }

    pub fn enroll(base: &str, code: &str, name: &str) -> Result<EnrollResponse> {
        let req = EnrollRequest {
            protocol: PROTOCOL_VERSION,
            code: code.to_owned(),
            name: name.to_owned(),
        };
        answer(
            http()?
                .post(format!("{}/v1/devices/enroll", base.trim_end_matches('/')))
                .json(&req)
                .send(),
        )
    }

    pub fn push(&self, entries: Vec<PushEntry>) -> Result<PushResponse> {
        let req = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: self.device_id,
            entries,
        };
        answer(
            self.http
                .post(format!("{}/v1/sync/push", self.base))
                .bearer_auth(&self.token)
                .json(&req)
                .send(),
        )
    }

    pub fn pull(&self, since: i64, limit: i64) -> Result<PullResponse> {
        let url = format!("{}/v1/sync/pull?since={since}&limit={limit}", self.base);
        answer(self.http.get(url).bearer_auth(&self.token).send())
    }

    pub fn snapshot(&self, after: Option<Uuid>, limit: i64) -> Result<SnapshotResponse> {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let url = format!("{}/v1/sync/snapshot?limit={limit}{after}", self.base);
        answer(self.http.get(url).bearer_auth(&self.token).send())
    }
}
