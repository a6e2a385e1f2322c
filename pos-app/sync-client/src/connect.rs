//! The one place the till's HTTP client is built, for sync calls and the live channel alike:
//! https with rustls over the system's certificate authorities, plus the shop's own CA file
//! when the settings name one; plain http only to this machine unless the settings allow it
//! (checked here, so no client exists that could send a token in clear); no redirects (a
//! redirect could carry the token elsewhere; the server's address is corrected instead).

use std::net::Ipv6Addr;
use std::time::Duration;

use reqwest::Url;

use pos_core::sync::Endpoint;
use pos_core::{PosError, Result};

/// How long a connection may take to open, and a whole exchange (for the blocking client this
/// bounds each read too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub answer: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            answer: Duration::from_secs(30),
        }
    }
}

/// A client for `server`, refused before anything is sent if the address would carry the
/// till's credentials in clear to another machine.
pub fn http_client(server: &Endpoint, timeouts: Timeouts) -> Result<reqwest::blocking::Client> {
    check_address(server)?;
    let mut builder = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .https_only(false)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.answer);
    if let Some(path) = &server.ca_file {
        for ca in shop_authorities(path)? {
            builder = builder.add_root_certificate(ca);
        }
    }
    builder.build().map_err(|e| PosError::Sync {
        code: "CLIENT".into(),
        message: e.to_string(),
    })
}

/// Refuses plain http to anything but this machine unless the settings allow it, and anything
/// that is not http(s).
pub fn check_address(server: &Endpoint) -> Result<Url> {
    let url = Url::parse(server.url.trim()).map_err(|e| {
        PosError::Invalid(format!(
            "the sync server's address {:?} is not an address ({e}): write it as https://name.example",
            server.url
        ))
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if server.allow_plain_http || is_this_machine(&url) => Ok(url),
        "http" => Err(PosError::InsecureServer {
            url: server.url.trim().to_owned(),
        }),
        other => Err(PosError::Invalid(format!(
            "the sync server's address must start with https:// (not {other}://)"
        ))),
    }
}

/// Loopback: `localhost`, 127.0.0.0/8, `::1` (and 127.x written as IPv6).
fn is_this_machine(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip == Ipv6Addr::LOCALHOST || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

fn shop_authorities(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>> {
    let fail = |detail: String| PosError::File {
        path: path.display().to_string(),
        detail: format!("the sync server's certificate authority: {detail}"),
    };
    let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let cas = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| fail(e.to_string()))?;
    if cas.is_empty() {
        return Err(fail("no PEM certificate in it".into()));
    }
    Ok(cas)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(url: &str, allow: bool) -> &'static str {
        let server = Endpoint {
            allow_plain_http: allow,
            ..Endpoint::new(url)
        };
        match check_address(&server) {
            Ok(_) => "OK",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn plain_http_goes_only_to_this_machine_unless_allowed() {
        for url in [
            "https://sync.example.dz",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]:8080",
        ] {
            assert_eq!(code(url, false), "OK", "{url}");
        }
        for url in [
            "http://192.168.1.10:8080",
            "http://sync.example.dz",
            "http://localhost.example.dz",
            "http://[::2]",
            "http://0.0.0.0:8080",
        ] {
            assert_eq!(code(url, false), "INSECURE_SERVER", "{url}");
            assert_eq!(code(url, true), "OK", "{url}");
        }
        assert_eq!(code("ftp://sync.example.dz", true), "INVALID_INPUT");
        assert_eq!(code("sync.example.dz", true), "INVALID_INPUT");
    }
}
