// The officials' dashboard scenario: figures, charts, rankings and rounds against the API; at one
// size it also approves a project, calls up households and exports a CSV.

import fs from "node:fs";
import { check, equal, num, shot, axe, text } from "./lib.mjs";

export async function dashboardFlow(ctx, size, { approve, screenshots }) {
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
