// A stand-in for the Tauri IPC in unit tests: a tiny till with two products and PIN 1111.
import { setTransport } from "../src/lib/api";
import { login, scan, ui } from "../src/lib/till.svelte";
import type { CartDto, ScannerSettings, StateDto } from "../src/lib/types";

/** A fresh fake core behind the window's state, Amina logged in (French), `codes` scanned. */
export async function loggedIn(...codes: string[]): Promise<ReturnType<typeof fakeCore>> {
  const core = fakeCore();
  setTransport(core.transport);
  ui.lang = "fr";
  await login("1111");
  for (const code of codes) await scan(code);
  return core;
}

/** Centimes as the core writes them: `1 234,50` (a space between thousands). */
const amount = (c: number) => ({
  c,
  t: (c / 100).toFixed(2).replace(".", ",").replace(/\B(?=(\d{3})+,)/g, " "),
});

export function fakeCore(scanner: Partial<ScannerSettings> = {}) {
  const calls: { cmd: string; args?: Record<string, unknown> }[] = [];
  const products: Record<string, { name: string; price: number }> = {
    "6130502000100": { name: "Semoule moyenne Sim 1 kg", price: 11000 },
    "6130502000278": { name: "Semoule fine Sim 1 kg", price: 11000 },
  };
  const lines: { code: string; qty: number; discount?: string }[] = [];
  const parked: { label: unknown; lines: unknown[] }[] = [];
  let logged = false;
  let shiftOpen = false;
  const cart = (): CartDto => {
    const ls = lines.map((l, i) => {
      const p = products[l.code];
      return {
        line_no: i + 1,
        name: p.name,
        name_ar: "",
        barcode: l.code,
        weighed: false,
        qty: l.qty,
        qty_text: String(l.qty),
        unit_price: amount(p.price),
        gross: amount(p.price * l.qty),
        discount: amount(0),
        discount_text: l.discount ?? null,
        net: amount(p.price * l.qty),
      };
    });
    const total = ls.reduce((s, l) => s + l.net.c, 0);
    return {
      cart_id: "c1",
      lines: ls,
      items: lines.reduce((s, l) => s + l.qty, 0),
      order_discount: null,
      subtotal: amount(total),
      discount_total: amount(0),
      total: amount(total),
      taxes: [],
    };
  };
  const state = (): StateDto => ({
    store_name: "Superette El Baraka",
    terminal_name: "Caisse 1",
    cashier: logged ? { user_id: "u1", name: "Amina", role: "cashier" } : null,
    is_manager: false,
    shift_open: shiftOpen,
    cart: cart(),
    parked: 0,
    settings: {
      language: "fr",
      arabic_digits: false,
      camera: null,
      scanner: { max_gap_ms: 35, min_len: 6, prefix: "", suffix: "", terminator: "enter" as const, ...scanner },
    },
  });
  const transport = async (cmd: string, args?: Record<string, unknown>) => {
    calls.push({ cmd, args });
    switch (cmd) {
      case "state":
        return state();
      case "login":
        if (args?.pin !== "1111") throw { code: "WRONG_PIN", message: "wrong PIN" };
        logged = true;
        return state();
      case "scan": {
        const code = String(args?.code);
        if (!products[code]) throw { code: "UNKNOWN_PRODUCT", message: `no product ${code}` };
        lines.push({ code, qty: 1 });
        return cart();
      }
      case "set_qty": {
        const line = lines[Number(args?.line) - 1];
        if (!line) throw { code: "NO_SUCH_LINE", message: "no such line" };
        line.qty = Number(args?.qty);
        return cart();
      }
      case "discount_line": {
        const line = lines[Number(args?.line) - 1];
        if (!line) throw { code: "NO_SUCH_LINE", message: "no such line" };
        if (String(args?.text).trim() !== "10 %" && args?.approver !== "9999") {
          throw { code: "DISCOUNT_NEEDS_APPROVAL", message: "needs a manager" };
        }
        line.discount = String(args?.text);
        return cart();
      }
      case "cart":
        return cart();
      case "categories":
      case "search":
        return [];
      case "open_shift":
        shiftOpen = true;
        return state();
      case "quick_amounts":
        return [cart().total.c, 200_000].map(amount);
      case "pay": {
        const total = cart().total.c;
        lines.splice(0);
        return { sale_id: "s1", receipt_no: 1, total: amount(total), paid: amount(total), change: amount(0), receipt: "" };
      }
      case "receipt_preview":
        return null;
      case "print_problems":
        return [];
      case "camera_start":
      case "camera_stop":
        return null;
      case "park":
        parked.push({ label: args?.label ?? null, lines: lines.splice(0) });
        return cart();
      default:
        throw { code: "INVALID_INPUT", message: `fake core has no ${cmd}` };
    }
  };
  return { calls, transport, parked };
}
