// The kiosk as a housing ticket's holder (房票) sees it, with the demo's ticket to try: log-in with
// the ticket number, the ticket's summary (balance, notice of the next bonus drop, bonus by zone),
// units found by the search with their ticket quotes, hold, confirm, the 认购确认单 in ticket terms
// and a one-time 核销码. What the page shows is compared with what the API says.

import { check, equal, sleep, yuan, shot, axe, text } from "./lib.mjs";
import { typeVoucherAndPin } from "./kiosk.mjs";

const ZONES = ["1", "2", "3"];

/** The last day a ticket can be spent, as the page shows it: the local date just before valid_until. */
function lastDay(iso) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date(Date.parse(iso) - 1));
}

async function logIn(page, ticket) {
  await typeVoucherAndPin(page, ticket.voucher_no, ticket.pin);
  await page.click('#login-keypad [data-key="submit"]');
  await page.waitForSelector("#screen-home:not(.hidden) #ticket-balance");
}

/** The summary as the API's `/kiosk/me` has it. */
async function checkSummary(page, me, ticket) {
  const t = me.ticket;
  equal(await text(page, "#ent-title"), "我的房票", "the summary is the ticket's");
  equal(await text(page, "#ticket-balance"), yuan(t.balance_yuan), "balance shown");
  equal(await text(page, "#ticket-notice"), t.notice, "the notice line shown");
  equal(await text(page, "#ticket-no"), ticket.voucher_no, "ticket number shown");
  equal(await text(page, "#ticket-face"), yuan(t.face_value_yuan), "face value shown");
  equal(await text(page, "#ticket-valid-until"), lastDay(t.valid_until), "valid until shown as a local date");
  for (const z of ZONES) equal(await text(page, `#ticket-bonus-${z}`), `${t.bonus_pct_by_zone[z]}%`, `today's bonus in zone ${z}`);
  check((await text(page, "#who-voucher")).startsWith("房票"), "the top bar names the ticket");
  check(!(await page.isVisible("#ent-remaining")), "no area entitlement shown to a ticket holder");
  check(await page.isHidden("#tab-matches"), "no matches tab for a ticket holder");
  equal(await page.getAttribute("#tab-search", "aria-selected"), "true", "the search is where a ticket holder starts");
}

/** A 核销码 for a developer's sales office: 8 digits in large type, with its expiry. */
async function redemptionCode(page, label, size) {
  await page.click("#redeem-btn");
  await page.waitForSelector("#code-dialog:not(.hidden) #redeem-code");
  const code = await text(page, "#redeem-code");
  check(/^\d{8}$/.test(code), `an 8-digit redemption code is shown: ${code}`);
  check(/^有效至 \d\d:\d\d$/.test(await text(page, "#redeem-expiry")), "the code's expiry is shown");
  check(await page.evaluate(() => document.activeElement.id === "code-close"), "focus is on the dialog's close button");
  await axe(page, `${label} redemption code`);
  await shot(page, "kiosk-ticket-code", size);
  await page.click("#code-close");
  check(await page.isHidden("#code-dialog"), "the code closes");
}

/** Log-in, summary and a 核销码 (before anything is spent), at the other kiosk size. */
export async function kioskTicketSummary(ctx, size, ticket) {
  const { pages, api } = ctx;
  const label = `kiosk ticket ${size.name}`;
  const { token } = await api("POST", "/api/v1/kiosk/login", { body: { voucher_no: ticket.voucher_no, pin: ticket.pin } });
  const me = await api("GET", "/api/v1/kiosk/me", { token });
  await api("POST", "/api/v1/kiosk/logout", { token });
  check(me.ticket && me.ticket.status === "active" && me.ticket.balance_yuan === me.ticket.face_value_yuan, "the ticket to try is unused");
  check(me.ticket.next_drop && me.ticket.next_drop.from_pct === 20, "the ticket to try is in its first bonus tier");
  const page = await pages.open("/kiosk", size, label);
  await logIn(page, ticket);
  await checkSummary(page, me, ticket);
  await axe(page, `${label} summary`);
  await shot(page, "kiosk-ticket-summary", size);
  await redemptionCode(page, label, size);
  await page.click("#logout");
  await page.waitForSelector("#screen-login:not(.hidden)");
  await pages.close(page);
}

/** The whole flow: summary, a unit's ticket quote, hold, confirm, 认购确认单, 核销码. */
export async function kioskTicketFlow(ctx, size, ticket) {
  const { pages, api, adminToken } = ctx;
  const label = `kiosk ticket ${size.name}`;
  // expectations from the API, in a session of the same ticket: the cheapest units and their quotes
  let listed;
  for (let i = 0; i < 50; i += 1) {
    listed = await api("GET", "/api/v1/listings?sort=price_asc&per_page=6&page=1");
    if (!listed.items.some((l) => ctx.taken.has(l.unit_id))) break;
    await sleep(100);
  }
  const { token } = await api("POST", "/api/v1/kiosk/login", { body: { voucher_no: ticket.voucher_no, pin: ticket.pin } });
  const me = await api("GET", "/api/v1/kiosk/me", { token });
  const quotes = new Map();
  for (const l of listed.items) quotes.set(l.unit_id, await api("GET", `/api/v1/kiosk/quote/${l.unit_id}`, { token }));
  await api("POST", "/api/v1/kiosk/logout", { token });

  const page = await pages.open("/kiosk", size, label);
  const matchCalls = [];
  page.on("request", (r) => { if (r.url().includes("/api/v1/kiosk/matches")) matchCalls.push(r.url()); });
  await logIn(page, ticket);
  await checkSummary(page, me, ticket);
  await axe(page, `${label} summary`);
  await shot(page, "kiosk-ticket-summary", size);

  // the search, cheapest first: every card's quote is in ticket terms
  await page.waitForSelector("#search-filters .chip");
  await page.locator("#search-filters .chip", { hasText: "总价低到高" }).click();
  await page.waitForFunction((first) => {
    const cards = [...document.querySelectorAll("#search-results .unit-card")];
    return cards.length > 0 && cards[0].dataset.unitId === String(first) && cards.every((c) => c.querySelector(".quote.ticket"));
  }, listed.items[0].unit_id);
  const cards = page.locator("#search-results .unit-card");
  let target = null;
  let expected = null;
  for (let i = 0; i < await cards.count(); i += 1) {
    const id = Number(await cards.nth(i).getAttribute("data-unit-id"));
    const q = quotes.get(id);
    if (q && !ctx.taken.has(id) && q.quote.balance_after_yuan > 0) { target = cards.nth(i); expected = q; break; }
  }
  check(target !== null, "a unit the ticket pays for with money left over is listed");
  const unitId = expected.unit_id;
  const q = expected.quote;
  check((await target.textContent()).includes("房票抵扣"), "the unit's quote is in ticket terms (房票抵扣)");
  equal(await target.locator(".q.debit dd").textContent(), yuan(q.debit_yuan), "房票抵扣 as the API quotes it");
  equal(await target.locator(".q.bonus dd").textContent(), yuan(q.bonus_yuan), "政府奖励 as the API quotes it");
  equal(await target.locator(".q.bonus dt").textContent(), `政府奖励（${q.bonus_pct}%）`, "the bonus rate as the API quotes it");
  equal(await target.locator(".q.topup dd").textContent(), yuan(q.top_up_yuan), "需补差价 as the API quotes it");
  equal(await target.locator(".q.after dd").textContent(), yuan(q.balance_after_yuan), "使用后余额 as the API quotes it");
  equal(await target.locator(".fit").textContent(), expected.fit.summary, "the quote's summary line");
  await axe(page, `${label} search`);
  await shot(page, "kiosk-ticket-search", size);

  // hold: the held unit shows the same quote
  await target.locator(".hold-btn").click();
  await page.waitForSelector("#screen-hold:not(.hidden)");
  equal(await text(page, "#hold-unit .q.debit dd"), yuan(q.debit_yuan), "held unit's 房票抵扣");
  equal(await text(page, "#hold-unit .q.after dd"), yuan(q.balance_after_yuan), "held unit's 使用后余额");
  equal((await api("GET", `/api/v1/units/${unitId}`, { token: adminToken })).status, "held", "unit is held in the database");
  await axe(page, `${label} hold`);
  await shot(page, "kiosk-ticket-hold", size);

  // confirm: the 认购确认单 shows the ticket quote frozen in the reservation
  await page.click("#hold-confirm");
  await page.waitForSelector("#screen-slip:not(.hidden) #slip-status");
  equal(await text(page, "#slip-status"), "已确认认购", "status after confirm");
  const res = (await api("GET", "/api/v1/reservations?per_page=100", { token: adminToken })).items.find((r) => r.unit_id === unitId);
  check(res && res.status === "confirmed" && res.ticket_id, "reservation confirmed in the database, paid by the ticket");
  equal(res.quote.debit_yuan, q.debit_yuan, "the frozen debit is the quoted one");
  const slip = await text(page, "#slip");
  check(slip.includes("房票号") && slip.includes(ticket.voucher_no), "slip names the ticket");
  check(!slip.includes("可安置面积") && !slip.includes("抵扣原房屋面积"), "slip has no area quote lines");
  for (const [line, v] of [["房票抵扣", res.quote.debit_yuan], [`政府奖励（${res.quote.bonus_pct}%）`, res.quote.bonus_yuan],
    ["需补差价", res.quote.top_up_yuan], ["使用后房票余额", res.quote.balance_after_yuan]]) {
    check(slip.includes(line + yuan(v)), `slip shows ${line} ${yuan(v)}`);
  }
  const stored = await api("GET", `/api/v1/tickets/${res.ticket_id}`, { token: adminToken });
  equal(stored.balance_yuan, q.balance_after_yuan, "the ticket's balance in the database");
  check((await text(page, "#slip-notice")).includes(yuan(q.balance_after_yuan)), "the notice gives the balance left");
  equal(await text(page, "#ticket-balance"), yuan(q.balance_after_yuan), "the summary's balance is updated");
  await axe(page, `${label} confirmation`);
  await shot(page, "kiosk-ticket-confirmation", size);

  // back to the hall: the purchase is listed in ticket terms; then a 核销码 for a sales office
  await page.click("#slip-back");
  await page.waitForSelector("#panel-mine:not(.hidden) .unit-card .q.debit");
  await redemptionCode(page, label, size);

  equal(matchCalls.length, 0, "the page never asks for matches for a ticket holder");
  await page.click("#logout");
  await page.waitForSelector("#screen-login:not(.hidden)");
  await pages.close(page);
  ctx.taken.add(unitId);
}
