import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ask, asking } from "../src/lib/ask.svelte";
import { ui } from "../src/lib/till.svelte";
import AskDialog from "../src/components/AskDialog.svelte";
import Cart from "../src/components/Cart.svelte";
import { fakeCore, loggedIn } from "./fake-core";

const settle = () => new Promise((r) => setTimeout(r, 0));

async function answer(text: string) {
  const input = (await screen.findByTestId("ask-input")) as HTMLInputElement;
  await fireEvent.input(input, { target: { value: text } });
  await fireEvent.click(screen.getByTestId("ask-ok"));
  await settle();
}

describe("questions asked in the window", () => {
  afterEach(() => {
    asking.current?.answer(null);
    cleanup();
  });
  let core: ReturnType<typeof fakeCore>;
  beforeEach(async () => {
    core = await loggedIn("6130502000100");
  });

  it("a discount above the cashier's limit asks for a manager's PIN, masked, then applies", async () => {
    render(Cart, { selected: null, onselect: () => {} });
    render(AskDialog);
    await fireEvent.click(screen.getByTestId("line-discount"));
    await answer("50 %");
    expect(core.calls.at(-1)).toEqual({
      cmd: "discount_line",
      args: { line: 1, text: "50 %", approver: null },
    });
    const pin = (await screen.findByTestId("ask-input")) as HTMLInputElement;
    expect(pin.type).toBe("password");
    expect(screen.getByRole("dialog").textContent).toContain("Accord du responsable");
    for (const k of "9999") await fireEvent.click(screen.getAllByText(k)[0]);
    await fireEvent.click(screen.getByTestId("ask-ok"));
    await settle();
    expect(core.calls.at(-1)).toEqual({
      cmd: "discount_line",
      args: { line: 1, text: "50 %", approver: "9999" },
    });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.getByTestId("cart-line").textContent).toContain("−50 %");
  });

  it("cancelling leaves the cart as it was and calls nothing", async () => {
    render(Cart, { selected: null, onselect: () => {} });
    render(AskDialog);
    const before = core.calls.length;
    await fireEvent.click(screen.getByTestId("line-discount"));
    await screen.findByTestId("ask-input");
    await fireEvent.keyDown(screen.getByRole("dialog"), { key: "Escape" });
    await settle();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(core.calls.length).toBe(before);
  });

  it("an answer the question does not accept keeps the dialog open with a message", async () => {
    render(AskDialog);
    const weight = ask({ title: "Poids", kind: "number", value: "", accept: /^[1-9][0-9]*$/ });
    await answer("12a");
    expect(screen.getByRole("alert").textContent).toContain("non valable");
    await answer("250");
    expect(await weight).toBe("250");
  });
});
