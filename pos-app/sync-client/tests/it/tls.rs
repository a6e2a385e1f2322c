//! The till over TLS, through a real TLS front (like the shop's Caddy or nginx) before the real
//! sync server: a certificate of the shop's own authority is refused as not trusted until the
//! authority's file is set, then the till enrols and syncs; and each way of not reaching the
//! server (refused, name not found, TLS not spoken either way, no answer) says so.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use pos_core::sync::{Endpoint, Enrolment, ServerTrust};
use pos_core::PosError;
use pos_shared::FixedClock;
use pos_sync_client::{Http, SyncClient, Timeouts};
use pos_testkit::server::till;
use sync_server::admin;
use tokio_rustls::rustls;

/// A certificate authority of the shop's own, and a certificate it signed for `localhost` and
/// 127.0.0.1: (the authority's PEM, the server's certificate and key).
fn shop_authority() -> (String, rustls::pki_types::CertificateDer<'static>, Vec<u8>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Superette El Baraka CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let mut server = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    server
        .subject_alt_names
        .push(rcgen::SanType::IpAddress(Ipv4Addr::LOCALHOST.into()));
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, &ca_cert, &ca_key).unwrap();
    (ca_cert.pem(), cert.der().clone(), key.serialize_der())
}

/// A TLS front on a free local port passing every connection on to `backend` (or dropping it
/// if `backend` is None); answers its port and the PEM of the authority that signed its
/// certificate.
fn tls_front(rt: &tokio::runtime::Runtime, backend: Option<String>) -> (u16, String) {
    let (ca_pem, cert, key) = shop_authority();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key).into(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Some(backend) = backend else { return };
                let Ok(mut back) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut back).await;
            });
        }
    });
    (port, ca_pem)
}

/// The cause code of an error that must be `OFFLINE`.
fn cause(e: &PosError) -> &'static str {
    assert_eq!(e.code(), "OFFLINE", "{e}");
    e.cause_code().unwrap()
}

fn enrol_at(url: &str, timeouts: Timeouts) -> PosError {
    SyncClient::enroll(
        &Endpoint::new(url),
        "CODE",
        &Enrolment::named("Caisse 1"),
        timeouts,
    )
    .unwrap_err()
}

#[test]
fn a_shops_own_certificate_is_trusted_once_its_authority_is_set() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_tls");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette El Baraka"))
        .unwrap();
    let code = rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let backend = url.trim_start_matches("http://").to_owned();
    let (port, ca_pem) = tls_front(&rt, Some(backend));
    let https = format!("https://localhost:{port}");

    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let dir = tempfile::tempdir().unwrap();
    let (mut t, karim) = till(dir.path(), "Caisse 1", 1, &clock);
    let e = t.enroll(Some(&karim), &Http, &https, &code).unwrap_err();
    assert_eq!(cause(&e), "OFFLINE_CERTIFICATE_UNTRUSTED");
    assert!(e.to_string().contains("certificate is not trusted"), "{e}");
    assert!(e.to_string().contains("--ca-file"), "{e}");
    assert!(t.credentials().is_err(), "not enrolled");

    let ca_file = dir.path().join("shop-ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let set = t
        .set_server_trust(
            Some(&karim),
            &ServerTrust {
                ca_file: Some(ca_file.clone()),
                allow_plain_http: false,
            },
        )
        .unwrap();
    assert_eq!(set.ca_file.as_deref(), Some(ca_file.as_path()));
    // The one-time code was not used up by the refused attempt: nothing reached the server.
    t.enroll(Some(&karim), &Http, &https, &code).unwrap();
    assert_eq!(
        t.sync_status().unwrap().server.as_deref(),
        Some(https.as_str())
    );
    let report = t.sync_once(&Http).unwrap();
    assert!(report.pushed >= 1, "{report:?}");
    assert_eq!(report.pending, 0);
    let live = pos_sync_client::live_watch(&t).unwrap();
    drop(live);

    // By name or by address, the same authority vouches for the server.
    let by_ip = Endpoint {
        ca_file: Some(ca_file.clone()),
        ..Endpoint::new(&format!("https://127.0.0.1:{port}"))
    };
    let refused = SyncClient::enroll(
        &by_ip,
        "NO-SUCH-CODE",
        &Enrolment::named("Caisse 9"),
        Timeouts::default(),
    )
    .unwrap_err();
    assert_eq!(refused.code(), "SYNC_REFUSED", "{refused}");

    // A file that holds no certificate is refused as a setting, and the old one stays.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let e = t
        .set_server_trust(
            Some(&karim),
            &ServerTrust {
                ca_file: Some(junk),
                allow_plain_http: false,
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "FILE_ERROR", "{e}");
    assert_eq!(t.server_trust().unwrap().ca_file, Some(ca_file));
}

#[test]
fn plain_http_to_a_tls_server_and_https_to_a_plain_one_say_tls_is_not_spoken() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (port, _) = tls_front(&rt, None);
    let e = enrol_at(&format!("http://127.0.0.1:{port}"), Timeouts::default());
    assert_eq!(cause(&e), "OFFLINE_TLS_NOT_SPOKEN");

    // A plain HTTP server answering whatever it is sent.
    let plain = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = plain.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in plain.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let e = enrol_at(&format!("https://{addr}"), Timeouts::default());
    assert_eq!(cause(&e), "OFFLINE_TLS_NOT_SPOKEN");
    assert!(e.to_string().contains("https:// or http://"), "{e}");
}

#[test]
fn a_closed_port_says_the_connection_was_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for scheme in ["http", "https"] {
        let e = enrol_at(&format!("{scheme}://127.0.0.1:{port}"), Timeouts::default());
        assert_eq!(cause(&e), "OFFLINE_CONNECTION_REFUSED", "{scheme}");
        assert!(e.to_string().contains("refused"), "{e}");
    }
}

#[test]
fn an_unknown_name_says_the_name_was_not_found() {
    let e = enrol_at("https://no-such-host.invalid", Timeouts::default());
    assert_eq!(cause(&e), "OFFLINE_NAME_NOT_FOUND");
    assert!(e.to_string().contains("name was not found"), "{e}");
}

#[test]
fn a_server_that_never_answers_says_it_timed_out() {
    // Accepts, holds every connection open, never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = silent.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming() {
            held.push(stream);
        }
    });
    let quick = Timeouts {
        connect: Duration::from_secs(5),
        answer: Duration::from_millis(300),
    };
    for scheme in ["http", "https"] {
        let e = enrol_at(&format!("{scheme}://{addr}"), quick);
        assert_eq!(cause(&e), "OFFLINE_TIMED_OUT", "{scheme}: {e}");
    }
    let pushing = SyncClient::new(
        &Endpoint::new(&format!("http://{addr}")),
        uuid::Uuid::from_u128(7),
        "token",
        quick,
    )
    .unwrap();
    let e = pos_core::sync::Transport::pull(&pushing, 0, 10).unwrap_err();
    assert_eq!(cause(&e), "OFFLINE_TIMED_OUT");
}
