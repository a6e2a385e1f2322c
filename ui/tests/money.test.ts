// Amounts on screen: one function (money) for all of them, the figures kept left to right in a
// bidi isolate (U+2066 … U+2069, as on the paper receipt), so Arabic shows `1 320,00 دج` and
// not `320,00 1 دج`.
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api } from "../src/lib/api";
import { money, ui, updateCart } from "../src/lib/till.svelte";
import Cart from "../src/components/Cart.svelte";
import Tender from "../src/screens/Tender.svelte";
import Done from "../src/screens/Done.svelte";
import { loggedIn } from "./fake-core";

const settle = () => new Promise((r) => setTimeout(r, 0));
const LRI = "\u2066";
const PDI = "\u2069";

describe("amounts on screen", () => {
  beforeEach(async () => {
    await loggedIn("6130502000100");
    await updateCart(() => api.setQty(1, 12)); // 12 × 110,00 = 1 320,00
    ui.lang = "ar";
  });
  afterEach(() => {
    cleanup();
    ui.lang = "fr";
    ui.arabicDigits = false;
  });

  it("money() keeps the figures in a left-to-right isolate, the currency outside", () => {
    expect(money("1 320,00")).toBe(`${LRI}1 320,00${PDI} دج`);
    ui.arabicDigits = true;
    expect(money("1 320,00")).toBe(`${LRI}١ ٣٢٠,٠٠${PDI} دج`);
    ui.lang = "fr";
    expect(money("1 320,00")).toBe(`${LRI}1 320,00${PDI} DA`);
  });

  it("the cart's line and total of 1 000 and more are isolated in Arabic", () => {
    render(Cart, { selected: null, onselect: () => {} });
    expect(screen.getByTestId("cart-total").textContent).toBe(`${LRI}1 320,00${PDI} دج`);
    expect(screen.getByTestId("line-net").textContent).toBe(`${LRI}1 320,00${PDI} دج`);
  });

  it("the amount due and the quick cash buttons are isolated", async () => {
    render(Tender);
    await settle();
    expect(screen.getByTestId("due").textContent).toBe(`${LRI}1 320,00${PDI} دج`);
    expect(screen.getByTestId("quick-1").textContent?.trim()).toBe(`${LRI}2 000,00${PDI} دج`);
  });

  it("the change and the total of a sale done are isolated", async () => {
    ui.done = await api.pay([{ tender: "cash", amount: null, reference: null }]);
    render(Done);
    await settle();
    expect(screen.getByText(/1 320,00/).textContent).toBe(`${LRI}1 320,00${PDI} دج`);
    expect(screen.getByTestId("change").textContent).toBe(`${LRI}0,00${PDI} دج`);
  });
});
