//! Why a request did not reach the sync server, told from the error's source chain (reqwest →
//! hyper → rustls / io): refused, name not found, certificate not trusted, TLS not spoken,
//! timed out. Each is `PosError::Offline` (nothing refused, sales kept, try again later) with
//! its cause's own code.

use std::error::Error;
use std::io;

use pos_core::{OfflineCause, PosError};

/// The till's error for a request that got no answer.
pub fn unreachable(e: &reqwest::Error) -> PosError {
    PosError::Offline {
        cause: cause_of(e),
        detail: chain(e),
    }
}

fn cause_of(e: &reqwest::Error) -> OfflineCause {
    if e.is_timeout() {
        return OfflineCause::TimedOut;
    }
    let https = e.url().is_some_and(|u| u.scheme() == "https");
    let mut next: Option<&(dyn Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return tls_cause(tls);
        }
        if let Some(io) = err.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return OfflineCause::ConnectionRefused,
                io::ErrorKind::TimedOut => return OfflineCause::TimedOut,
                // Closed in the middle of the handshake: a server that does not speak TLS.
                io::ErrorKind::UnexpectedEof if https && e.is_connect() => {
                    return OfflineCause::TlsNotSpoken
                }
                _ => {}
            }
            if is_lookup_failure(&io.to_string()) {
                return OfflineCause::NameNotFound;
            }
            // An io error's `source()` skips the error it wraps (where rustls puts its own, at
            // times under another io error): go down through it instead.
            if let Some(inner) = io.get_ref() {
                next = Some(inner);
                continue;
            }
        }
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            // What came back over http:// is not HTTP: most likely a TLS server's alert.
            if h.is_parse() && !https {
                return OfflineCause::TlsNotSpoken;
            }
        }
        // hyper-util's connector names the step that failed.
        if err.to_string() == "dns error" {
            return OfflineCause::NameNotFound;
        }
        next = err.source();
    }
    OfflineCause::Network
}

fn tls_cause(e: &rustls::Error) -> OfflineCause {
    match e {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
            OfflineCause::CertificateUntrusted
        }
        // The first bytes back were not TLS at all (a plain http server's answer).
        rustls::Error::InvalidMessage(_) => OfflineCause::TlsNotSpoken,
        _ => OfflineCause::Network,
    }
}

/// The resolver's own words (getaddrinfo on Unix, Windows' "No such host is known").
fn is_lookup_failure(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "failed to lookup address",
        "no such host",
        "name or service not known",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Every message on the chain, the outermost first, without repeats.
fn chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}
