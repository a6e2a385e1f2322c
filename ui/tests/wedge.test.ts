import { describe, expect, it } from "vitest";
import { WedgeDetector, type WedgeEvent } from "../src/lib/wedge";

const settings = { max_gap_ms: 35, min_len: 6, prefix: "", suffix: "", terminator: "enter" as const };

/** Feeds keys typed at the given times and returns the last event. */
function feed(d: WedgeDetector, keys: [string, number][]): WedgeEvent[] {
  return keys.map(([k, t]) => d.key(k, t));
}

function typed(text: string, start: number, gap: number): [string, number][] {
  return [...text].map((c, i) => [c, start + i * gap]);
}

describe("wedge detector", () => {
  const cases: { name: string; keys: [string, number][]; last: WedgeEvent }[] = [
    {
      name: "an EAN-13 at 5 ms per key is a scan",
      keys: [...typed("6130502000100", 0, 5), ["Enter", 65]],
      last: { kind: "scan", code: "6130502000100" },
    },
    {
      name: "a scanner at the gap limit is still a scan",
      keys: [...typed("61305020", 0, 35), ["Enter", 280]],
      last: { kind: "scan", code: "61305020" },
    },
    {
      name: "a short burst (a PIN typed fast) is typing",
      keys: [...typed("1111", 0, 5), ["Enter", 20]],
      last: { kind: "replay", text: "1111", then: "enter" },
    },
    {
      name: "Enter long after the last key is typing",
      keys: [...typed("6130502000100", 0, 5), ["Enter", 500]],
      last: { kind: "replay", text: "6130502000100", then: "enter" },
    },
    {
      name: "a person typing a search word gets each key back",
      keys: typed("sem", 0, 120),
      last: { kind: "replay", text: "e", then: "none" },
    },
    {
      name: "a navigation key flushes what was held",
      keys: [...typed("se", 0, 5), ["ArrowDown", 10]],
      last: { kind: "replay", text: "se", then: "key" },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const events = feed(new WedgeDetector(settings), c.keys);
      expect(events[events.length - 1]).toEqual(c.last);
    });
  }

  it("strips the scanner's configured prefix and suffix", () => {
    const d = new WedgeDetector({ ...settings, prefix: "]E0", suffix: "#" });
    const events = feed(d, [...typed("]E06130502000100#", 0, 3), ["Enter", 60]]);
    expect(events.at(-1)).toEqual({ kind: "scan", code: "6130502000100" });
  });

  it("gives held keys back after a pause", () => {
    const d = new WedgeDetector(settings);
    feed(d, typed("la", 0, 10));
    expect(d.timeout(20)).toBe("");
    expect(d.timeout(60)).toBe("la");
    expect(d.pending).toBe("");
  });

  it("holds every key of a burst so none reaches the field", () => {
    const events = feed(new WedgeDetector(settings), typed("6130502000100", 0, 4));
    expect(events.every((e) => e.kind === "hold")).toBe(true);
  });
});
