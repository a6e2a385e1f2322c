// A minimal W3C WebDriver client over fetch, enough to drive the till's window through
// tauri-driver (which hands the session to WebKitWebDriver).

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** An element as a script argument. */
export const ref = (el) => ({ [ELEMENT]: el });

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, application, args = []) {
    const body = {
      capabilities: {
        alwaysMatch: { "tauri:options": { application, args } },
      },
    };
    const res = await request(base, "POST", "/session", body);
    return new Session(base, res.sessionId ?? res.value?.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => e[ELEMENT]);
  }

  /** Waits until `css` matches (and, if given, its text satisfies `ok`). */
  async waitFor(css, ok = () => true, timeoutMs = 15000) {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
      try {
        const el = await this.find(css);
        last = await this.text(el);
        if (ok(last)) return el;
      } catch {
        // not there yet
      }
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${css} (last text: ${JSON.stringify(last)})`);
  }

  /** Waits until `css` matches exactly `n` elements; answers them. */
  async waitForCount(css, n, timeoutMs = 15000) {
    const end = Date.now() + timeoutMs;
    let found = [];
    while (Date.now() < end) {
      found = await this.findAll(css);
      if (found.length === n) return found;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${n} × ${css} (found ${found.length})`);
  }

  /** Clicks in the page (a DOM click: WebKitWebDriver's native click can stall under Xvfb). */
  async click(el) {
    await this.exec("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", [ref(el)]);
  }

  async text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  async attr(el, name) {
    return this.cmd("GET", `/element/${el}/attribute/${name}`);
  }

  async prop(el, name) {
    return this.cmd("GET", `/element/${el}/property/${name}`);
  }

  async exec(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Types `text` then Enter as one burst of key actions, like a keyboard-wedge scanner. */
  async keyBurst(text) {
    const keys = [];
    for (const ch of text) keys.push({ type: "keyDown", value: ch }, { type: "keyUp", value: ch });
    keys.push({ type: "keyDown", value: "\uE007" }, { type: "keyUp", value: "\uE007" });
    await this.cmd("POST", "/actions", {
      actions: [{ type: "key", id: "scanner", actions: keys }],
    });
    await this.cmd("DELETE", "/actions");
  }

  async end() {
    try {
      await this.cmd("DELETE", "");
    } catch {
      // the window may already be gone
    }
  }
}

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    signal: AbortSignal.timeout(60000),
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    const v = json.value ?? {};
    throw new Error(`${method} ${path}: ${res.status} ${v.error ?? ""} ${v.message ?? ""}`);
  }
  return json.value;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
