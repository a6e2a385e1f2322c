//! The sync protocol's wire types and the response envelope, shared by the till's sync client
//! and the sync server. Plain data: no HTTP framework, no IO. Binary bodies travel as base64
//! strings; encoding and decoding them is the transport's job.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The protocol this build speaks. Every request carries it; an older one is refused with
/// [`codes::PROTOCOL_UPGRADE_REQUIRED`].
pub const PROTOCOL_VERSION: u32 = 1;

/// Error codes the server answers with; clients match on these, never on messages.
pub mod codes {
    pub const PROTOCOL_UPGRADE_REQUIRED: &str = "PROTOCOL_UPGRADE_REQUIRED";
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const INVALID_ENROLLMENT_CODE: &str = "INVALID_ENROLLMENT_CODE";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const SEQ_GAP: &str = "SEQ_GAP";
    pub const UNKNOWN_KIND: &str = "UNKNOWN_KIND";
    pub const INVALID_ENTRY: &str = "INVALID_ENTRY";
    /// A `staff` entry for someone the store already has: not applied, not fanned out. The
    /// till keeps its copy until the feed brings the back office's record.
    pub const STAFF_EXISTS: &str = "STAFF_EXISTS";
    /// An enrolment code of another store for a till that belongs to a store already: its
    /// history would be filed there. Refused before the code is used.
    pub const ENROLLED_ELSEWHERE: &str = "ENROLLED_ELSEWHERE";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const NOT_READY: &str = "NOT_READY";
    pub const INTERNAL: &str = "INTERNAL";
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// `{"success":true,"message":…,"data":…}` or `{"success":false,"error":{"code","message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

impl<T> Envelope<T> {
    pub fn ok(data: T) -> Envelope<T> {
        Envelope {
            success: true,
            message: None,
            data: Some(data),
            error: None,
        }
    }

    pub fn ok_with(data: T, message: impl Into<String>) -> Envelope<T> {
        Envelope {
            message: Some(message.into()),
            ..Envelope::ok(data)
        }
    }

    pub fn err(code: &str, message: impl Into<String>) -> Envelope<T> {
        Envelope {
            success: false,
            message: None,
            data: None,
            error: Some(ApiError {
                code: code.to_owned(),
                message: message.into(),
            }),
        }
    }

    /// The data of a successful answer, or its error (a success without data is malformed).
    pub fn into_result(self) -> Result<T, ApiError> {
        match (self.success, self.data, self.error) {
            (true, Some(data), _) => Ok(data),
            (false, _, Some(error)) => Err(error),
            _ => Err(ApiError {
                code: codes::MALFORMED_REQUEST.to_owned(),
                message: "the answer is neither data nor an error".to_owned(),
            }),
        }
    }
}

/// `POST /v1/devices/enroll`: a one-time code made by a manager turns a terminal into a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollRequest {
    pub protocol: u32,
    pub code: String,
    pub name: String,
    /// The last change-log number the till holds as it enrols. What it did up to there (its
    /// set-up, before it had a server) is vouched for by the one-time code; what it does after
    /// is checked against the store's staff, whatever time it claims.
    #[serde(default)]
    pub setup_through: i64,
    /// The store and device the till was enrolled as before (re-enrolment after a revoked
    /// token or a new server address), `None` for a till never enrolled. A till of another
    /// store is refused (`ENROLLED_ELSEWHERE`); a till of this store gets no more set-up than
    /// its earlier enrolment had. Only an honest till's safeguard: what a till says of itself
    /// grants it nothing.
    #[serde(default)]
    pub enrolled_as: Option<EnrolledAs>,
}

/// Where a till was enrolled before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolledAs {
    pub store_id: Uuid,
    pub device_id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    pub device_id: Uuid,
    pub store_id: Uuid,
    /// Bearer token for every later request; shown once, stored hashed by the server.
    pub token: String,
}

/// One change-log entry as pushed: `body` is base64 of the entry's bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushEntry {
    pub seq: i64,
    pub kind: String,
    pub entity_id: String,
    pub hlc: String,
    pub body: String,
}

/// `POST /v1/sync/push`: entries must continue the device's acknowledged sequence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub protocol: u32,
    pub device_id: Uuid,
    pub entries: Vec<PushEntry>,
}

/// An entry the server stored but refused to apply, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedEntry {
    pub seq: i64,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Every entry up to this sequence number is safe on the server.
    pub acked_through: i64,
    pub rejected: Vec<RejectedEntry>,
    /// The push re-used sequence numbers the server holds other entries under, from this one
    /// on: the terminal was restored from a backup older than what it had synced. Nothing of
    /// the push was applied; the terminal numbers its entries from here on again after
    /// `acked_through` and pushes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused_from: Option<i64>,
}

/// One entry of the store's feed, in cursor order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullEntry {
    pub cursor: i64,
    pub kind: String,
    pub entity_id: String,
    pub body: String,
    /// The device that wrote it (a terminal skips its own).
    pub origin: Uuid,
}

/// `GET /v1/sync/pull?since=CURSOR&limit=N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub entries: Vec<PullEntry>,
    pub next: i64,
    pub more: bool,
}

/// `GET /v1/sync/snapshot?after=ID&limit=N`: what a new terminal needs instead of the whole
/// feed, a page of products (in id order) at a time. Each product comes with its document when
/// somebody has edited it (base64 of automerge bytes; without one the product is its genesis),
/// and with the part of its stock ledger that still counts: its latest count and every movement
/// after it. Everything is idempotent on the till, so pages may overlap the feed: the terminal
/// keeps the first page's `as_of` and pulls from there when the last page is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotResponse {
    /// The store's feed head before this page was read.
    pub as_of: i64,
    pub products: Vec<SnapshotProduct>,
    pub movements: Vec<SnapshotMovement>,
    /// The store's staff as the server knows them (first page only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub staff: Vec<crate::staff::StaffMember>,
    /// Where the next page starts (`after=`), when `more`.
    pub next: Option<Uuid>,
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotProduct {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub product: crate::Product,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// A stock movement as the ledger keeps it: `key` is the movement's id, or `sale_id/line_no`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotMovement {
    pub product_id: Uuid,
    pub hlc: String,
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub kind: crate::MovementKind,
    pub qty: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_id: Option<Uuid>,
}

/// `GET /v1/sync/live` sends server-sent events named [`LiveEvent::NAME`] with this as data:
/// the store's feed is at `cursor` now; `null` means "something may have moved, pull".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveEvent {
    pub cursor: Option<i64>,
}

impl LiveEvent {
    pub const NAME: &'static str = "feed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_read_as_the_protocol_writes_them() {
        let ok = serde_json::to_value(Envelope::ok(PushResponse {
            acked_through: 7,
            rejected: vec![],
            reused_from: None,
        }))
        .unwrap();
        assert_eq!(
            ok,
            serde_json::json!({"success": true, "data": {"acked_through": 7, "rejected": []}})
        );
        let err: Envelope<PushResponse> = serde_json::from_str(
            r#"{"success":false,"error":{"code":"SEQ_GAP","message":"resend from 8"}}"#,
        )
        .unwrap();
        assert_eq!(err.into_result().unwrap_err().code, codes::SEQ_GAP);
        let odd: Envelope<PushResponse> = serde_json::from_str(r#"{"success":true}"#).unwrap();
        assert_eq!(
            odd.into_result().unwrap_err().code,
            codes::MALFORMED_REQUEST
        );
    }
}
