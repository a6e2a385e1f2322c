//! Where the sync server is and how far the till trusts the way there: the server's address,
//! a shop's own certificate authority (trusted besides the system's), and whether plain http
//! may carry credentials to another machine. Kept in `meta` beside the enrolment; a manager's
//! setting, set before enrolling with a server that needs it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{PosError, Result};
use crate::store;
use crate::till::Till;
use crate::users::Session;

const CA_FILE: &str = "sync_ca_file";
const ALLOW_PLAIN_HTTP: &str = "sync_allow_plain_http";

/// A sync server as the network side reaches it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// `https://sync.example.dz` (or `http://…` to this machine, or where allowed).
    pub url: String,
    /// A PEM file of certificate authorities trusted besides the system's.
    pub ca_file: Option<PathBuf>,
    /// Whether plain http may go to a machine other than this one.
    pub allow_plain_http: bool,
}

impl Endpoint {
    /// `url` with the system's authorities only and no plain http beyond this machine.
    pub fn new(url: &str) -> Endpoint {
        Endpoint {
            url: url.trim().to_owned(),
            ..Endpoint::default()
        }
    }
}

/// The till's transport settings (see `Endpoint`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServerTrust {
    pub ca_file: Option<PathBuf>,
    pub allow_plain_http: bool,
}

impl Till {
    /// How this till reaches its sync server, whatever its address.
    pub fn server_trust(&self) -> Result<ServerTrust> {
        let ca_file = self
            .store()
            .meta(CA_FILE)?
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        let allow_plain_http = self.store().meta(ALLOW_PLAIN_HTTP)?.as_deref() == Some("1");
        Ok(ServerTrust {
            ca_file,
            allow_plain_http,
        })
    }

    /// The server at `url` reached with this till's settings.
    pub fn endpoint(&self, url: &str) -> Result<Endpoint> {
        let trust = self.server_trust()?;
        Ok(Endpoint {
            url: url.trim().to_owned(),
            ca_file: trust.ca_file,
            allow_plain_http: trust.allow_plain_http,
        })
    }

    /// Changes how the till reaches its server (whoever may enrol it may). A CA file must hold
    /// at least one PEM certificate; it is kept by its absolute path and read at each connection.
    pub fn set_server_trust(
        &mut self,
        session: Option<&Session>,
        trust: &ServerTrust,
    ) -> Result<ServerTrust> {
        self.may_enroll(session)?;
        let ca_file = trust.ca_file.as_deref().map(check_ca_file).transpose()?;
        let kept = ServerTrust {
            ca_file,
            allow_plain_http: trust.allow_plain_http,
        };
        let path = kept
            .ca_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let plain = if kept.allow_plain_http { "1" } else { "0" };
        self.store.write(|tx| {
            store::set_meta(tx, CA_FILE, &path)?;
            store::set_meta(tx, ALLOW_PLAIN_HTTP, plain)
        })?;
        Ok(kept)
    }
}

/// The file's absolute path, once it is known to hold a PEM certificate.
fn check_ca_file(path: &Path) -> Result<PathBuf> {
    let fail = |detail: String| PosError::File {
        path: path.display().to_string(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(fail(
            "no PEM certificate in it (a CA file starts with -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    std::path::absolute(path).map_err(|e| fail(e.to_string()))
}
