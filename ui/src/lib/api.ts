// The till's commands, typed. Every call goes through `transport`, which is Tauri's IPC in the
// window and a fake in unit tests (setTransport).
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  Amount,
  CameraEvent,
  CartDto,
  CategoryDto,
  DeskSettings,
  FoundSale,
  ParkedDto,
  PrintJob,
  PrinterDto,
  ProductDto,
  ReportDto,
  SaleDone,
  StateDto,
  StockDto,
  StoreDto,
  SyncBadge,
  TenderDto,
  UiError,
} from "./types";

export type Transport = (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;

let transport: Transport = (cmd, args) => invoke(cmd, args);

export function setTransport(t: Transport): void {
  transport = t;
}

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  return transport(cmd, args) as Promise<T>;
}

export function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export const api = {
  state: () => call<StateDto>("state"),
  login: (pin: string) => call<StateDto>("login", { pin }),
  logout: () => call<void>("logout"),
  cart: () => call<CartDto>("cart"),
  scan: (code: string) => call<CartDto>("scan", { code }),
  setQty: (line: number, qty: number) => call<CartDto>("set_qty", { line, qty }),
  removeLine: (line: number) => call<CartDto>("remove_line", { line }),
  discountLine: (line: number, text: string, approver: string | null) =>
    call<CartDto>("discount_line", { line, text, approver }),
  discountOrder: (text: string, approver: string | null) =>
    call<CartDto>("discount_order", { text, approver }),
  voidCart: (confirm: boolean) => call<CartDto>("void_cart", { confirm }),
  search: (text: string) => call<ProductDto[]>("search", { text }),
  categories: () => call<CategoryDto[]>("categories"),
  category: (name: string) => call<ProductDto[]>("category", { name }),
  quickAmounts: () => call<Amount[]>("quick_amounts"),
  pay: (tenders: TenderDto[]) => call<SaleDone>("pay", { tenders }),
  park: (label: string | null) => call<CartDto>("park", { label }),
  parked: () => call<ParkedDto[]>("parked"),
  recall: (id: string) => call<CartDto>("recall", { id }),
  openShift: (float: string) => call<StateDto>("open_shift", { float }),
  xReport: () => call<ReportDto>("x_report"),
  closeShift: (counted: string) => call<ReportDto>("close_shift", { counted }),
  findSale: (reference: string) => call<FoundSale>("find_sale", { reference }),
  refund: (reference: string, approver: string | null) =>
    call<SaleDone>("refund", { reference, approver }),
  stock: (code: string) => call<StockDto>("stock", { code }),
  /** Quantities as typed ("3", "1,5" kg): the core reads them in the product's unit. */
  stockReceive: (code: string, qty: string) => call<StockDto>("stock_receive", { code, qty }),
  stockCount: (code: string, counted: string) => call<StockDto>("stock_count", { code, counted }),
  settings: () => call<DeskSettings>("settings"),
  setSettings: (settings: DeskSettings) => call<DeskSettings>("set_settings", { settings }),
  syncStatus: () => call<SyncBadge>("sync_status"),
  enroll: (server: string, code: string) => call<unknown>("enroll", { server, code }),
  syncNow: () => call<void>("sync_now"),
  receiptPreview: (reference: string) => call<string>("receipt_preview", { reference }),
  reprint: (reference: string) => call<number>("reprint", { reference }),
  printProblems: () => call<PrintJob[]>("print_problems"),
  cameraStart: () => call<void>("camera_start"),
  cameraStop: () => call<void>("camera_stop"),
  storeDetails: () => call<StoreDto>("store_details"),
  setStoreDetails: (store: StoreDto) => call<StoreDto>("set_store_details", { store }),
  printer: () => call<PrinterDto>("printer"),
  setPrinter: (printer: PrinterDto) => call<PrinterDto>("set_printer", { printer }),
  testPage: () => call<number>("test_page"),
};

/** Subscribes to one of the core's events; Tauri's in the window, a fake in unit tests. */
export type Listener = (event: string, f: (payload: unknown) => void) => Promise<() => void>;

let listener: Listener = (event, f) => listen(event, (e) => f(e.payload));

export function setListener(l: Listener): void {
  listener = l;
}

async function subscribe<T>(event: string, f: (payload: T) => void): Promise<() => void> {
  try {
    return await listener(event, (p) => f(p as T));
  } catch {
    return () => {};
  }
}

/** Calls `f` with each badge the sync thread sends; returns the unsubscribe function. */
export function onSync(f: (b: SyncBadge) => void): Promise<() => void> {
  return subscribe("sync", f);
}

/** Calls `f` with each camera event; returns the unsubscribe function. */
export function onCamera(f: (e: CameraEvent) => void): Promise<() => void> {
  return subscribe("camera", f);
}
