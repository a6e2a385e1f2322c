//! A generated history pushed by real terminals: two stores (two tills and one), fourteen days (into November)
//! with refunds, discounts, weighed items and split payments, a shift a day at each till with
//! its drawer events, every sale synced days after it was made, and one made at 23:30 UTC, which is already the next day in Algiers.

use pos_shared::api::PushEntry;
use sync_server::demo::{self, Rng, Till};
use uuid::Uuid;

use crate::helpers::{json_entry, Terminal, TestApp};

pub struct History {
    pub store_a: Uuid,
    pub store_b: Uuid,
    pub terminals: Vec<Terminal>,
    /// The sale made at 23:30 UTC on 2026-10-25 (local 2026-10-26 00:30).
    pub late_evening: Uuid,
}

/// 2026-10-20 00:00 in Algiers (UTC+1), in ms.
pub const FIRST_DAY_MS: i64 = 1_792_450_800_000;
pub const DAY_MS: i64 = 86_400_000;
pub const DAYS: i64 = 14;

async fn push_all(app: &TestApp, t: &Terminal, entries: Vec<PushEntry>) {
    for chunk in entries.chunks(400) {
        let (status, body) = app.push(t, chunk.to_vec()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["rejected"], serde_json::json!([]), "{body}");
    }
}

pub async fn generate(app: &TestApp) -> History {
    let mut rng = Rng::new(16);
    let store_a = app.store("Superette El Baraka").await;
    let store_b = app.store("Superette Ennour").await;
    let mut terminals = Vec::new();
    let mut late_evening = Uuid::nil();
    for (store, tills) in [(store_a, 2), (store_b, 1)] {
        let products = demo::catalog(store);
        let cashiers = vec![rng.uuid(), rng.uuid()];
        for n in 0..tills {
            let t = app.enroll(store, &format!("Caisse {}", n + 1)).await;
            let mut till = Till::new(&mut rng, store, cashiers.clone());
            let mut entries = Vec::new();
            if n == 0 {
                for p in &products {
                    entries.push(json_entry(0, "product_genesis", &p.id.to_string(), p));
                }
            }
            let mut sales = Vec::new();
            let mut drawer = Vec::new();
            for d in 0..DAYS {
                let start = FIRST_DAY_MS + d * DAY_MS;
                let day = demo::day(&mut rng, &mut till, &products, start, 15);
                drawer.extend(demo::shift(&mut rng, &mut till, start, &day));
                sales.extend(day);
            }
            if store == store_b {
                // 2026-10-25 23:30 UTC.
                let at = FIRST_DAY_MS + 6 * DAY_MS + 30 * 60_000;
                let s = demo::sale(&mut rng, &mut till, &products, at).unwrap();
                late_evening = s.id;
                sales.push(s);
            }
            for s in &sales {
                entries.push(json_entry(0, "sale", &s.id.to_string(), s));
            }
            for e in &drawer {
                entries.push(json_entry(0, "shift_event", &e.id.to_string(), e));
            }
            for (i, e) in entries.iter_mut().enumerate() {
                e.seq = i as i64 + 1;
            }
            push_all(app, &t, entries).await;
            terminals.push(t);
        }
    }
    History {
        store_a,
        store_b,
        terminals,
        late_evening,
    }
}
