//! Printer connections behind one trait: raw TCP (port 9100), serial (baud, flow control), USB
//! printers through the kernel's `usblp` device (`/dev/usb/lp*`, found by VID:PID) and plain
//! files. Where the connection reads back, the printer's status is asked with `DLE EOT` before
//! printing, so paper-out and offline become clear errors and the job waits in the queue.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use pos_core::printing::uri::{Flow, PrinterUri, Target};
use pos_core::{PosError, Result};

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
    fn a_missing_usb_printer_is_a_clear_error() {
        let e = open(&PrinterUri::parse("usb://ffff:fffe").unwrap())
            .err()
            .unwrap();
        assert_eq!(e.code(), "PRINTER_OFFLINE");
        assert!(e.to_string().contains("no such USB printer"));
    }
}
