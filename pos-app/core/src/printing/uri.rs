//! Printer addresses: `tcp://host:9100`, `serial:///dev/ttyUSB0?baud=19200&flow=none`,
//! `usb://VID:PID` and `file:///path`, parsed once so a bad one is refused when it is set, not
//! when a receipt is due.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{PosError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    None,
    Hardware,
    Software,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Tcp {
        host: String,
        port: u16,
    },
    Serial {
        path: PathBuf,
        baud: u32,
        flow: Flow,
    },
    Usb {
        vid: u16,
        pid: u16,
    },
    File(PathBuf),
}

/// A parsed printer address with its timeouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrinterUri {
    pub target: Target,
    pub connect_timeout: Duration,
    pub write_timeout: Duration,
    /// Ask `DLE EOT` before printing (TCP and serial; off with `status=off`).
    pub status: bool,
}

fn bad(uri: &str, reason: impl Into<String>) -> PosError {
    PosError::PrinterUri {
        uri: uri.to_owned(),
        reason: reason.into(),
    }
}

impl PrinterUri {
    pub fn parse(uri: &str) -> Result<PrinterUri> {
        let uri = uri.trim();
        let (scheme, rest) = uri
            .split_once("://")
            .ok_or_else(|| bad(uri, "expected tcp://, serial://, usb:// or file://"))?;
        let (body, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut out = PrinterUri {
            target: Target::File(PathBuf::new()),
            connect_timeout: Duration::from_secs(2),
            write_timeout: Duration::from_secs(5),
            status: matches!(scheme, "tcp" | "serial"),
        };
        let (mut baud, mut flow) = (19_200u32, Flow::None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let ms = || {
                v.parse::<u64>()
                    .map(Duration::from_millis)
                    .map_err(|_| bad(uri, format!("{k} must be milliseconds")))
            };
            match k {
                "baud" => {
                    baud = v
                        .parse()
                        .map_err(|_| bad(uri, "baud must be a number like 19200"))?
                }
                "flow" => {
                    flow = match v {
                        "none" => Flow::None,
                        "hardware" | "rtscts" => Flow::Hardware,
                        "software" | "xonxoff" => Flow::Software,
                        _ => return Err(bad(uri, "flow must be none, hardware or software")),
                    }
                }
                "timeout_ms" => out.write_timeout = ms()?,
                "connect_ms" => out.connect_timeout = ms()?,
                "status" => out.status = !matches!(v, "off" | "0" | "no" | "false"),
                _ => return Err(bad(uri, format!("unknown option {k:?}"))),
            }
        }
        out.target = match scheme {
            "tcp" => {
                let (host, port) = match body.rsplit_once(':') {
                    Some((h, p)) => (
                        h,
                        p.parse()
                            .map_err(|_| bad(uri, "the port must be a number"))?,
                    ),
                    None => (body, 9100),
                };
                if host.is_empty() {
                    return Err(bad(uri, "no host"));
                }
                Target::Tcp {
                    host: host.to_owned(),
                    port,
                }
            }
            "serial" => {
                if body.is_empty() {
                    return Err(bad(uri, "no device path, e.g. serial:///dev/ttyUSB0"));
                }
                Target::Serial {
                    path: PathBuf::from(body),
                    baud,
                    flow,
                }
            }
            "usb" => {
                let (v, p) = body.split_once(':').ok_or_else(|| {
                    bad(
                        uri,
                        "expected usb://VID:PID in hexadecimal, e.g. usb://04b8:0202",
                    )
                })?;
                let hex = |s: &str| {
                    u16::from_str_radix(s, 16).map_err(|_| bad(uri, "VID and PID are hexadecimal"))
                };
                Target::Usb {
                    vid: hex(v)?,
                    pid: hex(p)?,
                }
            }
            "file" => {
                if body.is_empty() {
                    return Err(bad(uri, "no path, e.g. file:///dev/usb/lp0"));
                }
                Target::File(PathBuf::from(body))
            }
            other => return Err(bad(uri, format!("unknown scheme {other:?}"))),
        };
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_addresses_parse_with_their_options() {
        let u = PrinterUri::parse("tcp://192.168.1.50:9100?timeout_ms=1500").unwrap();
        assert_eq!(
            u.target,
            Target::Tcp {
                host: "192.168.1.50".into(),
                port: 9100
            }
        );
        assert_eq!(
            (u.write_timeout, u.status),
            (Duration::from_millis(1500), true)
        );
        assert_eq!(
            PrinterUri::parse("tcp://printer").unwrap().target,
            Target::Tcp {
                host: "printer".into(),
                port: 9100
            }
        );
        let s =
            PrinterUri::parse("serial:///dev/ttyUSB0?baud=9600&flow=hardware&status=off").unwrap();
        assert_eq!(
            s.target,
            Target::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 9600,
                flow: Flow::Hardware
            }
        );
        assert!(!s.status);
        assert_eq!(
            PrinterUri::parse("usb://04b8:0e15").unwrap().target,
            Target::Usb {
                vid: 0x04b8,
                pid: 0x0e15
            }
        );
        let f = PrinterUri::parse("file:///dev/usb/lp0").unwrap();
        assert_eq!(
            (f.target, f.status),
            (Target::File("/dev/usb/lp0".into()), false)
        );
    }

    #[test]
    fn bad_printer_addresses_say_what_is_wrong() {
        for (uri, says) in [
            ("192.168.1.50", "expected tcp://"),
            ("lpt://1", "unknown scheme"),
            ("tcp://:9100", "no host"),
            ("tcp://host:http", "port"),
            ("serial:///dev/ttyS0?baud=fast", "baud"),
            ("serial:///dev/ttyS0?flow=maybe", "flow"),
            ("usb://04b8", "VID:PID"),
            ("usb://zz:01", "hexadecimal"),
            ("file://", "no path"),
            ("tcp://h?colour=red", "unknown option"),
        ] {
            let e = PrinterUri::parse(uri).unwrap_err();
            assert_eq!(e.code(), "INVALID_PRINTER_URI");
            assert!(e.to_string().contains(says), "{uri}: {e}");
        }
    }
}
