//! (b): the real server (in this process, relaying to NATS), tills pushing one sale per push at
//! a steady total rate, and the reference consumer timing each `sale.completed` from the moment
//! its push was acknowledged (just after the commit).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use pos_shared::api::{
    EnrollRequest, EnrollResponse, Envelope, PushEntry, PushRequest, PROTOCOL_VERSION,
};
use pos_shared::{Hlc, Money, Payment, Sale, SaleKind, SaleLine, TaxLine, TaxRate, Tender, Unit};
use sync_server::events::tail::{self, TailConfig};
use sync_server::{admin, Application, Settings};
use uuid::Uuid;

use crate::Nats;

const TILLS: usize = 5;

fn sale(product: Uuid, at_ms: i64, n: i64) -> Sale {
    let price = Money::from_dinars(110);
    let taxes = pos_shared::pricing::taxes_of_nets(&[(TaxRate::REDUCED, price)]).unwrap();
    Sale {
        id: Uuid::now_v7(),
        kind: SaleKind::Sale,
        refund_of: None,
        store_id: Uuid::nil(),
        terminal_id: Uuid::from_u128(1),
        receipt_no: n,
        shift_id: Uuid::from_u128(2),
        cashier_id: Uuid::from_u128(3),
        hlc: Hlc::new(at_ms, 0, 1),
        created_at_ms: at_ms,
        lines: vec![SaleLine {
            line_no: 1,
            product_id: product,
            sku: "SEM-1".into(),
            name: "Semoule 1kg".into(),
            barcode: None,
            unit: Unit::Piece,
            qty: 1,
            unit_price: price,
            tax_rate: TaxRate::REDUCED,
            discount: None,
            gross: price,
            line_discount: Money::ZERO,
            order_discount: Money::ZERO,
            net: price,
        }],
        order_discount: None,
        subtotal: price,
        discount_total: Money::ZERO,
        total: price,
        taxes: taxes.into_iter().collect::<Vec<TaxLine>>(),
        payments: vec![Payment {
            tender: Tender::Cash,
            amount: price,
            tendered: price,
            reference: None,
        }],
        change: Money::ZERO,
    }
}

/// p50 and p99 in ms, and how many sales were timed.
pub async fn run(
    nats: &Nats,
    db: &str,
    per_second: usize,
    seconds: usize,
) -> anyhow::Result<(f64, f64, usize)> {
    let settings = Settings {
        listen: "127.0.0.1:0".parse()?,
        database_url: db.to_owned(),
        nats_url: Some(nats.url()),
        rate_per_second: 0.0,
        ..Settings::default()
    };
    let app = Application::build(settings).await?;
    let url = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let mut tills = Vec::new();
    for i in 0..TILLS {
        let store = admin::create_store(&pool, &format!("L{i}")).await?;
        let code = admin::enrollment_code(&pool, store).await?;
        let r: Envelope<EnrollResponse> = http
            .post(format!("{url}/v1/devices/enroll"))
            .json(&EnrollRequest {
                protocol: PROTOCOL_VERSION,
                code,
                name: format!("T{i}"),
                setup_through: 0,
                enrolled_as: None,
            })
            .send()
            .await?
            .json()
            .await?;
        tills.push(r.into_result().map_err(|e| anyhow::anyhow!("{e:?}"))?);
    }
    let acked: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let received: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let sink = sync_server::events::nats::NatsSink::connect(&nats.url()).await?;
    // Only the events from now on: the stream still holds (a)'s.
    let start = match sink.context().get_stream(sync_server::events::STREAM).await {
        Ok(mut s) => s
            .info()
            .await
            .map(|i| i.state.last_sequence + 1)
            .unwrap_or(1),
        Err(_) => 1,
    };
    let (cpool, rec) = (pool.clone(), received.clone());
    let consumer = tokio::spawn(async move {
        let mut config = TailConfig::new("bench-latency");
        config.subject = Some("transaction.*.sale.completed".into());
        config.from_stream_seq = Some(start);
        // Order does not matter for timing; many in flight keeps the consumer from queueing.
        config.max_ack_pending = 1000;
        loop {
            let rec = rec.clone();
            let _ = tail::run(&cpool, sink.context(), &config, move |e| {
                if let Some(id) = e.data["sale_id"].as_str() {
                    rec.lock().unwrap().insert(id.to_owned(), Instant::now());
                }
                Ok(())
            })
            .await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    // Let the stream and consumer settle before timing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let per_till = per_second / TILLS;
    let total = per_till * seconds;
    let t0 = 1_795_510_800_000;
    let mut pushers = Vec::new();
    for t in tills {
        let (http, url, acked) = (http.clone(), url.clone(), acked.clone());
        pushers.push(tokio::spawn(async move {
            let product = Uuid::now_v7();
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_till as f64));
            for n in 1..=total as i64 {
                tick.tick().await;
                let s = sale(product, t0 + n * 1000, n);
                let entry = PushEntry {
                    seq: n,
                    kind: "sale".into(),
                    entity_id: s.id.to_string(),
                    hlc: s.hlc.to_string(),
                    body: base64::engine::general_purpose::STANDARD
                        .encode(serde_json::to_vec(&s).unwrap()),
                };
                let req = PushRequest {
                    protocol: PROTOCOL_VERSION,
                    device_id: t.device_id,
                    entries: vec![entry],
                };
                let r = http
                    .post(format!("{url}/v1/sync/push"))
                    .bearer_auth(&t.token)
                    .json(&req)
                    .send()
                    .await;
                if r.is_ok_and(|r| r.status().is_success()) {
                    acked
                        .lock()
                        .unwrap()
                        .insert(s.id.to_string(), Instant::now());
                }
            }
        }));
    }
    for p in pushers {
        p.await?;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.lock().unwrap().len() < acked.lock().unwrap().len() && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    consumer.abort();
    let acked = acked.lock().unwrap();
    let received = received.lock().unwrap();
    let mut ms: Vec<f64> = acked
        .iter()
        .filter_map(|(id, a)| {
            received
                .get(id)
                .map(|r| r.saturating_duration_since(*a).as_secs_f64() * 1000.0)
        })
        .collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| {
        ms.get(((ms.len() as f64 * p) as usize).min(ms.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    Ok((q(0.5), q(0.99), ms.len()))
}
