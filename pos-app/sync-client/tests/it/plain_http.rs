//! Plain http carries a till's token or enrolment code only to this machine, unless the till's
//! settings allow it: to another address it is refused before a byte is sent (the one-time code
//! stays unused, a listener sees no connection), and goes through once allowed.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, TcpListener, UdpSocket};
use std::sync::Arc;

use pos_core::sync::{Endpoint, Enrolment, ServerTrust};
use pos_shared::FixedClock;
use pos_sync_client::{Http, SyncClient, Timeouts};
use pos_testkit::server::{server_with, till};
use sync_server::admin;

/// This machine's address on its network (not loopback), if it has one.
fn network_address() -> Option<IpAddr> {
    let probe = UdpSocket::bind("0.0.0.0:0").ok()?;
    probe.connect("198.51.100.1:9").ok()?;
    let ip = probe.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn a_token_goes_over_plain_http_to_another_machine_only_when_allowed() {
    // Nowhere near: refused at once, whatever would have happened on the network.
    let far = Endpoint::new("http://203.0.113.7:8080");
    let e = SyncClient::new(&far, uuid::Uuid::from_u128(1), "token", Timeouts::default())
        .err()
        .unwrap();
    assert_eq!(e.code(), "INSECURE_SERVER", "{e}");
    assert!(e.to_string().contains("use https://"), "{e}");
    assert!(e.to_string().contains("allow plain http"), "{e}");
    let e = SyncClient::enroll(
        &far,
        "CODE",
        &Enrolment::named("Caisse 1"),
        Timeouts::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "INSECURE_SERVER", "{e}");

    let Some(ip) = network_address() else {
        eprintln!("no network address on this machine: the listener half is skipped");
        return;
    };
    // A listener on this machine's network address sees nothing of a refused till.
    let listener = TcpListener::bind((ip, 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let at = Endpoint::new(&format!("http://{}", listener.local_addr().unwrap()));
    let e = SyncClient::new(&at, uuid::Uuid::from_u128(1), "token", Timeouts::default())
        .err()
        .unwrap();
    assert_eq!(e.code(), "INSECURE_SERVER", "{e}");
    assert_eq!(
        listener.accept().unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "nothing connected"
    );
}

#[test]
fn enrolment_over_plain_http_to_another_machine_waits_for_the_setting() {
    let Some(ip) = network_address() else {
        eprintln!("no network address on this machine: skipped");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = server_with(&rt, "pos_plain", |s| s.listen.set_ip(ip));
    let port = url.rsplit(':').next().unwrap();
    let plain = format!("http://{ip}:{port}");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette El Baraka"))
        .unwrap();
    let code = rt.block_on(admin::enrollment_code(&pool, store)).unwrap();

    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let dir = tempfile::tempdir().unwrap();
    let (mut t, karim) = till(dir.path(), "Caisse 1", 1, &clock);
    let e = t.enroll(Some(&karim), &Http, &plain, &code).unwrap_err();
    assert_eq!(e.code(), "INSECURE_SERVER", "{e}");
    assert!(t.credentials().is_err());

    t.set_server_trust(
        Some(&karim),
        &ServerTrust {
            ca_file: None,
            allow_plain_http: true,
        },
    )
    .unwrap();
    // The same one-time code still works: the refused attempt never reached the server.
    t.enroll(Some(&karim), &Http, &plain, &code).unwrap();
    assert!(t.sync_once(&Http).unwrap().pushed >= 1);

    // Forbidden again: the enrolled till's next round is refused before sending its token.
    t.set_server_trust(Some(&karim), &ServerTrust::default())
        .unwrap();
    let e = t.sync_once(&Http).unwrap_err();
    assert_eq!(e.code(), "INSECURE_SERVER", "{e}");
}
