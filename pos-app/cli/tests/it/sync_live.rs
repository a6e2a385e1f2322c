//! The live channel end to end: `pos sync` on one till, with an hour between rounds, pulls
//! another till's sale as soon as it is pushed, because the server says the feed moved.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_shared::{FixedClock, Money, Tender};
use pos_testkit::server::till;
use sync_server::admin;

const POS: &str = env!("CARGO_BIN_EXE_pos");
const CSV: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,10\n";

#[test]
fn a_syncing_till_pulls_another_tills_sale_without_waiting_for_its_round() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_live");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette"))
        .unwrap();
    let code = || rt.block_on(admin::enrollment_code(&pool, store)).unwrap();

    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, karim) = till(dir_a.path(), "Caisse 1", 1, &clock);
    let file = dir_a.path().join("catalog.csv");
    std::fs::write(&file, CSV).unwrap();
    a.import_catalog(Some(&karim), &file, &mut |_, _| {})
        .unwrap();
    a.enroll(Some(&karim), &pos_sync_client::Http, &url, &code())
        .unwrap();
    a.sync_once(&pos_sync_client::Http).unwrap();
    {
        let (mut b, karim_b) = till(dir_b.path(), "Caisse 2", 2, &clock);
        b.enroll(Some(&karim_b), &pos_sync_client::Http, &url, &code())
            .unwrap();
    }

    let mut sync = Command::new(POS)
        .arg("--data-dir")
        .arg(dir_b.path())
        .args(["--json", "sync", "--every", "3600"])
        .env_remove("POS_DATA_DIR")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = sync.id();
    // A safety net, not a measure: if the channel were broken, the round would come in an hour.
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(120));
        let _ = Command::new("kill").arg(pid.to_string()).status();
    });
    let mut rounds = BufReader::new(sync.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&rounds.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        first["snapshot"], 1,
        "the catalog, from the snapshot: {first}"
    );

    a.open_shift(&karim, Money::from_dinars(1000)).unwrap();
    let cash = [TenderInput {
        tender: Tender::Cash,
        amount: None,
        reference: None,
    }];
    let items = [ItemSpec {
        code: "6130502000100".into(),
        qty: Some(3),
    }];
    a.quick_sale(&karim, &items, None, &cash, None).unwrap();
    assert!(a.sync_once(&pos_sync_client::Http).unwrap().pushed >= 1);

    // Every later round comes from the live channel (its first event, on connecting, is one):
    // one of them pulls the sale.
    let mut applied = 0;
    while applied == 0 {
        let line = rounds.next().expect("a round after the push").unwrap();
        let round: serde_json::Value = serde_json::from_str(&line).unwrap();
        applied = round["applied"].as_i64().unwrap();
    }
    let _ = sync.kill();
    let _ = sync.wait();
    let b = pos_core::Till::open(
        dir_b.path(),
        clock.clone(),
        Arc::new(pos_shared::SeqIds::with_stream(3)),
    )
    .unwrap();
    assert_eq!(b.stock_show("6130502000100").unwrap().level, 7);
}
