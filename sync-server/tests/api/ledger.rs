//! The server keeps stock levels in SQL and in a batch's walk (`apply::levels`) for speed; the
//! rule is `pos_shared::stock_level`. Movements pushed in any order and any batching must
//! leave the kept level equal to the rule's over what has arrived.

use pos_shared::{stock_level, Hlc, MovementKind, StockMovement};
use uuid::Uuid;

use crate::helpers::{json_entry, spawn_app};

const T0: i64 = 1_795_510_800_000; // 2026-11-24

/// A small deterministic generator (the same scenarios every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn the_kept_level_is_the_ledger_rule_whatever_the_order_and_batching() {
    let app = spawn_app().await;
    let mut rng = Lcg(13);
    for scenario in 0..6 {
        let store = app.store(&format!("Ledger {scenario}")).await;
        let till = app.enroll(store, "Caisse 1").await;
        let products = [Uuid::now_v7(), Uuid::now_v7()];
        // sale and refund movements travel inside their sales
        let kinds: Vec<MovementKind> = MovementKind::ALL
            .into_iter()
            .filter(|k| !matches!(k, MovementKind::Sale | MovementKind::Refund))
            .collect();
        let mut moves: Vec<StockMovement> = (0..24)
            .map(|n| {
                let kind = kinds[rng.below(kinds.len() as u64) as usize];
                let qty = rng.below(400) as i64 - 200;
                StockMovement {
                    id: Uuid::now_v7(),
                    product_id: products[rng.below(2) as usize],
                    kind,
                    qty: if kind.is_absolute() { qty.abs() } else { qty },
                    // walls collide on purpose; the counter keeps HLCs distinct
                    hlc: Hlc::new(T0 + rng.below(8) as i64 * 1_000, n, 1),
                    reason: None,
                    ref_id: None,
                    user_id: None,
                }
            })
            .collect();
        for i in (1..moves.len()).rev() {
            moves.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut seq = 0i64;
        let mut arrived = 0;
        while arrived < moves.len() {
            let n = (1 + rng.below(5) as usize).min(moves.len() - arrived);
            let batch = moves[arrived..arrived + n]
                .iter()
                .map(|m| {
                    seq += 1;
                    json_entry(seq, "movement", &m.id.to_string(), m)
                })
                .collect();
            let (status, body) = app.push(&till, batch).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["data"]["rejected"], serde_json::json!([]), "{body}");
            arrived += n;
            for p in products {
                let so_far: Vec<&StockMovement> = moves[..arrived]
                    .iter()
                    .filter(|m| m.product_id == p)
                    .collect();
                if so_far.is_empty() {
                    continue;
                }
                assert_eq!(
                    app.level(store, p).await,
                    stock_level(so_far.iter().copied()),
                    "scenario {scenario}, after {arrived} of {moves:?}"
                );
            }
        }
    }
}
