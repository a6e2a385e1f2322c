// The portal's calls to its server. Every answer is the envelope {success, data, error}; a
// refusal becomes a PortalError carrying the server's code, which the page translates.
// Changes carry the session's CSRF proof in x-csrf-token.

export interface Amount { c: number; t: string }
export interface Rate { bp: number; t: string }
export interface Store { id: string; name: string; time_zone: string }
export interface User { id: string; email: string; role: "owner" | "manager" | "accountant"; stores: Store[] }
export interface SessionView { csrf: string; user: User | null }
export interface Point { sales: number; net: Amount }
export interface Totals {
  gross: Amount; discounts: Amount; refunds: Amount; net: Amount; tax: Amount;
  sales: number; refund_count: number; average_basket: Amount; collected: Amount;
}
export interface Terminal {
  id: string; store_id: string; store: string; name: string;
  last_seen_ms: number | null; last_seen: string | null; stale: boolean; revoked: boolean;
}
export interface Dashboard {
  range: { from: string; to: string };
  previous_range: { from: string; to: string };
  totals: Totals; previous_totals: Totals;
  taxes: { rate: Rate; base: Amount; tax: Amount; total: Amount }[];
  payments: { tender: string; amount: Amount }[];
  by_hour: { hour: number; current: Point; previous: Point }[];
  by_day: { day: string; current: Point; previous_day: string; previous: Point }[];
  top_products: { product_id: string; sku: string; name_fr: string; name_ar: string; quantity: string; net: Amount }[];
  top_categories: { category: string; net: Amount }[];
  by_cashier: { id: string; name: string; sales: number; refunds: number; net: Amount }[];
  by_terminal: { id: string; name: string; sales: number; refunds: number; net: Amount }[];
  terminals: Terminal[];
}
export interface ReceiptRow {
  id: string; kind: string; store: string; terminal: string; receipt_no: number; at: string;
  cashier: string; total: Amount; refund_of: string | null;
}
export interface ReceiptPage { receipts: ReceiptRow[]; next: string | null }
export interface Linked { id: string; receipt_no: number; at: string; total: Amount }
export interface Receipt {
  id: string; kind: string; store: string; terminal: string; receipt_no: number; at: string; cashier: string;
  lines: { line_no: number; sku: string; name: string; quantity: string; unit: string; unit_price: Amount; rate: Rate; gross: Amount; discount: Amount; net: Amount }[];
  subtotal: Amount; discount: Amount; total: Amount;
  taxes: { rate: Rate; base: Amount; tax: Amount; total: Amount }[];
  payments: { tender: string; amount: Amount; tendered: Amount; reference: string | null }[];
  change: Amount; refund_of: Linked | null; refunds: Linked[];
}
export type Block =
  | { kind: "text"; text: string; align: "start" | "centre"; big: boolean }
  | { kind: "row"; label: string; value: string; big: boolean }
  | { kind: "rule" }
  | { kind: "qr"; payload: string }
  | { kind: "feed" };
export interface Printed { lang: "fr" | "ar" | "en"; paper: string; blocks: Block[]; open_drawer: boolean }
export interface TvaRate { rate: Rate; base: Amount; tax: Amount; total: Amount }
export interface Tva {
  months: { month: string; rates: TvaRate[]; base: Amount; tax: Amount; total: Amount }[];
  rates: TvaRate[]; base: Amount; tax: Amount; total: Amount;
}

export interface ZFigures {
  sales_count: number; refunds_count: number; sales_total: Amount; refunds_total: Amount; net_total: Amount;
  discounts: Amount; cash_sales: Amount; cash_refunds: Amount; card_sales: Amount; card_refunds: Amount;
  cash_in: Amount; cash_out: Amount; expected_cash: Amount; counted_cash: Amount; over_short: Amount;
  till_expected_cash: Amount; agrees: boolean;
}
export interface Shift {
  id: string; store_id: string; store: string; terminal_id: string; terminal: string;
  opened_by: string; opened_at: string | null; closed_by: string; closed_at: string | null;
  closed: boolean; float: Amount; z: ZFigures | null;
}
export interface Shifts { shifts: Shift[] }
export interface ShiftDetail {
  shift: Shift;
  taxes: TvaRate[];
  events: { at: string; kind: string; amount: Amount | null; reason: string; by: string }[];
}

export class PortalError extends Error {
  constructor(public code: string, message: string) { super(message); }
}

let csrf = "";

async function unwrap<T>(resp: Response): Promise<T> {
  let body: { success?: boolean; data?: T; error?: { code: string; message: string } } = {};
  try { body = await resp.json(); } catch { /* not JSON: handled below */ }
  if (resp.ok && body.success) return body.data as T;
  throw new PortalError(body.error?.code ?? "INTERNAL", body.error?.message ?? resp.statusText);
}

export async function get<T>(path: string): Promise<T> {
  return unwrap<T>(await fetch(path, { credentials: "same-origin", headers: { accept: "application/json" } }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  const resp = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrf-token": csrf },
    body: JSON.stringify(body),
  });
  return unwrap<T>(resp);
}

export async function session(): Promise<SessionView> {
  const s = await get<SessionView>("/v1/portal/session");
  csrf = s.csrf;
  return s;
}

export async function signIn(email: string, password: string): Promise<SessionView> {
  const s = await post<SessionView>("/v1/portal/sign-in", { email, password });
  csrf = s.csrf;
  return s;
}

export const signOut = () => post<null>("/v1/portal/sign-out", {});

export const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== "") as [string, string][]).toString();
