//! `POST /v1/devices/enroll`: a one-time code becomes a device and its token, atomically (a code
//! can never enrol two terminals, even when both try at once).

use axum::extract::State;
use axum::Json;
use pos_shared::api::{EnrollRequest, EnrollResponse, Envelope};
use uuid::Uuid;

use crate::admin::audit;
use crate::auth::{hash_secret, new_token, ApiJson};
use crate::error::{check_protocol, AppError};
use crate::routes::AppState;

#[tracing::instrument(skip_all, fields(name = %req.name), err)]
#[utoipa::path(post, path = "/v1/devices/enroll", tag = "sync", request_body = pos_shared::api::EnrollRequest,
    responses((status = 200, body = pos_shared::api::EnrollResponse), (status = 401)))]
pub async fn enroll(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<Json<Envelope<EnrollResponse>>, AppError> {
    check_protocol(req.protocol)?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Malformed(
            "the terminal needs a name of 1 to 100 characters".into(),
        ));
    }
    let code = req.code.trim().to_uppercase();
    let mut tx = state.pool.begin().await?;
    let store: Option<Uuid> = sqlx::query_scalar(
        "UPDATE enrollment_codes SET used_at = now()
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
         RETURNING store_id",
    )
    .bind(hash_secret(&code))
    .fetch_optional(&mut *tx)
    .await?;
    let store_id = store.ok_or(AppError::InvalidEnrollmentCode)?;
    let setup_through = match req.enrolled_as {
        None => req.setup_through.max(0),
        // Dropping the transaction leaves the code unused, for the till it was meant for.
        Some(was) if was.store_id != store_id => return Err(AppError::EnrolledElsewhere),
        // Enrolled here before: no more set-up than the server granted then (none if it does
        // not know that device).
        Some(was) => sqlx::query_scalar::<_, i64>(
            "SELECT setup_through FROM devices WHERE id = $1 AND store_id = $2",
        )
        .bind(was.device_id)
        .bind(store_id)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or(0)
        .min(req.setup_through.max(0)),
    };
    let device_id = Uuid::now_v7();
    let token = new_token();
    sqlx::query(
        "INSERT INTO devices (id, store_id, name, token_hash, setup_through)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(device_id)
    .bind(store_id)
    .bind(name)
    .bind(hash_secret(&token))
    .bind(setup_through)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE enrollment_codes SET device_id = $2 WHERE code_hash = $1")
        .bind(hash_secret(&code))
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
    let detail = serde_json::json!({ "device_id": device_id, "store_id": store_id, "name": name });
    audit(&mut tx, "enrolment", "device_enrolled", detail.clone()).await?;
    // Taken after the code and the device: the store's head row it locks is held by pushes.
    let event = crate::events::NewEvent {
        name: "device.enrolled",
        entity: device_id.to_string(),
        at_ms: None,
        data: detail,
    };
    crate::events::outbox::insert(&mut tx, store_id, device_id, &[event]).await?;
    tx.commit().await?;
    Ok(Json(Envelope::ok(EnrollResponse {
        device_id,
        store_id,
        token,
    })))
}
