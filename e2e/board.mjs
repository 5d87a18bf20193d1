// The hall board scenario: the call-up pointer and the latest selections, refreshed by itself.

import { check, equal, shot, axe, text } from "./lib.mjs";

export async function boardFlow(ctx, size, lastSelection) {
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
  check(true, "the board shows the new call-up pointer");
  await axe(page, label);
  await shot(page, "board", size);
  await pages.close(page);
}
