import { beforeEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/lib/api";
import { login, money, scan, ui } from "../src/lib/till.svelte";
import { fakeCore } from "./fake-core";

describe("the window's state", () => {
  let core: ReturnType<typeof fakeCore>;
  beforeEach(() => {
    core = fakeCore();
    setTransport(core.transport);
    ui.screen = "login";
    ui.error = null;
    ui.lang = "fr";
  });

  it("a wrong PIN shows the translated refusal and stays on the PIN screen", async () => {
    expect(await login("1234")).toBe(false);
    expect(ui.error).toBe("Code incorrect.");
    expect(ui.screen).toBe("login");
  });

  it("logging in with no open shift asks for the float first", async () => {
    expect(await login("1111")).toBe(true);
    expect(ui.screen).toBe("open-shift");
  });

  it("a scan shows the core's cart and an unknown code loses nothing", async () => {
    await login("1111");
    expect(await scan("6130502000100")).toBe(true);
    expect(ui.cart?.lines.length).toBe(1);
    expect(await scan("0000000000000")).toBe(false);
    expect(ui.error).toBe("Produit inconnu : vérifiez le code.");
    expect(ui.cart?.lines.length).toBe(1);
    expect(core.calls.filter((c) => c.cmd === "scan").map((c) => c.args?.code)).toEqual([
      "6130502000100",
      "0000000000000",
    ]);
  });

  it("amounts show with the currency of the language and the chosen digits", () => {
    ui.lang = "ar";
    ui.arabicDigits = true;
    expect(money("1 234,50")).toBe("\u2066١ ٢٣٤,٥٠\u2069 دج");
    ui.lang = "fr";
    expect(money("1 234,50")).toBe("\u20661 234,50\u2069 DA");
  });
});
