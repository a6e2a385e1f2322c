//! The window's commands: each is one call into the core's `Counter`, answered with what the
//! screen shows or `{code, message}`. Nothing here computes or decides.

use tauri::State;

use super::{Desk, SyncBadge, UiError};
use pos_core::printing::PrintJob;
use pos_counter::{
    Amount, CartDto, CategoryDto, DeskSettings, FoundSale, ParkedDto, PrinterDto, ProductDto,
    ReportDto, SaleDone, StateDto, StockDto, StoreDto, TenderDto,
};

type Answer<T> = Result<T, UiError>;

#[tauri::command]
pub fn state(desk: State<'_, Desk>) -> Answer<StateDto> {
    desk.with(|c| c.state())
}

#[tauri::command]
pub fn login(desk: State<'_, Desk>, pin: String) -> Answer<StateDto> {
    desk.with(|c| c.login(&pin))
}

#[tauri::command]
pub fn logout(desk: State<'_, Desk>) -> Answer<()> {
    desk.with(|c| {
        c.logout();
        Ok(())
    })
}

#[tauri::command]
pub fn cart(desk: State<'_, Desk>) -> Answer<CartDto> {
    desk.with(|c| c.cart())
}

#[tauri::command]
pub fn scan(desk: State<'_, Desk>, code: String) -> Answer<CartDto> {
    desk.with(|c| c.scan(&code))
}

#[tauri::command]
pub fn set_qty(desk: State<'_, Desk>, line: u32, qty: i64) -> Answer<CartDto> {
    desk.with(|c| c.set_qty(line, qty))
}

#[tauri::command]
pub fn remove_line(desk: State<'_, Desk>, line: u32) -> Answer<CartDto> {
    desk.with(|c| c.remove_line(line))
}

#[tauri::command]
pub fn discount_line(
    desk: State<'_, Desk>,
    line: u32,
    text: String,
    approver: Option<String>,
) -> Answer<CartDto> {
    desk.with(|c| c.discount_line(line, &text, approver.as_deref()))
}

#[tauri::command]
pub fn discount_order(
    desk: State<'_, Desk>,
    text: String,
    approver: Option<String>,
) -> Answer<CartDto> {
    desk.with(|c| c.discount_order(&text, approver.as_deref()))
}

#[tauri::command]
pub fn void_cart(desk: State<'_, Desk>, confirm: bool) -> Answer<CartDto> {
    desk.with(|c| c.void_cart(confirm))
}

#[tauri::command]
pub fn search(desk: State<'_, Desk>, text: String) -> Answer<Vec<ProductDto>> {
    desk.with(|c| c.search(&text))
}

#[tauri::command]
pub fn categories(desk: State<'_, Desk>) -> Answer<Vec<CategoryDto>> {
    desk.with(|c| c.categories())
}

#[tauri::command]
pub fn category(desk: State<'_, Desk>, name: String) -> Answer<Vec<ProductDto>> {
    desk.with(|c| c.category(&name))
}

#[tauri::command]
pub fn quick_amounts(desk: State<'_, Desk>) -> Answer<Vec<Amount>> {
    desk.with(|c| c.quick_amounts())
}

#[tauri::command]
pub fn pay(desk: State<'_, Desk>, tenders: Vec<TenderDto>) -> Answer<SaleDone> {
    desk.after_sale(|c| c.pay(&tenders))
}

#[tauri::command]
pub fn park(desk: State<'_, Desk>, label: Option<String>) -> Answer<CartDto> {
    desk.with(|c| c.park(label.as_deref()))
}

#[tauri::command]
pub fn parked(desk: State<'_, Desk>) -> Answer<Vec<ParkedDto>> {
    desk.with(|c| c.parked())
}

#[tauri::command]
pub fn recall(desk: State<'_, Desk>, id: String) -> Answer<CartDto> {
    desk.with(|c| c.recall(&id))
}

#[tauri::command]
pub fn open_shift(desk: State<'_, Desk>, float: String) -> Answer<StateDto> {
    desk.with(|c| c.open_shift(&float))
}

#[tauri::command]
pub fn x_report(desk: State<'_, Desk>) -> Answer<ReportDto> {
    desk.with(|c| c.x_report())
}

#[tauri::command]
pub fn close_shift(desk: State<'_, Desk>, counted: String) -> Answer<ReportDto> {
    desk.with(|c| c.close_shift(&counted))
}

#[tauri::command]
pub fn find_sale(desk: State<'_, Desk>, reference: String) -> Answer<FoundSale> {
    desk.with(|c| c.find_sale(&reference))
}

#[tauri::command]
pub fn refund(
    desk: State<'_, Desk>,
    reference: String,
    approver: Option<String>,
) -> Answer<SaleDone> {
    desk.after_sale(|c| c.refund(&reference, approver.as_deref()))
}

#[tauri::command]
pub fn stock(desk: State<'_, Desk>, code: String) -> Answer<StockDto> {
    desk.with(|c| c.stock(&code))
}

#[tauri::command]
pub fn stock_receive(desk: State<'_, Desk>, code: String, qty: String) -> Answer<StockDto> {
    desk.after_sale(|c| c.stock_receive(&code, &qty))
}

#[tauri::command]
pub fn stock_count(desk: State<'_, Desk>, code: String, counted: String) -> Answer<StockDto> {
    desk.after_sale(|c| c.stock_count(&code, &counted))
}

#[tauri::command]
pub fn settings(desk: State<'_, Desk>) -> Answer<DeskSettings> {
    desk.with(|c| c.settings())
}

#[tauri::command]
pub fn set_settings(desk: State<'_, Desk>, settings: DeskSettings) -> Answer<DeskSettings> {
    desk.with(|c| c.set_settings(&settings))
}

#[tauri::command]
pub fn sync_status(desk: State<'_, Desk>) -> SyncBadge {
    desk.badge()
}

#[tauri::command]
pub fn enroll(
    desk: State<'_, Desk>,
    server: String,
    code: String,
) -> Answer<pos_core::sync::SyncStatus> {
    // The request may take seconds; the counter's lock is held only around it, never across
    // it, so the sell screen keeps answering.
    let terminal = desk.with(|c| c.enrolment())?;
    let endpoint = desk.with(|c| c.endpoint(&server))?;
    let enrolled =
        pos_core::sync::Network::enroll(&pos_sync_client::Http, &endpoint, code.trim(), &terminal)
            .map_err(UiError::from)?;
    desk.after_sale(|c| c.record_enrolment(&server, &enrolled))
}

#[tauri::command]
pub fn sync_now(desk: State<'_, Desk>) {
    desk.nudge_sync();
}

#[tauri::command]
pub fn receipt_preview(desk: State<'_, Desk>, reference: String) -> Answer<String> {
    desk.with(|c| c.receipt_preview(&reference))
}

#[tauri::command]
pub fn reprint(desk: State<'_, Desk>, reference: String) -> Answer<i64> {
    desk.after_sale(|c| c.reprint(&reference))
}

#[tauri::command]
pub fn print_problems(desk: State<'_, Desk>) -> Answer<Vec<PrintJob>> {
    desk.with(|c| c.print_problems())
}

#[tauri::command]
pub fn camera_start(app: tauri::AppHandle, desk: State<'_, Desk>) -> Answer<()> {
    desk.camera_start(app)
}

#[tauri::command]
pub fn camera_stop(desk: State<'_, Desk>) -> Answer<()> {
    desk.camera_stop();
    Ok(())
}

#[tauri::command]
pub fn store_details(desk: State<'_, Desk>) -> Answer<StoreDto> {
    desk.with(|c| c.store_details())
}

#[tauri::command]
pub fn set_store_details(desk: State<'_, Desk>, store: StoreDto) -> Answer<StoreDto> {
    desk.with(|c| c.set_store_details(&store))
}

#[tauri::command]
pub fn printer(desk: State<'_, Desk>) -> Answer<PrinterDto> {
    desk.with(|c| c.printer())
}

#[tauri::command]
pub fn set_printer(desk: State<'_, Desk>, printer: PrinterDto) -> Answer<PrinterDto> {
    desk.with(|c| c.set_printer(&printer))
}

#[tauri::command]
pub fn test_page(desk: State<'_, Desk>) -> Answer<i64> {
    desk.after_print(|c| c.queue_test_page())
}
