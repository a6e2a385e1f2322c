// The window's state: what the core last said, the screen on show, and the one way every
// action calls the core (errors become a translated message; nothing is computed here).
import { api, isUiError } from "./api";
import { dirOf, digits, errorText, translate, type Key } from "./i18n";
import type { CartDto, DeskSettings, Lang, SaleDone, StateDto, SyncBadge } from "./types";

export type Screen =
  | "login"
  | "open-shift"
  | "sell"
  | "tender"
  | "done"
  | "refund"
  | "parked"
  | "shift"
  | "stock"
  | "settings";

export const ui = $state({
  screen: "login" as Screen,
  state: null as StateDto | null,
  cart: null as CartDto | null,
  badge: null as SyncBadge | null,
  lang: "fr" as Lang,
  arabicDigits: false,
  error: null as string | null,
  /** The core's code for the last refusal (e.g. DISCOUNT_NEEDS_APPROVAL), for screens that act on it. */
  errorCode: null as string | null,
  notice: null as string | null,
  done: null as SaleDone | null,
  busy: false,
});

export function t(key: Key): string {
  return translate(ui.lang, key);
}

/** Text that keeps its own left-to-right order inside an Arabic line (a bidi isolate, as on
 * the paper receipt), so `1 234,50` is not split at its space into `234,50 1`. */
export function ltr(text: string): string {
  return `\u2066${text}\u2069`;
}

/** Text of either direction (a product's name or its price) kept whole inside a line. */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/** The one way an amount is shown: the core's text, in the chosen digits, kept left to right,
 * with the currency of the language. */
export function money(text: string): string {
  return `${ltr(num(text))} ${t("currency")}`;
}

export function num(text: string | number): string {
  return digits(String(text), ui.lang === "ar" && ui.arabicDigits);
}

export function dir(): "rtl" | "ltr" {
  return dirOf(ui.lang);
}

export function applySettings(s: DeskSettings): void {
  ui.lang = s.language;
  ui.arabicDigits = s.arabic_digits;
  document.documentElement.lang = s.language;
  document.documentElement.dir = dirOf(s.language);
}

export function applyState(s: StateDto): void {
  ui.state = s;
  ui.cart = s.cart;
  applySettings(s.settings);
}

/** Runs one action; a refusal shows its message and leaves everything as it was. */
export async function act<T>(f: () => Promise<T>): Promise<T | undefined> {
  ui.error = null;
  ui.errorCode = null;
  ui.busy = true;
  try {
    return await f();
  } catch (e) {
    // Anything but the core's {code, message} (an argument the window could not hand over)
    // means nothing to a cashier: say what to do, keep the detail for the log.
    if (!isUiError(e)) console.error(e);
    ui.error = isUiError(e) ? errorText(ui.lang, e.cause ?? e.code, e.message) : t("error.unreadable");
    ui.errorCode = isUiError(e) ? e.code : null;
    return undefined;
  } finally {
    ui.busy = false;
  }
}

export async function refresh(): Promise<void> {
  const s = await act(() => api.state());
  if (s) applyState(s);
}

export async function login(pin: string): Promise<boolean> {
  const s = await act(() => api.login(pin));
  if (!s) return false;
  applyState(s);
  ui.screen = s.shift_open ? "sell" : "open-shift";
  return true;
}

export async function logout(): Promise<void> {
  await act(() => api.logout());
  ui.state = ui.state ? { ...ui.state, cashier: null } : null;
  ui.screen = "login";
}

export async function scan(code: string): Promise<boolean> {
  const cart = await act(() => api.scan(code));
  if (!cart) return false;
  ui.cart = cart;
  if (ui.screen !== "sell") ui.screen = "sell";
  return true;
}

export async function updateCart(f: () => Promise<CartDto>): Promise<void> {
  const cart = await act(f);
  if (cart) ui.cart = cart;
}

export function go(screen: Screen): void {
  ui.error = null;
  ui.notice = null;
  ui.screen = screen;
}
