//! The till: every operation a person does at the counter, each one SQLite transaction that
//! writes its domain rows and its change-log entries together.

mod approval;
mod audit;
mod cart;
mod catalog_ops;
mod desk;
mod discounts;
mod items;
mod park;
mod print_queue;
pub mod read;
mod refund;
mod sale;
mod shift;
mod stock_ops;

pub use cart::{Cart, CartLine, CartLineView, CartView, ParkedCart};
pub use catalog_ops::ImportReport;
pub use items::ItemSpec;
pub use sale::{insert_sale, TenderInput};
pub use shift::{parse_count, ShiftReport, TenderTotal};
pub use stock_ops::StockView;

use std::path::Path;
use std::sync::Arc;

use pos_shared::{Clock, IdGen, Role, WeighedScheme};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{PosError, Result};
use crate::store::{self, change_log, Store};
use crate::users::{self, Session, UserInfo};

/// Facts about this terminal, kept in `meta`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TerminalInfo {
    pub store_id: Uuid,
    pub store_name: String,
    pub terminal_id: Uuid,
    pub terminal_name: String,
}

/// Settings a manager can change; defaults suit a small superette.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Largest discount a cashier may give without a manager, in basis points.
    pub cashier_discount_limit_bp: u32,
    pub weighed: WeighedScheme,
}

pub struct Till {
    pub(crate) store: Store,
    pub(crate) ctx: Ctx,
    pub(crate) info: TerminalInfo,
    settings: Settings,
}

impl Till {
    /// Creates a new till database in `dir` for a store and terminal.
    pub fn init(
        dir: &Path,
        store_name: &str,
        terminal_name: &str,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
    ) -> Result<Till> {
        let mut store = Store::open(dir, true)?;
        if store.meta("terminal_id")?.is_some() {
            return Err(PosError::AlreadyInitialised(dir.display().to_string()));
        }
        let (store_name, terminal_name) = (store_name.trim(), terminal_name.trim());
        if store_name.is_empty() || terminal_name.is_empty() {
            return Err(PosError::Invalid(
                "the store and the terminal need names".into(),
            ));
        }
        let now = clock.now_ms();
        let store_id = ids.new_id(now);
        let terminal_id = ids.new_id(now);
        store.write(|tx| {
            store::set_meta(tx, "store_id", &store_id.to_string())?;
            store::set_meta(tx, "store_name", store_name)?;
            store::set_meta(tx, "terminal_id", &terminal_id.to_string())?;
            store::set_meta(tx, "terminal_name", terminal_name)
        })?;
        drop(store);
        Till::open(dir, clock, ids)
    }

    /// Opens the till in `dir`, ready to sell.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdGen>) -> Result<Till> {
        let store = Store::open(dir, false)?;
        let not_init = || PosError::NotInitialised(dir.display().to_string());
        let get_id = |key: &str| -> Result<Uuid> {
            let v = store.meta(key)?.ok_or_else(not_init)?;
            Uuid::parse_str(&v).map_err(|_| PosError::CorruptDatabase {
                path: store.path().display().to_string(),
                detail: format!("{key} is not an id"),
            })
        };
        let info = TerminalInfo {
            store_id: get_id("store_id")?,
            store_name: store.meta("store_name")?.unwrap_or_default(),
            terminal_id: get_id("terminal_id")?,
            terminal_name: store.meta("terminal_name")?.unwrap_or_default(),
        };
        let settings = Settings {
            cashier_discount_limit_bp: store
                .meta("cashier_discount_limit_bp")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000),
            weighed: store
                .meta("weighed_scheme")?
                .and_then(|v| serde_json::from_str(&v).ok())
                .unwrap_or_default(),
        };
        let last = change_log::last_hlc(store.conn())?;
        let ctx = Ctx::new(clock, ids, info.store_id, info.terminal_id, last);
        Ok(Till {
            store,
            ctx,
            info,
            settings,
        })
    }

    pub fn info(&self) -> &TerminalInfo {
        &self.info
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn set_cashier_discount_limit(&mut self, bp: u32) -> Result<()> {
        self.store
            .write(|tx| store::set_meta(tx, "cashier_discount_limit_bp", &bp.to_string()))?;
        self.settings.cashier_discount_limit_bp = bp;
        Ok(())
    }

    /// How scale labels are read (prefixes, item digits, grams or a price in centimes or
    /// dinars): a manager's setting, kept in `meta`.
    pub fn set_weighed_scheme(&mut self, session: &Session, scheme: WeighedScheme) -> Result<()> {
        self.current(session)?.require(
            pos_shared::Permission::PriceOverride,
            "change how scale labels are read",
        )?;
        scheme
            .validate()
            .map_err(|e| PosError::Invalid(e.to_string()))?;
        let json = serde_json::to_string(&scheme).map_err(|e| PosError::Invalid(e.to_string()))?;
        self.store
            .write(|tx| store::set_meta(tx, "weighed_scheme", &json))?;
        self.settings.weighed = scheme;
        Ok(())
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Logs in the holder of `pin` (see `users::login` for the lock-out).
    pub fn login(&mut self, pin: &str) -> Result<Session> {
        let now = self.ctx.now_ms();
        users::login(self.store.conn(), pin, now)
    }

    /// Adds a user. The very first user needs no session (it sets the till up); after that only
    /// someone allowed to manage users may add one.
    pub fn add_user(
        &mut self,
        by: Option<&Session>,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<UserInfo> {
        let setting_up = users::list(self.store.conn())?.is_empty();
        if !setting_up {
            let s = by.ok_or_else(|| PosError::Forbidden {
                who: "nobody logged in".into(),
                role: "none",
                action: "add users",
            })?;
            // A manager may take on cashiers; anything more is the admin's.
            if !s.role.may_add(role) {
                s.require(pos_shared::Permission::ManageUsers, "add users")?;
            }
        }
        let id = self.ctx.new_id();
        let hlc = self.ctx.tick(self.store.conn())?;
        let added_by = by.filter(|_| !setting_up).map(|s| s.user_id);
        let member = self.store.write(|tx| {
            let member = users::add(tx, id, name, role, pin, added_by)?;
            users::log_added(tx, &member, &hlc)?;
            Ok(member)
        })?;
        Ok(UserInfo {
            id: member.id,
            name: member.name,
            role: member.role,
        })
    }

    /// `session`'s holder as they stand now: their role brought up to date; someone who has
    /// left is logged out. Every permission is checked against this, never the role at login.
    pub fn current(&self, session: &Session) -> Result<Session> {
        users::current(self.store.conn(), session)?.ok_or(PosError::LoggedOut)
    }

    pub fn users(&self) -> Result<Vec<UserInfo>> {
        users::list(self.store.conn())
    }

    /// Change-log entries not yet acknowledged by the server.
    pub fn pending_changes(&self, limit: usize) -> Result<Vec<change_log::ChangeEntry>> {
        change_log::pending(self.store.conn(), limit)
    }

    pub fn pending_count(&self) -> Result<i64> {
        change_log::pending_count(self.store.conn())
    }
}
