// What the end-to-end scenarios share: where the binary, the browser and the artifacts are, the
// check counter, the pages' number formats, browser pages that record console errors, axe-core
// and screenshots.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
export const BIN = process.env.ANJU_BIN || path.join(ROOT, "target/debug/anju");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(ROOT, "artifacts/e2e"));
export const DOCS = path.join(ROOT, "docs/screenshots");
// the set committed under docs/screenshots/ (the print preview and the approvals page stay artifacts)
export const DOC_SHOTS = /^(kiosk-(login|matches|search|hold|confirmation)|dashboard|board)-\d+x\d+\.png$/;
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const PORTRAIT = { width: 1080, height: 1920, name: "1080x1920" };
export const LANDSCAPE = { width: 1920, height: 1080, name: "1920x1080" };

export let passed = 0;
export const axeReport = [];
export const shots = [];

export function check(cond, what) {
  if (!cond) throw new Error("assertion failed: " + what);
  passed += 1;
}
export function equal(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
export const log = (...a) => console.log("[e2e]", ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// the pages' number formats, to compare with what the API says
export const num = (n) => new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 }).format(n);
export const yuan = (n) => num(n) + " 元";
export const m2 = (n) => new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n) + " m²";

// ---------------------------------------------------------------- the browser

export class Pages {
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

export async function shot(page, name, size, opts = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${name}-${size.name}.png`;
  await page.evaluate(() => document.fonts && document.fonts.ready);
  await page.screenshot({ path: path.join(ARTIFACTS, file), fullPage: !!opts.fullPage });
  shots.push(file);
}

export async function axe(page, label, { enforce = true } = {}) {
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

export const text = async (page, selector) => ((await page.locator(selector).first().textContent()) || "").trim();
