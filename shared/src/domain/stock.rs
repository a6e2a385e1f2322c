//! Stock as an append-only set of movements.
//!
//! Terminals record movements offline and sync them in any order; the
//! level is a pure function of the set, so every replica converges.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enums::{normalise, ParseEnumError};
use crate::hlc::Hlc;

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Sale,
    Refund,
    Receive,
    Adjust,
    TransferOut,
    TransferIn,
    /// A physical count: sets the level instead of changing it.
    Count,
}

impl MovementKind {
    /// Every kind, for reports and exhaustive tests.
    pub const ALL: [MovementKind; 7] = [
        MovementKind::Sale,
        MovementKind::Refund,
        MovementKind::Receive,
        MovementKind::Adjust,
        MovementKind::TransferOut,
        MovementKind::TransferIn,
        MovementKind::Count,
    ];

    /// Upper-case code used in reports and database columns.
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Sale => "SALE",
            MovementKind::Refund => "REFUND",
            MovementKind::Receive => "RECEIVE",
            MovementKind::Adjust => "ADJUST",
            MovementKind::TransferOut => "TRANSFER_OUT",
            MovementKind::TransferIn => "TRANSFER_IN",
            MovementKind::Count => "COUNT",
        }
    }

    /// Accepts the `as_str` codes or the serde spellings, any case.
    pub fn parse(s: &str) -> Result<MovementKind, ParseEnumError> {
        let n = normalise(s).replace([' ', '-'], "_");
        MovementKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(&n))
            .ok_or_else(|| ParseEnumError::UnknownMovementKind(s.trim().to_owned()))
    }

    /// True when `qty` is an absolute level rather than a delta.
    pub fn is_absolute(self) -> bool {
        self == MovementKind::Count
    }
}

impl fmt::Display for MovementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for MovementKind {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MovementKind::parse(s)
    }
}

/// One change to a product's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    pub id: Uuid,
    pub product_id: Uuid,
    pub kind: MovementKind,
    /// Signed delta in pieces or grams (sales negative); for `Count` the
    /// absolute level counted.
    pub qty: i64,
    pub hlc: Hlc,
    pub reason: Option<String>,
    /// The sale, transfer or document that caused it.
    pub ref_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
}

/// Current level of one product's stock from its movements.
///
/// Level = the latest `Count` by HLC (0 if none) plus every delta with an
/// HLC strictly after it. Deltas recorded before a count (even if synced
/// later) are already reflected in what was counted. Ties between counts
/// with equal HLC are broken by (qty, id) so the result never depends on
/// input order. Sums are computed in i128 and saturated at the end.
pub fn stock_level<'a>(movements: impl IntoIterator<Item = &'a StockMovement>) -> i64 {
    let movements: Vec<&StockMovement> = movements.into_iter().collect();
    let latest_count = movements
        .iter()
        .filter(|m| m.kind.is_absolute())
        .max_by_key(|m| (m.hlc, m.qty, m.id));
    let (base, since) = match latest_count {
        Some(c) => (i128::from(c.qty), Some(c.hlc)),
        None => (0, None),
    };
    let deltas: i128 = movements
        .iter()
        .filter(|m| !m.kind.is_absolute())
        .filter(|m| since.is_none_or(|h| m.hlc > h))
        .map(|m| i128::from(m.qty))
        .sum();
    let level = base + deltas;
    i64::try_from(level).unwrap_or(if level < 0 { i64::MIN } else { i64::MAX })
}

/// What one newly recorded movement does to a product's kept level: the rule of
/// [`stock_level`], a movement at a time, for the tills' and the server's cached levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelStep {
    /// At or before the latest count: already in what was counted.
    Unchanged,
    /// A delta after the latest count: the new level.
    Level(i64),
    /// A count after the latest one: it becomes the latest, and the level is its quantity
    /// plus every delta recorded after it ([`recounted`]); the ledger's store sums those.
    Recount,
}

/// The step `kind`/`qty` at `hlc` makes from `level`, counted at `count_hlc` (HLCs in their
/// sortable string form; the empty string when the product was never counted).
pub fn level_step(
    level: i64,
    count_hlc: &str,
    kind: MovementKind,
    qty: i64,
    hlc: &str,
) -> LevelStep {
    if hlc <= count_hlc {
        LevelStep::Unchanged
    } else if kind.is_absolute() {
        LevelStep::Recount
    } else {
        LevelStep::Level(level.saturating_add(qty))
    }
}

/// The level after a count of `counted` with `deltas_after` recorded after it.
pub fn recounted(counted: i64, deltas_after: i64) -> i64 {
    counted.saturating_add(deltas_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mv(kind: MovementKind, qty: i64, wall: i64, n: u128) -> StockMovement {
        StockMovement {
            id: Uuid::from_u128(n),
            product_id: Uuid::from_u128(99),
            kind,
            qty,
            hlc: Hlc::new(wall, 0, 1),
            reason: None,
            ref_id: None,
            user_id: None,
        }
    }

    #[test]
    fn sums_deltas_without_counts() {
        let ms = [
            mv(MovementKind::Receive, 24, 1, 1),
            mv(MovementKind::Sale, -3, 2, 2),
            mv(MovementKind::Refund, 1, 3, 3),
        ];
        assert_eq!(stock_level(&ms), 22);
        assert_eq!(stock_level(std::iter::empty()), 0);
    }

    #[test]
    fn latest_count_resets_the_level() {
        let ms = vec![
            mv(MovementKind::Receive, 100, 1, 1),
            mv(MovementKind::Count, 40, 5, 2),
            mv(MovementKind::Sale, -7, 4, 3), // before the count: already in it
            mv(MovementKind::Sale, -2, 6, 4),
            mv(MovementKind::Count, 90, 3, 5), // superseded
            mv(MovementKind::TransferIn, 10, 8, 6),
            mv(MovementKind::Adjust, -1, 5, 7), // same HLC as the count: not after
        ];
        assert_eq!(stock_level(&ms), 48);
        assert_eq!(stock_level(ms.iter().rev()), 48);
    }

    #[test]
    fn movement_kind_codes() {
        for k in MovementKind::ALL {
            assert_eq!(MovementKind::parse(k.as_str()), Ok(k));
            let serde_name = serde_json::to_string(&k).unwrap();
            assert_eq!(MovementKind::parse(serde_name.trim_matches('"')), Ok(k));
            assert_eq!(k.is_absolute(), k == MovementKind::Count);
        }
        assert_eq!(MovementKind::TransferOut.as_str(), "TRANSFER_OUT");
        assert_eq!(
            MovementKind::parse("transfer-in"),
            Ok(MovementKind::TransferIn)
        );
        assert_eq!(
            MovementKind::parse("steal").map_err(|e| e.code()),
            Err("UNKNOWN_MOVEMENT_KIND")
        );
    }

    /// The rule a movement at a time, as the tills and the server keep levels, folded over
    /// movements arriving in any order (the deltas after a count summed over those arrived).
    fn kept_level(arrived: &[StockMovement]) -> i64 {
        let (mut level, mut count_hlc) = (0i64, String::new());
        for (i, m) in arrived.iter().enumerate() {
            let hlc = m.hlc.to_string();
            match level_step(level, &count_hlc, m.kind, m.qty, &hlc) {
                LevelStep::Unchanged => {}
                LevelStep::Level(l) => level = l,
                LevelStep::Recount => {
                    let after = arrived[..i]
                        .iter()
                        .filter(|o| !o.kind.is_absolute() && o.hlc > m.hlc)
                        .map(|o| o.qty)
                        .sum();
                    level = recounted(m.qty, after);
                    count_hlc = hlc;
                }
            }
        }
        level
    }

    fn arb_movement() -> impl Strategy<Value = StockMovement> {
        (
            0usize..7,
            -1000i64..1000,
            0i64..20,
            0u32..3,
            0u64..3,
            any::<u128>(),
        )
            .prop_map(|(k, qty, wall, counter, node, id)| StockMovement {
                id: Uuid::from_u128(id),
                product_id: Uuid::nil(),
                kind: MovementKind::ALL[k],
                qty: if k == 6 { qty.abs() } else { qty },
                hlc: Hlc::new(wall, counter, node),
                reason: None,
                ref_id: None,
                user_id: None,
            })
    }

    proptest! {
        #[test]
        fn order_independent(
            (ms, shuffled) in prop::collection::vec(arb_movement(), 0..40)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            prop_assert_eq!(stock_level(&ms), stock_level(&shuffled));
        }

        #[test]
        fn kept_a_movement_at_a_time_is_the_ledger_rule(
            ms in prop::collection::vec(arb_movement(), 0..40)
                .prop_map(|v| v.into_iter().enumerate().map(|(i, mut m)| {
                    // distinct HLCs, as every replica's are
                    m.hlc = Hlc::new(m.hlc.wall_ms, i as u32, m.hlc.node);
                    m
                }).collect::<Vec<_>>())
                .prop_shuffle()
        ) {
            prop_assert_eq!(kept_level(&ms), stock_level(&ms));
        }
    }
}
