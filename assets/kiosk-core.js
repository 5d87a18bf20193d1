// The kiosk's shared parts, the first of its scripts: the session state, API calls, screens, the
// on-screen keypads, filter chips, unit cards with their quotes (in area or housing-ticket terms),
// and the pager. Each kiosk script adds what the others use to `Kiosk`; a script takes what
// earlier ones added when it loads and calls what later ones add as `Kiosk.name(…)`. kiosk.js,
// loaded last, starts the page.
"use strict";

const Kiosk = (() => {
  const { api, el, clear, yuan, m2, ZONE, DECORATION, DELIVERY, message } = Anju;
  const $ = (id) => document.getElementById(id);

  const PER_PAGE = 6;

  const state = {
    token: null,
    me: null,
    hold: null, // {id, deadline, listing, quote, fit}
    timer: null,
    lastActivity: Date.now(),
    match: { page: 1, max_top_up_yuan: "", zone_class: "", rooms: "" },
    search: { q: "", page: 1, district: "", zone_class: "", rooms: "", sort: "relevance", districts: null },
    searchSeq: 0,
    matchSeq: 0,
  };

  // ---------- calls ----------

  async function call(method, path, opts = {}) {
    try {
      return await api(method, path, Object.assign({ token: state.token }, opts));
    } catch (e) {
      if (state.token && (e.code === "session_expired" || e.code === "unauthorized")) {
        Kiosk.endSession(message(e), false);
      }
      throw e;
    }
  }

  function say(text) {
    $("live").textContent = text;
  }

  // ---------- screens ----------

  function show(screen) {
    for (const s of ["login", "home", "hold", "slip"]) {
      $("screen-" + s).classList.toggle("hidden", s !== screen);
    }
    $("whoami").classList.toggle("hidden", screen === "login");
    window.scrollTo(0, 0);
  }

  // ---------- keypads ----------

  function keypad(container, rows, onKey) {
    clear(container, rows.map((row) =>
      el("div", { class: "keyrow" }, row.map((k) => {
        const key = typeof k === "string" ? { key: k, label: k } : k;
        return el("button", {
          type: "button", class: "key" + (key.wide ? " wide" : "") + (key.primary ? " primary" : ""),
          "data-key": key.key, "aria-label": key.aria || null,
          onclick: () => { onKey(key.key); },
        }, key.label);
      }))));
  }

  const BACK = { key: "back", label: "退格", wide: true };
  const CLEAR = { key: "clear", label: "清空", wide: true };
  const VOUCHER_ROWS = [
    ["2", "3", "4", "5", "6", "7", "8", "9"],
    ["Q", "W", "E", "R", "T", "Y", "U", "P"],
    ["A", "S", "D", "F", "G", "H", "J", "K"],
    ["Z", "X", "C", "V", "B", "N", "M"],
    [CLEAR, BACK, { key: "next", label: "下一步：输密码", wide: true, primary: true }],
  ];
  const PIN_ROWS = [
    ["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"],
    [CLEAR, "0", BACK],
    [{ key: "voucher", label: "改凭证号", wide: true }, { key: "submit", label: "登 录", wide: true, primary: true }],
  ];
  const LETTER_ROWS = [
    ["Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"],
    ["A", "S", "D", "F", "G", "H", "J", "K", "L"],
    ["Z", "X", "C", "V", "B", "N", "M"],
    [{ key: " ", label: "空格", wide: true }, CLEAR, BACK,
      { key: "submit", label: "搜 索", wide: true, primary: true }],
  ];

  // ---------- filters, cards, pager ----------

  function chips(label, options, current, onPick) {
    const id = "chips-" + Math.random().toString(36).slice(2, 8);
    return el("div", { class: "chip-group", role: "group", "aria-labelledby": id },
      el("span", { class: "chip-label", id }, label),
      options.map(([value, text]) => el("button", {
        type: "button", class: "chip", "aria-pressed": String(String(value) === String(current)),
        onclick: () => onPick(value),
      }, text)));
  }

  const ROOM_OPTIONS = [["", "不限"], [1, "一室"], [2, "两室"], [3, "三室"], [4, "四室"]];
  const ZONE_OPTIONS = [["", "不限"], [1, "一类"], [2, "二类"], [3, "三类"]];

  // what a housing ticket's holder is told when the API refuses a ticket (the rest: Anju.message)
  const TICKET_MESSAGES = {
    usage_not_allowed: "按现行政策，房票不能用于购买这类房源，请另选一套。",
    ticket_exhausted: "您的房票余额已用完，不能再用房票认购。",
    ticket_expired: "您的房票已过有效期，不能再使用，剩余金额将以货币结算，请到服务台咨询。",
    ticket_closed: "您的房票已结清或作废，不能再使用，请到服务台咨询。",
  };
  const refusal = (e) => TICKET_MESSAGES[e && e.code] || message(e);

  const fig = (cls, label, value) =>
    el("div", { class: "q " + cls }, el("dt", {}, label), el("dd", { class: "figure-value" }, value));

  // a housing ticket's quote: what the ticket pays, the city's bonus, the top-up, what is left
  function ticketQuote(quote, fit) {
    return el("div", { class: "quote-wrap" },
      el("dl", { class: "quote ticket" },
        fig("debit", "房票抵扣", yuan(quote.debit_yuan)),
        fig("bonus", `政府奖励（${quote.bonus_pct}%）`, yuan(quote.bonus_yuan)),
        fig("topup" + (quote.top_up_yuan > 0 ? " owing" : ""), "需补差价", yuan(quote.top_up_yuan)),
        fig("after", "使用后余额", yuan(quote.balance_after_yuan))),
      fit ? el("p", { class: "fit " + fit.kind }, fit.summary) : null);
  }

  function quoteBox(quote, fit) {
    if (!quote) return el("div", { class: "quote pending" }, "正在计算费用…");
    if (quote.debit_yuan !== undefined) return ticketQuote(quote, fit);
    return el("div", { class: "quote-wrap" },
      el("dl", { class: "quote" },
        el("div", { class: "q gov" }, el("dt", {}, "政府承担"), el("dd", { class: "figure-value" }, yuan(quote.gov_pays_yuan))),
        el("div", { class: "q topup" + (quote.top_up_yuan > 0 ? " owing" : "") },
          el("dt", {}, "需补差价"), el("dd", { class: "figure-value" }, yuan(quote.top_up_yuan))),
        el("div", { class: "q reward" }, el("dt", {}, "奖励"), el("dd", { class: "figure-value" }, yuan(quote.reward_yuan)))),
      fit ? el("p", { class: "fit " + fit.kind }, fit.summary) : null);
  }

  // a unit that is not a flat shows its usage where a flat shows its layout: a shop or a parking
  // space may have no layout at all (layout "", rooms and halls null)
  const USAGE = { commercial: "商业", office: "办公", parking: "车位" };

  function layoutText(l) {
    const usage = USAGE[l.usage];
    return usage ? [usage, l.layout].filter(Boolean).join(" · ") : l.layout || "";
  }

  function unitFacts(l) {
    return [
      el("p", { class: "unit-where" }, `${l.building} ${l.unit} ${l.room} 室 · ${l.floor} 层`),
      el("p", { class: "unit-facts" },
        [layoutText(l), l.orientation, DECORATION[l.decoration], DELIVERY[l.delivery]].filter(Boolean).join(" · ")),
      el("dl", { class: "unit-money" },
        el("div", {}, el("dt", {}, "建筑面积"), el("dd", { class: "figure-value" }, m2(l.area_m2))),
        el("div", {}, el("dt", {}, "单价"), el("dd", { class: "figure-value" }, yuan(l.price_per_m2_yuan) + "/m²")),
        el("div", {}, el("dt", {}, "总价"), el("dd", { class: "figure-value" }, yuan(l.total_price_yuan)))),
    ];
  }

  function unitCard(l, quote, fit, withHold) {
    const card = el("article", { class: "unit-card", "data-unit-id": l.unit_id, "aria-label": `${l.project_name} ${l.building}${l.unit}${l.room}` },
      el("header", {},
        el("h3", { class: "unit-project" }, l.project_name),
        el("span", { class: "tag zone-" + l.zone_class }, `${l.district} · ${ZONE[l.zone_class] || ""}`)),
      unitFacts(l),
      el("div", { class: "quote-slot" }, quoteBox(quote, fit)),
      withHold ? el("button", { type: "button", class: "btn primary hold-btn", onclick: () => Kiosk.placeHold(l, quote, fit) }, "锁定这套房") : null);
    return card;
  }

  function pager(container, page, total, onGo) {
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    clear(container, total <= PER_PAGE ? [] : [
      el("button", { type: "button", class: "btn", disabled: page <= 1, onclick: () => onGo(page - 1) }, "‹ 上一页"),
      el("span", { class: "page-no" }, `第 ${page} / ${pages} 页`),
      el("button", { type: "button", class: "btn", disabled: page >= pages, onclick: () => onGo(page + 1) }, "下一页 ›"),
    ]);
  }

  return {
    $, PER_PAGE, state, call, say, show, keypad, VOUCHER_ROWS, PIN_ROWS, LETTER_ROWS,
    chips, ROOM_OPTIONS, ZONE_OPTIONS, USAGE, quoteBox, unitFacts, unitCard, pager, refusal,
  };
})();
