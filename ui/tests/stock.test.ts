import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/lib/api";
import { ui } from "../src/lib/till.svelte";
import Stock from "../src/screens/Stock.svelte";
import type { StockDto } from "../src/lib/types";

const semolina = (conflicts: StockDto["conflicts"]): StockDto => ({
  sku: "EPI-0001",
  name: "Semoule moyenne Sim 1 kg",
  level_text: "48",
  reorder_point_text: "10",
  below_reorder: false,
  conflicts,
});

async function lookUp(answer: StockDto) {
  setTransport(async (cmd) => {
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
});
