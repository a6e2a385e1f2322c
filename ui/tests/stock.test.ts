import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setTransport } from "../src/lib/api";
import { ui } from "../src/lib/till.svelte";
import Stock from "../src/screens/Stock.svelte";
import type { StateDto, StockDto } from "../src/lib/types";

const semolina = (conflicts: StockDto["conflicts"]): StockDto => ({
  sku: "EPI-0001",
  name: "Semoule moyenne Sim 1 kg",
  level_text: "48",
  reorder_point_text: "10",
  below_reorder: false,
  conflicts,
});

async function lookUp(answer: StockDto, receive?: (args: Record<string, unknown>) => unknown) {
  setTransport(async (cmd, args) => {
    if (cmd === "stock_receive" && receive) return receive(args ?? {});
    if (cmd !== "stock") throw { code: "UNEXPECTED", message: cmd };
    return answer;
  });
  render(Stock);
  await fireEvent.input(screen.getByLabelText(/Code-barres|الرمز الشريطي/), { target: { value: "6130502000100" } });
  await fireEvent.submit(screen.getByLabelText(/Code-barres|الرمز الشريطي/).closest("form")!);
  await screen.findByTestId("stock-level");
}

describe("the stock screen", () => {
  afterEach(() => {
    cleanup();
    ui.lang = "fr";
    ui.state = null;
    ui.error = null;
  });

  it("shows no conflict notice for a product nobody edited twice", async () => {
    await lookUp(semolina([]));
    expect(screen.getByTestId("stock-level").textContent).toBe("48");
    expect(screen.queryByTestId("stock-conflicts")).toBeNull();
  });

  it("names a price two tills changed at once, with both prices, in the manager's language", async () => {
    ui.lang = "ar";
    await lookUp(semolina([{ field: "price", values: ["115,00 DA", "120,00 DA"] }]));
    const notice = screen.getByTestId("stock-conflicts");
    expect(notice.textContent).toContain("السعر");
    // Each value kept whole in its own direction inside the Arabic line.
    expect(notice.textContent).toContain("\u2068115,00 DA\u2069 · \u2068120,00 DA\u2069");
    expect(notice.getAttribute("role")).toBe("status");
  });

  describe("a manager receiving goods", () => {
    const asManager = () => (ui.state = { is_manager: true } as StateDto);
    async function receive(qty: string, answer: (args: Record<string, unknown>) => unknown) {
      asManager();
      await lookUp(semolina([]), answer);
      await fireEvent.input(screen.getByTestId("stock-qty"), { target: { value: qty } });
      await fireEvent.click(screen.getByTestId("stock-receive"));
      await new Promise((r) => setTimeout(r, 0));
    }

    it("sends a weighed quantity with a decimal comma as typed, for the core to read in kilograms", async () => {
      const sent: unknown[] = [];
      await receive(" 1,5 ", (args) => {
        sent.push(args.qty);
        return { ...semolina([]), level_text: "21,000 kg" };
      });
      expect(sent).toEqual(["1,5"]);
      expect(screen.getByTestId("stock-level").textContent).toBe("21,000 kg");
      expect(ui.error).toBeNull();
    });

    it("says what to type when the core cannot read the quantity", async () => {
      await receive("1,5", () => {
        throw { code: "INVALID_QUANTITY", message: "\"1,5\" is not a quantity" };
      });
      expect(ui.error).toBe("Quantité non valable : tapez un nombre entier de pièces, ou des kilos avec une virgule (1,5).");
    });

    it("never shows a raw error the window could not hand over to the core", async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      await receive("1,5", () => {
        throw "invalid args `qty` for command `stock_receive`: invalid type: null, expected i64";
      });
      expect(ui.error).toBe("La caisse n'a pas compris cette saisie : vérifiez-la et recommencez.");
      expect(logged).toHaveBeenCalled();
      logged.mockRestore();
    });
  });
});
