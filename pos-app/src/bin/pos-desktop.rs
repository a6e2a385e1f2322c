//! The till's window: `pos-desktop --data-dir DIR` opens the till kept in DIR.

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser)]
#[command(name = "pos-desktop", about = "The till's window (Tauri)")]
struct Args {
    /// Folder holding the till's database (created with `pos init`).
    #[arg(long, env = "POS_DATA_DIR", default_value = ".pos-data")]
    data_dir: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    pos_app::desktop::run(args.data_dir)
}
