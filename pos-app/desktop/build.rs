//! The desktop window's build step: Tauri reads `tauri.conf.json`, the capabilities and the
//! permissions of the till's own commands.

/// Every command the window may call; `permissions/till.toml` allows exactly these.
const COMMANDS: &[&str] = &[
    "state",
    "login",
    "logout",
    "cart",
    "scan",
    "set_qty",
    "remove_line",
    "discount_line",
    "discount_order",
    "void_cart",
    "search",
    "categories",
    "category",
    "quick_amounts",
    "pay",
    "park",
    "parked",
    "recall",
    "open_shift",
    "x_report",
    "close_shift",
    "find_sale",
    "refund",
    "stock",
    "stock_receive",
    "stock_count",
    "settings",
    "set_settings",
    "sync_status",
    "enroll",
    "sync_now",
    "receipt_preview",
    "reprint",
    "print_problems",
    "camera_start",
    "camera_stop",
    "store_details",
    "set_store_details",
    "printer",
    "set_printer",
    "test_page",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("the desktop window's Tauri configuration is invalid");
}
