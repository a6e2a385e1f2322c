//! The store's staff as every replica knows them, and the rules about who may do what that the
//! till applies before an action and the sync server applies again when the action arrives
//! (a till offline while the back office changed someone's role cannot know better).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{MovementKind, Permission, Role};

/// One member of a store's staff: what a till needs to log them in offline (the PIN's argon2
/// hash) and what the server needs to check their actions (the role). Travels as the body of
/// `staff` entries, both ways: a till adding someone, the back office changing a role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
    pub active: bool,
    /// Who added them at a till; `None` for a till's first user (set up before enrolment) and
    /// for changes made in the back office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<Uuid>,
}

/// What a change to a product or to stock needs. Sales and refunds carry their own approvals.
pub const EDIT_PRODUCTS: Permission = Permission::PriceOverride;
pub const EDIT_STOCK: Permission = Permission::StockEdit;

/// The permission a ledger movement of `kind` needs, if any (sales' movements come with their
/// sale).
pub fn movement_needs(kind: MovementKind) -> Option<Permission> {
    match kind {
        MovementKind::Sale | MovementKind::Refund => None,
        _ => Some(EDIT_STOCK),
    }
}

impl Role {
    /// Whether someone of this role may add a member of role `other`: admins anyone, managers
    /// cashiers.
    pub fn may_add(self, other: Role) -> bool {
        self.can(Permission::ManageUsers) || (self == Role::Manager && other == Role::Cashier)
    }
}

/// Why a change to products or stock was refused, for the person at the till.
pub fn refusal(name: &str, role: Role, action: &str) -> String {
    format!(
        "{name} is {} {}: {action} needs a manager or an admin",
        article(role),
        role.as_str()
    )
}

fn article(role: Role) -> &'static str {
    match role {
        Role::Admin => "an",
        Role::Cashier | Role::Manager => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_add_whom() {
        assert!(Role::Admin.may_add(Role::Admin));
        assert!(Role::Manager.may_add(Role::Cashier));
        assert!(!Role::Manager.may_add(Role::Manager));
        assert!(!Role::Cashier.may_add(Role::Cashier));
    }

    #[test]
    fn stock_edits_need_the_stock_permission_and_sales_carry_their_own() {
        assert_eq!(
            movement_needs(MovementKind::Count),
            Some(Permission::StockEdit)
        );
        assert_eq!(
            movement_needs(MovementKind::Receive),
            Some(Permission::StockEdit)
        );
        assert_eq!(movement_needs(MovementKind::Sale), None);
        assert!(!Role::Cashier.can(EDIT_STOCK) && Role::Manager.can(EDIT_STOCK));
        assert!(!Role::Cashier.can(EDIT_PRODUCTS) && Role::Manager.can(EDIT_PRODUCTS));
        assert_eq!(
            refusal("Karim", Role::Cashier, "counting stock"),
            "Karim is a cashier: counting stock needs a manager or an admin"
        );
    }
}
