//! An outbox row as a CloudEvents 1.0 event in structured JSON mode: the attributes and the
//! data in one JSON document, so any consumer reads it without knowing NATS headers. The store
//! and its sequence are extensions (`storeid`, `storeseq`: lower-case letters and digits only,
//! as the specification requires of extension names).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

pub const SPEC_VERSION: &str = "1.0";
pub const CONTENT_TYPE: &str = "application/json";
/// The media type of a message body (the `Content-Type` header on NATS).
pub const STRUCTURED: &str = "application/cloudevents+json; charset=UTF-8";

/// An event as published. `data` stays the JSON text the outbox holds (never re-parsed).
#[derive(Debug, Serialize)]
pub struct CloudEvent<'a> {
    pub specversion: &'static str,
    pub id: Uuid,
    pub source: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub subject: &'a str,
    pub time: &'a str,
    pub datacontenttype: &'static str,
    pub storeid: Uuid,
    pub storeseq: i64,
    pub data: &'a RawValue,
}

/// An event as a consumer reads it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Received {
    pub specversion: String,
    pub id: Uuid,
    pub source: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub subject: String,
    pub time: String,
    pub datacontenttype: String,
    pub storeid: Uuid,
    pub storeseq: i64,
    pub data: serde_json::Value,
}

/// An outbox row as the relay reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub store_id: Uuid,
    pub store_seq: i64,
    pub name: String,
    pub subject: String,
    pub entity: String,
    pub device_id: Uuid,
    /// RFC 3339 in UTC, made by Postgres (see [`SELECT`]).
    pub time: String,
    pub payload: String,
    /// Set aside as a dead letter already: the relay passes over it.
    pub dead: bool,
}

/// The columns of [`Row`], for `SELECT {SELECT} FROM outbox …`.
pub const SELECT: &str = "id, store_id, store_seq, name, subject, entity, device_id,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS time,
    payload::text AS payload, dead_at IS NOT NULL AS dead";

/// Why a row cannot be made into an event (its data is not JSON: never written by the server).
#[derive(Debug, thiserror::Error)]
#[error("event {id}: {source}")]
pub struct Unreadable {
    pub id: Uuid,
    source: serde_json::Error,
}

impl Row {
    /// The event's body: the CloudEvent as JSON bytes.
    pub fn body(&self) -> Result<Vec<u8>, Unreadable> {
        let unreadable = |source| Unreadable {
            id: self.id,
            source,
        };
        let data: &RawValue = serde_json::from_str(&self.payload).map_err(unreadable)?;
        serde_json::to_vec(&CloudEvent {
            specversion: SPEC_VERSION,
            id: self.id,
            source: format!("/stores/{}/devices/{}", self.store_id, self.device_id),
            ty: super::event_type(&self.name),
            subject: &self.entity,
            time: &self.time,
            datacontenttype: CONTENT_TYPE,
            storeid: self.store_id,
            storeseq: self.store_seq,
            data,
        })
        .map_err(unreadable)
    }
}
