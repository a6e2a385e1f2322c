//! The back office decides who may change stock and products. Members of staff reach the
//! server from the till that added them, each addition checked; a manager demoted in the back
//! office while a till was offline keeps what they did before and loses what they did after:
//! a stock change is refused, a product edit is undone by the server's own change, which every
//! terminal pulls; and a new terminal's snapshot brings the store's staff with their roles.

use base64::Engine;
use pos_shared::api::{Envelope, PullResponse, PushEntry, SnapshotResponse};
use pos_shared::staff::StaffMember;
use pos_shared::{product_doc, Money, MovementKind, Product, Role, StockMovement};
use sync_server::staff;
use uuid::Uuid;

use crate::apply::hlc;
use crate::catalog::product;
use crate::helpers::{spawn_app, Terminal, TestApp};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const MINUTE: i64 = 60_000;

pub(crate) fn member(n: u128, name: &str, role: Role, added_by: Option<Uuid>) -> StaffMember {
    StaffMember {
        id: Uuid::from_u128(0x5000 + n),
        name: name.into(),
        role,
        pin_hash: format!("$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ${n}"),
        active: true,
        added_by,
    }
}

pub(crate) fn at(seq: i64, kind: &str, entity: String, ms: i64, body: Vec<u8>) -> PushEntry {
    PushEntry {
        seq,
        kind: kind.into(),
        entity_id: entity,
        hlc: hlc(ms).to_string(),
        body: B64.encode(body),
    }
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

pub(crate) fn movement(
    kind: MovementKind,
    qty: i64,
    ms: i64,
    by: Option<Uuid>,
    product: Uuid,
) -> StockMovement {
    StockMovement {
        id: Uuid::now_v7(),
        product_id: product,
        kind,
        qty,
        hlc: hlc(ms),
        reason: None,
        ref_id: None,
        user_id: by,
    }
}

pub(crate) async fn refusals(
    app: &TestApp,
    t: &Terminal,
    entries: Vec<PushEntry>,
) -> Vec<(i64, String)> {
    let (status, body) = app.push(t, entries).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["code"], "FORBIDDEN", "{body}");
            (
                r["seq"].as_i64().unwrap(),
                r["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_back_office_decides_who_may_change_stock_and_prices() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let a = app.enroll(store, "Caisse 1").await;
    let now = sync_server::now_ms();
    let set_up = now - 60 * MINUTE; // the till was set up an hour before it was enrolled

    // The till's set-up (nobody logged in for the first user) and who its members added.
    let admin = member(1, "Admin", Role::Admin, None);
    let karim = member(2, "Karim", Role::Manager, Some(admin.id));
    let amina = member(3, "Amina", Role::Cashier, Some(karim.id));
    let yacine = member(4, "Yacine", Role::Manager, Some(karim.id));
    let late = member(5, "Sans session", Role::Admin, None);
    let oil = product(1, "Huile 1L", 250);
    let stranger = Uuid::from_u128(0xdead);
    let refused = refusals(
        &app,
        &a,
        vec![
            at(1, "staff", admin.id.to_string(), set_up, json(&admin)),
            at(2, "staff", karim.id.to_string(), set_up + 1, json(&karim)),
            at(3, "staff", amina.id.to_string(), set_up + 2, json(&amina)),
            at(4, "staff", yacine.id.to_string(), set_up + 3, json(&yacine)),
            at(
                5,
                "product_genesis",
                oil.id.to_string(),
                set_up + 4,
                json(&oil),
            ),
            // Initial stock from the catalog import, before anybody could log in.
            at(
                6,
                "movement",
                "m6".into(),
                set_up + 5,
                json(&movement(MovementKind::Count, 5, set_up + 5, None, oil.id)),
            ),
            at(
                7,
                "movement",
                "m7".into(),
                now - 30 * MINUTE,
                json(&movement(
                    MovementKind::Receive,
                    10,
                    now - 30 * MINUTE,
                    Some(karim.id),
                    oil.id,
                )),
            ),
            at(
                8,
                "movement",
                "m8".into(),
                now - 29 * MINUTE,
                json(&movement(
                    MovementKind::Count,
                    1,
                    now - 29 * MINUTE,
                    Some(amina.id),
                    oil.id,
                )),
            ),
            at(
                9,
                "movement",
                "m9".into(),
                now,
                json(&movement(MovementKind::Adjust, -1, now, None, oil.id)),
            ),
            at(
                10,
                "movement",
                "m10".into(),
                now,
                json(&movement(
                    MovementKind::Adjust,
                    -1,
                    now,
                    Some(stranger),
                    oil.id,
                )),
            ),
            at(11, "staff", late.id.to_string(), now, json(&late)),
        ],
    )
    .await;
    let messages: Vec<&str> = refused.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        refused.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![4, 8, 9, 10, 11],
        "{messages:?}"
    );
    assert_eq!(messages[0], "Karim may not add Yacine as manager");
    assert_eq!(
        messages[1],
        "Amina is a cashier: changing stock needs a manager or an admin"
    );
    assert!(
        messages[2].contains("names nobody: log in at the till"),
        "{}",
        messages[2]
    );
    assert!(messages[3].contains("does not include"), "{}", messages[3]);
    assert!(
        messages[4].contains("added with nobody logged in"),
        "{}",
        messages[4]
    );
    assert_eq!(app.level(store, oil.id).await, 15);

    // The back office demotes Karim. The till was offline: Karim counted before that, then
    // adjusted the stock and raised the oil's price after it.
    let err = staff::set_role(
        &app.pool,
        store,
        "nobody",
        Role::Cashier,
        true,
        sync_server::now_ms(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("nobody called \"nobody\""),
        "{err}"
    );
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
    let dearer = Product {
        price: Money::from_dinars(300),
        ..oil.clone()
    };
    let (mut doc, _) = product_doc::genesis(&oil).unwrap();
    doc.set_actor(product_doc::actor(&a.device_id));
    let raise = product_doc::update_by(&mut doc, &dearer, after, Some(karim.id))
        .unwrap()
        .unwrap();
    let refused = refusals(
        &app,
        &a,
        vec![
            at(
                12,
                "movement",
                "m12".into(),
                now - 10 * MINUTE,
                json(&movement(
                    MovementKind::Count,
                    12,
                    now - 10 * MINUTE,
                    Some(karim.id),
                    oil.id,
                )),
            ),
            at(
                13,
                "movement",
                "m13".into(),
                after,
                json(&movement(
                    MovementKind::Adjust,
                    -4,
                    after,
                    Some(karim.id),
                    oil.id,
                )),
            ),
            at(14, "product", oil.id.to_string(), after, raise),
        ],
    )
    .await;
    assert_eq!(
        refused.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![13, 14]
    );
    assert_eq!(
        refused[0].1,
        "Karim is a cashier: changing stock needs a manager or an admin"
    );
    assert!(
        refused[1].1.ends_with("the change was undone"),
        "{}",
        refused[1].1
    );
    assert_eq!(
        app.level(store, oil.id).await,
        12,
        "the count before the demotion stands"
    );
    let price: i64 =
        sqlx::query_scalar("SELECT price FROM products WHERE store_id = $1 AND id = $2")
            .bind(store)
            .bind(oil.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(price, oil.price.centimes());

    // Another terminal of the store pulls: the members, the role change, and the edit followed
    // by the server's change undoing it, which together leave the oil at its old price.
    let b = app.enroll(store, "Caisse 2").await;
    let (_, body) = app
        .get("/v1/sync/pull?since=0&limit=1000", Some(&b.token))
        .await;
    let page: PullResponse = serde_json::from_value::<Envelope<_>>(body)
        .unwrap()
        .into_result()
        .unwrap();
    let staff_entries: Vec<StaffMember> = page
        .entries
        .iter()
        .filter(|e| e.kind == "staff")
        .map(|e| serde_json::from_slice(&B64.decode(&e.body).unwrap()).unwrap())
        .collect();
    let names: Vec<(&str, Role)> = staff_entries
        .iter()
        .map(|m| (m.name.as_str(), m.role))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Admin", Role::Admin),
            ("Karim", Role::Manager),
            ("Amina", Role::Cashier),
            ("Karim", Role::Cashier)
        ]
    );
    let (mut replica, _) = product_doc::genesis(&oil).unwrap();
    let edits: Vec<_> = page
        .entries
        .iter()
        .filter(|e| e.kind == "product")
        .collect();
    assert_eq!(edits.len(), 2);
    assert_eq!(
        (edits[0].origin, edits[1].origin),
        (a.device_id, Uuid::nil())
    );
    for e in edits {
        replica
            .load_incremental(&B64.decode(&e.body).unwrap())
            .unwrap();
    }
    let (seen, conflicts) = product_doc::read(&replica, oil.id).unwrap();
    assert_eq!((seen.price, conflicts.len()), (oil.price, 0));

    // A new terminal's snapshot brings the staff as the back office has them now.
    let (_, body) = app.get("/v1/sync/snapshot", Some(&b.token)).await;
    let snap: SnapshotResponse = serde_json::from_value::<Envelope<_>>(body)
        .unwrap()
        .into_result()
        .unwrap();
    let roles: Vec<(&str, Role)> = snap
        .staff
        .iter()
        .map(|m| (m.name.as_str(), m.role))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("Admin", Role::Admin),
            ("Karim", Role::Cashier),
            ("Amina", Role::Cashier)
        ]
    );
}

#[tokio::test]
async fn a_first_till_enrolled_before_its_team_was_entered_sets_the_store_up() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let a = app.enroll(store, "Caisse 1").await;
    let now = sync_server::now_ms() + 1;
    let oil = product(1, "Huile 1L", 250);
    let admin = member(1, "Admin", Role::Admin, None);
    let intruder = member(2, "Sans session", Role::Admin, None);
    let count = movement(MovementKind::Count, 8, now, None, oil.id);
    let adjust = movement(MovementKind::Adjust, -1, now + 2, None, oil.id);
    // Enrolled first, then the catalog imported and the first admin entered, nobody logged in:
    // the store had no staff, so this is its set-up. Once it has staff, it is not any more.
    let refused = refusals(
        &app,
        &a,
        vec![
            at(1, "product_genesis", oil.id.to_string(), now, json(&oil)),
            at(2, "movement", count.id.to_string(), now, json(&count)),
            at(3, "staff", admin.id.to_string(), now + 1, json(&admin)),
            at(4, "movement", adjust.id.to_string(), now + 2, json(&adjust)),
            at(
                5,
                "staff",
                intruder.id.to_string(),
                now + 3,
                json(&intruder),
            ),
        ],
    )
    .await;
    assert_eq!(
        refused.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![4, 5]
    );
    assert_eq!(app.level(store, oil.id).await, 8);
}
