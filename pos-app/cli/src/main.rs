//! `pos`: the headless face of the till, for scripting, tests and support. Every verb takes
//! `--data-dir` and `--json`; with `--json` it prints one JSON object, errors included
//! (`{"error":{"code","message"}}`, non-zero exit).

mod commands;
mod printing;
mod repl;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "pos", version, about = "The till, from the command line")]
struct Cli {
    /// Folder holding the till's database.
    #[arg(long, global = true, env = "POS_DATA_DIR", default_value = ".pos-data")]
    data_dir: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Args, Clone)]
struct Actor {
    /// PIN of the person doing this.
    #[arg(long)]
    pin: Option<String>,
    /// PIN of a manager approving what the person may not do alone.
    #[arg(long)]
    approve: Option<String>,
}

/// Transport settings, changed only where given.
#[derive(Args, Clone)]
struct Trust {
    /// PEM file of the certificate authority that signed the shop's own server certificate
    /// (trusted besides the system's authorities).
    #[arg(long, conflicts_with = "no_ca_file")]
    ca_file: Option<PathBuf>,
    /// Trust the system's certificate authorities only again.
    #[arg(long)]
    no_ca_file: bool,
    /// Let the till send its credentials over plain http to another machine (true), or not
    /// (false): only on a network the shop controls.
    #[arg(long)]
    allow_plain_http: Option<bool>,
}

impl Trust {
    fn given(&self) -> bool {
        self.ca_file.is_some() || self.no_ca_file || self.allow_plain_http.is_some()
    }

    /// `was` with what was given changed.
    fn applied_to(&self, was: pos_core::sync::ServerTrust) -> pos_core::sync::ServerTrust {
        pos_core::sync::ServerTrust {
            ca_file: match (&self.ca_file, self.no_ca_file) {
                (Some(file), _) => Some(file.clone()),
                (None, true) => None,
                (None, false) => was.ca_file,
            },
            allow_plain_http: self.allow_plain_http.unwrap_or(was.allow_plain_http),
        }
    }
}

#[derive(Subcommand)]
enum Verb {
    /// Create the till database for a store and a terminal.
    Init {
        #[arg(long)]
        store: String,
        #[arg(long)]
        terminal: String,
    },
    /// Import or search the catalog.
    #[command(subcommand)]
    Catalog(CatalogVerb),
    /// Add or list the people who work the till.
    #[command(subcommand)]
    User(UserVerb),
    /// Open or close the shift, or see where it stands.
    #[command(subcommand)]
    Shift(ShiftVerb),
    /// Ring up a sale: ITEM is a barcode, `barcode*qty`, a weighed label, a PLU or a SKU.
    Sell {
        #[arg(required = true)]
        items: Vec<String>,
        /// cash, cash:AMOUNT, card, card:AMOUNT[:REFERENCE]; several for a split payment.
        #[arg(long = "pay", required = true)]
        pay: Vec<String>,
        /// Discount on the whole order: `10%` or an amount in DA.
        #[arg(long)]
        discount: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Refund a sale (by id or receipt number), all of it or the ITEMs given.
    Refund {
        sale: String,
        items: Vec<String>,
        /// How the money goes back (when omitted: on the sale's own tenders, card to card, cash
        /// to cash).
        #[arg(long = "pay")]
        pay: Vec<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Look up or change stock.
    #[command(subcommand)]
    Stock(StockVerb),
    /// Show a receipt (by sale id or receipt number) as text, ESC/POS bytes or a PNG preview.
    Receipt {
        sale: String,
        /// text, escpos or png.
        #[arg(long, default_value = "text")]
        format: String,
        /// Paper: 58 or 80 (mm); for text, any other number is characters per line.
        #[arg(long)]
        width: Option<usize>,
        /// fr, ar or en (default: the terminal's receipt language).
        #[arg(long)]
        lang: Option<String>,
        /// Write to this file instead of standard output (needed for escpos and png).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print a sale's receipt now: its first print, or a reprint marked as such.
    Print {
        sale: String,
        /// Another printer for this job only (tcp://, serial://, usb://, file://).
        #[arg(long)]
        printer: Option<String>,
    },
    /// Set, test or watch this terminal's receipt printer.
    #[command(subcommand)]
    Printer(PrinterVerb),
    /// Open the cash drawer without a sale (manager; recorded).
    #[command(subcommand)]
    Drawer(DrawerVerb),
    /// Store details printed on receipts.
    #[command(subcommand)]
    Store(StoreVerb),
    /// Change-log entries not yet acknowledged by the server.
    Log {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Enrol this till with a sync server using a one-time code from the back office.
    Enroll {
        /// `https://sync.example.dz` (plain `http://` only to this machine, unless allowed).
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        #[command(flatten)]
        trust: Trust,
        #[command(flatten)]
        actor: Actor,
    },
    /// How this till reaches its sync server: a shop's own certificate authority, plain http.
    /// Without options, shows the settings.
    SyncSettings {
        #[command(flatten)]
        trust: Trust,
        #[command(flatten)]
        actor: Actor,
    },
    /// Send pending changes and apply the other terminals' (once, or every few seconds).
    Sync {
        #[arg(long)]
        once: bool,
        /// Seconds between rounds; another terminal's push is pulled at once anyway (live channel).
        #[arg(long, default_value_t = 5)]
        every: u64,
    },
    /// The interactive till in this terminal: type or scan barcodes, `pay cash 500`, `help`.
    Till,
    /// Read barcodes from image files: one line per file, `FILE<TAB>FORMAT<TAB>TEXT`.
    ScanImage {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Draw a barcode as a PNG (shelf labels, and a picture to hold in front of the camera).
    Barcode {
        /// ean13, ean8, upca, upce, code128 or qr.
        format: String,
        text: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Read barcodes from a camera (/dev/videoN), printing each code once as it is read.
    ScanCamera {
        #[arg(long, default_value_t = 0)]
        device: u32,
        /// Stop after this many seconds (default: until interrupted).
        #[arg(long)]
        seconds: Option<u64>,
    },
    /// Ring up generated sales in a loop, printing each committed sale id (soak and crash tests).
    Soak {
        #[arg(long, default_value_t = 100)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
enum PrinterVerb {
    /// Set the printer: tcp://host:9100, serial:///dev/ttyUSB0?baud=19200&flow=none|hardware|software,
    /// usb://VID:PID, file:///path.
    Set {
        uri: String,
        /// Paper width: 58 or 80 (mm).
        #[arg(long)]
        paper: Option<String>,
        /// Receipt language: fr, ar or en.
        #[arg(long)]
        lang: Option<String>,
        /// A PNG logo printed at the top of receipts (`none` removes it).
        #[arg(long)]
        logo: Option<PathBuf>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Print a test page (accents, QR code, cut) on the printer.
    Test,
    /// Print jobs that failed or are waiting after a failure.
    Problems,
    /// Try a failed print job again.
    Retry { job: i64 },
    /// Print what is waiting in the queue now (one try each).
    Flush,
}

#[derive(Subcommand)]
enum DrawerVerb {
    /// Kick the drawer open ("no sale").
    Open {
        #[arg(long, default_value = "no sale")]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
enum StoreVerb {
    /// Set store details: --name, --address, --nif, --rc, --phone, --footer, --verify-url, or
    /// --from a JSON file shaped like fixtures/store.json.
    Set {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        nif: Option<String>,
        #[arg(long)]
        rc: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        footer: Option<String>,
        #[arg(long)]
        verify_url: Option<String>,
        #[arg(long)]
        from: Option<PathBuf>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Show the receipt header.
    Show,
}

#[derive(Subcommand)]
enum CatalogVerb {
    /// Import a CSV or JSON catalog; bad rows are reported by line, good rows imported.
    Import {
        file: PathBuf,
        #[command(flatten)]
        actor: Actor,
    },
    /// Search by name (French or Arabic), SKU or barcode.
    Find {
        text: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Subcommand)]
enum UserVerb {
    /// Add a user. The first user needs no `--by`; later ones need an admin (or a manager for cashiers).
    Add {
        #[arg(long)]
        name: String,
        /// cashier, manager or admin
        #[arg(long)]
        role: String,
        /// The new user's PIN (4 to 8 digits).
        #[arg(long)]
        pin: String,
        /// PIN of the admin or manager adding the user.
        #[arg(long)]
        by: Option<String>,
    },
    /// Add the users of a JSON file (`[{"name","role","pin"}]`). On a new till the first admin
    /// in the file sets the others up; otherwise `--by` names who adds them.
    Import {
        file: PathBuf,
        #[arg(long)]
        by: Option<String>,
    },
    List,
}

#[derive(Subcommand)]
enum ShiftVerb {
    Open {
        /// Cash float in the drawer, in DA.
        #[arg(long)]
        float: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Close with the cash counted (blind count) and print the Z report.
    Close {
        /// Cash counted in the drawer, in DA (type 0 for an empty drawer).
        #[arg(long)]
        counted: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// The X report: the open shift so far. Blind (without what the count follows from) unless
    /// a manager's PIN is given.
    Report {
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
enum StockVerb {
    Show {
        item: String,
    },
    Receive {
        item: String,
        qty: i64,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    Adjust {
        item: String,
        #[arg(allow_hyphen_values = true)]
        delta: i64,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    Count {
        item: String,
        qty: i64,
        #[command(flatten)]
        actor: Actor,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                let out =
                    serde_json::json!({ "error": { "code": e.code(), "message": e.to_string() } });
                println!("{out}");
            } else {
                eprintln!("error [{}]: {e}", e.code());
            }
            ExitCode::FAILURE
        }
    }
}
