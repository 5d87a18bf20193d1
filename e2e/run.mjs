// End-to-end tests of the hall's pages in headless Chromium (playwright-core on /usr/bin/chromium):
// starts the real service with the demo marketplace in a temp dir, then drives /kiosk, /dashboard
// and /board as a household, a housing ticket's holder, an official and the wall screen would,
// asserting on what is shown. Also runs axe-core on every page (no serious or critical
// violations) and fails on any console error. Screenshots go to artifacts/e2e/ (E2E_UPDATE_DOCS=1
// also copies them to docs/screenshots/). The scenarios live in kiosk.mjs, ticket.mjs,
// dashboard.mjs and board.mjs, what they share in lib.mjs and service.mjs; this file starts the
// service, runs them in order and prints the summary.
//
//   node e2e/run.mjs            (after `cargo build`; ANJU_BIN, CHROMIUM_PATH, E2E_ARTIFACTS override)

import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import {
  BIN, CHROMIUM, ARTIFACTS, DOCS, DOC_SHOTS, PORTRAIT, LANDSCAPE, passed, axeReport, shots, check, log, sleep, Pages,
} from "./lib.mjs";
import { startService, stopService, readSlips, apiClient, findHouseholds, freeToChoose, notYetCalled } from "./service.mjs";
import { pickSearchTerm, kioskFlow, kioskRefusals, kioskIdleLogout } from "./kiosk.mjs";
import { kioskTicketSummary, kioskTicketFlow } from "./ticket.mjs";
import { dashboardFlow } from "./dashboard.mjs";
import { boardFlow } from "./board.mjs";

const failures = [];

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
    const ticket = slips.find((s) => s.voucher_no === svc.ticket.number);
    check(ticket && ticket.pin === svc.ticket.pin && ticket.method === "ticket", "the printed ticket number and PIN are in the slips CSV");
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
      ["kiosk ticket holder at 1920×1080 (summary, 核销码)", () => kioskTicketSummary(ctx, LANDSCAPE, ticket)],
      ["kiosk ticket holder at 1080×1920 (quote, hold, confirm, 核销码)", () => kioskTicketFlow(ctx, PORTRAIT, ticket)],
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
