// Keyboard-wedge scanners type a whole code in a few milliseconds, then a terminator (Enter,
// Tab, or nothing and a pause). This tells such a burst from a person typing, with the settings
// the till keeps (`WedgeSettings` in `pos-app/scan/src/wedge.rs`); its cases are in
// tests/wedge.test.ts:
// - a key is held while keys come no more than `max_gap_ms` apart; a longer gap releases
//   what was held (as a scan when the terminator is a pause and the burst qualifies, else as
//   typing);
// - the configured terminator ends the burst: a scan if what was held carries the prefix and
//   the suffix and leaves at least `min_len` characters between them, else typing;
// - any other key that is not a character (Enter or Tab when they are not the terminator, the
//   arrows, Backspace, F-keys) releases what was held as typing: a burst with such a key in it
//   is never a scan. Modifier keys (Shift for capitals) are neither held nor release anything.
// The window cannot replay a key that is not a character, so such a key is not held: it
// releases what came before and goes on to the page as itself.
import type { ScannerSettings } from "./types";

/** `WedgeSettings::default()` in pos-scan, for before the till's own settings are read. */
export const defaultScanner: ScannerSettings = {
  max_gap_ms: 35,
  min_len: 4,
  prefix: "",
  suffix: "",
  terminator: "enter",
};

export type WedgeVerdict =
  | { kind: "scan"; code: string } // a scanner sent this code (prefix, suffix, terminator removed)
  | { kind: "typed"; text: string } // a person typed these characters: give them to the field
  | { kind: "pass" }; // this very key goes on to the page (always the last verdict)

const modifiers = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "NumLock", "Fn"]);
const terminatorKey = { enter: "Enter", tab: "Tab", pause: null } as const;

export class WedgeDetector {
  private held = "";
  private lastAt = 0;

  constructor(private current: ScannerSettings = defaultScanner) {}

  configure(settings: ScannerSettings): void {
    this.current = settings;
  }

  get settings(): ScannerSettings {
    return this.current;
  }

  /** Characters held, not yet decided. */
  get pending(): string {
    return this.held;
  }

  /** One key (KeyboardEvent.key) at `at` ms. Returns what it decides, oldest first; without
   * a `pass` verdict the key is swallowed (held, or the terminator of a scan). */
  key(key: string, at: number): WedgeVerdict[] {
    if (modifiers.has(key)) return [{ kind: "pass" }];
    const out: WedgeVerdict[] = [];
    if (this.held && at - this.lastAt > this.current.max_gap_ms) out.push(...this.flush());
    if (key === terminatorKey[this.current.terminator]) {
      const code = this.asScan();
      if (code !== null) {
        this.held = "";
        out.push({ kind: "scan", code });
        return out;
      }
      out.push(...this.release(), { kind: "pass" });
      return out;
    }
    if ([...key].length !== 1) {
      out.push(...this.release(), { kind: "pass" });
      return out;
    }
    this.held += key;
    this.lastAt = at;
    return out;
  }

  /** The timer: once keys have stopped for longer than `max_gap_ms`, release what was held.
   * Call it `max_gap_ms + 1` after the last key (see `due`). */
  tick(now: number): WedgeVerdict | null {
    if (!this.held || now - this.lastAt <= this.current.max_gap_ms) return null;
    return this.flush()[0] ?? null;
  }

  /** How long from the last key until `tick` releases it. */
  get due(): number {
    return this.current.max_gap_ms + 1;
  }

  private flush(): WedgeVerdict[] {
    if (this.current.terminator === "pause") {
      const code = this.asScan();
      if (code !== null) {
        this.held = "";
        return [{ kind: "scan", code }];
      }
    }
    return this.release();
  }

  private release(): WedgeVerdict[] {
    const text = this.held;
    this.held = "";
    return text ? [{ kind: "typed", text }] : [];
  }

  /** What was held as a scan: it carries the prefix and the suffix and leaves enough
   * characters between them (every gap inside it was already scanner-fast). */
  private asScan(): string | null {
    const { prefix, suffix, min_len } = this.current;
    const h = this.held;
    if (!h.startsWith(prefix) || !h.endsWith(suffix) || h.length < prefix.length + suffix.length) return null;
    const body = h.slice(prefix.length, h.length - suffix.length);
    return [...body].length >= min_len ? body : null;
  }
}
