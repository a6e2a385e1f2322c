//! Random and broken push payloads: the server never fails, always answers in the envelope,
//! acknowledges every entry of a well-formed batch, and rejects exactly the ones it cannot take.

use base64::Engine;
use pos_shared::api::PushEntry;
use pos_shared::Money;
use proptest::prelude::*;
use uuid::Uuid;

use crate::apply::sale;
use crate::helpers::{spawn_app, Terminal, TestApp};

const T0: i64 = 1_795_510_800_000;

/// What an entry's body is made of.
#[derive(Clone, Debug)]
enum Body {
    /// A real sale, some of whose numbers are replaced by anything.
    Sale {
        qty: i64,
        at_ms: i64,
        line_no: Option<u32>,
        net: Option<i64>,
        total: Option<i64>,
        paid: Option<i64>,
    },
    /// Bytes that may be anything.
    Bytes(Vec<u8>),
    /// A body that is not base64 at all.
    NotBase64(String),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        (
            prop_oneof![1..5i64, any::<i64>()],
            prop_oneof![Just(T0), any::<i64>(), 0..T0 * 2],
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<i64>()),
            proptest::option::of(any::<i64>()),
            proptest::option::of(any::<i64>()),
        )
            .prop_map(|(qty, at_ms, line_no, net, total, paid)| Body::Sale {
                qty,
                at_ms,
                line_no,
                net,
                total,
                paid
            }),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
        "[^A-Za-z0-9+/=]{1,8}".prop_map(Body::NotBase64),
    ]
}

fn kind() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sale".to_owned()),
        Just("movement".to_owned()),
        Just("audit".to_owned()),
        Just("product".to_owned()),
        "\\PC{0,12}",
        Just("a\0b".to_owned()),
    ]
}

fn encode(b: &Body, receipt_no: i64) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    match b {
        Body::Sale {
            qty,
            at_ms,
            line_no,
            net,
            total,
            paid,
        } => {
            let mut s = sale(Uuid::from_u128(7), (*qty).clamp(1, 1_000), T0, receipt_no);
            s.lines[0].qty = *qty;
            s.created_at_ms = *at_ms;
            if let Some(n) = line_no {
                s.lines[0].line_no = *n;
            }
            if let Some(n) = net {
                s.lines[0].net = Money::from_centimes(*n);
            }
            if let Some(t) = total {
                s.total = Money::from_centimes(*t);
            }
            if let Some(p) = paid {
                s.payments[0].amount = Money::from_centimes(*p);
            }
            b64.encode(serde_json::to_vec(&s).unwrap())
        }
        Body::Bytes(bytes) => b64.encode(bytes),
        Body::NotBase64(text) => text.clone(),
    }
}

async fn push_checked(app: &TestApp, till: &Terminal, entries: Vec<PushEntry>) -> i64 {
    let last = entries.last().map(|e| e.seq).unwrap_or(0);
    let (status, body) = app.push(till, entries).await;
    assert!(
        body["success"].is_boolean(),
        "not an envelope ({status}): {body}"
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["acked_through"], last, "{body}");
    last
}

#[test]
fn any_push_gets_an_envelope_and_every_entry_an_outcome() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (app, till) = rt.block_on(async {
        let app = spawn_app().await;
        let store = app.store("S").await;
        let till = app.enroll(store, "Caisse 1").await;
        (app, till)
    });
    let next_seq = std::cell::Cell::new(1i64);
    let config = ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(batch in proptest::collection::vec(
        (kind(), body(), "\\PC{0,20}", "\\PC{0,30}"), 1..8))| {
        let first = next_seq.get();
        let entries: Vec<PushEntry> = batch
            .iter()
            .enumerate()
            .map(|(i, (kind, body, entity, hlc))| PushEntry {
                seq: first + i as i64,
                kind: kind.clone(),
                entity_id: entity.clone(),
                hlc: hlc.clone(),
                body: encode(body, first + i as i64),
            })
            .collect();
        next_seq.set(rt.block_on(push_checked(&app, &till, entries)) + 1);
    });

    // Requests that are not pushes at all.
    rt.block_on(async {
        for raw in [
            "",
            "null",
            "[]",
            "{\"protocol\": 1}",
            "{\"protocol\": 1, \"device_id\": \"x\", \"entries\": {}}",
            "{\"protocol\": 99999999999, \"entries\": []}",
            "\u{0}\u{1}",
        ] {
            let resp = app
                .http
                .post(format!("{}/v1/sync/push", app.url))
                .bearer_auth(&till.token)
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            assert_eq!(body["success"], false, "{raw:?}: {status} {body}");
            assert!((400..500).contains(&status), "{raw:?}: {status} {body}");
        }
    });
}
