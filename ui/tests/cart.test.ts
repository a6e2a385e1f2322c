import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ui } from "../src/lib/till.svelte";
import Cart from "../src/components/Cart.svelte";
import { fakeCore, loggedIn } from "./fake-core";

describe("the cart on screen", () => {
  afterEach(cleanup);
  let core: ReturnType<typeof fakeCore>;
  beforeEach(async () => {
    core = await loggedIn("6130502000100", "6130502000278");
  });

  it("shows the core's lines and total with the currency", () => {
    render(Cart, { selected: null, onselect: () => {} });
    expect(screen.getAllByTestId("cart-line")).toHaveLength(2);
    expect(screen.getByTestId("cart-total").textContent).toBe("\u2066220,00\u2069 DA");
  });

  it("+ asks the core for one more and shows its answer", async () => {
    render(Cart, { selected: null, onselect: () => {} });
    await fireEvent.click(screen.getAllByTestId("qty-more")[0]);
    await new Promise((r) => setTimeout(r, 0));
    expect(core.calls.at(-1)).toEqual({ cmd: "set_qty", args: { line: 1, qty: 2 } });
    expect(screen.getAllByTestId("line-qty")[0].textContent).toBe("2");
    expect(screen.getByTestId("cart-total").textContent).toBe("\u2066330,00\u2069 DA");
  });

  it("in Arabic the labels are Arabic and amounts can use Arabic-Indic digits", () => {
    ui.lang = "ar";
    ui.arabicDigits = true;
    render(Cart, { selected: null, onselect: () => {} });
    expect(screen.getByTestId("cart-total").textContent).toBe("\u2066٢٢٠,٠٠\u2069 دج");
    expect(screen.getAllByLabelText("واحد إضافي")).toHaveLength(2);
    ui.arabicDigits = false;
  });
});
