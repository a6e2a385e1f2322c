//! Approvals at the counter: a manager's PIN typed for what a cashier may not do alone (failures
//! recorded, approvals locked after repeated ones), and the cashier's discount limit, checked
//! on the cart as it stands after every change: line and order discounts together, against
//! what a manager approved for it.

use pos_shared::{Money, Permission};

use super::cart::Cart;
use super::Till;
use crate::error::{PosError, Result};
use crate::users::{self, Approval, Session, LOCKOUT_MS};

/// The share of a line's gross taken off it, line and order discount together, in basis
/// points rounded up; `None` for a line without a price (nothing can be taken off it).
fn share_bp(off: Money, gross: Money) -> Option<i128> {
    let gross = i128::from(gross.centimes());
    (gross > 0).then(|| (i128::from(off.centimes()) * 10_000 + gross - 1) / gross)
}

/// The lines of `cart` whose discount goes past the limit and what was approved for them:
/// (index of the line, share taken off it in basis points).
pub(super) fn over_limit(cart: &Cart, limit_bp: u32) -> Result<Vec<(usize, i128)>> {
    let totals = cart.totals()?;
    let mut over = Vec::new();
    for (i, (line, t)) in cart.lines.iter().zip(&totals.lines).enumerate() {
        let off = t.line_discount + t.order_discount;
        let allowed = i128::from(limit_bp)
            .max(i128::from(line.approved_bp) + i128::from(cart.order_approved_bp));
        // What `allowed` takes off this gross, rounded up, and a centime more when both
        // discounts apply: each is rounded on its own, so a cashier's 10 % on an odd amount
        // is never refused for a rounding.
        let gross = i128::from(t.gross.centimes());
        let both = line.discount.is_some() && cart.order_discount.is_some();
        let cap = (gross * allowed + 9_999) / 10_000 + i128::from(both);
        if i128::from(off.centimes()) > cap {
            over.push((i, share_bp(off, t.gross).unwrap_or(i128::MAX)));
        }
    }
    Ok(over)
}

fn bp_text(bp: i128) -> String {
    format!("{},{:02} %", bp / 100, bp % 100)
}

/// Who approved what, once a change to the cart has passed the limit.
pub(super) enum Approved {
    /// Within the cashier's limit, or by someone who may give it.
    Within,
    /// By the holder of the PIN typed (to be audited with the change).
    By(Session),
}

impl Approved {
    pub(super) fn approver(&self) -> Option<&Session> {
        match self {
            Approved::Within => None,
            Approved::By(s) => Some(s),
        }
    }
}

/// Where an approval given now is recorded on the cart.
#[derive(Clone, Copy)]
pub(super) enum Scope {
    /// On the lines over the limit (a line discount, a changed quantity).
    Lines,
    /// On the order discount, so that lines scanned after it are covered too.
    Order,
}

impl Till {
    /// Resolves who authorises `permission` (see `users::authorise`). A failed approval is
    /// recorded in the audit (`approval_failed`), and so is the lock-out it may start
    /// (`approvals_locked`), in the transaction that counts it.
    pub(super) fn authorise(
        &mut self,
        session: &Session,
        permission: Permission,
        action: &'static str,
        approver_pin: Option<&str>,
    ) -> Result<Option<Session>> {
        if session.role.can(permission) {
            return Ok(None);
        }
        if approver_pin.is_none() {
            return users::authorise(self.store.conn(), session, permission, action, None, 0)
                .map(|_| None);
        }
        let now = self.ctx.now_ms();
        let Till { store, ctx, .. } = self;
        let approval = store.write(|tx| {
            let approval = users::authorise(tx, session, permission, action, approver_pin, now)?;
            if let Approval::Failed { error, locked } = &approval {
                let body = serde_json::json!({
                    "action": action, "permission": permission.as_str(), "refused": error.code(),
                });
                super::audit::write(tx, ctx, "approval_failed", session, None, &body)?;
                if *locked {
                    let body = serde_json::json!({ "until_ms": now + LOCKOUT_MS });
                    super::audit::write(tx, ctx, "approvals_locked", session, None, &body)?;
                }
            }
            Ok(approval)
        })?;
        match approval {
            Approval::NotNeeded => Ok(None),
            Approval::Approved(approver) => Ok(Some(approver)),
            Approval::Failed { locked: true, .. } => Err(PosError::PinLocked {
                seconds: LOCKOUT_MS / 1000,
            }),
            Approval::Failed { error, .. } => Err(error),
        }
    }

    /// Checks `cart` as it would be after a change against the cashier's discount limit. Over
    /// it, someone who may give the discount (the acting user, or the holder of `approver_pin`)
    /// approves, and the approval is written on the cart (`scope`) so the same discount is not
    /// asked for again; otherwise the change is refused.
    pub(super) fn check_discounts(
        &mut self,
        session: &Session,
        cart: &mut Cart,
        approver_pin: Option<&str>,
        scope: Scope,
    ) -> Result<Approved> {
        let over = over_limit(cart, self.settings.cashier_discount_limit_bp)?;
        let Some(worst) = over.iter().map(|(_, bp)| *bp).max() else {
            return Ok(Approved::Within);
        };
        let approved = if session.role.can(Permission::DiscountOverLimit) {
            Approved::Within
        } else if approver_pin.is_some() {
            let approver = self.authorise(
                session,
                Permission::DiscountOverLimit,
                "give this discount",
                approver_pin,
            )?;
            approver.map_or(Approved::Within, Approved::By)
        } else {
            let limit = self.settings.cashier_discount_limit_bp;
            return Err(PosError::DiscountNeedsApproval {
                requested: bp_text(worst),
                limit: bp_text(i128::from(limit)),
            });
        };
        let order = i128::from(cart.order_approved_bp);
        match scope {
            Scope::Order => {
                let needed = over
                    .iter()
                    .map(|(i, bp)| bp - i128::from(cart.lines[*i].approved_bp))
                    .max()
                    .unwrap_or(0);
                cart.order_approved_bp = clamp_bp(needed.max(order));
            }
            Scope::Lines => {
                for (i, bp) in over {
                    cart.lines[i].approved_bp = clamp_bp(bp - order);
                }
            }
        }
        Ok(approved)
    }
}

fn clamp_bp(bp: i128) -> u32 {
    u32::try_from(bp.clamp(0, 10_000)).unwrap_or(10_000)
}
