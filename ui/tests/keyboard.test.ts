// The window at the keyboard: a wedge scanner and a person typing on the same keys, with the
// gap, the length and the terminator of the till's own settings (fake timers: key times exact).
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setTransport } from "../src/lib/api";
import { ui } from "../src/lib/till.svelte";
import type { ScannerSettings } from "../src/lib/types";
import App from "../src/App.svelte";
import { fakeCore } from "./fake-core";

/** Keys as KeyboardEvent.key names ("\n" Enter, "\t" Tab, "⌫" Backspace), one every `gap` ms,
 * each sent where the focus is. */
async function type(text: string, gap: number): Promise<void> {
  const names: Record<string, string> = { "\n": "Enter", "\t": "Tab", "⌫": "Backspace" };
  for (const c of text) {
    fireEvent.keyDown(document.activeElement ?? document.body, { key: names[c] ?? c });
    await vi.advanceTimersByTimeAsync(gap);
  }
}

const display = () => screen.getByTestId("keypad-display").textContent?.trim();

async function start(scanner: Partial<ScannerSettings> = {}, pin = true) {
  const core = fakeCore(scanner);
  setTransport(core.transport);
  ui.screen = "login";
  ui.state = null;
  render(App);
  await vi.advanceTimersByTimeAsync(10);
  if (pin) {
    await type("1111\n", 200);
    await vi.advanceTimersByTimeAsync(10);
  }
  return core;
}

describe("the keyboard and the scanner", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    ui.lang = "fr";
    ui.error = null;
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it("a scan at the PIN screen uses no attempt and says so; a typed PIN logs in", async () => {
    const core = await start({}, false);
    for (let i = 0; i < 5; i++) await type("6130502000100\n", 4);
    expect(core.calls.filter((c) => c.cmd === "login")).toEqual([]);
    expect(screen.getByTestId("error").textContent).toContain("C'était un code-barres : tapez votre code personnel.");
    expect(display()).toBe("");
    await type("1111\n", 200);
    expect(core.calls.filter((c) => c.cmd === "login").map((c) => c.args?.pin)).toEqual(["1111"]);
    expect(ui.screen).toBe("open-shift");
  });

  it("the float keypad takes digits, a decimal point as a comma, Backspace and Enter", async () => {
    const core = await start();
    expect(ui.screen).toBe("open-shift");
    await type("5000.57⌫5", 180);
    expect(display()).toBe("5000,55");
    await type("\n", 10);
    expect(core.calls.find((c) => c.cmd === "open_shift")?.args).toEqual({ float: "5000,55" });
    expect(ui.screen).toBe("sell");
  });

  for (const [gap, pause] of [[100, 200], [200, 200], [100, 0]]) {
    it(`a tender amount typed a key every ${gap} ms, Enter ${pause} ms later, arrives whole with the wedge gap at 150 ms`, async () => {
      const core = await start({ max_gap_ms: 150 });
      await type("\n", 200); // the float: nothing
      await type("6130502000100\n", 4);
      expect(ui.cart?.lines).toHaveLength(1);
      ui.screen = "tender";
      await vi.advanceTimersByTimeAsync(10);
      screen.getByRole("tab", { name: "Espèces" }).focus(); // the cashier clicked Cash first
      await type("1500", gap);
      await vi.advanceTimersByTimeAsync(pause);
      if (pause > 150) expect(display()).toBe("1500");
      await type("\n", 10);
      expect(core.calls.find((c) => c.cmd === "pay")?.args).toEqual({
        tenders: [{ tender: "cash", amount: "1500", reference: null }],
      });
      expect(ui.screen).toBe("done");
    });
  }

  it("honours a Tab terminator: the burst is a scan, Tab does not move the focus", async () => {
    const core = await start({ terminator: "tab" });
    await type("\n", 200);
    await type("6130502000100\t", 4);
    expect(core.calls.filter((c) => c.cmd === "scan").map((c) => c.args?.code)).toEqual(["6130502000100"]);
  });

  it("honours a pause terminator: a burst with nothing after it is a scan once keys stop", async () => {
    const core = await start({ terminator: "pause", max_gap_ms: 50 });
    await type("\n", 200);
    await type("6130502000100", 4);
    await vi.advanceTimersByTimeAsync(60);
    expect(core.calls.filter((c) => c.cmd === "scan").map((c) => c.args?.code)).toEqual(["6130502000100"]);
  });

  it("a settings number field can be typed into", async () => {
    await start({ max_gap_ms: 35 });
    await type("\n", 200);
    ui.screen = "settings";
    await vi.advanceTimersByTimeAsync(10);
    const gap = screen.getByTestId("settings-gap") as HTMLInputElement;
    gap.focus();
    await type("⌫⌫", 10); // the field's own Backspace is the browser's: empty it here
    gap.value = "";
    await type("150", 120);
    await vi.advanceTimersByTimeAsync(200);
    expect(gap.value).toBe("150");
  });
});
