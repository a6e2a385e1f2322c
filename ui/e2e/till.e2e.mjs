// End to end in the real window: the built `pos-desktop` under Xvfb, driven through tauri-driver
// and WebKitWebDriver. A cashier logs in by PIN, opens the till, scans three demo barcodes as
// wedge bursts while the search box has focus, changes a quantity, pays cash with a quick
// amount, sees the right change; the sale is in the local database; then the layout turns
// right-to-left in Arabic; a manager turns the camera on and a barcode held in front of it is
// rung up. No sync server is configured: the badge shows what waits to be sent.
// Screenshots of each screen go to target/e2e/ (from Xvfb's frame buffer, see screen.mjs). Prints timings for the closing numbers.
//
// Usage: node ui/e2e/till.e2e.mjs   (from the repository root, after building pos and pos-desktop)
// Environment: POS_BIN_DIR (default target/debug), POS_E2E_CATALOG (a catalog imported after the
// demo one, e.g. 100k products), POS_E2E_SCANS (extra wedge bursts for the scan timing).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { screenShot } from "./screen.mjs";
import { ref, Session, sleep } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const bin = resolve(root, process.env.POS_BIN_DIR ?? "target/debug");
const demoCatalog = resolve(root, "fixtures/demo-catalog.csv");
const catalog = resolve(root, process.env.POS_E2E_CATALOG ?? demoCatalog);
// Extra wedge bursts after the sale, for the scan-to-paint benchmark (make bench-desktop).
const extraScans = Number(process.env.POS_E2E_SCANS ?? 0);
const shots = join(root, "target/e2e");

const BARCODES = ["6130502000100", "6130502000278", "6130502000445"];

const results = [];
function check(name, ok, detail = "") {
  results.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
  if (!ok) throw new Error(`check failed: ${name} ${detail}`);
}

function pos(data, ...args) {
  return execFileSync(join(bin, "pos"), ["--data-dir", data, ...args], {
    encoding: "utf8",
    env: { ...process.env, POS_PIN: "0000" },
  });
}

/** Starts `cmd` in its own process group, so `stop` also ends what it started (the native
 * driver and the window): a survivor from an earlier run would answer the next run's requests. */
function startProcess(cmd, args, env) {
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  child.on("error", (e) => console.error(`${cmd}: ${e.message}`));
  return child;
}

function stop(child) {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/** A TCP port nobody listens on now. */
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** An X display number with no server on it. */
function freeDisplay() {
  for (let n = 99; n < 199; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return `:${n}`;
  }
  throw new Error("no free X display between :99 and :198");
}

async function waitForPort(url, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`nothing answers on ${url}`);
}

function rssMb(name) {
  const out = execFileSync("ps", ["-C", name, "-o", "rss="], { encoding: "utf8" }).trim();
  return out ? Math.max(...out.split(/\s+/).map(Number)) / 1024 : NaN;
}

// Where a process's resident memory is, by mapping (anonymous memory, each library): printed
// with POS_E2E_MEMORY=1, to see what to cut.
function memoryMap(name) {
  const pid = execFileSync("ps", ["-C", name, "-o", "pid="], { encoding: "utf8" }).trim().split(/\s+/)[0];
  if (!pid) return "";
  const by = new Map();
  let current = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (head) current = head[1] || "[anon]";
    const rss = line.match(/^Rss:\s+(\d+) kB/);
    if (rss) by.set(current, (by.get(current) ?? 0) + Number(rss[1]));
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([k, v]) => `  ${(v / 1024).toFixed(1).padStart(6)} MB  ${k}`).join("\n");
}

function p95(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

async function main() {
  mkdirSync(shots, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), "pos-e2e-"));
  pos(data, "init", "--store", "Superette El Baraka", "--terminal", "Caisse 1");
  pos(data, "user", "import", join(root, "fixtures/users.json"));
  pos(data, "catalog", "import", demoCatalog, "--pin", "0000");
  if (catalog !== demoCatalog) pos(data, "catalog", "import", catalog, "--pin", "0000");
  const paper = join(data, "printer.bin");
  pos(data, "printer", "set", `file://${paper}`, "--pin", "9999");
  const cameraPicture = join(data, "camera.png");
  pos(data, "barcode", "ean13", BARCODES[0], "--out", cameraPicture);

  const display = process.env.POS_E2E_DISPLAY ?? freeDisplay();
  const driverPort = await freePort();
  const nativePort = await freePort();
  const fbdir = join(data, "screen");
  mkdirSync(fbdir);
  const xvfb = startProcess("Xvfb", [display, "-screen", "0", "1920x1080x24", "-fbdir", fbdir, "-nolisten", "tcp"]);
  await sleep(500);
  const driver = startProcess(
    process.env.TAURI_DRIVER ?? "tauri-driver",
    ["--port", String(driverPort), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"],
    { DISPLAY: display, POS_DATA_DIR: data, POS_CAMERA_FILES: cameraPicture, WEBKIT_DISABLE_COMPOSITING_MODE: "1" },
  );
  let session;
  try {
    await waitForPort(`http://127.0.0.1:${driverPort}/status`);
    const base = `http://127.0.0.1:${driverPort}`;
    const t0 = Date.now();
    session = await Session.start(base, join(bin, "pos-desktop"), ["--data-dir", data]);
    await session.waitFor('[data-testid="keypad-submit"]', () => true, 60000);
    const coldStartMs = Date.now() - t0;
    const shot = async (name) => {
      await sleep(150); // one more frame painted
      screenShot(fbdir, join(shots, `${name}.png`));
    };
    await shot("01-pin");

    const charset = await session.exec("return document.characterSet");
    check("the page declares UTF-8", charset === "UTF-8", charset);

    // PIN on the keypad.
    for (const d of "1111") await session.click(await session.find(`[data-key="${d}"]`));
    await session.click(await session.find('[data-testid="keypad-submit"]'));
    // First login of the day: open the till with a float.
    await session.waitFor(".open");
    await shot("02-open-shift");
    for (const d of "5000") await session.click(await session.find(`[data-key="${d}"]`));
    await session.click(await session.find('[data-testid="keypad-submit"]'));
    const search = await session.waitFor('[data-testid="search"]');
    await sleep(300);
    await shot("03-sell");
    const rssSell = rssMb("pos-desktop");
    if (process.env.POS_E2E_MEMORY) console.log(`memory on the sell screen:\n${memoryMap("pos-desktop")}`);

    // Three wedge bursts while the search box has focus.
    await session.click(search);
    for (const code of BARCODES) {
      await session.keyBurst(code);
      await sleep(150);
    }
    const lines = await session.waitForCount('[data-testid="cart-line"]', 3).catch(async () =>
      session.findAll('[data-testid="cart-line"]'));
    check("three bursts made three cart lines", lines.length === 3, `${lines.length} lines`);
    const typed = await session.prop(search, "value");
    check("nothing was typed into the search box", typed === "", JSON.stringify(typed));

    // Quantity + on the first line.
    await session.click(await session.find('[data-testid="qty-more"]'));
    await session.waitFor('[data-testid="line-qty"]', (t) => t.trim() === "2");
    check("the quantity went to 2", true);
    await shot("04-cart");
    const fits = await session.exec(
      "const m = document.querySelector('main'); return [m.scrollWidth, m.clientWidth, document.documentElement.scrollWidth, innerWidth]",
    );
    check("the sell screen fits the window's width", fits[0] <= fits[1] && fits[2] <= fits[3], fits.join(","));

    const total = Number(await session.attr(await session.find('[data-testid="cart-total"]'), "data-c"));
    await session.click(await session.find('[data-testid="pay"]'));
    const quick = await session.waitFor('[data-testid="quick-1"]');
    const handed = Number(await session.attr(quick, "data-c"));
    await shot("05-tender");
    await session.click(quick);
    const changeEl = await session.waitFor('[data-testid="change"]');
    const change = Number(await session.attr(changeEl, "data-c"));
    check("the change is what was handed over minus the total", change === handed - total,
      `handed ${handed}, total ${total}, change ${change}`);
    await shot("06-done");
    const receiptNo = (await session.text(await session.find('[data-testid="receipt-no"]'))).trim();
    await session.waitFor('[data-testid="receipt-preview"]');
    check("the receipt preview is the printer's raster", true);

    // Offline: no server, the badge counts the entries waiting (the shift and the sale).
    const pending = await session.waitFor('[data-testid="sync-pending"]', (t) => Number(t) >= 2);
    const badgeStatus = await session.attr(await session.find('[data-testid="sync-badge"]'), "data-status");
    check("offline, the badge shows the pending count", badgeStatus === "local",
      `${badgeStatus}, ${await session.text(pending)} pending`);

    await session.click(await session.find('[data-testid="next-sale"]'));
    if (extraScans > 0) {
      await session.click(await session.waitFor('[data-testid="search"]'));
      for (let i = 0; i < extraScans; i++) {
        await session.keyBurst(BARCODES[i % BARCODES.length]);
        await sleep(120);
      }
      await session.waitFor('[data-testid="cart-line"]');
      await session.click(await session.find('[data-testid="void"]'));
      await session.click(await session.waitFor('[data-testid="ask-ok"]'));
    }

    // Arabic: the whole layout turns right-to-left.
    await session.click(await session.waitFor('[data-testid="nav-settings"]'));
    await session.click(await session.waitFor('[data-testid="lang-ar"]'));
    await session.waitFor('[data-testid="nav-sell"]', (t) => t.includes("بيع"));
    const dir = await session.exec(
      "return [document.documentElement.dir, getComputedStyle(document.querySelector('header')).direction]",
    );
    check("Arabic lays the window out right-to-left", dir[0] === "rtl" && dir[1] === "rtl", dir.join(","));
    await shot("07-settings-ar");
    await session.click(await session.find('[data-testid="nav-sell"]'));
    await session.waitFor('[data-testid="search"]');
    await sleep(300);
    const navRight = await session.exec(
      "const r = document.querySelector('nav').getBoundingClientRect(); const w = document.querySelector('.who').getBoundingClientRect(); return r.left < w.left",
    );
    check("in Arabic the shop name sits on the right of the navigation", navRight === true);
    await shot("08-sell-ar");

    // Camera scanning: a manager turns the camera on; a printed barcode's picture stands in for
    // the camera (POS_CAMERA_FILES), and the read is highlighted on the preview and rung up.
    await session.click(await session.find('[data-testid="logout"]'));
    await session.waitFor('[data-testid="keypad-submit"]');
    for (const d of "9999") await session.click(await session.find(`[data-key="${d}"]`));
    await session.click(await session.find('[data-testid="keypad-submit"]'));
    await session.click(await session.waitFor('[data-testid="nav-settings"]'));
    const cameraField = await session.waitFor('[data-testid="settings-camera"]');
    await session.exec(
      "arguments[0].value = '0'; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
      [ref(cameraField)],
    );
    await session.click(await session.find('[data-testid="settings-save"]'));
    await session.click(await session.find('[data-testid="nav-sell"]'));
    await session.click(await session.waitFor('[data-testid="camera-open"]'));
    await session.waitFor('[data-testid="camera-picture"]');
    const read = await session.waitFor('[data-testid="camera-read"]', (t) => t.includes(BARCODES[0]), 20000);
    const look = await session.exec("return arguments[0].parentElement.dataset.read", [ref(read)]);
    await session.waitFor('[data-testid="cart-line"]');
    const camLines = (await session.findAll('[data-testid="cart-line"]')).length;
    check("the camera's read is highlighted on its picture and rung up once",
      (look === "added" || look === "held") && camLines === 1, `${look}, ${camLines} line(s)`);
    await shot("09-camera");
    await session.click(await session.find('[data-testid="camera-close"]'));

    // A full-HD counter screen and a tablet's 1024×768: the sell screen fits, pay stays on screen.
    for (const [width, height, name] of [[1920, 1080, "10-full-hd"], [1024, 768, "11-tablet"]]) {
      await session.cmd("POST", "/window/rect", { x: 0, y: 0, width, height });
      await sleep(500);
      const fit = await session.exec(
        "const p = document.querySelector('[data-testid=pay]').getBoundingClientRect(); const m = document.querySelector('main'); return [innerWidth, innerHeight, m.scrollWidth <= m.clientWidth, p.bottom <= innerHeight && p.left >= 0 && p.right <= innerWidth]",
      );
      check(`at ${width}×${height} the sell screen fits and the pay button is on screen`,
        fit[0] === width && fit[2] === true && fit[3] === true, fit.join(","));
      await shot(`${name}-${width}x${height}`);
    }

    const scanMs = await session.exec("return window.__posScanMs");
    const rss = rssMb("pos-desktop");
    if (process.env.POS_E2E_MEMORY) console.log(`memory at the end:\n${memoryMap("pos-desktop")}`);
    await session.end();
    session = undefined;

    // The receipt went to the file printer, as ESC/POS bytes, once.
    const printed = readFileSync(paper).toString("latin1");
    const cuts = printed.split("\x1dV").length - 1;
    check("the receipt landed in the file:// printer", printed.includes("Semoule") && cuts === 1,
      `${printed.length} bytes, ${cuts} cut(s)`);

    // The sale is in the local database.
    const receipt = JSON.parse(pos(data, "--json", "receipt", receiptNo));
    check("the sale is in the till's database", receipt.text.includes("Semoule"), `receipt ${receiptNo}`);

    console.log(`\ncold start to PIN screen: ${coldStartMs} ms`);
    console.log(`scan burst Enter to cart line painted: ${scanMs.map((x) => x.toFixed(1)).join(", ")} ms (p95 ${p95(scanMs).toFixed(1)} ms)`);
    console.log(`pos-desktop RSS: ${rssSell.toFixed(0)} MB on the sell screen, ${rss.toFixed(0)} MB at the end (after receipts, camera and resizes; catalog ${catalog})`);
    console.log(`screenshots: ${shots}`);
  } finally {
    if (session) await session.end();
    stop(driver);
    stop(xvfb);
    await Promise.race([new Promise((ok) => xvfb.once("exit", ok)), sleep(3000)]);
    rmSync(data, { recursive: true, force: true });
  }
}

main()
  .then(() => {
    console.log(`test result: ok. ${results.length} passed; 0 failed; e2e`);
  })
  .catch((e) => {
    console.error(e);
    const passed = results.filter((r) => r.ok).length;
    console.log(`test result: FAILED. ${passed} passed; 1 failed; e2e`);
    process.exit(1);
  });
