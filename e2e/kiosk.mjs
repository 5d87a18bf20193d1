// The kiosk scenarios: a household's whole flow (log-in, entitlement, matches, pinyin search,
// hold, 认购确认单), the refusals it is told about, and the logout after inactivity.

import { PORTRAIT, LANDSCAPE, check, equal, sleep, yuan, m2, shot, axe, text } from "./lib.mjs";

// demo project names and their pinyin initials; the first one the search API confirms is used
const SEARCH_CANDIDATES = [["jcxc", "江城新城"], ["xhgg", "星河公馆"], ["dhyj", "东湖雅居"], ["flhy", "枫林花园"]];

export async function typeVoucherAndPin(page, voucher, pin) {
  for (const c of voucher.replace(/-/g, "")) await page.click(`#login-keypad [data-key="${c}"]`);
  // after 12 characters the keypad turns into the PIN pad
  await page.waitForSelector("#login-keypad.digits");
  for (const d of pin) await page.click(`#login-keypad [data-key="${d}"]`);
}

export async function pickSearchTerm(api) {
  for (const [initials, name] of SEARCH_CANDIDATES) {
    const r = await api("GET", `/api/v1/listings?q=${initials}&per_page=100`);
    if (r.total > 0 && r.items.every((i) => i.project_name === name)) return { initials, name, total: r.total };
  }
  throw new Error("none of the demo's search candidates is listed");
}

/** A household logs in on the keypad, sees its entitlement and matches, finds a unit by pinyin
 *  initials, holds it (countdown) and confirms it (认购确认单). */
export async function kioskFlow(ctx, size, household, term, screenshots) {
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
export async function kioskRefusals(ctx, notCalled) {
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
export async function kioskIdleLogout(ctx, household) {
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
