//! Enrolment through a real server: the server keeps what the till held as it enrolled (its
//! set-up); a till of one store given another store's code is refused before the code is used;
//! enrolled again in its own store (a revoked token, a new address) it gains no set-up.

use std::sync::Arc;

use pos_core::store::change_log;
use pos_shared::FixedClock;
use pos_testkit::server::{stocked_till, till};
use sync_server::admin;
use uuid::Uuid;

#[test]
fn a_till_keeps_to_its_store_and_its_set_up_is_what_it_held_at_its_first_enrolment() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_enrolment");
    let (a, b) = rt.block_on(async {
        (
            admin::create_store(&pool, "Superette El Baraka")
                .await
                .unwrap(),
            admin::create_store(&pool, "Superette Ennour")
                .await
                .unwrap(),
        )
    });
    let code = |store| rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let setup_of = |device: Uuid| -> i64 {
        rt.block_on(
            sqlx::query_scalar("SELECT setup_through FROM devices WHERE id = $1")
                .bind(device)
                .fetch_one(&pool),
        )
        .unwrap()
    };
    let net = &pos_sync_client::Http;
    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let dir = tempfile::tempdir().unwrap();
    let (mut shop, karim) = stocked_till(dir.path(), "Caisse 1", 1, &clock);

    // Its manager and its catalog, made before it had a server: the set-up the code vouches for.
    let held = change_log::last_seq(shop.store().conn()).unwrap();
    assert!(held >= 3, "{held}");
    let first = shop.enroll(Some(&karim), net, &url, &code(a)).unwrap();
    assert_eq!(setup_of(first), held);
    shop.open_shift(&karim, pos_shared::Money::from_dinars(1000))
        .unwrap();
    shop.sync_once(net).unwrap();
    assert!(change_log::last_seq(shop.store().conn()).unwrap() > held);

    // Another store's code: refused, the till still belongs to its store, the code unused.
    let elsewhere = code(b);
    let err = shop
        .enroll(Some(&karim), net, &url, &elsewhere)
        .unwrap_err();
    assert!(
        matches!(&err, pos_core::PosError::Sync { code, .. } if code == "ENROLLED_ELSEWHERE"),
        "{err:?}"
    );
    assert!(err.to_string().contains("another store"), "{err}");
    assert_eq!(shop.credentials().unwrap().device_id, first);
    let dir_b = tempfile::tempdir().unwrap();
    let (mut newcomer, manager) = till(dir_b.path(), "Caisse B", 2, &clock);
    newcomer
        .enroll(Some(&manager), net, &url, &elsewhere)
        .unwrap();

    // Enrolled again in its own store: what it did since its first enrolment is not set-up.
    let again = shop.enroll(Some(&karim), net, &url, &code(a)).unwrap();
    assert_ne!(again, first);
    assert_eq!(setup_of(again), held);
    shop.sync_once(net).unwrap();
    let shifts: i64 = rt
        .block_on(
            sqlx::query_scalar("SELECT count(*) FROM shift_events WHERE store_id = $1")
                .bind(a)
                .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(shifts, 1, "the shift's opening, once, whoever sent it");
}
