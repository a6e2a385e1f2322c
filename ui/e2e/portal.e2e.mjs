// The back-office portal end to end in a real browser: Debian's Chromium (/usr/bin/chromium,
// never a downloaded one) driven by playwright-core, against the real sync server started by
// the `portal-demo` example over a fresh Postgres database with a generated history. Signs in,
// compares the dashboard with SQL, opens a receipt and a shift's Z report, switches to Arabic and checks the layout is
// mirrored, exports a CSV and parses it, an accountant is refused a manager's action and another
// store's receipt, a POST without the CSRF proof is refused, wrong passwords lock the account,
// and axe-core finds no WCAG 2.1 AA violation. Screenshots in target/e2e-portal/.
//
// Usage: node ui/e2e/portal.e2e.mjs (from the repository root, after `make ui` and
// `cargo build -p sync-server --example portal-demo`). POS_BIN_DIR: default target/debug.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const root = resolve(import.meta.dirname, "../..");
const bin = resolve(root, process.env.POS_BIN_DIR ?? "target/debug");
const shots = join(root, "target/e2e-portal");
const db = `pos_portal_e2e_${process.pid}`;
const PASSWORD = "demo-portal-2026";
mkdirSync(shots, { recursive: true });

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL ${name} — ${e?.message ?? e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const sql = (q) => execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", q], { encoding: "utf8" }).trim();
const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });

const port = await freePort();
const server = spawn(join(bin, "examples/portal-demo"), [], {
  env: { ...process.env, DEMO_DATABASE: db, POS_LISTEN: `127.0.0.1:${port}`, DEMO_DAYS: "35", DEMO_SALES_PER_DAY: "12", RUST_LOG: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
  detached: true,
});
const base = await new Promise((ok, fail) => {
  let out = "";
  const timer = setTimeout(() => fail(new Error(`the demo server did not start: ${out}`)), 240_000);
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/portal: (http:\/\/\S+?)\/\n/);
    if (m && out.includes("Ctrl-C")) { clearTimeout(timer); ok(m[1]); }
  });
  server.on("exit", (c) => fail(new Error(`the demo server exited (${c}): ${out}`)));
});

const profile = mkdtempSync(join(tmpdir(), "portal-e2e-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1024, height: 768 }, // a tablet, landscape
  acceptDownloads: true,
  // Only so axe-core can be injected; the page's own CSP is checked below on the real headers.
  bypassCSP: true,
});
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const violations = [];
async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }));
  for (const v of r.violations) violations.push(`${label}: ${v.id} (${v.nodes.length}) ${v.nodes[0]?.target}`);
}

async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${base}/`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
}

const page = await context.newPage();
const dateSql = (from, to) => `(s.created_at AT TIME ZONE 'Africa/Algiers')::date >= '${from}' AND (s.created_at AT TIME ZONE 'Africa/Algiers')::date <= '${to}'`;

await check("the sign-in page is served with a CSP and has no WCAG AA violation", async () => {
  const resp = await page.goto(`${base}/`);
  assert(resp.headers()["content-security-policy"]?.includes("script-src 'self'"), "no CSP");
  await page.waitForSelector('input[name="email"]');
  await page.screenshot({ path: join(shots, "01-sign-in.png") });
  await axe(page, "sign-in");
});

await check("the owner signs in and the dashboard's figures equal SQL", async () => {
  await signIn(page, "owner@demo.dz");
  await page.waitForSelector('[data-figure="net"] .amount');
  const from = await page.inputValue('input[name="from"]');
  const to = await page.inputValue('input[name="to"]');
  const net = Number(await page.getAttribute('[data-figure="net"] strong .amount', "data-c"));
  const want = Number(sql(`SELECT coalesce(sum(CASE kind WHEN 'refund' THEN -total ELSE total END), 0) FROM sales s WHERE ${dateSql(from, to)}`));
  assert(want > 0 && net === want, `net ${net} vs SQL ${want} (${from}..${to})`);
  const sales = Number(await page.textContent('[data-figure="sales"] strong'));
  assert(sales === Number(sql(`SELECT count(*) FROM sales s WHERE kind = 'sale' AND ${dateSql(from, to)}`)), "sales count");
  const cash = Number(await page.getAttribute('[data-tender="cash"] .amount', "data-c"));
  const wantCash = Number(sql(`SELECT coalesce(sum(CASE s.kind WHEN 'refund' THEN -p.amount ELSE p.amount END), 0) FROM sales s JOIN payments p ON p.sale_id = s.id AND p.created_at = s.created_at WHERE p.tender = 'cash' AND ${dateSql(from, to)}`));
  assert(cash === wantCash, `cash ${cash} vs ${wantCash}`);
  assert(await page.isVisible("text=Caisse 3"), "the terminal that has not synced is named");
  await page.screenshot({ path: join(shots, "02-dashboard-fr.png"), fullPage: true });
  await axe(page, "dashboard fr");
});

await check("a receipt opens with its lines and total as recorded", async () => {
  await page.click('nav a[href="/receipts"]');
  await page.waitForSelector("table.receipts tbody tr[data-id]");
  const id = await page.getAttribute("table.receipts tbody tr[data-id]", "data-id");
  await page.click(`tr[data-id="${id}"] a`);
  await page.waitForSelector('[data-figure="total"] .amount');
  const total = Number(await page.getAttribute('[data-figure="total"] .amount', "data-c"));
  assert(total === Number(sql(`SELECT total FROM sales WHERE id = '${id}'`)), "total");
  const lines = await page.$$eval("table.lines tbody tr", (r) => r.length);
  assert(lines === Number(sql(`SELECT count(*) FROM sale_lines WHERE sale_id = '${id}'`)), "lines");
  // Beside it, the paper roll as the till printed it: its TOTAL row is the recorded total.
  await page.waitForSelector("[data-printed] .p-row.big");
  const printed = await page.textContent("[data-printed] .p-row.big");
  assert(printed.includes("TOTAL") && printed.replace(/\D/g, "") === String(total), `printed total ${printed} vs ${total} centimes`);
  await page.screenshot({ path: join(shots, "03-receipt.png"), fullPage: true });
  await axe(page, "receipt");
  await page.goBack();
  await page.waitForSelector("table.receipts");
  await axe(page, "receipts");
});

await check("in Arabic the layout is mirrored and amounts stay left-to-right", async () => {
  await page.click('nav a[href="/"]');
  await page.waitForSelector('[data-figure="net"] .amount');
  await page.selectOption(".lang select", "ar");
  await page.waitForFunction(() => document.documentElement.dir === "rtl");
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert(lang === "ar", `lang ${lang}`);
  const brand = await page.locator(".brand").boundingBox();
  const signOut = await page.locator("header button").boundingBox();
  assert(brand.x > signOut.x, "the title is on the right, sign-out on the left");
  const first = await page.locator(".tile").first().boundingBox();
  assert(first.x > 500, `the first tile starts on the right (x=${first.x})`);
  const dir = await page.getAttribute('[data-figure="net"] .amount', "dir");
  assert(dir === "ltr", "amounts are isolated left-to-right");
  await page.screenshot({ path: join(shots, "04-dashboard-ar.png"), fullPage: true });
  await axe(page, "dashboard ar");
  await page.selectOption(".lang select", "fr");
});

await check("the Shifts report shows each closed shift's Z as SQL recomputes it", async () => {
  await page.click('nav a[href="/shifts"]');
  await page.waitForSelector("tr[data-shift] button");
  const id = await page.getAttribute("tr.short[data-shift], tr[data-shift]", "data-shift");
  await page.click(`tr[data-shift="${id}"] button`);
  await page.waitForSelector('#z-report [data-figure="over-short"] .amount');
  const shown = (sel) => page.getAttribute(`#z-report [data-figure="${sel}"] .amount`, "data-c").then(Number);
  const raw = sql(`SELECT float + coalesce((SELECT sum(CASE s.kind WHEN 'refund' THEN -p.amount ELSE p.amount END) FROM payments p JOIN sales s ON s.id = p.sale_id WHERE s.shift_id = '${id}' AND p.tender = 'cash'), 0) + coalesce((SELECT sum(CASE kind WHEN 'cash_in' THEN amount WHEN 'cash_out' THEN -amount END) FROM shift_events WHERE shift_id = '${id}'), 0), counted_cash FROM shifts WHERE id = '${id}'`).split("|").map(Number);
  assert(await shown("expected") === raw[0], `expected ${await shown("expected")} vs SQL ${raw[0]}`);
  assert(await shown("over-short") === raw[1] - raw[0], `over/short ${await shown("over-short")} vs SQL ${raw[1] - raw[0]}`);
  await page.screenshot({ path: join(shots, "05-shift-z.png"), fullPage: true });
  await axe(page, "shifts");
});

await check("a CSV export downloads and parses (BOM, `;`, one row per sale line)", async () => {
  await page.click('nav a[href="/exports"]');
  await page.waitForSelector("#export-lines");
  const from = await page.inputValue('input[type="date"] >> nth=0');
  const to = await page.inputValue('input[type="date"] >> nth=1');
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-lines")]);
  const text = readFileSync(await download.path(), "utf8");
  assert(text.charCodeAt(0) === 0xfeff, "BOM");
  const rows = text.slice(1).trim().split("\r\n");
  assert(rows[0].startsWith("date;magasin;caisse"), rows[0]);
  const want = Number(sql(`SELECT count(*) FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.created_at = s.created_at WHERE ${dateSql(from, to)}`));
  assert(rows.length - 1 === want, `${rows.length - 1} rows vs ${want}`);
  const net = rows.slice(1).reduce((a, r) => a + Math.round(Number(r.split(";").at(-1).replace(",", ".")) * 100), 0);
  const wantNet = Number(sql(`SELECT coalesce(sum(CASE kind WHEN 'refund' THEN -total ELSE total END), 0) FROM sales s WHERE ${dateSql(from, to)}`));
  assert(net === wantNet, `net ${net} vs ${wantNet}`);
  await page.screenshot({ path: join(shots, "05-exports.png") });
  await axe(page, "exports");
});

await check("a POST without the CSRF proof is refused", async () => {
  const status = await page.evaluate(async () => (await fetch("/v1/portal/enrollment-codes", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status);
  assert(status === 403, `status ${status}`);
});

await check("an accountant is refused a manager's action and another store's receipt", async () => {
  await page.click("header button");
  await page.waitForSelector('input[name="email"]');
  await signIn(page, "accountant@demo.dz");
  await page.waitForSelector('[data-figure="net"]');
  await page.click('nav a[href="/terminals"]');
  await page.click("#make-code");
  await page.waitForSelector("#terminals-error");
  const refused = await page.textContent("#terminals-error");
  assert(refused.includes("accès"), refused);
  await page.screenshot({ path: join(shots, "06-accountant-refused.png") });
  const other = sql("SELECT s.id FROM sales s JOIN stores st ON st.id = s.store_id WHERE st.name = 'Superette Ennour' LIMIT 1");
  await page.goto(`${base}/receipts/${other}`);
  await page.waitForSelector('[role="alert"]');
  const text = await page.textContent('[role="alert"]');
  assert(text.includes("Introuvable"), text);
  await page.screenshot({ path: join(shots, "07-other-store-receipt.png") });
});

await check("wrong passwords lock the account, even for the right one", async () => {
  await page.click("header button");
  await page.waitForSelector('input[name="email"]');
  for (let i = 0; i < 5; i++) {
    await page.fill('input[name="email"]', "manager@demo.dz");
    await page.fill('input[name="password"]', "not the password");
    await page.click('button[type="submit"]');
    await page.waitForSelector("#signin-error");
  }
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForFunction(() => document.querySelector("#signin-error")?.textContent?.includes("bloqué"));
  await page.screenshot({ path: join(shots, "08-locked-out.png") });
  assert(Number(sql("SELECT count(*) FROM audit_log WHERE action = 'sign_in_locked'")) >= 1, "audited");
});

await check("axe-core finds no WCAG 2.1 AA violation", async () => {
  assert(violations.length === 0, violations.join("; "));
});

await context.close();
try { process.kill(-server.pid, "SIGINT"); } catch { /* already gone */ }
await new Promise((ok) => { server.on("exit", ok); setTimeout(ok, 5000); });
try { process.kill(-server.pid, "SIGKILL"); } catch { /* gone */ }
rmSync(profile, { recursive: true, force: true });
try { execFileSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc", `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]); } catch { /* left for inspection */ }
const passed = results.filter(Boolean).length;
console.log(`test result: portal-e2e. ${passed} passed; ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
