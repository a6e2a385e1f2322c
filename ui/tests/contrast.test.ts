// WCAG 2.1 AA: the colour pairs the window uses for text have a contrast ratio of at least 4.5:1.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// vitest runs in ui/.
const css = readFileSync("src/app.css", "utf8");
const vars = Object.fromEntries([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const color = (v: string) => (v.startsWith("#") ? v : vars[v]);

describe("text colours", () => {
  // [text, background, where]
  const pairs: [string, string, string][] = [
    ["ink", "bg", "body text"],
    ["muted", "#ffffff", "hints and secondary text on cards"],
    ["muted", "bg", "hints on the page"],
    ["#ffffff", "brand", "primary buttons"],
    ["#ffffff", "brand-dark", "the header"],
    ["#ffffff", "#374151", "ordinary buttons"],
    ["#7a1410", "#fde8e7", "error banner"],
    ["#0a5c26", "#e7f5ec", "notice banner"],
    ["#b42318", "#ffffff", "refusal in a dialog"],
  ];
  it.each(pairs)("%s on %s (%s) is at least 4.5:1", (fg, bg) => {
    expect(color(fg)).toBeDefined();
    expect(color(bg)).toBeDefined();
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });
});
