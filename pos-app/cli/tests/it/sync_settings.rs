//! `pos sync-settings` and `pos enroll`'s transport options: the shop's CA file (checked when
//! set, kept by its absolute path), plain http to another machine refused until allowed.
#![allow(clippy::unwrap_used)]

use crate::support::{ok, pos};

#[test]
fn the_ca_file_and_plain_http_are_set_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &["init", "--store", "Superette", "--terminal", "Caisse 1"],
    );
    let shown = ok(d, &["sync-settings"]);
    assert_eq!(shown["ca_file"], serde_json::Value::Null);
    assert_eq!(shown["allow_plain_http"], false);

    let junk = d.join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let (success, v) = pos(d, &["sync-settings", "--ca-file", junk.to_str().unwrap()]);
    assert!(!success);
    assert_eq!(v["error"]["code"], "FILE_ERROR", "{v}");

    let ca = d.join("shop-ca.pem");
    std::fs::write(
        &ca,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let set = ok(d, &["sync-settings", "--ca-file", ca.to_str().unwrap()]);
    assert_eq!(set["ca_file"], ca.to_str().unwrap());
    let set = ok(d, &["sync-settings", "--allow-plain-http", "true"]);
    assert_eq!(set["ca_file"], ca.to_str().unwrap(), "kept");
    assert_eq!(set["allow_plain_http"], true);

    // Forbidden again as part of the enrolment: refused before anything is sent.
    let (success, v) = pos(
        d,
        &[
            "enroll",
            "--server",
            "http://203.0.113.7:8080",
            "--code",
            "CODE",
            "--allow-plain-http",
            "false",
        ],
    );
    assert!(!success);
    assert_eq!(v["error"]["code"], "INSECURE_SERVER", "{v}");
    let shown = ok(d, &["sync-settings", "--no-ca-file"]);
    assert_eq!(shown["ca_file"], serde_json::Value::Null);
    assert_eq!(shown["allow_plain_http"], false);
}
