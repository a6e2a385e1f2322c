//! CSV exports of sales lines, receipts, Z reports and the TVA summary: UTF-8 with a byte-order mark (so
//! spreadsheets read the accents and Arabic), `,` or `;` between fields (`sep=semicolon`, with
//! decimal commas, for French spreadsheets). Rows are streamed from Postgres through a small
//! bounded channel as the client reads them, so a year of lines is never held in memory.
//! Refunds are negative, so a column sums to the takings.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use sqlx::PgPool;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::Portal;
use super::receipts::day_bounds;
use super::views::{decimal, Days, RangeQuery};
use crate::error::AppError;
use crate::routes::AppState;

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    pub from: String,
    pub to: String,
    pub stores: Option<String>,
    /// `semicolon` for `;` and decimal commas; `,` and decimal points otherwise.
    pub sep: Option<String>,
}

/// Bytes gathered before a chunk is sent.
const CHUNK: usize = 64 * 1024;

struct Csv {
    sep: char,
    comma: bool,
    buf: String,
}

impl Csv {
    fn field(&mut self, first: bool, text: &str) {
        if !first {
            self.buf.push(self.sep);
        }
        // A text starting like a formula is not run by a spreadsheet.
        let guarded = text.starts_with(['=', '+', '@'])
            || (text.starts_with('-') && !text[1..].starts_with(|c: char| c.is_ascii_digit()));
        let quote = guarded || text.contains([self.sep, '"', '\n', '\r']);
        if quote {
            self.buf.push('"');
            if guarded {
                self.buf.push('\'');
            }
            self.buf.push_str(&text.replace('"', "\"\""));
            self.buf.push('"');
        } else {
            self.buf.push_str(text);
        }
    }

    fn row(&mut self, texts: &[&str]) {
        for (i, t) in texts.iter().enumerate() {
            self.field(i == 0, t);
        }
        self.buf.push_str("\r\n");
    }

    fn money(&self, c: i64) -> String {
        decimal(c, self.comma)
    }
}

const LINES_SQL: &str = "SELECT to_char(s.created_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI:SS'), st.name,
        coalesce(d.name, ''), s.receipt_no, s.kind, l.line_no, l.sku, l.name,
        CASE s.kind WHEN 'refund' THEN -l.qty ELSE l.qty END, l.unit, l.unit_price, l.tax_rate,
        CASE s.kind WHEN 'refund' THEN -l.gross ELSE l.gross END,
        CASE s.kind WHEN 'refund' THEN -l.net ELSE l.net END
    FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.created_at = s.created_at
    JOIN stores st ON st.id = s.store_id LEFT JOIN devices d ON d.id = s.device_id
    WHERE s.store_id = ANY($1) AND s.created_at >= timestamptz 'epoch' + $2 * interval '1 microsecond'
      AND s.created_at < timestamptz 'epoch' + $3 * interval '1 microsecond'
      AND (NOT $4 OR ((s.created_at AT TIME ZONE st.time_zone)::date >= date '1970-01-01' + $5
                      AND (s.created_at AT TIME ZONE st.time_zone)::date < date '1970-01-01' + $6))
    ORDER BY s.created_at, s.id, l.line_no";

const RECEIPTS_SQL: &str = "SELECT to_char(s.created_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI:SS'), st.name,
        coalesce(d.name, ''), s.receipt_no, s.kind, coalesce(sf.name, ''),
        CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END * s.subtotal,
        CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END * s.discount_total,
        CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END * s.total,
        CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END * coalesce(p.cash, 0),
        CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END * coalesce(p.card, 0)
    FROM sales s JOIN stores st ON st.id = s.store_id LEFT JOIN devices d ON d.id = s.device_id
    LEFT JOIN staff sf ON sf.store_id = s.store_id AND sf.id = s.cashier_id
    LEFT JOIN LATERAL (SELECT sum(amount) FILTER (WHERE tender = 'cash')::int8 AS cash,
                              sum(amount) FILTER (WHERE tender = 'card')::int8 AS card
                       FROM payments WHERE sale_id = s.id AND created_at = s.created_at) p ON true
    WHERE s.store_id = ANY($1) AND s.created_at >= timestamptz 'epoch' + $2 * interval '1 microsecond'
      AND s.created_at < timestamptz 'epoch' + $3 * interval '1 microsecond'
      AND (NOT $4 OR ((s.created_at AT TIME ZONE st.time_zone)::date >= date '1970-01-01' + $5
                      AND (s.created_at AT TIME ZONE st.time_zone)::date < date '1970-01-01' + $6))
    ORDER BY s.created_at, s.id";

type LineRow = (
    String,
    String,
    String,
    i64,
    String,
    i32,
    String,
    String,
    i64,
    String,
    i64,
    i32,
    i64,
    i64,
);
type ReceiptRow = (
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// The instants bounding the days over the stores' zones, and whether the zones differ.
async fn bounds(
    state: &AppState,
    stores: &[Uuid],
    days: Days,
) -> Result<(i64, i64, bool), AppError> {
    let (lo, _, d1) = day_bounds(state, stores, days.from).await?;
    let (_, hi, d2) = day_bounds(state, stores, days.to).await?;
    Ok((lo, hi, d1 || d2))
}

#[utoipa::path(get, path = "/v1/portal/exports/{what}", tag = "portal",
    params(("what" = String, Path, description = "`lines.csv`, `receipts.csv`, `z.csv` or `tva.csv`"), ExportQuery),
    responses((status = 200, content_type = "text/csv"), (status = 403)))]
pub async fn export(
    State(state): State<AppState>,
    portal: Portal,
    Path(what): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let range = RangeQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        stores: q.stores.clone(),
    };
    let stores = portal.scope(q.stores.as_deref())?;
    let days = range.days()?;
    let semicolon = q.sep.as_deref() == Some("semicolon");
    let csv = Csv {
        sep: if semicolon { ';' } else { ',' },
        comma: semicolon,
        buf: String::from("\u{feff}"),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(4);
    let pool = state.pool.clone();
    match what.as_str() {
        "lines.csv" => {
            let b = bounds(&state, &stores, days).await?;
            tokio::spawn(stream_lines(pool, stores, days, b, csv, tx));
        }
        "receipts.csv" => {
            let b = bounds(&state, &stores, days).await?;
            tokio::spawn(stream_receipts(pool, stores, days, b, csv, tx));
        }
        "tva.csv" => {
            tokio::spawn(tva_csv(pool, stores, days, csv, tx));
        }
        "z.csv" => {
            tokio::spawn(z_csv(pool, stores, days, csv, tx));
        }
        _ => {
            return Err(AppError::NotFound(format!(
                "no export {what}: lines.csv, receipts.csv, z.csv or tva.csv"
            )))
        }
    }
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    });
    let name = format!("{}-{}-{}", what.trim_end_matches(".csv"), q.from, q.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        // Fused: the gzip layer may poll once more after the end.
        Body::from_stream(body.fuse()),
    )
        .into_response())
}

/// Sends the buffer when it is large enough (or `last`); false once the client has gone.
async fn flush(csv: &mut Csv, tx: &tokio::sync::mpsc::Sender<String>, last: bool) -> bool {
    if csv.buf.len() < CHUNK && !last {
        return true;
    }
    let chunk = std::mem::take(&mut csv.buf);
    tx.send(chunk).await.is_ok()
}

async fn stream_lines(
    pool: PgPool,
    stores: Vec<Uuid>,
    days: Days,
    b: (i64, i64, bool),
    mut csv: Csv,
    tx: tokio::sync::mpsc::Sender<String>,
) {
    csv.row(&[
        "date",
        "magasin",
        "caisse",
        "ticket",
        "type",
        "ligne",
        "sku",
        "article",
        "quantite",
        "unite",
        "prix_unitaire",
        "tva_bp",
        "brut",
        "net",
    ]);
    let mut rows = sqlx::query_as::<_, LineRow>(LINES_SQL)
        .bind(&stores)
        .bind(b.0)
        .bind(b.1)
        .bind(b.2)
        .bind(days.from)
        .bind(days.to)
        .fetch(&pool);
    while let Some(row) = rows.next().await {
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                // The status has gone out; a truncated file says so in its last line.
                tracing::error!(error = %e, "lines export");
                csv.buf
                    .push_str("# export interrupted: the server could not read further\r\n");
                break;
            }
        };
        let (no, line, qty, price, rate, gross, net) = (
            r.3.to_string(),
            r.5.to_string(),
            r.8.to_string(),
            csv.money(r.10),
            r.11.to_string(),
            csv.money(r.12),
            csv.money(r.13),
        );
        csv.row(&[
            &r.0, &r.1, &r.2, &no, &r.4, &line, &r.6, &r.7, &qty, &r.9, &price, &rate, &gross, &net,
        ]);
        if !flush(&mut csv, &tx, false).await {
            return;
        }
    }
    flush(&mut csv, &tx, true).await;
}

async fn stream_receipts(
    pool: PgPool,
    stores: Vec<Uuid>,
    days: Days,
    b: (i64, i64, bool),
    mut csv: Csv,
    tx: tokio::sync::mpsc::Sender<String>,
) {
    csv.row(&[
        "date",
        "magasin",
        "caisse",
        "ticket",
        "type",
        "caissier",
        "sous_total",
        "remise",
        "total",
        "especes",
        "carte",
    ]);
    let mut rows = sqlx::query_as::<_, ReceiptRow>(RECEIPTS_SQL)
        .bind(&stores)
        .bind(b.0)
        .bind(b.1)
        .bind(b.2)
        .bind(days.from)
        .bind(days.to)
        .fetch(&pool);
    while let Some(row) = rows.next().await {
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "receipts export");
                csv.buf
                    .push_str("# export interrupted: the server could not read further\r\n");
                break;
            }
        };
        let no = r.3.to_string();
        let (a, b2, c, d, e) = (
            csv.money(r.6),
            csv.money(r.7),
            csv.money(r.8),
            csv.money(r.9),
            csv.money(r.10),
        );
        csv.row(&[&r.0, &r.1, &r.2, &no, &r.4, &r.5, &a, &b2, &c, &d, &e]);
        if !flush(&mut csv, &tx, false).await {
            return;
        }
    }
    flush(&mut csv, &tx, true).await;
}

async fn tva_csv(
    pool: PgPool,
    stores: Vec<Uuid>,
    days: Days,
    mut csv: Csv,
    tx: tokio::sync::mpsc::Sender<String>,
) {
    csv.row(&["mois", "tva_bp", "base_ht", "tva", "ttc"]);
    match super::tva::tva_rows(&pool, &stores, days).await {
        Ok(rows) => {
            for (month, rate, base, tax) in rows {
                let (r, b, t, ttc) = (
                    rate.to_string(),
                    csv.money(base),
                    csv.money(tax),
                    csv.money(base + tax),
                );
                csv.row(&[&month, &r, &b, &t, &ttc]);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "tva export");
            csv.buf
                .push_str("# export interrupted: the server could not read further\r\n");
        }
    }
    flush(&mut csv, &tx, true).await;
}

/// One row per shift opened in the range, with its Z figures (empty while the shift is open).
async fn z_csv(
    pool: PgPool,
    stores: Vec<Uuid>,
    days: Days,
    mut csv: Csv,
    tx: tokio::sync::mpsc::Sender<String>,
) {
    csv.row(&[
        "magasin",
        "caisse",
        "ouverte",
        "ouverte_par",
        "fermee",
        "fermee_par",
        "fond",
        "ventes",
        "retours",
        "total_ventes",
        "total_retours",
        "remises",
        "especes_ventes",
        "especes_retours",
        "carte_ventes",
        "carte_retours",
        "entrees",
        "sorties",
        "attendu",
        "compte",
        "ecart",
        "attendu_caisse",
    ]);
    match super::shifts::rows(&pool, &stores, days, None).await {
        Ok(rows) => {
            for r in rows {
                let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
                let m = |v: Option<i64>| v.map(|v| csv.money(v)).unwrap_or_default();
                let texts = [
                    r.store.clone(),
                    r.terminal.clone(),
                    r.opened_at.clone().unwrap_or_default(),
                    r.opened_by.clone(),
                    r.closed_at.clone().unwrap_or_default(),
                    r.closed_by.clone(),
                    csv.money(r.float),
                    n(r.sales_count),
                    n(r.refunds_count),
                    m(r.sales_total),
                    m(r.refunds_total),
                    m(r.discounts),
                    m(r.cash_sales),
                    m(r.cash_refunds),
                    m(r.card_sales),
                    m(r.card_refunds),
                    m(r.cash_in),
                    m(r.cash_out),
                    m(r.expected_cash),
                    m(r.counted_cash),
                    m(r.over_short),
                    m(r.till_expected_cash),
                ];
                let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                csv.row(&texts);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "z export");
            csv.buf
                .push_str("# export interrupted: the server could not read further\r\n");
        }
    }
    flush(&mut csv, &tx, true).await;
}
