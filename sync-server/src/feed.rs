//! Entries the server itself adds to a store's feed: role changes made in the back office, and
//! the changes that undo a product edit its author was not allowed to make. Their origin is the
//! nil device, so every till applies them.

use sqlx::PgConnection;
use uuid::Uuid;

/// The origin of entries the server writes.
pub const SERVER: Uuid = Uuid::nil();

/// Appends `(kind, entity id, body)` entries after the store's head, in order, and tells the
/// live connections when the transaction commits; the new head. Takes the head row's lock (a
/// push holds it already), so cursors stay in commit order.
pub async fn append_server(
    conn: &mut PgConnection,
    store: Uuid,
    entries: &[(&str, String, Vec<u8>)],
) -> Result<i64, sqlx::Error> {
    let n = entries.len() as i64;
    let head: i64 = sqlx::query_scalar(
        "UPDATE store_heads SET head = head + $2 WHERE store_id = $1 RETURNING head",
    )
    .bind(store)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    if n == 0 {
        return Ok(head);
    }
    sqlx::query(
        "INSERT INTO feed (store_id, cursor, kind, entity_id, origin, body)
         SELECT $1, $2 + o, k, e, $3, b
         FROM UNNEST($4::text[], $5::text[], $6::bytea[]) WITH ORDINALITY AS u(k, e, b, o)",
    )
    .bind(store)
    .bind(head - n)
    .bind(SERVER)
    .bind(entries.iter().map(|e| e.0).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.1.as_str()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.2.as_slice()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(crate::live::CHANNEL)
        .bind(crate::live::payload(store, head, SERVER))
        .execute(&mut *conn)
        .await?;
    Ok(head)
}
