//! The till's one error type. Every variant carries a stable `code()` that the CLI and the UI
//! match on, and a message a cashier or manager can act on.

use pos_shared::{Money, TaxRate};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PosError {
    #[error("no till here: run `pos init --store NAME --terminal NAME` first ({0})")]
    NotInitialised(String),
    #[error("this folder already holds a till ({0})")]
    AlreadyInitialised(String),
    #[error("the till database is damaged ({detail}): restore {path} from a backup or re-enrol the terminal")]
    CorruptDatabase { path: String, detail: String },
    #[error(
        "{path} is not a till database (it belongs to another program); choose another data folder"
    )]
    ForeignDatabase { path: String },
    #[error("this database was written by a newer version of the till (schema {found}, this program knows {known}); update the till")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("invalid barcode {code:?}: {reason}")]
    InvalidBarcode {
        code: String,
        reason: String,
        code_name: &'static str,
    },
    #[error(
        "no product with barcode or code {0:?}; check the label or add the product to the catalog"
    )]
    UnknownProduct(String),
    /// A discount as typed that cannot be read; its own code (`INVALID_DISCOUNT`,
    /// `DISCOUNT_OVER_100_PERCENT`, …) goes with it.
    #[error(transparent)]
    Discount(#[from] pos_shared::DiscountError),
    #[error("product {0:?} is inactive and cannot be sold")]
    InactiveProduct(String),
    #[error("quantity must be greater than zero (got {0})")]
    InvalidQuantity(i64),
    #[error(
        "{0:?} is not a quantity: type whole pieces (3) or kilograms with a decimal comma (1,5)"
    )]
    UnreadableQuantity(String),
    #[error("no line {0} in the cart")]
    NoSuchLine(u32),
    #[error("the cart is empty")]
    EmptyCart,
    #[error("payment short: {due} due, {paid} paid; {missing} still to pay")]
    PaymentShort {
        due: Money,
        paid: Money,
        missing: Money,
    },
    #[error("card payment of {amount} is more than the {due} still due")]
    CardOverpay { amount: Money, due: Money },
    #[error(
        "this sale cannot be recorded: {0}; nothing was written — note the basket and report it"
    )]
    InvalidSale(pos_shared::SaleError),
    #[error("a discount of {requested} is over the {limit} a cashier may give; a manager must approve it")]
    DiscountNeedsApproval { requested: String, limit: String },
    #[error("wrong PIN")]
    WrongPin,
    #[error("too many wrong PINs: the till is locked for {seconds} more seconds")]
    PinLocked { seconds: i64 },
    #[error("the PIN must be 4 to 8 digits")]
    BadPin,
    #[error("this PIN is already used by someone else; choose another")]
    PinTaken,
    #[error("{who} ({role}) may not {action}; ask a manager")]
    Forbidden {
        who: String,
        role: &'static str,
        action: &'static str,
    },
    #[error("no shift is open on this terminal: open one with a cash float first")]
    NoOpenShift,
    #[error("a shift is already open on this terminal (opened by {0})")]
    ShiftAlreadyOpen(String),
    #[error("no sale {0}")]
    UnknownSale(String),
    #[error("{0} is a refund; refund the original sale instead")]
    RefundOfRefund(String),
    #[error("cannot refund {requested} of {name}: {available} left to refund on that sale")]
    RefundTooMuch {
        name: String,
        requested: i64,
        available: i64,
    },
    #[error("nothing left to refund on sale {0}")]
    NothingToRefund(String),
    #[error("no parked cart {0}")]
    UnknownCart(String),
    #[error("the cart has lines: finish, park or void it first")]
    CartNotEmpty,
    #[error("the cart holds {lines} line(s) for {total}: confirm to void it")]
    ConfirmVoid { lines: usize, total: Money },
    #[error("type the cash counted in the drawer to close the shift (0 if it is empty)")]
    CountMissing,
    #[error("invalid amount {input:?}: {reason}")]
    InvalidAmount { input: String, reason: String },
    #[error("invalid tax rate {0}: use 19, 9 or 0")]
    InvalidTaxRate(TaxRate),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("cannot read {path}: {detail}")]
    File { path: String, detail: String },
    #[error("product document for {product}: {detail}")]
    Document { product: String, detail: String },
    /// Nothing was refused: the server could not be reached or cannot serve now, for `cause`.
    /// Sales are kept; sync tries again later.
    #[error("the sync server cannot be reached: {cause} ({detail}); sales are kept and will be sent later")]
    Offline { cause: OfflineCause, detail: String },
    /// Plain http to another machine would carry the till's token (or enrolment code) in clear;
    /// refused before anything is sent.
    #[error("{url} is plain http to another machine: the till's credentials would travel in clear: use https://… or, on a network the shop controls, allow plain http in the settings (`pos sync-settings --allow-plain-http true`)")]
    InsecureServer { url: String },
    #[error("the sync server refused: {message}")]
    Sync { code: String, message: String },
    #[error("the sync server asks this till to slow down; it sends again in {} s", retry_after.as_secs())]
    RateLimited { retry_after: std::time::Duration },
    #[error(
        "this till is not enrolled with a sync server: run `pos enroll --server URL --code CODE`"
    )]
    NotEnrolled,
    #[error("nobody is logged in at this till: enter your PIN")]
    LoggedOut,
    #[error("printer address {uri:?}: {reason}")]
    PrinterUri { uri: String, reason: String },
    #[error("the printer {printer} is not answering ({detail}); the receipt waits in the queue and prints when it is back")]
    PrinterOffline { printer: String, detail: String },
    #[error("the printer {0} is out of paper: load a roll; the receipt prints when it is back")]
    PaperOut(String),
    #[error("no printer is set for this terminal: run `pos printer set URI` (tcp://host:9100, serial:///dev/ttyUSB0, usb://VID:PID, file:///path)")]
    NoPrinter,
    /// A camera or an image file could not give a picture (the scanning crate's own codes).
    #[error("{message}")]
    Scan { code: &'static str, message: String },
    #[error("an internal error stopped this action ({0}); what was saved before it is kept: try again, and report it if it happens again")]
    Internal(String),
    #[error("database error: {0}")]
    Db(rusqlite::Error),
}

impl PosError {
    /// The stable code the UI and scripts match on; messages may change, codes do not.
    pub fn code(&self) -> &'static str {
        use PosError::*;
        match self {
            NotInitialised(_) => "NOT_INITIALISED",
            AlreadyInitialised(_) => "ALREADY_INITIALISED",
            CorruptDatabase { .. } => "CORRUPT_DATABASE",
            ForeignDatabase { .. } => "FOREIGN_DATABASE",
            SchemaTooNew { .. } => "SCHEMA_TOO_NEW",
            InvalidBarcode { code_name, .. } => code_name,
            UnknownProduct(_) => "UNKNOWN_PRODUCT",
            Discount(e) => e.code(),
            InactiveProduct(_) => "INACTIVE_PRODUCT",
            InvalidQuantity(_) | UnreadableQuantity(_) => "INVALID_QUANTITY",
            NoSuchLine(_) => "NO_SUCH_LINE",
            EmptyCart => "EMPTY_CART",
            PaymentShort { .. } => "PAYMENT_SHORT",
            CardOverpay { .. } => "CARD_OVERPAY",
            InvalidSale(_) => "INVALID_SALE",
            DiscountNeedsApproval { .. } => "DISCOUNT_NEEDS_APPROVAL",
            WrongPin => "WRONG_PIN",
            PinLocked { .. } => "PIN_LOCKED",
            BadPin => "BAD_PIN",
            PinTaken => "PIN_TAKEN",
            Forbidden { .. } => "FORBIDDEN",
            NoOpenShift => "NO_OPEN_SHIFT",
            ShiftAlreadyOpen(_) => "SHIFT_ALREADY_OPEN",
            UnknownSale(_) => "UNKNOWN_SALE",
            RefundOfRefund(_) => "REFUND_OF_REFUND",
            RefundTooMuch { .. } => "REFUND_TOO_MUCH",
            NothingToRefund(_) => "NOTHING_TO_REFUND",
            UnknownCart(_) => "UNKNOWN_CART",
            CartNotEmpty => "CART_NOT_EMPTY",
            ConfirmVoid { .. } => "CONFIRM_VOID",
            CountMissing => "COUNT_MISSING",
            InvalidAmount { .. } => "INVALID_AMOUNT",
            InvalidTaxRate(_) => "INVALID_TAX_RATE",
            Invalid(_) => "INVALID_INPUT",
            File { .. } => "FILE_ERROR",
            Document { .. } => "DOCUMENT_ERROR",
            Offline { .. } => "OFFLINE",
            InsecureServer { .. } => "INSECURE_SERVER",
            Sync { .. } => "SYNC_REFUSED",
            RateLimited { .. } => "RATE_LIMITED",
            NotEnrolled => "NOT_ENROLLED",
            LoggedOut => "LOGGED_OUT",
            PrinterUri { .. } => "INVALID_PRINTER_URI",
            PrinterOffline { .. } => "PRINTER_OFFLINE",
            PaperOut(_) => "PAPER_OUT",
            NoPrinter => "NO_PRINTER",
            Scan { code, .. } => code,
            Internal(_) => "INTERNAL",
            Db(_) => "DATABASE_ERROR",
        }
    }
}

impl PosError {
    /// A finer code under `code()` when there is one: why the sync server was not reached
    /// (`OFFLINE_CERTIFICATE_UNTRUSTED`, …), for the UI to say in the cashier's language.
    pub fn cause_code(&self) -> Option<&'static str> {
        match self {
            PosError::Offline { cause, .. } => Some(cause.code()),
            _ => None,
        }
    }

    /// The sync server is there but cannot serve now (or is not reached for a reason not told
    /// apart): try again later.
    pub fn offline(detail: impl Into<String>) -> Self {
        PosError::Offline {
            cause: OfflineCause::Network,
            detail: detail.into(),
        }
    }
}

/// Why the sync server was not reached, each with a stable code and advice a manager can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineCause {
    /// Nothing listens at the address: the server is stopped, or the port is wrong.
    ConnectionRefused,
    /// The server's name is not known (misspelt, or no DNS / internet).
    NameNotFound,
    /// The server's certificate is not signed by an authority the till trusts (or not for that
    /// name).
    CertificateUntrusted,
    /// The address says https but the server speaks plain http, or the reverse.
    TlsNotSpoken,
    /// No answer in time.
    TimedOut,
    /// The server, or the proxy in front of it, answered that it cannot serve now (502/503/504).
    ServerUnavailable,
    /// Anything else on the way (connection reset, network unreachable, …).
    Network,
}

impl OfflineCause {
    pub fn code(self) -> &'static str {
        use OfflineCause::*;
        match self {
            ConnectionRefused => "OFFLINE_CONNECTION_REFUSED",
            NameNotFound => "OFFLINE_NAME_NOT_FOUND",
            CertificateUntrusted => "OFFLINE_CERTIFICATE_UNTRUSTED",
            TlsNotSpoken => "OFFLINE_TLS_NOT_SPOKEN",
            TimedOut => "OFFLINE_TIMED_OUT",
            ServerUnavailable => "OFFLINE_SERVER_UNAVAILABLE",
            Network => "OFFLINE_NETWORK",
        }
    }
}

impl std::fmt::Display for OfflineCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use OfflineCause::*;
        f.write_str(match self {
            ConnectionRefused => "the connection was refused; check that the sync server is running and that the port in its address is right",
            NameNotFound => "the server's name was not found; check the spelling of its address and the shop's internet connection",
            CertificateUntrusted => "its certificate is not trusted; if the shop's server has a certificate of its own authority, set that authority's file (`pos sync-settings --ca-file FILE`)",
            TlsNotSpoken => "it does not speak the protocol its address says; use https:// or http:// as the server expects, and check the port",
            TimedOut => "it did not answer in time; check the network",
            ServerUnavailable => "it cannot serve now",
            Network => "the network failed on the way",
        })
    }
}

impl PosError {
    pub fn invalid_barcode(code: &str, e: &pos_shared::GtinError) -> Self {
        PosError::InvalidBarcode {
            code: code.to_owned(),
            reason: e.to_string(),
            code_name: e.code(),
        }
    }
}

impl From<pos_shared::PricingError> for PosError {
    fn from(e: pos_shared::PricingError) -> Self {
        PosError::Invalid(e.to_string())
    }
}

impl From<pos_shared::PaymentError> for PosError {
    /// The till's codes for the same refusals: `PAYMENT_SHORT`, `CARD_OVERPAY`,
    /// `INVALID_AMOUNT`, and `INVALID_INPUT` for an unknown method or an extra payment.
    fn from(e: pos_shared::PaymentError) -> Self {
        use pos_shared::PaymentError as P;
        match e {
            P::Short { due, paid, missing } => PosError::PaymentShort { due, paid, missing },
            P::CardOverpay { amount, due } => PosError::CardOverpay { amount, due },
            P::Amount { input, reason } => PosError::InvalidAmount {
                input,
                reason: reason.to_string(),
            },
            P::NotPositive { amount } => PosError::InvalidAmount {
                input: amount.to_string(),
                reason: "a payment must be more than zero".into(),
            },
            P::UnknownMethod(_) | P::AlreadyPaid => PosError::Invalid(e.to_string()),
        }
    }
}

impl From<pos_shared::refund::RefundError> for PosError {
    fn from(e: pos_shared::refund::RefundError) -> Self {
        PosError::Invalid(e.to_string())
    }
}

impl From<pos_shared::ParseEnumError> for PosError {
    fn from(e: pos_shared::ParseEnumError) -> Self {
        PosError::Invalid(e.to_string())
    }
}

impl From<rusqlite::Error> for PosError {
    /// Damage found while reading becomes the same clear error as damage found at start-up.
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                PosError::CorruptDatabase {
                    path: "till.db".into(),
                    detail: e.to_string(),
                }
            }
            _ => PosError::Db(e),
        }
    }
}

pub type Result<T, E = PosError> = std::result::Result<T, E>;
