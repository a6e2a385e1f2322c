//! Three to five terminals, each with its own data folder and the real sync client, against a
//! real sync server over a fresh Postgres database. A seeded random day: sales, refunds,
//! concurrent price and name edits of the same products, stock received, adjusted and counted,
//! parked carts, terminals dropping offline for a while and syncing in any order. At the end
//! every terminal and Postgres agree: the same products with the same conflicts shown, the same
//! stock levels (the sum of the ledger), every sale exactly once; and a terminal enrolled at the
//! end catches up from the server's snapshot. Half-way through, the back office makes one
//! terminal's manager a cashier; that terminal goes on as if he were still a manager, and
//! exactly his stock changes from then on are refused (his product edits undone) while
//! everything still converges. `POS_SEED=N` replays a run; the seed is printed.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_core::{Session, Till};
use pos_shared::{Clock, FixedClock, Money, Role, Tender};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sync_server::{admin, staff};
use uuid::Uuid;

const HEADER: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n";
const PRODUCTS: [(&str, &str, &str); 5] = [
    ("EPI-0001", "6130502000100", "Semoule moyenne Sim 1 kg"),
    ("EPI-0002", "6130502000278", "Semoule fine Sim 1 kg"),
    ("CRE-0001", "6130325000448", "Lait Candia 1 L"),
    ("CRE-0006", "6130310000101", "Lait UHT Soummam 1 L"),
    ("HYG-0001", "6130001000014", "Savon Fa 125 g"),
];

/// One product's catalog line at `price` dinars, with a name suffix for name edits.
fn catalog(edits: &[(usize, i64, &str)]) -> String {
    let mut csv = HEADER.to_owned();
    for (i, (sku, code, name)) in PRODUCTS.iter().enumerate() {
        let (price, suffix) = edits
            .iter()
            .find(|(p, _, _)| *p == i)
            .map(|(_, price, suffix)| (*price, *suffix))
            .unwrap_or((100 + 10 * i as i64, ""));
        csv.push_str(&format!(
            "{sku},{code},,{name}{suffix},منتج,épicerie,\"{price},00\",9,piece,5,50\n"
        ));
    }
    csv
}

struct Terminal {
    till: Till,
    karim: Session,
    dir: tempfile::TempDir,
    online: bool,
    /// Sales rung up here (refunds are made only of these, as a cashier would).
    sales: Vec<Uuid>,
}

fn terminal(n: u16, clock: &Arc<FixedClock>) -> Terminal {
    let dir = tempfile::tempdir().unwrap();
    let (till, karim) = pos_testkit::server::till(dir.path(), &format!("Caisse {n}"), n, clock);
    Terminal {
        till,
        karim,
        dir,
        online: true,
        sales: Vec::new(),
    }
}

fn import(t: &mut Terminal, csv: &str) {
    let file = t.dir.path().join("catalog.csv");
    std::fs::write(&file, csv).unwrap();
    let report = t
        .till
        .import_catalog(Some(&t.karim), &file, &mut |_, _| {})
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

fn cash() -> [TenderInput; 1] {
    [TenderInput {
        tender: Tender::Cash,
        amount: None,
        reference: None,
    }]
}

/// One random action on terminal `t`; what it did, for the failure message.
fn act(rng: &mut StdRng, t: &mut Terminal, clock: &FixedClock) -> String {
    clock.advance(rng.random_range(1_000..90_000));
    let code = |rng: &mut StdRng| PRODUCTS[rng.random_range(0..PRODUCTS.len())].1;
    match rng.random_range(0..100) {
        0..=34 => {
            let items: Vec<_> = (0..rng.random_range(1..=3))
                .map(|_| ItemSpec {
                    code: code(rng).into(),
                    qty: Some(rng.random_range(1..=3)),
                })
                .collect();
            let sale = t
                .till
                .quick_sale(&t.karim, &items, None, &cash(), None)
                .unwrap();
            t.sales.push(sale.id);
            format!("sale {}", sale.id)
        }
        35..=42 if !t.sales.is_empty() => {
            let sale = t.sales.remove(rng.random_range(0..t.sales.len()));
            let refund = t
                .till
                .refund(&t.karim, &sale.to_string(), &[], &cash(), None)
                .unwrap();
            format!("refund {} of {sale}", refund.id)
        }
        43..=57 => {
            let product = rng.random_range(0..PRODUCTS.len());
            let price = rng.random_range(50..500);
            let suffix = if rng.random_bool(0.5) { " (promo)" } else { "" };
            import(t, &catalog(&[(product, price, suffix)]));
            format!("edit product {product}: {price} DA{suffix}")
        }
        58..=67 => {
            let c = code(rng);
            let qty = rng.random_range(1..=24);
            t.till.stock_receive(&t.karim, c, qty, None).unwrap();
            format!("receive {qty} × {c}")
        }
        68..=72 => {
            let c = code(rng);
            t.till.stock_adjust(&t.karim, c, -1, "casse").unwrap();
            format!("adjust −1 × {c}")
        }
        73..=77 => {
            let c = code(rng);
            let counted = rng.random_range(0..=60);
            t.till.stock_count(&t.karim, c, counted).unwrap();
            format!("count {c} = {counted}")
        }
        78..=81 => {
            t.till.scan(&t.karim, code(rng), Some(1)).unwrap();
            t.till.park(&t.karim, Some("client")).unwrap();
            "park a cart".into()
        }
        82..=89 => {
            t.online = !t.online;
            format!("online = {}", t.online)
        }
        _ if t.online => {
            let r = t.till.sync_once(&pos_sync_client::Http).unwrap();
            format!("sync: pushed {} pulled {}", r.pushed, r.pulled)
        }
        _ => "offline, no sync".into(),
    }
}

#[test]
fn terminals_offline_for_a_random_day_converge_with_postgres() {
    let seed: u64 = std::env::var("POS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("convergence seed: {seed} (POS_SEED={seed} replays this run)");
    let mut rng = StdRng::seed_from_u64(seed);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_converge");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette"))
        .unwrap();

    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let count = rng.random_range(3..=5u16);
    let mut terminals: Vec<_> = (1..=count).map(|n| terminal(n, &clock)).collect();
    import(&mut terminals[0], &catalog(&[]));
    for t in &mut terminals {
        let code = rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
        let karim = t.karim.clone();
        t.till
            .enroll(Some(&karim), &pos_sync_client::Http, &url, &code)
            .unwrap();
        t.till.sync_once(&pos_sync_client::Http).unwrap();
        t.till
            .open_shift(&t.karim, Money::from_dinars(1000))
            .unwrap();
    }

    let mut log = Vec::new();
    let demoted = rng.random_range(0..terminals.len());
    let mut refusable = 0; // stock changes the demoted manager makes after it
    for step in 0..150 {
        if step == 75 {
            let karim = terminals[demoted].karim.user_id;
            let at = clock.now_ms() + 1;
            rt.block_on(staff::set_role_of(
                &pool,
                store,
                karim,
                Role::Cashier,
                true,
                at,
            ))
            .unwrap();
            log.push(format!(
                "    back office: the manager of T{} is a cashier",
                demoted + 1
            ));
        }
        let i = rng.random_range(0..terminals.len());
        let did = act(&mut rng, &mut terminals[i], &clock);
        let stock = ["receive", "adjust", "count"]
            .iter()
            .any(|k| did.starts_with(k));
        if step >= 75 && i == demoted && stock {
            refusable += 1;
        }
        log.push(format!("{step:>3} T{}: {did}", i + 1));
    }
    let context = format!("seed {seed}, {count} terminals:\n{}", log.join("\n"));

    // Everyone back online; sync rounds in random orders until nothing moves.
    for _ in 0..4 {
        let mut order: Vec<usize> = (0..terminals.len()).collect();
        for k in (1..order.len()).rev() {
            order.swap(k, rng.random_range(0..=k));
        }
        for i in order {
            terminals[i].till.sync_once(&pos_sync_client::Http).unwrap();
        }
    }

    let first = &terminals[0].till;
    for t in &terminals {
        assert_eq!(t.till.pending_count().unwrap(), 0, "{context}");
        for (_, code, _) in PRODUCTS {
            let (a, b) = (first.product(code).unwrap(), t.till.product(code).unwrap());
            assert_eq!(
                (a.price, &a.name_fr),
                (b.price, &b.name_fr),
                "{code}\n{context}"
            );
            assert_eq!(
                first.stock_show(code).unwrap().level,
                t.till.stock_show(code).unwrap().level,
                "stock of {code}\n{context}"
            );
        }
    }

    // Postgres: each level follows from its ledger (the latest count by HLC plus the deltas
    // after it) and is the terminals' level.
    let levels: Vec<(Uuid, i64, i64)> = rt
        .block_on(
            sqlx::query_as(
                "SELECT l.product_id, l.level,
                        COALESCE((SELECT c.qty FROM stock_movements c
                                   WHERE c.store_id = l.store_id AND c.product_id = l.product_id
                                     AND c.kind = 'COUNT'
                                   ORDER BY c.hlc DESC, c.qty DESC LIMIT 1), 0)
                      + (SELECT COALESCE(sum(m.qty), 0) FROM stock_movements m
                          WHERE m.store_id = l.store_id AND m.product_id = l.product_id
                            AND m.kind <> 'COUNT'
                            AND m.hlc > COALESCE((SELECT max(c.hlc) FROM stock_movements c
                                                   WHERE c.store_id = l.store_id
                                                     AND c.product_id = l.product_id
                                                     AND c.kind = 'COUNT'), ''))::bigint
                   FROM stock_levels l WHERE l.store_id = $1",
            )
            .bind(store)
            .fetch_all(&pool),
        )
        .unwrap();
    let by_id: BTreeMap<Uuid, i64> = levels.iter().map(|(p, l, _)| (*p, *l)).collect();
    for (product, level, ledger) in &levels {
        assert_eq!(level, ledger, "level and ledger of {product}\n{context}");
    }
    for (_, code, _) in PRODUCTS {
        let p = first.product(code).unwrap();
        assert_eq!(
            by_id.get(&p.id).copied(),
            Some(first.stock_show(code).unwrap().level),
            "Postgres level of {code}\n{context}"
        );
    }

    // Postgres's catalog is the terminals' catalog, with the same conflicts shown.
    let rows: Vec<(Uuid, i64, String, serde_json::Value)> = rt
        .block_on(
            sqlx::query_as(
                "SELECT id, price, name_fr, conflicts FROM products WHERE store_id = $1",
            )
            .bind(store)
            .fetch_all(&pool),
        )
        .unwrap();
    assert_eq!(rows.len(), PRODUCTS.len(), "{context}");
    for (_, code, _) in PRODUCTS {
        let p = first.product(code).unwrap();
        let conflicts = serde_json::to_value(first.product_conflicts(code).unwrap()).unwrap();
        assert!(
            rows.contains(&(p.id, p.price.centimes(), p.name_fr.clone(), conflicts)),
            "Postgres row of {code}: {rows:?}\n{context}"
        );
        for t in &terminals {
            assert_eq!(
                first.product_conflicts(code).unwrap(),
                t.till.product_conflicts(code).unwrap(),
                "conflicts on {code}\n{context}"
            );
        }
    }

    // Exactly the demoted manager's stock changes after the demotion were refused.
    let refused = |kind: &str| -> i64 {
        rt.block_on(
            sqlx::query_scalar(
                "SELECT count(*) FROM device_changes
                 WHERE kind = $1 AND status = 'rejected' AND error_code = 'FORBIDDEN'",
            )
            .bind(kind)
            .fetch_one(&pool),
        )
        .unwrap()
    };
    let (refused, undone) = (refused("movement"), refused("product"));
    assert_eq!(refused, refusable, "{context}");
    eprintln!("after the demotion: {refused} stock changes refused, {undone} product edits undone");

    let conflicted = PRODUCTS
        .iter()
        .filter(|(_, code, _)| !first.product_conflicts(code).unwrap().is_empty())
        .count();
    eprintln!("products with concurrent edits still shown as conflicts: {conflicted}");

    // A terminal joining now takes the snapshot (the catalog and the ledger that still counts
    // instead of the whole feed) and agrees with the others.
    let mut late = terminal(count + 1, &clock);
    let code = rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let karim = late.karim.clone();
    late.till
        .enroll(Some(&karim), &pos_sync_client::Http, &url, &code)
        .unwrap();
    let report = late.till.sync_once(&pos_sync_client::Http).unwrap();
    assert_eq!(report.snapshot, PRODUCTS.len(), "{context}");
    for (_, code, _) in PRODUCTS {
        let (a, b) = (
            first.product(code).unwrap(),
            late.till.product(code).unwrap(),
        );
        assert_eq!(a, b, "{code} on the late terminal\n{context}");
        assert_eq!(
            first.product_conflicts(code).unwrap(),
            late.till.product_conflicts(code).unwrap(),
            "conflicts on {code} on the late terminal\n{context}"
        );
        assert_eq!(
            first.stock_show(code).unwrap().level,
            late.till.stock_show(code).unwrap().level,
            "stock of {code} on the late terminal\n{context}"
        );
    }

    // Every sale and refund exactly once in Postgres, and known to every terminal.
    let made: Vec<Uuid> = log_sales(&log);
    let (rows, distinct): (i64, i64) = rt
        .block_on(
            sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM sales WHERE store_id = $1")
                .bind(store)
                .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(
        (rows, distinct),
        (made.len() as i64, made.len() as i64),
        "{context}"
    );
    for t in &terminals {
        for id in &made {
            t.till.find_sale(&id.to_string()).unwrap();
        }
    }
}

/// The ids of the sales and refunds the log says were made.
fn log_sales(log: &[String]) -> Vec<Uuid> {
    log.iter()
        .filter_map(|line| {
            let (_, rest) = line.split_once(": ")?;
            let id = rest
                .strip_prefix("sale ")
                .or_else(|| rest.strip_prefix("refund "))?;
            id.split(' ').next()?.parse().ok()
        })
        .collect()
}
