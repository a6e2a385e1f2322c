//! A till's day as drawer events: the shift opened before the first sale with a float, now and
//! then cash put in or taken out and the drawer opened without a sale, and the close after the
//! last sale with a count that is mostly right and sometimes a little short or over. The
//! expected cash the close carries is the till's rule over the day's own sales, so the server's
//! Z report agrees with it.

use pos_shared::{Hlc, Money, Sale, SaleKind, ShiftEvent, ShiftEventKind, Tender};

use super::{Rng, Till};

const HOUR: i64 = 3_600_000;

/// The drawer events of the shift `sales` were made in (`till.shift_id`, which then moves on
/// to a new shift for the next day). `day_start_ms` is the local midnight.
pub fn shift(rng: &mut Rng, till: &mut Till, day_start_ms: i64, sales: &[Sale]) -> Vec<ShiftEvent> {
    let cashier = till.cashiers[rng.below(till.cashiers.len() as u64) as usize];
    let mut events = Vec::new();
    let mut event = |rng: &mut Rng, at_ms: i64, kind: ShiftEventKind| {
        events.push(ShiftEvent {
            id: rng.uuid(),
            shift_id: till.shift_id,
            terminal_id: till.terminal_id,
            user_id: cashier,
            hlc: Hlc::new(at_ms, 1, till.node),
            kind,
        });
    };
    let float = Money::from_dinars(10_000);
    event(
        rng,
        day_start_ms + 7 * HOUR + HOUR / 2,
        ShiftEventKind::Open { float },
    );
    let mut drawer = float;
    if rng.chance(25) {
        let amount = Money::from_dinars(2_000);
        drawer += amount;
        let reason = "monnaie de la banque".to_owned();
        event(
            rng,
            day_start_ms + 10 * HOUR,
            ShiftEventKind::CashIn { amount, reason },
        );
    }
    if rng.chance(35) {
        let amount = Money::from_dinars(1_500 + 100 * rng.below(20) as i64);
        drawer -= amount;
        let reason = "fournisseur pain".to_owned();
        event(
            rng,
            day_start_ms + 14 * HOUR,
            ShiftEventKind::CashOut { amount, reason },
        );
    }
    if rng.chance(15) {
        let reason = "client demande la monnaie".to_owned();
        event(
            rng,
            day_start_ms + 12 * HOUR,
            ShiftEventKind::DrawerOpened { reason },
        );
    }
    for s in sales {
        let cash: Money = s
            .payments
            .iter()
            .filter(|p| p.tender == Tender::Cash)
            .map(|p| p.amount)
            .sum();
        match s.kind {
            SaleKind::Sale => drawer += cash,
            SaleKind::Refund => drawer -= cash,
        }
    }
    // Mostly right; one day in five a little short, one in ten a little over.
    let counted = match rng.below(10) {
        0 | 1 => drawer - Money::from_dinars(50 * (1 + rng.below(10) as i64)),
        2 => drawer + Money::from_dinars(10 * (1 + rng.below(5) as i64)),
        _ => drawer,
    };
    let close_at = sales
        .iter()
        .map(|s| s.created_at_ms)
        .max()
        .unwrap_or(day_start_ms + 20 * HOUR)
        .max(day_start_ms + 14 * HOUR)
        + HOUR / 4;
    event(
        rng,
        close_at,
        ShiftEventKind::Close {
            counted_cash: counted,
            expected_cash: drawer,
        },
    );
    events.sort_by_key(|e| e.hlc.wall_ms);
    till.shift_id = rng.uuid();
    events
}
