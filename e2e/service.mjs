// The service under test: `anju serve --demo` in a temporary directory on a free port, the demo's
// voucher slips (housing tickets' too) and the voucher and ticket its welcome says to try, and the
// API as the scenarios use it to know what the pages should show.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { BIN, log, sleep } from "./lib.mjs";

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

export async function startService() {
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
  let ticket;
  while (Date.now() < deadline) {
    try_ = out.match(/try a household:\s+voucher (\S+), PIN (\d+)/);
    ticket = out.match(/try a ticket holder:\s+ticket (\S+), PIN (\d+)/);
    if (try_ && ticket) break;
    if (child.exitCode !== null) throw new Error("service exited early:\n" + out);
    await sleep(250);
  }
  if (!try_ || !ticket) throw new Error("no demo welcome (a voucher and a ticket to try) within 300 s:\n" + out);
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
    ticket: { number: ticket[1], pin: ticket[2] },
  };
}

export async function stopService(svc) {
  if (!svc || svc.child.exitCode !== null) return;
  svc.child.kill("SIGTERM");
  await Promise.race([svc.exited, sleep(10_000)]);
  if (svc.child.exitCode === null) svc.child.kill("SIGKILL");
}

export function readSlips(dir) {
  const text = fs.readFileSync(path.join(dir, "demo-voucher-slips.csv"), "utf8").replace(/^\uFEFF/, "");
  const [head, ...rows] = text.trim().split(/\r?\n/);
  const cols = head.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i], v])));
}

// ---------------------------------------------------------------- the API, for expectations

export function apiClient(base) {
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
export async function findHouseholds(api, slips, want, howMany, skip) {
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

export const freeToChoose = (me) => me.round && me.round.open && me.round.your_turn && !me.active_hold && me.reservations.length === 0;
export const notYetCalled = (me) => me.round && me.round.open && !me.round.your_turn;
