//! Printer connections behind one trait: raw TCP (port 9100), serial (baud, flow control), USB
//! printers through the kernel's `usblp` device (`/dev/usb/lp*`, found by VID:PID) and plain
//! files. Where the connection reads back, the printer's status is asked with `DLE EOT` before
//! printing, so paper-out and offline become clear errors and the job waits in the queue.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
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

/// Bytes the kernel may hold for a TCP printer (about two seconds of a printer's buffer).
const SEND_BUFFER: usize = 16 * 1024;

/// What `DLE EOT` said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrinterStatus {
    pub online: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_low: bool,
}

/// One way to reach a printer.
pub trait PrinterTransport: Send {
    fn write_all(&mut self, bytes: &[u8]) -> Result<()>;
    /// Asks `DLE EOT`; `None` where this connection cannot read back.
    fn status(&mut self) -> Result<Option<PrinterStatus>>;
    fn describe(&self) -> String;
}

fn offline(printer: &str, detail: impl std::fmt::Display) -> PosError {
    PosError::PrinterOffline {
        printer: printer.to_owned(),
        detail: detail.to_string(),
    }
}

fn io_err(printer: &str, e: std::io::Error) -> PosError {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            offline(printer, "timed out: it stopped taking data")
        }
        _ => offline(printer, e),
    }
}

/// Asks the three status bytes over any read/write stream.
fn ask_status<S: Read + Write>(s: &mut S, printer: &str) -> Result<PrinterStatus> {
    let mut ask = |n: u8| -> Result<u8> {
        s.write_all(&[0x10, 0x04, n])
            .map_err(|e| io_err(printer, e))?;
        s.flush().map_err(|e| io_err(printer, e))?;
        let mut b = [0u8; 1];
        match s.read(&mut b) {
            Ok(1) => Ok(b[0]),
            Ok(_) => Err(offline(printer, "closed the connection")),
            Err(e) => Err(match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                    offline(printer, "no answer to the status request")
                }
                _ => offline(printer, e),
            }),
        }
    };
    let printer_byte = ask(1)?;
    let offline_byte = ask(2)?;
    let paper_byte = ask(4)?;
    Ok(PrinterStatus {
        online: printer_byte & 0x08 == 0,
        cover_open: offline_byte & 0x04 != 0,
        paper_out: paper_byte & 0x60 != 0 || offline_byte & 0x20 != 0,
        paper_low: paper_byte & 0x0C != 0,
    })
}

struct Tcp {
    name: String,
    stream: TcpStream,
}

impl PrinterTransport for Tcp {
    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.stream
            .write_all(bytes)
            .map_err(|e| io_err(&self.name, e))?;
        self.stream.flush().map_err(|e| io_err(&self.name, e))
    }
    fn status(&mut self) -> Result<Option<PrinterStatus>> {
        ask_status(&mut self.stream, &self.name).map(Some)
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
}

struct Serial {
    name: String,
    port: Box<dyn serialport::SerialPort>,
}

impl PrinterTransport for Serial {
    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.port
            .write_all(bytes)
            .map_err(|e| io_err(&self.name, e))?;
        self.port.flush().map_err(|e| io_err(&self.name, e))
    }
    fn status(&mut self) -> Result<Option<PrinterStatus>> {
        ask_status(&mut self.port, &self.name).map(Some)
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
}

struct FileOut {
    name: String,
    file: File,
}

impl PrinterTransport for FileOut {
    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .map_err(|e| io_err(&self.name, e))?;
        self.file.flush().map_err(|e| io_err(&self.name, e))
    }
    fn status(&mut self) -> Result<Option<PrinterStatus>> {
        Ok(None)
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// The `/dev/usb/lpN` of the USB printer with this vendor and product id.
fn usb_device(vid: u16, pid: u16) -> Option<PathBuf> {
    let class = Path::new("/sys/class/usbmisc");
    for entry in std::fs::read_dir(class).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("lp") {
            continue;
        }
        // device -> the USB interface; its parent holds the ids.
        let dev = entry.path().join("device").join("..");
        let id = |f: &str| {
            std::fs::read_to_string(dev.join(f))
                .ok()
                .and_then(|s| u16::from_str_radix(s.trim(), 16).ok())
        };
        if id("idVendor") == Some(vid) && id("idProduct") == Some(pid) {
            return Some(PathBuf::from("/dev/usb").join(name));
        }
    }
    None
}

fn open_file(path: &Path, name: &str) -> Result<Box<dyn PrinterTransport>> {
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| offline(name, format!("cannot open {}: {e}", path.display())))?;
    Ok(Box::new(FileOut {
        name: name.to_owned(),
        file,
    }))
}

/// Connects to the printer. Nothing is sent yet.
pub fn open(uri: &PrinterUri) -> Result<Box<dyn PrinterTransport>> {
    match &uri.target {
        Target::Tcp { host, port } => {
            let name = format!("tcp://{host}:{port}");
            let addrs = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| offline(&name, format!("unknown host: {e}")))?;
            let mut last = offline(&name, "no address");
            for addr in addrs {
                match TcpStream::connect_timeout(&addr, uri.connect_timeout) {
                    Ok(stream) => {
                        stream
                            .set_write_timeout(Some(uri.write_timeout))
                            .map_err(|e| offline(&name, e))?;
                        stream
                            .set_read_timeout(Some(
                                uri.write_timeout.min(Duration::from_millis(800)),
                            ))
                            .map_err(|e| offline(&name, e))?;
                        stream.set_nodelay(true).map_err(|e| offline(&name, e))?;
                        // A small send buffer: a printer that stops taking data shows up as a
                        // write timeout instead of megabytes vanishing into the kernel.
                        socket2::SockRef::from(&stream)
                            .set_send_buffer_size(SEND_BUFFER)
                            .map_err(|e| offline(&name, e))?;
                        return Ok(Box::new(Tcp { name, stream }));
                    }
                    Err(e) => last = io_err(&name, e),
                }
            }
            Err(last)
        }
        Target::Serial { path, baud, flow } => {
            let name = format!("serial://{}", path.display());
            let flow = match flow {
                Flow::None => serialport::FlowControl::None,
                Flow::Hardware => serialport::FlowControl::Hardware,
                Flow::Software => serialport::FlowControl::Software,
            };
            let port = serialport::new(path.to_string_lossy(), *baud)
                .flow_control(flow)
                .timeout(uri.write_timeout)
                .open()
                .map_err(|e| offline(&name, e))?;
            Ok(Box::new(Serial { name, port }))
        }
        Target::Usb { vid, pid } => {
            let name = format!("usb://{vid:04x}:{pid:04x}");
            let dev = usb_device(*vid, *pid).ok_or_else(|| {
                offline(
                    &name,
                    "no such USB printer is plugged in (no /dev/usb/lp* with this id)",
                )
            })?;
            open_file(&dev, &name)
        }
        Target::File(path) => open_file(path, &format!("file://{}", path.display())),
    }
}

/// Connects, checks the status where the connection allows, and sends `bytes`.
pub fn send(uri: &PrinterUri, bytes: &[u8]) -> Result<()> {
    let mut t = open(uri)?;
    if uri.status {
        if let Some(s) = t.status()? {
            let name = t.describe();
            if s.paper_out {
                return Err(PosError::PaperOut(name));
            }
            if s.cover_open {
                return Err(offline(&name, "the cover is open"));
            }
            if !s.online {
                return Err(offline(&name, "it says it is offline"));
            }
        }
    }
    t.write_all(bytes)
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

    #[test]
    fn a_missing_usb_printer_is_a_clear_error() {
        let e = open(&PrinterUri::parse("usb://ffff:fffe").unwrap())
            .err()
            .unwrap();
        assert_eq!(e.code(), "PRINTER_OFFLINE");
        assert!(e.to_string().contains("no such USB printer"));
    }
}
