//! The till's window: `pos-desktop --data-dir DIR` opens the till kept in DIR.

mod app;

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
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    restart_with_allocator_settings();
    let args = Args::parse();
    app::run(args.data_dir)
}

/// glibc keeps the memory of large blocks freed on the main thread (a receipt's raster, its
/// preview) in the heap: each large free raises its mmap threshold, and the heap is trimmed only
/// beyond twice that. Fixed thresholds hand such blocks back to the system; at the end of the
/// end-to-end run with a 100k catalog the window's heap is 12 MB instead of 28, its RSS 184 MB
/// instead of 200. glibc reads these settings when a process starts, so the window starts
/// itself again, once, with them (same process id: tools that launched it keep track of it).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn restart_with_allocator_settings() {
    use std::os::unix::process::CommandExt;
    const SETTINGS: &str = "glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072";
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if current.contains("glibc.malloc.mmap_threshold") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let tunables = if current.is_empty() {
        SETTINGS.to_owned()
    } else {
        format!("{current}:{SETTINGS}")
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", tunables)
        .exec();
    eprintln!("pos-desktop: starting without the allocator settings ({err})");
}
