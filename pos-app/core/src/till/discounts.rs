//! Discounts and price changes on the cart on screen. Every change is checked with the cart as
//! it would stand after it (`approval::check_discounts`): line and order discounts together,
//! against the cashier's limit and what a manager approved.

use pos_shared::{Discount, Money, Permission};

use super::approval::Scope;
use super::cart::{self, CartView};
use super::Till;
use crate::error::{PosError, Result};
use crate::users::Session;

impl Till {
    /// Sets (or clears) a line discount. Over the cashier limit it needs a manager's PIN.
    pub fn discount_line(
        &mut self,
        session: &Session,
        line_no: u32,
        discount: Option<Discount>,
        approver_pin: Option<&str>,
    ) -> Result<CartView> {
        let mut cart = self.active_cart()?;
        let line = cart.line_mut(line_no)?;
        line.discount = discount;
        // a new discount is approved anew
        line.approved_bp = 0;
        let view = CartView::of(&cart)?;
        let approved = self.check_discounts(session, &mut cart, approver_pin, Scope::Lines)?;
        let body =
            serde_json::json!({ "cart_id": cart.id, "line_no": line_no, "discount": discount });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            cart::save(tx, ctx, session, &cart)?;
            if let Some(a) = approved.approver() {
                super::audit::write(tx, ctx, "discount_approved", session, Some(a), &body)?;
            }
            Ok(())
        })?;
        Ok(view)
    }

    /// Sets (or clears) a discount on the whole order.
    pub fn discount_order(
        &mut self,
        session: &Session,
        discount: Option<Discount>,
        approver_pin: Option<&str>,
    ) -> Result<CartView> {
        let mut cart = self.active_cart()?;
        cart.order_discount = discount;
        cart.order_approved_bp = 0;
        let view = CartView::of(&cart)?;
        let approved = self.check_discounts(session, &mut cart, approver_pin, Scope::Order)?;
        let body = serde_json::json!({ "cart_id": cart.id, "order_discount": discount });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            cart::save(tx, ctx, session, &cart)?;
            if let Some(a) = approved.approver() {
                super::audit::write(tx, ctx, "discount_approved", session, Some(a), &body)?;
            }
            Ok(())
        })?;
        Ok(view)
    }

    /// Changes a line's unit price (a manager's decision, always audited). A discount in
    /// amount weighs more on a lower price: the cart is checked against the limit again.
    pub fn override_price(
        &mut self,
        session: &Session,
        line_no: u32,
        price: Money,
        approver_pin: Option<&str>,
    ) -> Result<CartView> {
        if price.is_negative() {
            return Err(PosError::InvalidAmount {
                input: price.to_string(),
                reason: "a price cannot be negative".into(),
            });
        }
        let approver = self.authorise(
            session,
            Permission::PriceOverride,
            "change a price",
            approver_pin,
        )?;
        let mut cart = self.active_cart()?;
        let line = cart.line_mut(line_no)?;
        let was = line.price_override.unwrap_or(line.unit_price);
        line.price_override = Some(price);
        let sku = line.sku.clone();
        let view = CartView::of(&cart)?;
        self.check_discounts(session, &mut cart, approver_pin, Scope::Lines)?;
        let body = serde_json::json!({
            "cart_id": cart.id, "line_no": line_no, "sku": sku, "from": was, "to": price,
        });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            cart::save(tx, ctx, session, &cart)?;
            super::audit::write(tx, ctx, "price_override", session, approver.as_ref(), &body)
        })?;
        Ok(view)
    }
}
