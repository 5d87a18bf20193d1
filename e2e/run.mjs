// End-to-end tests of the hall's pages in headless Chromium (playwright-core on /usr/bin/chromium):
// starts the real service with the demo marketplace in a temp dir, then drives /kiosk, /dashboard
// and /board as a household, an official and the wall screen would, asserting on what is shown.
// Also runs axe-core on every page (no serious or critical violations) and fails on any console
// error. Screenshots go to artifacts/e2e/ (E2E_UPDATE_DOCS=1 also copies them to docs/screenshots/).
//
//   node e2e/run.mjs            (after `cargo build`; ANJU_BIN, CHROMIUM_PATH, E2E_ARTIFACTS override)

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const BIN = process.env.ANJU_BIN || path.join(ROOT, "target/debug/anju");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(ROOT, "artifacts/e2e"));
const DOCS = path.join(ROOT, "docs/screenshots");
// the set committed under docs/screenshots/ (the print preview and the approvals page stay artifacts)
const DOC_SHOTS = /^(kiosk-(login|matches|search|hold|confirmation)|dashboard|board)-\d+x\d+\.png$/;
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const PORTRAIT = { width: 1080, height: 1920, name: "1080x1920" };
const LANDSCAPE = { width: 1920, height: 1080, name: "1920x1080" };
// demo project names and their pinyin initials; the first one the search API confirms is used
const SEARCH_CANDIDATES = [["jcxc", "江城新城"], ["xhgg", "星河公馆"], ["dhyj", "东湖雅居"], ["flhy", "枫林花园"]];

let passed = 0;
const failures = [];
const axeReport = [];
const shots = [];

function check(cond, what) {
  if (!cond) throw new Error("assertion failed: " + what);
  passed += 1;
}
function equal(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
const log = (...a) => console.log("[e2e]", ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// the pages' number formats, to compare with what the API says
const num = (n) => new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 }).format(n);
const yuan = (n) => num(n) + " 元";
const m2 = (n) => new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n) + " m²";

// ---------------------------------------------------------------- the service

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startService() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anju-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  log(`starting ${BIN} serve --demo in ${dir} on ${base}`);
  const child = spawn(BIN, ["serve", "--demo"], {
    cwd: dir,
    env: Object.assign({}, process.env, { ANJU_LISTEN: `127.0.0.1:${port}`, ANJU_LOG: "warn", NO_COLOR: "1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  const exited = new Promise((r) => child.on("exit", (code) => r(code)));
  const deadline = Date.now() + 300_000;
  let try_;
  while (Date.now() < deadline) {
    try_ = out.match(/try a household:\s+voucher (\S+), PIN (\d+)/);
    if (try_) break;
    if (child.exitCode !== null) throw new Error("service exited early:\n" + out);
    await sleep(250);
  }
  if (!try_) throw new Error("no demo welcome within 300 s:\n" + out);
  for (;;) {
    try {
      const h = await (await fetch(base + "/healthz")).json();
      if (h.status === "ok") break;
    } catch (e) { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error("service never healthy:\n" + out);
    await sleep(200);
  }
  return {
    base, dir, child, exited, output: () => out,
    adminToken: fs.readFileSync(path.join(dir, "admin.token"), "utf8").trim(),
    welcome: { voucher: try_[1], pin: try_[2] },
  };
}

async function stopService(svc) {
  if (!svc || svc.child.exitCode !== null) return;
  svc.child.kill("SIGTERM");
  await Promise.race([svc.exited, sleep(10_000)]);
  if (svc.child.exitCode === null) svc.child.kill("SIGKILL");
}

function readSlips(dir) {
  const text = fs.readFileSync(path.join(dir, "demo-voucher-slips.csv"), "utf8").replace(/^\uFEFF/, "");
  const [head, ...rows] = text.trim().split(/\r?\n/);
  const cols = head.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i], v])));
}

// ---------------------------------------------------------------- the API, for expectations

function apiClient(base) {
  return async function api(method, p, { token, body } = {}) {
    const headers = {};
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = text; }
    if (!res.ok) {
      const err = new Error(`${method} ${p} → ${res.status} ${text.slice(0, 200)}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  };
}

/** Households from the slips whose kiosk state matches `want(me)`, looked up through the API. */
async function findHouseholds(api, slips, want, howMany, skip) {
  const found = [];
  for (const s of slips) {
    if (s.method !== "hall" || skip.has(s.voucher_no)) continue;
    const { token } = await api("POST", "/api/v1/kiosk/login", { body: { voucher_no: s.voucher_no, pin: s.pin } });
    const me = await api("GET", "/api/v1/kiosk/me", { token });
    await api("POST", "/api/v1/kiosk/logout", { token });
    if (want(me)) found.push(Object.assign({}, s, { me }));
    if (found.length >= howMany) break;
  }
  return found;
}

const freeToChoose = (me) => me.round && me.round.open && me.round.your_turn && !me.active_hold && me.reservations.length === 0;
const notYetCalled = (me) => me.round && me.round.open && !me.round.your_turn;

// ---------------------------------------------------------------- the browser

class Pages {
  constructor(browser, base) {
    this.browser = browser;
    this.base = base;
  }

  /** A fresh context at `size`; every console error or page error is recorded against `label`. */
  async open(pathname, size, label, { allowRefusals = false } = {}) {
    const context = await this.browser.newContext({
      viewport: { width: size.width, height: size.height }, deviceScaleFactor: 1,
      locale: "zh-CN", timezoneId: "Asia/Shanghai", acceptDownloads: true,
    });
    const page = await context.newPage();
    page.errors = [];
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const text = msg.text();
      const url = (msg.location() && msg.location().url) || "";
      // a refusal the test provokes on purpose (wrong PIN, not called yet) is logged by Chromium
      // as a failed resource; anything else (script error, CSP violation, 404 asset) is a failure
      if (allowRefusals && /Failed to load resource: the server responded with a status of 4\d\d/.test(text) && url.includes("/api/v1/")) return;
      page.errors.push(`${label}: console error: ${text} ${url}`);
    });
    page.on("pageerror", (err) => page.errors.push(`${label}: page error: ${err.message}`));
    await page.goto(this.base + pathname, { waitUntil: "load" });
    return page;
  }

  async close(page) {
    const errors = page.errors;
    await page.context().close();
    check(errors.length === 0, "no console errors:\n  " + errors.join("\n  "));
  }
}

async function shot(page, name, size, opts = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${name}-${size.name}.png`;
  await page.evaluate(() => document.fonts && document.fonts.ready);
  await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: !!opts.fullPage });
  shots.push(file);
}

async function axe(page, label, { enforce = true } = {}) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    // injected through the DevTools protocol: the page's CSP (script-src 'self') does not apply
    await page.evaluate(AXE_SOURCE);
  }
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  axeReport.push({
    label, passes: result.passes.length,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
  });
  const summary = bad.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}×: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")})`);
  log(`axe ${label}: ${result.passes.length} rules pass, ${result.violations.length} violations (${bad.length} serious/critical)`);
  if (enforce) check(bad.length === 0, `axe ${label}: no serious or critical violations:\n  ${summary.join("\n  ")}`);
}

const text = async (page, selector) => ((await page.locator(selector).first().textContent()) || "").trim();

// ---------------------------------------------------------------- kiosk

async function typeVoucherAndPin(page, voucher, pin) {
  for (const c of voucher.replace(/-/g, "")) await page.click(`#login-keypad [data-key="${c}"]`);
  // after 12 characters the keypad turns into the PIN pad
  await page.waitForSelector("#login-keypad.digits");
  for (const d of pin) await page.click(`#login-keypad [data-key="${d}"]`);
}

async function pickSearchTerm(api) {
  for (const [initials, name] of SEARCH_CANDIDATES) {
    const r = await api("GET", `/api/v1/listings?q=${initials}&per_page=100`);
    if (r.total > 0 && r.items.every((i) => i.project_name === name)) return { initials, name, total: r.total };
  }
  throw new Error("none of the demo's search candidates is listed");
}

/** A household logs in on the keypad, sees its entitlement and matches, finds a unit by pinyin
 *  initials, holds it (countdown) and confirms it (认购确认单). */
async function kioskFlow(ctx, size, household, term, screenshots) {
  const { pages, api, adminToken } = ctx;
  const label = `kiosk ${size.name}`;
  // expectations from the API, in a session of the same household
  const { token } = await api("POST", "/api/v1/kiosk/login", { body: { voucher_no: household.voucher_no, pin: household.pin } });
  const me = await api("GET", "/api/v1/kiosk/me", { token });
  const matches = await api("GET", "/api/v1/kiosk/matches?page=1&per_page=6", { token });
  const policy = await api("GET", "/api/v1/policy");
  await api("POST", "/api/v1/kiosk/logout", { token });

  const page = await pages.open("/kiosk", size, label);
  await axe(page, `${label} login`);
  await typeVoucherAndPin(page, household.voucher_no, household.pin.slice(0, 3));
  if (screenshots) await shot(page, "kiosk-login", size);
  for (const d of household.pin.slice(3)) await page.click(`#login-keypad [data-key="${d}"]`);
  await page.click('#login-keypad [data-key="submit"]');

  // entitlement in plain figures
  await page.waitForSelector("#screen-home:not(.hidden) #ent-remaining");
  equal(await text(page, "#who-name"), `${household.name} 您好`, "masked name shown after log-in");
  equal(await text(page, "#ent-remaining"), m2(me.remaining_origin_area_m2), "remaining origin area shown");
  for (const z of ["1", "2", "3"]) {
    equal(await text(page, `#ent-zone-${z}`), m2(me.entitled_area_m2_by_zone[z]), `entitled area in zone ${z}`);
  }
  equal(await text(page, "#ent-cash"), yuan(me.cash_out_yuan), "cash-out value shown");
  check((await text(page, "#turn-banner")).includes(`顺序号 ${me.round.position}`), "turn banner shows the household's position");

  // matches with each unit's quote, in the API's order
  await page.waitForSelector("#match-results .unit-card .quote");
  const first = matches.items[0];
  const card = page.locator("#match-results .unit-card").first();
  equal(await card.getAttribute("data-unit-id"), String(first.unit_id), "first match is the API's best fit");
  equal(await card.locator(".q.gov dd").textContent(), yuan(first.quote.gov_pays_yuan), "政府承担 of the first match");
  equal(await card.locator(".q.topup dd").textContent(), yuan(first.quote.top_up_yuan), "需补差价 of the first match");
  equal(await card.locator(".q.reward dd").textContent(), yuan(first.quote.reward_yuan), "奖励 of the first match");
  equal(await card.locator(".fit").textContent(), first.fit.summary, "fit summary of the first match");
  check((await text(page, "#match-summary")).includes(`共 ${matches.total} 套`), "match count shown");
  await axe(page, `${label} matches`);
  if (screenshots) await shot(page, "kiosk-matches", size);

  // search by pinyin initials on the on-screen keyboard (once the index has dropped earlier flows' units)
  let found;
  for (let i = 0; i < 50; i += 1) {
    found = await api("GET", `/api/v1/listings?q=${term.initials}&per_page=100`);
    if (!found.items.some((l) => ctx.taken.has(l.unit_id))) break;
    await sleep(100);
  }
  await page.click("#tab-search");
  await page.waitForSelector("#search-keypad:not(.hidden)");
  for (const c of term.initials.toUpperCase()) await page.click(`#search-keypad [data-key="${c}"]`);
  await page.click('#search-keypad [data-key="submit"]');
  await page.waitForFunction((q) => document.getElementById("search-summary").textContent.includes(q), term.initials);
  equal(await page.inputValue("#q"), term.initials, "initials typed on the keyboard");
  check((await text(page, "#search-summary")).includes(`找到 ${found.total} 套`), `search summary counts ${found.total} units`);
  const names = await page.locator("#search-results .unit-project").allTextContents();
  check(names.length > 0 && names.every((n) => n === term.name), `every unit found is in ${term.name}: ${names}`);
  await page.waitForFunction(() => [...document.querySelectorAll("#search-results .unit-card")].every((c) => c.querySelector(".q.gov")));
  await axe(page, `${label} search`);
  if (screenshots) await shot(page, "kiosk-search", size);

  // hold one of them: a countdown from the policy's hold minutes
  const cards = page.locator("#search-results .unit-card");
  let target = null;
  for (let i = 0; i < await cards.count(); i += 1) {
    const id = Number(await cards.nth(i).getAttribute("data-unit-id"));
    if (!ctx.taken.has(id)) { target = cards.nth(i); break; }
  }
  check(target !== null, "a unit not taken by an earlier flow is listed");
  const unitId = Number(await target.getAttribute("data-unit-id"));
  const where = (await target.locator(".unit-where").textContent()).trim();
  const before = await api("GET", `/api/v1/units/${unitId}`, { token: adminToken });
  const shownGov = (await target.locator(".q.gov dd").textContent()).trim();
  await target.locator(".hold-btn").click();
  await page.waitForSelector("#screen-hold:not(.hidden)");
  const seconds = (t) => { const [mm, ss] = t.split(":").map(Number); return mm * 60 + ss; };
  const c1 = seconds(await text(page, "#countdown"));
  const full = policy.hold_minutes * 60;
  check(c1 <= full && c1 >= full - 10, `countdown starts near ${full} s (shows ${c1} s)`);
  equal(await text(page, "#hold-unit .unit-project"), term.name, "held unit's project shown");
  equal(await text(page, "#hold-unit .q.gov dd"), shownGov, "held unit's 政府承担 as quoted in search");
  equal((await api("GET", `/api/v1/units/${unitId}`, { token: adminToken })).status, "held", "unit is held in the database");
  check(before.status === "available", "unit was available before the hold");
  await sleep(2100);
  const c2 = seconds(await text(page, "#countdown"));
  check(c2 < c1, `countdown runs (${c1} s → ${c2} s)`);
  await axe(page, `${label} hold`);
  if (screenshots) await shot(page, "kiosk-hold", size);

  // confirm: the 认购确认单 with the frozen quote; the entitlement goes down
  await page.click("#hold-confirm");
  await page.waitForSelector("#screen-slip:not(.hidden) #slip-status");
  equal(await text(page, "#slip-status"), "已确认认购", "status after confirm");
  const slip = await text(page, "#slip");
  check(slip.includes("认购确认单") && slip.includes(term.name) && slip.includes(where.split(" · ")[0]), "slip names the project and the room");
  check(slip.includes(household.voucher_no) && slip.includes(household.name), "slip names the household (masked) and the voucher");
  const unitAfter = await api("GET", `/api/v1/units/${unitId}`, { token: adminToken });
  equal(unitAfter.status, "reserved", "unit is reserved in the database");
  const res = (await api("GET", `/api/v1/reservations?per_page=100`, { token: adminToken })).items.find((r) => r.unit_id === unitId);
  check(res && res.status === "confirmed", "reservation confirmed in the database");
  check(slip.includes(yuan(res.quote.gov_pays_yuan)) && slip.includes(yuan(res.quote.reward_yuan)), "slip shows the frozen 政府承担 and 奖励");
  const remaining = Math.round((me.remaining_origin_area_m2 - res.quote.origin_area_consumed_m2) * 100) / 100;
  check((await text(page, "#slip-notice")).includes(m2(remaining)), `remaining origin area now ${m2(remaining)}`);
  equal(await text(page, "#ent-remaining"), m2(remaining), "entitlement panel updated");
  await axe(page, `${label} confirmation`);
  if (screenshots) await shot(page, "kiosk-confirmation", size);
  await page.emulateMedia({ media: "print" });
  check(!(await page.isVisible(".topbar")) && !(await page.isVisible("#slip-print")) && (await page.isVisible("#slip")), "print shows the slip alone");
  if (screenshots) await shot(page, "kiosk-confirmation-print", size);
  await page.emulateMedia({ media: "screen" });

  // back to the hall: the reservation is listed as mine; log out
  await page.click("#slip-back");
  await page.waitForSelector("#panel-mine:not(.hidden) .unit-card");
  check((await text(page, "#panel-mine")).includes("已认购"), "my reservations list the confirmed unit");
  await page.click("#logout");
  await page.waitForSelector("#screen-login:not(.hidden)");
  await pages.close(page);
  ctx.taken.add(unitId);
  return { unitId, project: term.name, household };
}

/** What a household is told when the API refuses: wrong PIN, not its turn yet. */
async function kioskRefusals(ctx, notCalled) {
  const { pages } = ctx;
  const page = await pages.open("/kiosk", LANDSCAPE, "kiosk refusals", { allowRefusals: true });
  const wrong = notCalled.pin === "000000" ? "111111" : "000000";
  await typeVoucherAndPin(page, notCalled.voucher_no, wrong);
  await page.click('#login-keypad [data-key="submit"]');
  await page.waitForFunction(() => document.getElementById("login-error").textContent.length > 0);
  equal(await text(page, "#login-error"), "凭证号或密码不正确，请核对安置凭证上的号码后重新输入。", "wrong PIN message");
  await page.click('#login-keypad [data-key="clear"]');
  for (const d of notCalled.pin) await page.click(`#login-keypad [data-key="${d}"]`);
  await page.click('#login-keypad [data-key="submit"]');
  await page.waitForSelector("#screen-home:not(.hidden) #match-results .unit-card .hold-btn");
  check((await text(page, "#turn-banner")).includes("轮到您之前可以先浏览房源"), "banner says the turn has not come");
  await page.locator("#match-results .unit-card .hold-btn").first().click();
  await page.waitForSelector("#match-results .card-error");
  const msg = await text(page, "#match-results .card-error");
  check(msg.startsWith("还没有轮到您选房") && msg.includes(`顺序号 ${notCalled.me.round.position}`), `not_your_turn shown in Chinese: ${msg}`);
  await axe(page, "kiosk refusal");
  await pages.close(page);
}

/** The kiosk ends an idle session by itself, after a warning. */
async function kioskIdleLogout(ctx, household) {
  const { pages } = ctx;
  const page = await pages.open("/kiosk?idle=10", PORTRAIT, "kiosk idle");
  await typeVoucherAndPin(page, household.voucher_no, household.pin);
  await page.click('#login-keypad [data-key="submit"]');
  await page.waitForSelector("#screen-home:not(.hidden)");
  await page.waitForSelector("#idle-dialog:not(.hidden)", { timeout: 15_000 });
  check((await text(page, "#idle-title")) === "您还在操作吗？", "idle warning shown");
  await page.waitForSelector("#screen-login:not(.hidden)", { timeout: 15_000 });
  equal(await text(page, "#login-error"), "长时间没有操作，已自动退出。", "auto-logout message");
  check(await page.isHidden("#idle-dialog"), "warning gone after logout");
  await pages.close(page);
}

// ---------------------------------------------------------------- dashboard

async function dashboardFlow(ctx, size, { approve, screenshots }) {
  const { pages, api, adminToken } = ctx;
  const label = `dashboard ${size.name}`;
  const page = await pages.open("/dashboard", size, label);
  await page.fill("#token", adminToken);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#fig-stock_units");
  const overview = await api("GET", "/api/v1/stats/overview", { token: adminToken });
  equal(await text(page, "#fig-stock_units"), num(overview.stock_units), "stock units shown");
  equal(await text(page, "#fig-reserved_units"), num(overview.reserved_units), "reserved units shown");
  equal(await text(page, "#fig-households_total"), num(overview.households_total), "households shown");
  check(await page.evaluate(() => sessionStorage.getItem("anju.official_token") !== null), "token kept in sessionStorage");

  // charts inlined from the bearer-only SVG routes
  await page.waitForSelector("#chart-trend svg .bar");
  await page.waitForSelector("#chart-district svg .bar");
  const districtBars = await page.locator("#chart-district svg .bar").count();
  const districts = await api("GET", "/api/v1/stats/destocking?group_by=district", { token: adminToken });
  equal(districtBars, districts.rows.length, "one bar per district");

  // rankings, flagged rows highlighted
  const rankings = await api("GET", "/api/v1/stats/rankings?level=district", { token: adminToken });
  await page.waitForSelector("#rank-table tbody tr");
  equal(await page.locator("#rank-table tbody tr").count(), rankings.rows.length, "one ranking row per district");
  equal(await page.locator("#rank-table tr.flagged").count(), rankings.rows.filter((r) => r.flagged).length, "flagged rows highlighted");
  equal(await page.locator("#rank-table tr.last").count(), rankings.rows.filter((r) => r.last).length, "last rows marked");

  // rounds
  const rounds = await api("GET", "/api/v1/rounds", { token: adminToken });
  const round = rounds.find((r) => r.status === "open");
  equal(await text(page, `#round-list tr[data-round-id="${round.id}"] .called`), `${round.called_up_to} / ${round.size}`, "call-up pointer shown");

  if (approve) {
    // approve a pending project: it leaves the list and the stock figures move by its units
    const pending = await api("GET", "/api/v1/projects?status=pending", { token: adminToken });
    check(pending.total > 0, "the demo has a project awaiting approval");
    const p = pending.items[0];
    const units = await api("GET", `/api/v1/projects/${p.id}/units?status=available&per_page=1`, { token: adminToken });
    await page.waitForSelector(`#pending-projects tr[data-project-id="${p.id}"]`);
    await axe(page, `${label} before approval`, { enforce: false });
    if (screenshots) await shot(page, "dashboard-approvals", size, { fullPage: true });
    await page.click(`#pending-projects tr[data-project-id="${p.id}"] button.primary`);
    await page.waitForFunction((name) => document.getElementById("flash").textContent.includes(`已批准项目“${name}”`), p.name);
    await page.waitForSelector(`#pending-projects tr[data-project-id="${p.id}"]`, { state: "detached" });
    await page.waitForFunction((v) => document.getElementById("fig-stock_units").textContent === v, num(overview.stock_units + units.total));
    equal(await text(page, "#fig-available_units"), num(overview.available_units + units.total), "available units up by the project's units");
    equal((await api("GET", `/api/v1/projects/${p.id}`, { token: adminToken })).status, "approved", "project approved in the database");

    // call up ten more households
    const up = Math.min(round.size, round.called_up_to + 10);
    await page.fill(`#round-list tr[data-round-id="${round.id}"] input[type=number]`, String(up));
    await page.click(`#round-list tr[data-round-id="${round.id}"] .inline button`);
    await page.waitForFunction(([id, v]) => {
      const c = document.querySelector(`#round-list tr[data-round-id="${id}"] .called`);
      return c && c.textContent === v;
    }, [round.id, `${up} / ${round.size}`]);
    equal((await api("GET", `/api/v1/rounds/${round.id}`, { token: adminToken })).called_up_to, up, "pointer moved in the database");

    // export: a CSV download through fetch + Blob
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('#export-list button[data-report="rankings"][data-format="csv"]'),
    ]);
    equal(download.suggestedFilename(), "anju-rankings.csv", "export file name");
    const csv = fs.readFileSync(await download.path(), "utf8");
    check(csv.includes("去化排名") && csv.includes("名次"), "exported CSV has the title row and Chinese headers");
  }

  await axe(page, label, { enforce: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  if (screenshots) await shot(page, "dashboard", size);
  await pages.close(page);
}

// ---------------------------------------------------------------- board

async function boardFlow(ctx, size, lastSelection) {
  const { pages, api, adminToken } = ctx;
  const label = `board ${size.name}`;
  const page = await pages.open("/board?interval=2", size, label);
  const board = await api("GET", "/api/v1/board");
  await page.waitForFunction((v) => document.getElementById("called").textContent === v, String(board.called_up_to));
  equal(await page.locator("#recent tr").count(), board.recent_selections.length, "one row per recent selection");
  const firstRow = await text(page, "#recent tr");
  check(firstRow.includes(lastSelection.household.name) && firstRow.includes(lastSelection.project), `latest selection on top: ${firstRow}`);
  // the screen refreshes itself: move the pointer through the API and watch it change
  const up = Math.min(board.size, board.called_up_to + 5);
  await api("POST", `/api/v1/rounds/${board.round_id}/call`, { token: adminToken, body: { up_to: up } });
  await page.waitForFunction((v) => document.getElementById("called").textContent === v, String(up), { timeout: 10_000 });
  passed += 1;
  await axe(page, label);
  await shot(page, "board", size);
  await pages.close(page);
}

// ---------------------------------------------------------------- main

async function main() {
  check(fs.existsSync(BIN), `${BIN} exists (run cargo build first)`);
  check(fs.existsSync(CHROMIUM), `${CHROMIUM} exists (apt-get install chromium)`);
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  let svc;
  let browser;
  try {
    svc = await startService();
    const api = apiClient(svc.base);
    const slips = readSlips(svc.dir);
    const welcome = slips.find((s) => s.voucher_no === svc.welcome.voucher);
    check(welcome && welcome.pin === svc.welcome.pin, "the printed voucher and PIN are in the slips CSV");
    // the demo's units reach the search index a moment after the database: wait until they all have
    for (let i = 0; ; i += 1) {
      const listed = (await api("GET", "/api/v1/listings?per_page=1")).total;
      const available = (await api("GET", "/api/v1/stats/overview", { token: svc.adminToken })).available_units;
      if (listed === available) break;
      if (i > 300) throw new Error(`search index lists ${listed} units, the database ${available}`);
      await sleep(200);
    }
    const term = await pickSearchTerm(api);
    log(`search term ${term.initials} → ${term.name} (${term.total} units); household ${welcome.voucher_no}`);
    const skip = new Set([welcome.voucher_no]);
    const [second] = await findHouseholds(api, slips, freeToChoose, 1, skip);
    check(second, "a second called household that has not chosen yet");
    skip.add(second.voucher_no);
    const [waiting] = await findHouseholds(api, slips, notYetCalled, 1, skip);
    check(waiting, "a household not called yet");

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--font-render-hinting=none"],
    });
    const ctx = { pages: new Pages(browser, svc.base), api, adminToken: svc.adminToken, taken: new Set() };
    const steps = [
      ["kiosk refusals (wrong PIN, not your turn)", () => kioskRefusals(ctx, waiting)],
      ["kiosk at 1080×1920", () => kioskFlow(ctx, PORTRAIT, welcome, term, true)],
      ["kiosk at 1920×1080", () => kioskFlow(ctx, LANDSCAPE, second, term, true)],
      ["dashboard at 1920×1080 (approve, call up, export)", () => dashboardFlow(ctx, LANDSCAPE, { approve: true, screenshots: true })],
      ["dashboard at 1080×1920", () => dashboardFlow(ctx, PORTRAIT, { approve: false, screenshots: true })],
      ["board at 1920×1080", () => boardFlow(ctx, LANDSCAPE, ctx.last)],
      ["board at 1080×1920", () => boardFlow(ctx, PORTRAIT, ctx.last)],
      ["kiosk auto-logout", () => kioskIdleLogout(ctx, waiting)],
    ];
    for (const [name, run] of steps) {
      const started = Date.now();
      try {
        const r = await run();
        if (r && r.unitId) ctx.last = r;
        log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failures.push(`${name}: ${e.stack || e}`);
        log(`FAIL ${name}: ${e.message}`);
      }
    }
  } catch (e) {
    failures.push(`setup: ${e.stack || e}`);
    if (svc) failures.push("service output:\n" + svc.output().slice(-4000));
  } finally {
    if (browser) await browser.close();
    await stopService(svc);
    if (svc) fs.rmSync(svc.dir, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(ARTIFACTS, "axe-report.json"), JSON.stringify(axeReport, null, 2));
  if (process.env.E2E_UPDATE_DOCS === "1" && failures.length === 0) {
    fs.mkdirSync(DOCS, { recursive: true });
    const docs = shots.filter((f) => DOC_SHOTS.test(f));
    for (const f of docs) fs.copyFileSync(path.join(ARTIFACTS, f), path.join(DOCS, f));
    log(`copied ${docs.length} screenshots to ${DOCS}`);
  }
  log(`${passed} checks passed; screenshots in ${ARTIFACTS}: ${shots.join(", ")}`);
  if (failures.length) {
    console.error("\n[e2e] FAILED:\n" + failures.join("\n\n"));
    process.exit(1);
  }
  log("all end-to-end tests passed");
}

main();
