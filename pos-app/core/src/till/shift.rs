//! Shifts: open with a float, cash in/out, drawer opened, close with a blind count. The X report
//! is the running picture; the Z report closes the shift. Totals come from the sales themselves,
//! never from counters that could drift.

use pos_shared::{Money, Permission, ShiftEvent, ShiftEventKind, TaxLine, TaxRate, Tender};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use super::Till;
use crate::ctx::Ctx;
use crate::error::{PosError, Result};
use crate::store::change_log::{self, ChangeKind};
use crate::users::Session;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenderTotal {
    pub tender: Tender,
    pub sales: Money,
    pub refunds: Money,
    pub net: Money,
}

#[derive(Clone, Debug, Serialize)]
pub struct ShiftReport {
    pub shift_id: Uuid,
    /// A cashier's X report: what the blind count follows from (the float, the takings and
    /// their TVA, the cash taken, cash put in or out, the expected cash) is left out.
    pub blind: bool,
    pub terminal: String,
    pub opened_by: String,
    pub opened_at_ms: i64,
    pub closed_at_ms: Option<i64>,
    pub float: Option<Money>,
    pub sales_count: i64,
    pub refunds_count: i64,
    pub sales_total: Option<Money>,
    pub refunds_total: Option<Money>,
    pub net_total: Option<Money>,
    pub discounts: Option<Money>,
    pub by_tender: Vec<TenderTotal>,
    /// TVA per rate, sales minus refunds.
    pub taxes: Vec<TaxLine>,
    pub cash_in: Option<Money>,
    pub cash_out: Option<Money>,
    pub expected_cash: Option<Money>,
    pub counted_cash: Option<Money>,
    /// Counted minus expected: negative means cash is missing.
    pub difference: Option<Money>,
}

fn write_event(
    tx: &Connection,
    ctx: &mut Ctx,
    shift_id: Uuid,
    user: &Session,
    kind: ShiftEventKind,
) -> Result<()> {
    let event = ShiftEvent {
        id: ctx.new_id(),
        shift_id,
        terminal_id: ctx.terminal_id,
        user_id: user.user_id,
        hlc: ctx.tick(tx)?,
        kind,
    };
    let body = serde_json::to_string(&event).map_err(|e| PosError::Invalid(e.to_string()))?;
    let kind_name = match &event.kind {
        ShiftEventKind::Open { .. } => "open",
        ShiftEventKind::CashIn { .. } => "cash_in",
        ShiftEventKind::CashOut { .. } => "cash_out",
        ShiftEventKind::DrawerOpened { .. } => "drawer_opened",
        ShiftEventKind::Close { .. } => "close",
    };
    tx.prepare_cached(
        "INSERT INTO shift_events (id, shift_id, kind, body, hlc, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        event.id.to_string(),
        shift_id.to_string(),
        kind_name,
        body,
        event.hlc.to_string(),
        user.user_id.to_string(),
    ])?;
    change_log::append(
        tx,
        ChangeKind::ShiftEvent,
        &event.id.to_string(),
        body.as_bytes(),
        &event.hlc,
    )?;
    Ok(())
}

/// The cash counted as typed: nothing typed is no count (refused when closing), an empty
/// drawer is a typed 0.
pub fn parse_count(text: &str) -> Result<Option<Money>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Money::parse(text)
        .map(Some)
        .map_err(|e| PosError::InvalidAmount {
            input: text.to_owned(),
            reason: e.to_string(),
        })
}

impl Till {
    pub fn open_shift_id(&self) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .store
            .conn()
            .prepare_cached(
                "SELECT id FROM shifts WHERE terminal_id = ?1 AND closed_at_ms IS NULL",
            )?
            .query_row([self.info.terminal_id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(id.and_then(|s| Uuid::parse_str(&s).ok()))
    }

    /// Opens a shift with the cash float counted into the drawer.
    pub fn open_shift(&mut self, session: &Session, float: Money) -> Result<Uuid> {
        session.require(Permission::Sell, "open a shift")?;
        if float.is_negative() {
            return Err(PosError::InvalidAmount {
                input: float.to_string(),
                reason: "the float cannot be negative".into(),
            });
        }
        if self.open_shift_id()?.is_some() {
            let by: String = self.store.conn().query_row(
                "SELECT coalesce(u.name, s.opened_by) FROM shifts s LEFT JOIN users u ON u.id = s.opened_by
                 WHERE s.terminal_id = ?1 AND s.closed_at_ms IS NULL",
                [self.info.terminal_id.to_string()],
                |r| r.get(0),
            )?;
            return Err(PosError::ShiftAlreadyOpen(by));
        }
        let id = self.ctx.new_id();
        let Till {
            store, ctx, info, ..
        } = self;
        store.durable(|tx| {
            tx.execute(
                "INSERT INTO shifts (id, terminal_id, opened_by, opened_at_ms, float) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id.to_string(), info.terminal_id.to_string(), session.user_id.to_string(), ctx.now_ms(), float.centimes()],
            )?;
            write_event(tx, ctx, id, session, ShiftEventKind::Open { float })
        })?;
        Ok(id)
    }

    /// Cash put into (`CashIn`) or taken out of (`CashOut`) the drawer outside a sale.
    pub fn cash_movement(
        &mut self,
        session: &Session,
        amount: Money,
        out: bool,
        reason: &str,
    ) -> Result<()> {
        session.require(Permission::OpenDrawer, "move cash in or out of the drawer")?;
        if amount <= Money::ZERO {
            return Err(PosError::InvalidAmount {
                input: amount.to_string(),
                reason: "must be more than zero".into(),
            });
        }
        let shift = self.open_shift_id()?.ok_or(PosError::NoOpenShift)?;
        let reason = reason.to_owned();
        let kind = if out {
            ShiftEventKind::CashOut { amount, reason }
        } else {
            ShiftEventKind::CashIn { amount, reason }
        };
        let Till { store, ctx, .. } = self;
        store.durable(|tx| write_event(tx, ctx, shift, session, kind))
    }

    /// Opens the drawer without a sale ("no sale"): a manager's action, always recorded.
    pub fn open_drawer(&mut self, session: &Session, reason: &str) -> Result<()> {
        session.require(Permission::OpenDrawer, "open the drawer without a sale")?;
        let shift = self.open_shift_id()?.ok_or(PosError::NoOpenShift)?;
        let body = serde_json::json!({ "reason": reason, "shift_id": shift });
        let Till { store, ctx, .. } = self;
        store.durable(|tx| {
            write_event(
                tx,
                ctx,
                shift,
                session,
                ShiftEventKind::DrawerOpened {
                    reason: reason.to_owned(),
                },
            )?;
            super::audit::write(tx, ctx, "drawer_opened", session, None, &body)
        })
    }

    /// The X report: where the open shift stands, without closing it. The count at the close
    /// is blind, so a cashier's report leaves out the expected cash and what it follows from:
    /// the float, the takings (in a cash-only shop they are the cash taken) and their TVA, the
    /// cash per tender, cash put in and taken out. She sees how many sales and refunds she
    /// made; a manager's report has everything.
    /// Asked by nobody in particular (`None`), it is blind too.
    pub fn x_report(&self, session: Option<&Session>) -> Result<ShiftReport> {
        // who may see the drawer's content: whoever may open it
        let sees_cash = match session {
            Some(s) => self.current(s)?.role.can(Permission::OpenDrawer),
            None => false,
        };
        let shift = self.open_shift_id()?.ok_or(PosError::NoOpenShift)?;
        let mut report = report(self.store.conn(), &shift)?;
        if !sees_cash {
            report.blind = true;
            report.float = None;
            report.sales_total = None;
            report.refunds_total = None;
            report.net_total = None;
            report.discounts = None;
            report.taxes.clear();
            report.by_tender.clear();
            report.cash_in = None;
            report.cash_out = None;
            report.expected_cash = None;
        }
        Ok(report)
    }

    /// Closes the shift with the cash the cashier counted (blind: she does not see the expected
    /// amount first) and returns the Z report.
    pub fn close_shift(
        &mut self,
        session: &Session,
        counted: Option<Money>,
    ) -> Result<ShiftReport> {
        session.require(Permission::CloseShift, "close the shift")?;
        let counted = counted.ok_or(PosError::CountMissing)?;
        if counted.is_negative() {
            return Err(PosError::InvalidAmount {
                input: counted.to_string(),
                reason: "counted cash cannot be negative".into(),
            });
        }
        let shift = self.open_shift_id()?.ok_or(PosError::NoOpenShift)?;
        let expected = report(self.store.conn(), &shift)?
            .expected_cash
            .unwrap_or_default();
        let Till { store, ctx, .. } = self;
        store.durable(|tx| {
            tx.execute(
                "UPDATE shifts SET closed_by = ?2, closed_at_ms = ?3, counted_cash = ?4, expected_cash = ?5 WHERE id = ?1",
                params![shift.to_string(), session.user_id.to_string(), ctx.now_ms(), counted.centimes(), expected.centimes()],
            )?;
            write_event(tx, ctx, shift, session, ShiftEventKind::Close { counted_cash: counted, expected_cash: expected })
        })?;
        report(self.store.conn(), &shift)
    }

    pub fn shift_report(&self, shift: &Uuid) -> Result<ShiftReport> {
        report(self.store.conn(), shift)
    }
}

fn money(conn: &Connection, sql: &str, shift: &str) -> Result<Money> {
    Ok(Money::from_centimes(
        conn.prepare_cached(sql)?.query_row([shift], |r| r.get(0))?,
    ))
}

pub(super) fn report(conn: &Connection, shift: &Uuid) -> Result<ShiftReport> {
    let sid = shift.to_string();
    let (terminal, opened_by, opened_at_ms, closed_at_ms, float, counted): (String, String, i64, Option<i64>, i64, Option<i64>) = conn
        .query_row(
            "SELECT coalesce((SELECT value FROM meta WHERE key = 'terminal_name'), s.terminal_id),
                    coalesce(u.name, s.opened_by), s.opened_at_ms, s.closed_at_ms, s.float, s.counted_cash
             FROM shifts s LEFT JOIN users u ON u.id = s.opened_by WHERE s.id = ?1",
            [&sid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?
        .ok_or_else(|| PosError::Invalid(format!("no shift {sid}")))?;
    let count = |kind: &str| -> Result<i64> {
        Ok(conn.query_row(
            "SELECT count(*) FROM sales WHERE shift_id = ?1 AND kind = ?2",
            [&sid, kind],
            |r| r.get(0),
        )?)
    };
    let sales_total = money(
        conn,
        "SELECT coalesce(sum(total), 0) FROM sales WHERE shift_id = ?1 AND kind = 'sale'",
        &sid,
    )?;
    let refunds_total = money(
        conn,
        "SELECT coalesce(sum(total), 0) FROM sales WHERE shift_id = ?1 AND kind = 'refund'",
        &sid,
    )?;
    let discounts = money(
        conn,
        "SELECT coalesce(sum(discount_total), 0) FROM sales WHERE shift_id = ?1 AND kind = 'sale'",
        &sid,
    )?;
    let mut by_tender = Vec::new();
    for tender in [Tender::Cash, Tender::Card] {
        let (sales, refunds): (i64, i64) = conn.query_row(
            "SELECT coalesce(sum(CASE WHEN s.kind = 'sale' THEN p.amount END), 0),
                    coalesce(sum(CASE WHEN s.kind = 'refund' THEN p.amount END), 0)
             FROM payments p JOIN sales s ON s.id = p.sale_id WHERE s.shift_id = ?1 AND p.tender = ?2",
            [&sid, tender.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        by_tender.push(TenderTotal {
            tender,
            sales: Money::from_centimes(sales),
            refunds: Money::from_centimes(refunds),
            net: Money::from_centimes(sales - refunds),
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT t.rate,
                sum(CASE WHEN s.kind = 'sale' THEN t.base ELSE -t.base END),
                sum(CASE WHEN s.kind = 'sale' THEN t.tax ELSE -t.tax END),
                sum(CASE WHEN s.kind = 'sale' THEN t.total ELSE -t.total END)
         FROM sale_taxes t JOIN sales s ON s.id = t.sale_id WHERE s.shift_id = ?1
         GROUP BY t.rate ORDER BY t.rate DESC",
    )?;
    let taxes = stmt
        .query_map([&sid], |r| {
            let rate: i64 = r.get(0)?;
            Ok(TaxLine {
                rate: TaxRate::from_bp(u32::try_from(rate).unwrap_or(0)).unwrap_or(TaxRate::ZERO),
                base: Money::from_centimes(r.get(1)?),
                tax: Money::from_centimes(r.get(2)?),
                total: Money::from_centimes(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let event_sum = |kind: &str| -> Result<Money> {
        let mut stmt =
            conn.prepare_cached("SELECT body FROM shift_events WHERE shift_id = ?1 AND kind = ?2")?;
        let bodies = stmt
            .query_map([&sid, kind], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(bodies
            .iter()
            .filter_map(|b| serde_json::from_str::<ShiftEvent>(b).ok())
            .map(|e| match e.kind {
                ShiftEventKind::CashIn { amount, .. } | ShiftEventKind::CashOut { amount, .. } => {
                    amount
                }
                _ => Money::ZERO,
            })
            .sum())
    };
    let cash_in = event_sum("cash_in")?;
    let cash_out = event_sum("cash_out")?;
    let float = Money::from_centimes(float);
    let cash_net = by_tender
        .iter()
        .find(|t| t.tender == Tender::Cash)
        .map(|t| t.net)
        .unwrap_or_default();
    let expected_cash = float + cash_net + cash_in - cash_out;
    let counted_cash = counted.map(Money::from_centimes);
    Ok(ShiftReport {
        shift_id: *shift,
        blind: false,
        terminal,
        opened_by,
        opened_at_ms,
        closed_at_ms,
        float: Some(float),
        sales_count: count("sale")?,
        refunds_count: count("refund")?,
        sales_total: Some(sales_total),
        refunds_total: Some(refunds_total),
        net_total: Some(sales_total - refunds_total),
        discounts: Some(discounts),
        by_tender,
        taxes,
        cash_in: Some(cash_in),
        cash_out: Some(cash_out),
        expected_cash: Some(expected_cash),
        counted_cash,
        difference: counted_cash.map(|c| c - expected_cash),
    })
}
