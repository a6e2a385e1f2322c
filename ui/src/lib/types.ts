// The shapes the till's core sends (pos-app/src/counter/views.rs). Amounts come formatted.

export interface Amount {
  c: number;
  t: string;
}

export interface LineDto {
  line_no: number;
  name: string;
  name_ar: string;
  barcode: string | null;
  weighed: boolean;
  qty: number;
  qty_text: string;
  unit_price: Amount;
  gross: Amount;
  discount: Amount;
  discount_text: string | null;
  net: Amount;
}

export interface TaxDto {
  rate: string;
  base: Amount;
  tax: Amount;
  total: Amount;
}

export interface CartDto {
  cart_id: string;
  lines: LineDto[];
  items: number;
  order_discount: string | null;
  subtotal: Amount;
  discount_total: Amount;
  total: Amount;
  taxes: TaxDto[];
}

export interface ProductDto {
  id: string;
  sku: string;
  name: string;
  name_ar: string;
  code: string;
  price: Amount;
  weighed: boolean;
  stock_text: string;
}

export interface CategoryDto {
  name: string;
  count: number;
}

export interface SaleDone {
  sale_id: string;
  receipt_no: number;
  total: Amount;
  paid: Amount;
  change: Amount;
  receipt: string;
}

export interface TenderLine {
  tender: string;
  sales: Amount;
  refunds: Amount;
  net: Amount;
}

export interface ReportDto {
  closed: boolean;
  terminal: string;
  opened_by: string;
  sales_count: number;
  refunds_count: number;
  /** A cashier's X report is blind: the takings, float, cash in/out and expected cash are
   *  null, and it has no tender or TVA lines. */
  blind: boolean;
  sales_total: Amount | null;
  refunds_total: Amount | null;
  net_total: Amount | null;
  discounts: Amount | null;
  by_tender: TenderLine[];
  taxes: TaxDto[];
  float: Amount | null;
  cash_in: Amount | null;
  cash_out: Amount | null;
  expected_cash: Amount | null;
  counted_cash: Amount | null;
  difference: Amount | null;
}

export type Lang = "fr" | "ar" | "en";

export interface ScannerSettings {
  max_gap_ms: number;
  min_len: number;
  prefix: string;
  suffix: string;
  terminator: "enter" | "tab" | "pause";
}

export interface DeskSettings {
  language: Lang;
  arabic_digits: boolean;
  camera: number | null;
  scanner: ScannerSettings;
}

export interface Session {
  user_id: string;
  name: string;
  role: "cashier" | "manager" | "admin";
}

export interface StateDto {
  store_name: string;
  terminal_name: string;
  cashier: Session | null;
  is_manager: boolean;
  shift_open: boolean;
  cart: CartDto;
  parked: number;
  settings: DeskSettings;
}

export interface ParkedDto {
  id: string;
  label: string | null;
  lines: number;
  total: Amount;
}

export interface FoundSale {
  sale_id: string;
  receipt_no: number;
  is_refund: boolean;
  total: Amount;
  receipt: string;
}

export interface StockDto {
  sku: string;
  name: string;
  level_text: string;
  reorder_point_text: string;
  below_reorder: boolean;
  /** Fields changed on two tills at once, every value kept (the one in use first). */
  conflicts: { field: string; values: string[] }[];
}

export interface SyncProblem {
  direction: string;
  reference: string;
  code: string;
  message: string;
  at_ms: number;
}

export interface SyncBadge {
  server: string | null;
  online: boolean;
  pending: number;
  last_sync_ms: number | null;
  last_error: string | null;
  /** The code of `last_error`, the finer one when there is one (OFFLINE_TIMED_OUT, …). */
  last_error_code: string | null;
  problems: SyncProblem[];
  /** Receipts the printer has not printed, with the reason. */
  print_problems: PrintJob[];
}

export interface TenderDto {
  tender: "cash" | "card";
  amount: string | null;
  reference: string | null;
}

/** A refusal from the core: a stable code to translate, and the core's own message. */
export interface UiError {
  code: string;
  /** A finer code under `code` when there is one: why the sync server was not reached. */
  cause?: string;
  message: string;
}

/** A receipt that could not be printed yet (or at all), with the printer's reason. */
export interface PrintJob {
  id: number;
  kind: string;
  sale_id: string | null;
  printer: string | null;
  state: string;
  attempts: number;
  last_error_code: string | null;
  last_error: string | null;
}

/** What the camera thread sends after a frame (see counter/camera.rs). */
export interface CameraEvent {
  preview: string | null;
  read: { format: string; text: string; added: boolean } | null;
  cart: CartDto | null;
  error: UiError | null;
  stopped: boolean;
}

export interface StoreDto {
  name: string;
  address: string;
  nif: string;
  rc: string;
  phone: string;
  footer: string;
}

export interface PrinterDto {
  uri: string | null;
  paper: number;
  lang: Lang;
}
