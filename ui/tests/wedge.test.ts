// The wedge detector's cases (the till's one detector; its settings are pos-scan's
// `WedgeSettings`). Enter or Tab inside typed text goes on to the page as itself (`pass`),
// written here as "⏎" / "⇥" after what it released.
import { describe, expect, it } from "vitest";
import { WedgeDetector, defaultScanner } from "../src/lib/wedge";
import type { ScannerSettings } from "../src/lib/types";

type Keys = [string, number][];

/** Keys at a steady pace: `text` from `t0`, one every `gap` ms ("\n" is Enter, "\t" Tab). */
function typed(text: string, t0: number, gap: number): Keys {
  return [...text].map((c, i) => [c === "\n" ? "Enter" : c === "\t" ? "Tab" : c, t0 + i * gap]);
}

/** Every verdict in order, a scan as `scan:CODE`, typing as its text, a passed key as ⏎/⇥/[key]. */
function run(settings: ScannerSettings, keys: Keys, end: number): string[] {
  const d = new WedgeDetector(settings);
  const out: string[] = [];
  for (const [k, at] of keys) {
    for (const v of d.key(k, at)) {
      if (v.kind === "scan") out.push(`scan:${v.code}`);
      else if (v.kind === "typed") out.push(v.text);
      else out.push(k === "Enter" ? "⏎" : k === "Tab" ? "⇥" : `[${k}]`);
    }
  }
  const last = d.tick(end);
  if (last?.kind === "scan") out.push(`scan:${last.code}`);
  else if (last?.kind === "typed") out.push(last.text);
  return out;
}

const dflt = defaultScanner;
const wth = (prefix: string, suffix: string, terminator: ScannerSettings["terminator"]) => ({
  ...defaultScanner,
  prefix,
  suffix,
  terminator,
});

describe("wedge detector, by the rules of pos-scan", () => {
  const cases: [string, ScannerSettings, Keys, string[]][] = [
    ["EAN-13 at 5 ms a key, then Enter", dflt, typed("6130001234565\n", 0, 5), ["scan:6130001234565"]],
    [
      "a person typing the same digits is typing",
      dflt,
      typed("6130001234565\n", 0, 180),
      [..."6130001234565", "⏎"],
    ],
    ["gap exactly at the limit is still a scanner", dflt, typed("12345678\n", 0, 35), ["scan:12345678"]],
    [
      "one gap over the limit splits the burst",
      dflt,
      [...typed("1234", 0, 5), ...typed("5678\n", 100, 5)],
      ["1234", "scan:5678"],
    ],
    ["too short a burst is typing (a fast double key press)", dflt, typed("12\n", 0, 5), ["12", "⏎"]],
    ["no Enter: keys are released as typing after the pause", dflt, typed("61300012", 0, 5), ["61300012"]],
    ["Enter alone is typing", dflt, typed("\n", 0, 5), ["⏎"]],
    [
      "Enter long after a burst: the burst was typing",
      dflt,
      [...typed("12345678", 0, 5), ...typed("\n", 500, 5)],
      ["12345678", "⏎"],
    ],
    ["prefix and suffix are removed", wth("]E0", "#", "enter"), typed("]E06130001234565#\n", 0, 3), ["scan:6130001234565"]],
    [
      "a fast burst without the configured prefix is typing",
      wth("]E0", "", "enter"),
      typed("6130001234565\n", 0, 3),
      ["6130001234565", "⏎"],
    ],
    ["Tab terminator", wth("", "", "tab"), typed("ABC-12345\t", 0, 4), ["scan:ABC-12345"]],
    ["with a Tab terminator, Enter is just a key", wth("", "", "tab"), typed("1234\n", 0, 4), ["1234", "⏎"]],
    ["with an Enter terminator, Tab is just a key", dflt, typed("1234\t", 0, 4), ["1234", "⇥"]],
    ["pause terminator: the burst ends when keys stop", wth("", "", "pause"), typed("96385074", 0, 4), ["scan:96385074"]],
    [
      "pause terminator: two scans back to back",
      wth("", "", "pause"),
      [...typed("96385074", 0, 4), ...typed("12345670", 200, 4)],
      ["scan:96385074", "scan:12345670"],
    ],
    [
      "two scans with Enter, one right after the other",
      dflt,
      [...typed("96385074\n", 0, 4), ...typed("96385074\n", 40, 4)],
      ["scan:96385074", "scan:96385074"],
    ],
    [
      "typing then a scan: both kept, in order",
      dflt,
      [...typed("qte", 0, 200), ...typed("96385074\n", 1000, 4)],
      ["q", "t", "e", "scan:96385074"],
    ],
    // Keys that are not characters.
    [
      "a navigation key releases what was held and goes through",
      dflt,
      [...typed("se", 0, 5), ["ArrowDown", 10]],
      ["se", "[ArrowDown]"],
    ],
    [
      "Shift for a capital letter neither splits a scan nor is held",
      wth("", "", "tab"),
      [["Shift", 0], ...typed("ABC-12345\t", 1, 4)],
      ["[Shift]", "scan:ABC-12345"],
    ],
  ];
  for (const [name, settings, keys, want] of cases) {
    it(name, () => {
      const end = (keys.at(-1)?.[1] ?? 0) + 1000;
      expect(run(settings, keys, end)).toEqual(want);
    });
  }

  it("holds keys only for the gap", () => {
    const d = new WedgeDetector(defaultScanner);
    expect(d.key("x", 100)).toEqual([]);
    expect(d.tick(120)).toBeNull();
    expect(d.tick(135)).toBeNull();
    expect(d.tick(136)).toEqual({ kind: "typed", text: "x" });
    expect(d.tick(2000)).toBeNull();
  });

  it("uses the gap of the settings, not a fixed one", () => {
    const d = new WedgeDetector({ ...defaultScanner, max_gap_ms: 150 });
    expect(d.due).toBe(151);
    for (const [k, at] of typed("1500", 0, 100)) expect(d.key(k, at)).toEqual([]);
    expect(d.tick(340)).toBeNull();
    expect(d.tick(451)).toEqual({ kind: "typed", text: "1500" });
  });

  it("holds every key of a burst so none reaches the field", () => {
    const d = new WedgeDetector(defaultScanner);
    expect(typed("6130502000100", 0, 4).every(([k, at]) => d.key(k, at).length === 0)).toBe(true);
  });
});
