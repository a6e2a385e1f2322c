//! The till keeps stock levels in SQL (`stock_levels`, with the deltas after a count summed by
//! a query) for speed; the rule is `pos_shared::stock_level`. Movements arriving in any order,
//! as sync delivers them, must leave the kept level equal to the rule's.

use std::sync::Arc;

use pos_core::stock::{self, Origin};
use pos_core::Till;
use pos_shared::{stock_level, FixedClock, Hlc, MovementKind, SeqIds, StockMovement};
use proptest::prelude::*;
use uuid::Uuid;

fn movement(
    n: usize,
    product: Uuid,
    (kind, qty, wall, node): (usize, i64, i64, u64),
) -> StockMovement {
    let kind = MovementKind::ALL[kind];
    StockMovement {
        id: Uuid::from_u128(1_000 + n as u128),
        product_id: product,
        kind,
        qty: if kind.is_absolute() { qty.abs() } else { qty },
        // distinct HLCs, as every replica's are; the walls collide on purpose
        hlc: Hlc::new(1_795_510_800_000 + wall, n as u32, node),
        reason: None,
        ref_id: None,
        user_id: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn the_kept_level_is_the_ledger_rule_whatever_the_arrival_order(
        raw in prop::collection::vec((0usize..7, -500i64..500, 0i64..6, 1u64..3), 1..25)
            .prop_flat_map(|v| Just(v).prop_shuffle())
    ) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(1_795_510_800_000));
        let mut till = Till::init(dir.path(), "Superette", "Caisse 1", clock, Arc::new(SeqIds::new()))
            .unwrap();
        let product = Uuid::from_u128(7);
        let moves: Vec<StockMovement> =
            raw.into_iter().enumerate().map(|(n, r)| movement(n, product, r)).collect();
        for (i, m) in moves.iter().enumerate() {
            till.store_mut()
                .write(|tx| stock::record(tx, m, Origin::Pulled))
                .unwrap();
            let conn = till.store().conn();
            prop_assert_eq!(
                stock::level(conn, &product).unwrap(),
                stock_level(&moves[..=i]),
                "after {} of {:?}", i + 1, moves
            );
        }
        // arriving twice changes nothing
        for m in &moves {
            till.store_mut().write(|tx| stock::record(tx, m, Origin::Pulled)).unwrap();
        }
        let conn = till.store().conn();
        prop_assert_eq!(stock::level(conn, &product).unwrap(), stock_level(&moves));
        prop_assert_eq!(stock::level_from_ledger(conn, &product).unwrap(), stock_level(&moves));
    }
}
