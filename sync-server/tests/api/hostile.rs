//! A till in hostile hands, answered by the server from what it knows (the store's staff, its
//! sales), never from what an entry claims: each attack is refused with a code, changes
//! nothing, and the store's other tills see none of it.

use base64::Engine;
use pos_shared::api::{Envelope, PullResponse};
use pos_shared::staff::StaffMember;
use pos_shared::{Money, MovementKind, Payment, Role, Sale, SaleKind, SaleLine, Tender};
use sync_server::staff;
use uuid::Uuid;

use crate::apply::sale;
use crate::catalog::product;
use crate::helpers::{json_entry, spawn_app, Terminal, TestApp};
use crate::staff::{at, json, member, movement, refusals};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const MINUTE: i64 = 60_000;

/// The members as a terminal pulling the store's feed from the start learns them.
async fn pulled_staff(app: &TestApp, t: &Terminal) -> Vec<StaffMember> {
    let (_, body) = app
        .get("/v1/sync/pull?since=0&limit=1000", Some(&t.token))
        .await;
    let page: PullResponse = serde_json::from_value::<Envelope<_>>(body)
        .unwrap()
        .into_result()
        .unwrap();
    page.entries
        .iter()
        .filter(|e| e.kind == "staff")
        .map(|e| serde_json::from_slice(&B64.decode(&e.body).unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_till_cannot_take_over_a_member_or_bring_back_someone_let_go() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let a = app.enroll(store, "Caisse 1").await;
    let set_up = sync_server::now_ms() - 60 * MINUTE;
    let admin = member(1, "Admin", Role::Admin, None);
    let karim = member(2, "Karim", Role::Manager, Some(admin.id));
    let amina = member(3, "Amina", Role::Cashier, Some(karim.id));
    let (status, body) = app
        .push(
            &a,
            vec![
                at(1, "staff", admin.id.to_string(), set_up, json(&admin)),
                at(2, "staff", karim.id.to_string(), set_up + 1, json(&karim)),
                at(3, "staff", amina.id.to_string(), set_up + 2, json(&amina)),
            ],
        )
        .await;
    assert_eq!(
        (status, body["data"]["rejected"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    staff::set_role(
        &app.pool,
        store,
        "amina",
        Role::Cashier,
        false,
        sync_server::now_ms(),
    )
    .await
    .unwrap();

    // Another till of the store (its holder dishonest) sends the admin under its own PIN, as
    // if from its set-up, and Amina back at work, added by Karim.
    let hostile = app.enroll(store, "Caisse 2").await;
    let stolen = StaffMember {
        pin_hash: "$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ$attacker".into(),
        ..admin.clone()
    };
    let back = StaffMember {
        active: true,
        ..amina.clone()
    };
    let (status, body) = app
        .push(
            &hostile,
            vec![
                at(
                    1,
                    "staff",
                    admin.id.to_string(),
                    set_up - MINUTE,
                    json(&stolen),
                ),
                at(
                    2,
                    "staff",
                    amina.id.to_string(),
                    sync_server::now_ms(),
                    json(&back),
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rejected = body["data"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{body}");
    for r in rejected {
        assert_eq!(r["code"], "STAFF_EXISTS", "{body}");
        assert!(
            r["message"]
                .as_str()
                .unwrap()
                .contains("a member is changed in the back office"),
            "{body}"
        );
    }

    // Nothing changed: the admin's PIN is the till's, Amina is gone, and a third till learns
    // exactly the members and the back office's change.
    let (pin_hash, amina_active): (String, bool) = sqlx::query_as(
        "SELECT (SELECT pin_hash FROM staff WHERE store_id = $1 AND id = $2),
                (SELECT active FROM staff WHERE store_id = $1 AND id = $3)",
    )
    .bind(store)
    .bind(admin.id)
    .bind(amina.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((pin_hash, amina_active), (admin.pin_hash.clone(), false));
    let third = app.enroll(store, "Caisse 3").await;
    let learnt: Vec<(String, String, bool)> = pulled_staff(&app, &third)
        .await
        .into_iter()
        .map(|m| (m.name, m.pin_hash, m.active))
        .collect();
    assert_eq!(
        learnt,
        vec![
            ("Admin".into(), admin.pin_hash.clone(), true),
            ("Karim".into(), karim.pin_hash.clone(), true),
            ("Amina".into(), amina.pin_hash.clone(), true),
            ("Amina".into(), amina.pin_hash.clone(), false),
        ]
    );
}

/// A refund of `qty` of `sold`'s first line (a line without discounts), as a hostile till may
/// build it: nothing checks it before the server.
fn refund(sold: &Sale, qty: i64) -> Sale {
    let line = &sold.lines[0];
    let amount = Money::from_centimes(line.unit_price.centimes() * qty);
    let back = SaleLine {
        qty,
        gross: amount,
        line_discount: Money::ZERO,
        order_discount: Money::ZERO,
        net: amount,
        ..line.clone()
    };
    let totals = pos_shared::refund::totals(std::slice::from_ref(&back)).unwrap();
    let total = totals.total;
    Sale {
        id: Uuid::now_v7(),
        kind: SaleKind::Refund,
        refund_of: Some(sold.id),
        receipt_no: sold.receipt_no + 100 + qty,
        subtotal: totals.subtotal,
        discount_total: totals.discount_total,
        total,
        taxes: totals.taxes,
        lines: vec![back],
        payments: vec![Payment {
            tender: Tender::Cash,
            amount: total,
            tendered: total,
            reference: None,
        }],
        ..sold.clone()
    }
}

#[tokio::test]
async fn refunds_give_back_only_what_this_store_sold_and_sales_name_its_own_staff() {
    let app = spawn_app().await;
    let (store, other) = (app.store("S").await, app.store("Autre").await);
    let (a, elsewhere) = (
        app.enroll(store, "Caisse 1").await,
        app.enroll(other, "Caisse 1").await,
    );
    let now = sync_server::now_ms();
    let amina = member(3, "Amina", Role::Cashier, None);
    let semoule = Uuid::from_u128(0x5e);
    let mut two = sale(semoule, 2, now - 10 * MINUTE, 1);
    two.cashier_id = amina.id;
    let mut theirs = sale(semoule, 5, now - 10 * MINUTE, 1);
    theirs.cashier_id = Uuid::from_u128(0x77);
    let (status, body) = app
        .push(
            &elsewhere,
            vec![json_entry(1, "sale", &theirs.id.to_string(), &theirs)],
        )
        .await;
    assert_eq!(
        (status, body["data"]["rejected"].as_array().map(Vec::len)),
        (200, Some(0))
    );

    // The sale and its refunds in one push, as an offline till sends them; then more later.
    let mut stranger = sale(semoule, 1, now - 9 * MINUTE, 2);
    stranger.cashier_id = Uuid::from_u128(0xbad);
    let mut of_theirs = refund(&theirs, 5);
    of_theirs.cashier_id = amina.id;
    let entries = |first: i64, sales: Vec<&Sale>| {
        sales
            .into_iter()
            .enumerate()
            .map(|(i, s)| json_entry(first + i as i64, "sale", &s.id.to_string(), s))
            .collect::<Vec<_>>()
    };
    let one_back = refund(&two, 1);
    let mut pushed = vec![at(
        1,
        "staff",
        amina.id.to_string(),
        now - 20 * MINUTE,
        json(&amina),
    )];
    pushed.extend(entries(
        2,
        vec![&two, &refund(&two, 3), &one_back, &of_theirs, &stranger],
    ));
    let (status, body) = app.push(&a, pushed).await;
    assert_eq!(status, 200, "{body}");
    let refused: Vec<(i64, String, String)> = body["data"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["seq"].as_i64().unwrap(),
                r["code"].as_str().unwrap().to_owned(),
                r["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        refused
            .iter()
            .map(|r| (r.0, r.1.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, "INVALID_ENTRY"), (5, "INVALID_ENTRY"), (6, "FORBIDDEN")],
        "{refused:?}"
    );
    assert!(
        refused[0].2.contains("refunding 3 of 2 left"),
        "{refused:?}"
    );
    assert!(
        refused[1].2.contains("is not one of this store's sales"),
        "{refused:?}"
    );
    assert!(
        refused[2].2.contains("staff does not include"),
        "{refused:?}"
    );

    // What was given back counts across pushes: one more unit is left, not two.
    let (_, body) = app
        .push(&a, entries(7, vec![&refund(&two, 2), &refund(&two, 1)]))
        .await;
    let rejected = body["data"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{body}");
    assert_eq!(rejected[0]["seq"], 7, "{body}");
    assert!(rejected[0]["message"]
        .as_str()
        .unwrap()
        .contains("refunding 2 of 1 left"));

    // The books hold the sale and its two good refunds; the other store's sale is untouched.
    let kinds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, total FROM sales WHERE store_id = $1 ORDER BY created_at, kind DESC, receipt_no",
    )
    .bind(store)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let unit = two.lines[0].unit_price.centimes();
    assert_eq!(
        kinds,
        vec![
            ("sale".into(), 2 * unit),
            ("refund".into(), unit),
            ("refund".into(), unit)
        ]
    );
}

#[tokio::test]
async fn a_till_that_turns_its_clock_back_gains_nothing() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    // The till held one entry as it was enrolled: its first user.
    let a = app.enroll_with(store, "Caisse 1", 1).await;
    let set_up = sync_server::now_ms() - 60 * MINUTE;
    let admin = member(1, "Admin", Role::Admin, None);
    let forged = member(6, "Faux admin", Role::Admin, None);
    let karim = member(2, "Karim", Role::Manager, Some(admin.id));
    let oil = product(1, "Huile 1L", 250);
    let refused = refusals(
        &app,
        &a,
        vec![
            at(1, "staff", admin.id.to_string(), set_up, json(&admin)),
            // Written after the enrolment, dated before it: not set-up.
            at(2, "staff", forged.id.to_string(), set_up + 1, json(&forged)),
            at(3, "staff", karim.id.to_string(), set_up + 2, json(&karim)),
            at(
                4,
                "product_genesis",
                oil.id.to_string(),
                set_up + 3,
                json(&oil),
            ),
        ],
    )
    .await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, 2);
    assert!(
        refused[0].1.contains("added with nobody logged in"),
        "{refused:?}"
    );

    // The back office demotes Karim; the till then receives stock, and sends a count by Karim
    // dated back to when he was a manager.
    staff::set_role(
        &app.pool,
        store,
        "karim",
        Role::Cashier,
        true,
        sync_server::now_ms(),
    )
    .await
    .unwrap();
    let after = sync_server::now_ms() + 1;
    let receive = movement(MovementKind::Receive, 10, after, Some(admin.id), oil.id);
    let count = movement(MovementKind::Count, 3, set_up + 10, Some(karim.id), oil.id);
    let refused = refusals(
        &app,
        &a,
        vec![
            at(5, "movement", "m5".into(), after, json(&receive)),
            at(6, "movement", "m6".into(), set_up + 10, json(&count)),
        ],
    )
    .await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, 6);
    assert_eq!(
        refused[0].1,
        "Karim is a cashier: changing stock needs a manager or an admin"
    );
    assert_eq!(app.level(store, oil.id).await, 10);
    let names: Vec<String> = pulled_staff(&app, &a)
        .await
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert!(
        names.iter().any(|n| n == "Admin") && !names.iter().any(|n| n == "Faux admin"),
        "{names:?}"
    );
}
