//! A shop for tests: the demo catalog, the users, an open shift, and selling in one call.

use std::path::Path;
use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_core::{Session, Till};
use pos_shared::{Clock, FixedClock, IdGen, Money, Role, Sale, SeqIds, Tender};

pub const CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/demo-catalog.csv"
);
pub const STORE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/store.json");
pub const START_MS: i64 = 1_795_510_800_000; // 2026-11-24 09:00 UTC, 10:00 in Algiers

pub struct Shop {
    pub till: Till,
    pub amina: Session,
    pub karim: Session,
}

pub fn open_shop(dir: &Path, clock: Arc<dyn Clock>, ids: Arc<dyn IdGen>) -> Shop {
    let mut till = Till::init(dir, "Superette El Baraka", "Caisse 1", clock, ids).unwrap();
    till.add_user(None, "Admin", Role::Admin, "0000").unwrap();
    let admin = till.login("0000").unwrap();
    till.add_user(Some(&admin), "Amina", Role::Cashier, "1111")
        .unwrap();
    till.add_user(Some(&admin), "Karim", Role::Manager, "9999")
        .unwrap();
    let karim = till.login("9999").unwrap();
    till.import_catalog(Some(&karim), CATALOG.as_ref(), &mut |_, _| {})
        .unwrap();
    let store: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(STORE).unwrap()).unwrap();
    let details: Vec<(String, String)> = ["name", "address", "nif", "rc", "phone"]
        .iter()
        .map(|k| (k.to_string(), store[k].as_str().unwrap().to_owned()))
        .collect();
    till.set_store_details(&karim, &details).unwrap();
    let amina = till.login("1111").unwrap();
    till.open_shift(&amina, Money::from_centimes(500_000))
        .unwrap();
    Shop { till, amina, karim }
}

pub fn fixed_shop(dir: &Path) -> Shop {
    open_shop(
        dir,
        Arc::new(FixedClock::new(START_MS)),
        Arc::new(SeqIds::new()),
    )
}

pub fn cash(amount: Option<i64>) -> TenderInput {
    TenderInput {
        tender: Tender::Cash,
        amount: amount.map(Money::from_centimes),
        reference: None,
    }
}

pub fn card() -> TenderInput {
    TenderInput {
        tender: Tender::Card,
        amount: None,
        reference: Some("CIB-0001".into()),
    }
}

pub fn items(codes: &[&str]) -> Vec<ItemSpec> {
    codes.iter().map(|c| c.parse().unwrap()).collect()
}

/// A sale of a few products (0 %, 9 % and 19 % TVA) paid in cash with change.
pub fn sell(shop: &mut Shop, codes: &[&str], pay: &[TenderInput]) -> Sale {
    shop.till
        .quick_sale(&shop.amina, &items(codes), None, pay, None)
        .unwrap()
}
