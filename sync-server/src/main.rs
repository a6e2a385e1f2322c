//! The sync server. Its API, apply pipeline and Postgres schema arrive with the sync issue; until
//! then the binary only says what it is.

fn main() {
    println!("sync-server {}: not yet serving", env!("CARGO_PKG_VERSION"));
}
