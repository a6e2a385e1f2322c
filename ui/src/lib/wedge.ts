// Keyboard-wedge scanners type a whole code in a few milliseconds and press Enter. This tells
// such a burst from a person typing: keys are held back while they come faster than
// `max_gap_ms`; a burst of at least `min_len` characters ended by Enter is a scan (never
// typed into the focused field); anything else is handed back to the field as typed.
import type { ScannerSettings } from "./types";

export type WedgeEvent =
  | { kind: "hold" } // swallow the key for now
  | { kind: "scan"; code: string } // a scanner burst ended: ring it up
  | { kind: "replay"; text: string; then: "enter" | "key" | "none" }; // a person: give the keys back

export class WedgeDetector {
  private buffer = "";
  private last = -Infinity;

  constructor(private settings: ScannerSettings) {}

  configure(settings: ScannerSettings): void {
    this.settings = settings;
  }

  /** Keys waiting to be classified. */
  get pending(): string {
    return this.buffer;
  }

  /** One key at time `at` (ms). `key` is KeyboardEvent.key. */
  key(key: string, at: number): WedgeEvent {
    const fast = at - this.last <= this.settings.max_gap_ms;
    if (key === "Enter") {
      const code = this.strip(this.buffer);
      const burst = fast && this.buffer.length >= this.settings.min_len && code.length > 0;
      const text = this.buffer;
      this.reset();
      if (burst) return { kind: "scan", code };
      return { kind: "replay", text, then: "enter" };
    }
    if (key.length !== 1) {
      const text = this.buffer;
      this.reset();
      return { kind: "replay", text, then: "key" };
    }
    if (this.buffer.length > 0 && !fast) {
      // Too slow to be a scanner: what was held is typing, and this key starts afresh.
      const text = this.buffer;
      this.buffer = key;
      this.last = at;
      return { kind: "replay", text, then: "none" };
    }
    this.buffer += key;
    this.last = at;
    return { kind: "hold" };
  }

  /** Called when no key came for `max_gap_ms`: what was held was typed by a person. */
  timeout(at: number): string {
    if (this.buffer.length === 0 || at - this.last < this.settings.max_gap_ms) return "";
    const text = this.buffer;
    this.reset();
    return text;
  }

  private strip(s: string): string {
    const { prefix, suffix } = this.settings;
    let out = s;
    if (prefix && out.startsWith(prefix)) out = out.slice(prefix.length);
    if (suffix && out.endsWith(suffix)) out = out.slice(0, out.length - suffix.length);
    return out.trim();
  }

  private reset(): void {
    this.buffer = "";
    this.last = -Infinity;
  }
}
