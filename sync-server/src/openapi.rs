//! `GET /v1/openapi.json`: the HTTP API described from the handlers' own types (utoipa), so it
//! cannot drift from the code. Every answer is wrapped in the envelope
//! `{success, message?, data?, error?: {code, message}}`; the schemas here are the `data`.

use axum::Json;
use utoipa::OpenApi;

use crate::portal::{
    dashboard, exports, printed, receipts, shifts, sign_in, terminals, tva, views,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "POS sync server", description = "The tills' sync API and the back-office portal's API. \
        Every JSON answer is the envelope {success, message?, data?, error?: {code, message}}; \
        the schemas below are its `data`."),
    paths(
        sign_in::session, sign_in::sign_in, sign_in::sign_out, sign_in::change_password,
        dashboard::dashboard, receipts::receipts, receipts::receipt, printed::printed, tva::tva,
        shifts::shifts, shifts::shift,
        terminals::terminals, terminals::enrollment_code, exports::export,
        crate::handlers::enroll::enroll, crate::handlers::sync::push, crate::handlers::sync::pull,
        crate::handlers::snapshot::snapshot, crate::handlers::live::live,
        crate::handlers::health::health, crate::handlers::health::ready,
    ),
    components(schemas(views::Amount, views::Rate)),
    tags((name = "portal", description = "The back office: sign-in (cookie session, CSRF proof in x-csrf-token) and reports"),
         (name = "sync", description = "The tills: enrolment, push, pull, live feed, snapshot (bearer token)"))
)]
pub struct ApiDoc;

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
