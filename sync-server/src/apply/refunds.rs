//! Refunds checked against the sale they refund as the server has it, by the rule the till
//! checks them by (`pos_shared::refund::check_refund`): the sale is one of this store's sales
//! (pushed before, or earlier in the same push), not itself a refund, and every refund of it
//! together gives back no more units, gross or net than each line sold. A refund that names
//! another store's sale, or gives back more than was sold, is rejected (and kept as rejected).

use std::collections::hash_map::Entry::Vacant;
use std::collections::HashMap;

use pos_shared::api::codes;
use pos_shared::refund::{check_refund, sold_lines, LineAmounts, RefundError, SoldLine};
use pos_shared::{Money, Sale, SaleKind};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Entry, Record};

pub async fn check_refunds(
    conn: &mut PgConnection,
    store: Uuid,
    entries: &mut [Entry<'_>],
) -> Result<(), sqlx::Error> {
    // The refunds of this push: a re-sent one is already on the server and must not count
    // against itself.
    let pushed: Vec<Uuid> = entries
        .iter()
        .filter_map(|e| match &e.record {
            Record::Sale(s) if s.kind == SaleKind::Refund => Some(s.id),
            _ => None,
        })
        .collect();
    let mut sales: HashMap<Uuid, Result<HashMap<u32, SoldLine>, RefundError>> = HashMap::new();
    for entry in entries.iter_mut() {
        let Record::Sale(sale) = &entry.record else {
            continue;
        };
        if entry.rejected.is_some() {
            continue;
        }
        if sale.kind == SaleKind::Sale {
            sales.insert(sale.id, Ok(sold_lines(sale, &HashMap::new())));
            continue;
        }
        let verdict = match sale.refund_of {
            None => Err(RefundError::NoOriginal),
            Some(original) => {
                if let Vacant(slot) = sales.entry(original) {
                    slot.insert(sold(conn, store, original, &pushed).await?);
                }
                match sales.get_mut(&original) {
                    Some(Ok(sold)) => give_back(sale, sold),
                    Some(Err(e)) => Err(e.clone()),
                    None => Err(RefundError::UnknownOriginal(original)),
                }
            }
        };
        if let Err(e) = verdict {
            entry.reject(codes::INVALID_ENTRY, e.to_string());
        }
    }
    Ok(())
}

/// Checks `refund` against what is left of the sale, and counts it as given back.
fn give_back(refund: &Sale, sold: &mut HashMap<u32, SoldLine>) -> Result<(), RefundError> {
    check_refund(refund, sold)?;
    for l in &refund.lines {
        if let Some(line) = sold.get_mut(&l.line_no) {
            line.refunded.add(l);
        }
    }
    Ok(())
}

/// The lines of this store's sale `id` with what its refunds on the server (other than those
/// `pushed` now) gave back; refused when the store has no such sale, or it is a refund.
async fn sold(
    conn: &mut PgConnection,
    store: Uuid,
    id: Uuid,
    pushed: &[Uuid],
) -> Result<Result<HashMap<u32, SoldLine>, RefundError>, sqlx::Error> {
    // (kind, line, product, sold qty, gross, net, refunded qty, gross, net); one row with no
    // line for a sale without lines, none for a sale the store does not have.
    type Row = (
        String,
        Option<i32>,
        Option<Uuid>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        i64,
        i64,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.kind, l.line_no, l.product_id, l.qty, l.gross, l.net,
                coalesce(sum(r.qty), 0)::int8, coalesce(sum(r.gross), 0)::int8,
                coalesce(sum(r.net), 0)::int8
         FROM sales s
         LEFT JOIN sale_lines l ON l.sale_id = s.id AND l.store_id = s.store_id
         LEFT JOIN (SELECT rl.line_no, rl.qty, rl.gross, rl.net
                    FROM sales rs JOIN sale_lines rl ON rl.sale_id = rs.id
                    WHERE rs.refund_of = $1 AND rs.store_id = $2 AND rs.id <> ALL($3)) r
                ON r.line_no = l.line_no
         WHERE s.id = $1 AND s.store_id = $2
         GROUP BY s.kind, l.line_no, l.product_id, l.qty, l.gross, l.net",
    )
    .bind(id)
    .bind(store)
    .bind(pushed)
    .fetch_all(&mut *conn)
    .await?;
    match rows.first().map(|r| r.0.as_str()) {
        Some("sale") => {}
        Some(_) => return Ok(Err(RefundError::OfRefund(id))),
        None => return Ok(Err(RefundError::UnknownOriginal(id))),
    }
    let amounts = |qty: i64, gross: i64, net: i64| LineAmounts {
        qty,
        gross: Money::from_centimes(gross),
        // not kept on the server, and not what a refund is checked by
        line_discount: Money::ZERO,
        net: Money::from_centimes(net),
    };
    Ok(Ok(rows
        .into_iter()
        .filter_map(|(_, line_no, product_id, qty, gross, net, rq, rg, rn)| {
            let line = SoldLine {
                product_id: product_id?,
                sold: amounts(qty?, gross?, net?),
                refunded: amounts(rq, rg, rn),
            };
            Some((u32::try_from(line_no?).ok()?, line))
        })
        .collect()))
}
