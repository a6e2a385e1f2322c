//! Printing: receipts on paper in three languages, the print queue and its worker against real TCP and pty printers.
#![allow(clippy::unwrap_used)]

mod printer_outage;
mod printing;
mod printing_queue;
