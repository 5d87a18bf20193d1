// The hall kiosk: voucher + PIN on an on-screen keypad, the household's entitlement, matches and
// search with each unit's quote, hold with a countdown, confirm, a printable 认购确认单, and
// logout after inactivity. Speaks only the public API; the session token lives in memory only.
"use strict";

(() => {
  const { api, el, clear, yuan, m2, ZONE, DECORATION, DELIVERY, message, newKey } = Anju;
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  // seconds without a touch before the session ends (`?idle=` lets a hall or a test shorten it)
  const IDLE_S = Math.max(10, Number(params.get("idle")) || 120);
  const WARN_S = Math.min(20, Math.floor(IDLE_S / 2));
  const PER_PAGE = 6;
  const VOUCHER_CHARS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

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
        endSession(message(e), false);
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

  // ---------- log-in ----------

  let loginField = "voucher";

  function voucherRaw() {
    return $("voucher").value.toUpperCase().split("").filter((c) => VOUCHER_CHARS.includes(c)).join("").slice(0, 12);
  }

  function setVoucher(raw) {
    $("voucher").value = (raw.match(/.{1,4}/g) || []).join("-");
  }

  function focusLogin(field) {
    loginField = field;
    $("voucher").classList.toggle("active", field === "voucher");
    $("pin").classList.toggle("active", field === "pin");
    $("login-keypad").classList.toggle("digits", field === "pin");
    keypad($("login-keypad"), field === "pin" ? PIN_ROWS : VOUCHER_ROWS, onLoginKey);
  }

  function onLoginKey(k) {
    if (loginField === "voucher") {
      let raw = voucherRaw();
      if (k === "back") raw = raw.slice(0, -1);
      else if (k === "clear") raw = "";
      else if (k === "next") return focusLogin("pin");
      else if (raw.length < 12) raw += k;
      setVoucher(raw);
      if (raw.length === 12 && k !== "back" && k !== "clear") focusLogin("pin");
    } else {
      const pin = $("pin");
      if (k === "back") pin.value = pin.value.slice(0, -1);
      else if (k === "clear") pin.value = "";
      else if (k === "voucher") return focusLogin("voucher");
      else if (k === "submit") return login();
      else if (pin.value.length < 6) pin.value += k;
    }
  }

  async function login() {
    const voucher_no = voucherRaw();
    const pin = $("pin").value.replace(/\D/g, "");
    const err = $("login-error");
    if (voucher_no.length !== 12) {
      err.textContent = "凭证号是 12 位，请核对后输入。";
      return focusLogin("voucher");
    }
    if (pin.length !== 6) {
      err.textContent = "密码是 6 位数字，请输入完整。";
      return focusLogin("pin");
    }
    err.textContent = "";
    $("login-submit").disabled = true;
    try {
      const res = await api("POST", "/api/v1/kiosk/login", { body: { voucher_no, pin } });
      state.token = res.token;
      $("voucher").value = "";
      $("pin").value = "";
      $("who-name").textContent = res.household.name_masked + " 您好";
      $("who-voucher").textContent = "凭证 " + res.household.voucher_no;
      state.match.page = 1;
      state.search = { q: "", page: 1, district: "", zone_class: "", rooms: "", sort: "relevance", districts: null };
      $("q").value = "";
      await openHome();
    } catch (e) {
      $("pin").value = "";
      if (e.code === "login_locked" && e.details && e.details.locked_until) {
        err.textContent = `密码输错次数过多，凭证已锁定到 ${Anju.localTime(e.details.locked_until).slice(11)}。请稍后再试，或请工作人员帮助。`;
      } else if (e.code === "login_locked") {
        err.textContent = "本机登录失败次数过多，请稍后再试，或请工作人员帮助。";
      } else {
        err.textContent = message(e);
      }
      focusLogin(e.code === "invalid_credentials" ? "pin" : loginField);
    } finally {
      $("login-submit").disabled = false;
    }
  }

  function endSession(notice, tellServer = true) {
    const token = state.token;
    state.token = null;
    state.me = null;
    stopHoldTimer();
    state.hold = null;
    hideIdle();
    if (tellServer && token) {
      api("POST", "/api/v1/kiosk/logout", { token }).catch(() => {});
    }
    clear($("ent-figures"));
    clear($("match-results"));
    clear($("search-results"));
    clear($("mine-list"));
    clear($("slip"));
    $("voucher").value = "";
    $("pin").value = "";
    $("login-error").textContent = notice || "";
    focusLogin("voucher");
    show("login");
  }

  // ---------- home: entitlement, turn, tabs ----------

  async function openHome(tab) {
    const me = await call("GET", "/api/v1/kiosk/me");
    state.me = me;
    renderEntitlement(me);
    renderTurn(me);
    renderMine(me);
    show("home");
    if (me.active_hold) return resumeHold(me.active_hold);
    selectTab(tab || "matches");
  }

  function figure(label, value, cls, id, note) {
    return el("div", { class: "fig " + (cls || "") },
      el("dt", {}, label), el("dd", { class: "figure-value", id: id || null }, value),
      note ? el("dd", { class: "fig-note" }, note) : null);
  }

  function renderEntitlement(me) {
    const byZone = me.entitled_area_m2_by_zone || {};
    clear($("ent-figures"),
      el("dl", { class: "figs" },
        figure("剩余可用原房屋面积", m2(me.remaining_origin_area_m2), "big", "ent-remaining"),
        figure("原房屋面积", m2(me.origin_area_m2), "", "ent-origin", `原址属${ZONE[me.origin_zone] || ""}`),
        figure("选择货币补偿可得", yuan(me.cash_out_yuan), "", "ent-cash")),
      el("h3", {}, "在各类区域可安置的面积"),
      el("dl", { class: "figs zones" },
        [1, 2, 3].map((z) => figure(ZONE[z], m2(byZone[z] || 0), "zone", "ent-zone-" + z))),
      el("p", { class: "ent-note" },
        `异地安置奖励：每平方米 ${me.relocation_reward_yuan_per_m2} 元。可安置面积以内由政府承担，超出部分需补差价。`));
  }

  function renderTurn(me) {
    const banner = $("turn-banner");
    const r = me.round;
    banner.className = "notice info";
    if (!r) {
      banner.textContent = "您不在当前的选房批次中，可以浏览房源，选房请咨询工作人员。";
    } else if (!r.open) {
      banner.textContent = `“${r.name}”目前没有开放选房，请留意大厅通知。`;
    } else if (r.your_turn) {
      banner.className = "notice ok";
      banner.textContent = `已轮到您选房：您的顺序号 ${r.position}，大厅已叫号到 ${r.called_up_to} 号。`;
    } else {
      banner.textContent = `您的顺序号 ${r.position ?? "—"}，大厅已叫号到 ${r.called_up_to} 号。轮到您之前可以先浏览房源。`;
    }
  }

  function selectTab(name) {
    for (const t of ["matches", "search", "mine"]) {
      const on = t === name;
      $("tab-" + t).setAttribute("aria-selected", String(on));
      $("tab-" + t).tabIndex = on ? 0 : -1;
      $("panel-" + t).classList.toggle("hidden", !on);
    }
    if (name === "matches") loadMatches();
    if (name === "search") {
      showSearchKeypad(true);
      if (!state.search.districts) runSearch();
    }
  }

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

  function quoteBox(quote, fit) {
    if (!quote) return el("div", { class: "quote pending" }, "正在计算费用…");
    return el("div", { class: "quote-wrap" },
      el("dl", { class: "quote" },
        el("div", { class: "q gov" }, el("dt", {}, "政府承担"), el("dd", { class: "figure-value" }, yuan(quote.gov_pays_yuan))),
        el("div", { class: "q topup" + (quote.top_up_yuan > 0 ? " owing" : "") },
          el("dt", {}, "需补差价"), el("dd", { class: "figure-value" }, yuan(quote.top_up_yuan))),
        el("div", { class: "q reward" }, el("dt", {}, "奖励"), el("dd", { class: "figure-value" }, yuan(quote.reward_yuan)))),
      fit ? el("p", { class: "fit " + fit.kind }, fit.summary) : null);
  }

  function unitFacts(l) {
    return [
      el("p", { class: "unit-where" }, `${l.building} ${l.unit} ${l.room} 室 · ${l.floor} 层`),
      el("p", { class: "unit-facts" },
        [l.layout, l.orientation, DECORATION[l.decoration], DELIVERY[l.delivery]].filter(Boolean).join(" · ")),
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
      withHold ? el("button", { type: "button", class: "btn primary hold-btn", onclick: () => placeHold(l, quote, fit) }, "锁定这套房") : null);
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

  // ---------- matches ----------

  function renderMatchFilters() {
    const m = state.match;
    const set = (k) => (v) => { m[k] = v; m.page = 1; loadMatches(); };
    clear($("match-filters"),
      chips("补差价", [["", "不限"], [0, "不补差价"], [50000, "5 万以内"], [100000, "10 万以内"], [200000, "20 万以内"]], m.max_top_up_yuan, set("max_top_up_yuan")),
      chips("区域", ZONE_OPTIONS, m.zone_class, set("zone_class")),
      chips("户型", ROOM_OPTIONS, m.rooms, set("rooms")));
  }

  async function loadMatches() {
    renderMatchFilters();
    const m = state.match;
    const q = new URLSearchParams({ page: m.page, per_page: PER_PAGE });
    for (const k of ["max_top_up_yuan", "zone_class", "rooms"]) if (m[k] !== "") q.set(k, m[k]);
    const seq = ++state.matchSeq;
    $("match-summary").textContent = "正在查找适合您的房源…";
    try {
      const res = await call("GET", "/api/v1/kiosk/matches?" + q);
      if (seq !== state.matchSeq) return;
      $("match-summary").textContent = res.total
        ? `共 ${res.total} 套适合您的房源，按与您的可安置面积接近程度排列。`
        : "没有符合条件的房源，请放宽条件再试。";
      clear($("match-results"), res.items.map((it) => unitCard(it, it.quote, it.fit, true)));
      pager($("match-pager"), m.page, res.total, (p) => { m.page = p; loadMatches(); });
    } catch (e) {
      if (seq === state.matchSeq) $("match-summary").textContent = message(e);
    }
  }

  // ---------- search ----------

  function showSearchKeypad(on) {
    $("search-keypad").classList.toggle("hidden", !on);
  }

  function onSearchKey(k) {
    const input = $("q");
    if (k === "back") input.value = input.value.slice(0, -1);
    else if (k === "clear") input.value = "";
    else if (k === "submit") { showSearchKeypad(false); return newSearch(); }
    else input.value += k.toLowerCase();
    debounceSearch();
  }

  let debounce = null;
  function debounceSearch() {
    clearTimeout(debounce);
    debounce = setTimeout(newSearch, 350);
  }

  function newSearch() {
    clearTimeout(debounce);
    state.search.q = $("q").value.trim();
    state.search.page = 1;
    state.search.district = "";
    state.search.districts = null;
    runSearch();
  }

  function renderSearchFilters() {
    const s = state.search;
    const set = (k) => (v) => { s[k] = v; s.page = 1; runSearch(); };
    const districts = Object.entries(s.districts || {}).sort((a, b) => b[1] - a[1]);
    clear($("search-filters"),
      districts.length > 1 || s.district
        ? chips("城区", [["", "全部"], ...districts.map(([d, n]) => [d, `${d} ${n}`])], s.district, set("district"))
        : null,
      chips("区域", ZONE_OPTIONS, s.zone_class, set("zone_class")),
      chips("户型", ROOM_OPTIONS, s.rooms, set("rooms")),
      chips("排序", [["relevance", "最相关"], ["price_asc", "总价低到高"], ["area_asc", "面积小到大"], ["area_desc", "面积大到小"]], s.sort, set("sort")));
  }

  async function runSearch() {
    const s = state.search;
    const q = new URLSearchParams({ page: s.page, per_page: PER_PAGE, facets: "true", sort: s.sort });
    if (s.q) q.set("q", s.q);
    for (const k of ["district", "zone_class", "rooms"]) if (s[k] !== "") q.set(k, s[k]);
    const seq = ++state.searchSeq;
    $("search-summary").textContent = "正在搜索…";
    try {
      const res = await call("GET", "/api/v1/listings?" + q);
      if (seq !== state.searchSeq) return;
      if (!s.district && res.facets) s.districts = res.facets.district;
      renderSearchFilters();
      $("search-summary").textContent = res.total
        ? (s.q ? `“${s.q}”找到 ${res.total} 套房源` : `共 ${res.total} 套在售房源`)
        : `没有找到“${s.q}”，请换个词或减少条件。`;
      const cards = res.items.map((l) => unitCard(l, null, null, true));
      clear($("search-results"), cards);
      pager($("search-pager"), s.page, res.total, (p) => { s.page = p; runSearch(); });
      // each unit's quote for this household, filled in as it arrives
      res.items.forEach((l, i) => {
        call("GET", "/api/v1/kiosk/quote/" + l.unit_id).then((r) => {
          if (seq !== state.searchSeq) return;
          const fresh = unitCard(l, r.quote, r.fit, true);
          cards[i].replaceWith(fresh);
          cards[i] = fresh;
        }).catch(() => {
          const slot = cards[i].querySelector(".quote-slot");
          if (slot) clear(slot, el("p", { class: "quote pending" }, "暂时无法计算这套房的费用"));
        });
      });
    } catch (e) {
      if (seq === state.searchSeq) $("search-summary").textContent = message(e);
    }
  }

  // ---------- mine ----------

  function renderMine(me) {
    const list = me.reservations || [];
    $("tab-mine").textContent = list.length ? `我的认购（${list.length}）` : "我的认购";
    clear($("mine-list"), list.length === 0
      ? el("p", { class: "summary" }, "您还没有认购房源。")
      : list.map((r) => el("article", { class: "unit-card mine" },
        el("header", {}, el("h3", { class: "unit-project" }, r.project_name),
          el("span", { class: "tag status-" + r.status }, r.status === "contracted" ? "已网签" : "已认购")),
        el("p", { class: "unit-where" }, `${r.building} ${r.unit} ${r.room} 室 · ${m2(r.area_m2)}`),
        quoteBox(r.quote, null),
        el("button", { type: "button", class: "btn", onclick: () => showSlip(r, null) }, "查看认购确认单"))));
  }

  // ---------- hold ----------

  async function placeHold(listing, quote, fit) {
    const key = newKey();
    let hold;
    try {
      hold = await call("POST", "/api/v1/kiosk/holds", { body: { unit_id: listing.unit_id }, headers: { "Idempotency-Key": key } });
    } catch (e) {
      if (!state.token) return;
      let text = message(e);
      if (e.code === "not_your_turn" && state.me && state.me.round) {
        text = `还没有轮到您选房：您的顺序号 ${state.me.round.position}，大厅已叫号到 ${state.me.round.called_up_to} 号。请留意叫号。`;
      }
      return alertCard(listing.unit_id, text);
    }
    state.hold = {
      id: hold.id, listing, quote: hold.quote || quote, fit,
      deadline: Date.now() + hold.expires_in_s * 1000,
    };
    openHold();
  }

  function alertCard(unitId, text) {
    for (const card of document.querySelectorAll(`.unit-card[data-unit-id="${unitId}"]`)) {
      const old = card.querySelector(".card-error");
      if (old) old.remove();
      card.append(el("p", { class: "notice error card-error", role: "alert" }, text));
    }
  }

  async function resumeHold(active) {
    let listing = {
      unit_id: active.unit_id, project_name: active.project_name, building: active.building,
      unit: active.unit, room: active.room,
    };
    let quote = null, fit = null;
    try {
      const r = await call("GET", "/api/v1/kiosk/quote/" + active.unit_id);
      listing = r.listing; quote = r.quote; fit = r.fit;
    } catch (e) {
      // the unit is held, so it may not be listed any more: show what the hold says
    }
    state.hold = { id: active.id, listing, quote, fit, deadline: Date.now() + active.expires_in_s * 1000 };
    openHold();
  }

  function openHold() {
    const h = state.hold;
    const l = h.listing;
    clear($("hold-unit"), el("article", { class: "unit-card big", "data-unit-id": l.unit_id },
      el("header", {}, el("h2", { class: "unit-project" }, l.project_name),
        l.district ? el("span", { class: "tag" }, `${l.district} · ${ZONE[l.zone_class] || ""}`) : null),
      l.layout ? unitFacts(l) : el("p", { class: "unit-where" }, `${l.building} ${l.unit} ${l.room} 室`),
      quoteBox(h.quote, h.fit)));
    $("hold-error").textContent = "";
    $("hold-confirm").disabled = false;
    $("hold-release").textContent = "放弃，重新选房";
    show("hold");
    say("已锁定，请在倒计时结束前确认认购");
    stopHoldTimer();
    tickHold();
    state.timer = setInterval(tickHold, 500);
  }

  function stopHoldTimer() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
  }

  function tickHold() {
    const h = state.hold;
    if (!h) return stopHoldTimer();
    const left = Math.max(0, Math.ceil((h.deadline - Date.now()) / 1000));
    const mm = String(Math.floor(left / 60)).padStart(2, "0");
    const ss = String(left % 60).padStart(2, "0");
    $("countdown").textContent = `${mm}:${ss}`;
    $("countdown").classList.toggle("urgent", left <= 60);
    if (left === 0) {
      stopHoldTimer();
      holdEnded(Anju.message({ code: "hold_expired" }));
    }
  }

  function holdEnded(text) {
    $("hold-error").textContent = text;
    $("hold-confirm").disabled = true;
    $("hold-release").textContent = "返回选房";
    state.hold = null;
  }

  async function confirmHold() {
    const h = state.hold;
    if (!h) return;
    $("hold-confirm").disabled = true;
    try {
      const reservation = await call("POST", `/api/v1/kiosk/holds/${h.id}/confirm`, { headers: { "Idempotency-Key": newKey() } });
      stopHoldTimer();
      state.hold = null;
      const me = await call("GET", "/api/v1/kiosk/me");
      state.me = me;
      renderEntitlement(me);
      renderMine(me);
      const detail = (me.reservations || []).find((r) => r.id === reservation.id) || reservation;
      showSlip(Object.assign({}, detail, reservation), h.listing);
      $("slip-notice").textContent = `认购成功！剩余可用原房屋面积 ${m2(me.remaining_origin_area_m2)}。请打印确认单，凭单办理后续手续。`;
      say("认购成功");
    } catch (e) {
      if (!state.token) return;
      if (e.code === "hold_expired" || e.code === "unit_not_available" || e.code === "invalid_transition") {
        stopHoldTimer();
        holdEnded(message(e));
      } else {
        $("hold-error").textContent = message(e);
        $("hold-confirm").disabled = false;
      }
    }
  }

  async function releaseHold() {
    const h = state.hold;
    stopHoldTimer();
    state.hold = null;
    if (h) {
      try {
        await call("DELETE", `/api/v1/kiosk/holds/${h.id}`);
      } catch (e) {
        if (!state.token) return;
      }
    }
    await openHome("matches");
  }

  // ---------- 认购确认单 ----------

  function showSlip(r, listing) {
    const me = state.me || {};
    const hh = me.household || {};
    const l = listing || {};
    const q = r.quote || {};
    const row = (k, v) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, v));
    const statusText = { confirmed: "已确认认购", contracted: "已网签备案", cancelled: "已撤销" }[r.status] || r.status;
    clear($("slip"),
      el("header", { class: "slip-head" },
        el("h1", { id: "slip-title" }, "认购确认单"),
        el("p", {}, `确认单编号 RZ-${String(r.id).padStart(6, "0")}`)),
      el("p", { class: "slip-status" }, "状态：", el("strong", { id: "slip-status" }, statusText)),
      el("table", { class: "slip-table" },
        el("caption", {}, "安置家庭"),
        el("tbody", {},
          row("户主", hh.name_masked || ""),
          row("安置凭证号", hh.voucher_no || ""),
          me.round ? row("选房批次", `${me.round.name}（顺序号 ${me.round.position ?? "—"}）`) : null)),
      el("table", { class: "slip-table" },
        el("caption", {}, "认购房源"),
        el("tbody", {},
          row("项目", r.project_name || l.project_name || ""),
          l.developer_name ? row("开发企业", l.developer_name) : null,
          l.address ? row("地址", `${l.district || ""} ${l.address}`) : null,
          row("房号", `${r.building || l.building} ${r.unit || l.unit} ${r.room || l.room} 室`),
          l.layout ? row("户型", `${l.layout}${l.orientation ? " · " + l.orientation : ""}`) : null,
          row("建筑面积", m2(r.area_m2 ?? l.area_m2)),
          l.price_per_m2_yuan ? row("单价", yuan(l.price_per_m2_yuan) + "/m²") : null,
          l.total_price_yuan ? row("总价", yuan(l.total_price_yuan)) : null)),
      el("table", { class: "slip-table money" },
        el("caption", {}, "费用结算"),
        el("tbody", {},
          row("可安置面积", m2(q.entitled_area_m2 || 0)),
          row("抵扣原房屋面积", m2(q.origin_area_consumed_m2 || 0)),
          row("政府承担", yuan(q.gov_pays_yuan || 0)),
          row("需补差价", yuan(q.top_up_yuan || 0)),
          row("异地安置奖励", yuan(q.reward_yuan || 0)))),
      el("p", { class: "slip-meta" },
        `确认时间 ${Anju.localTime(r.confirmed_at, true)}　政策版本 v${r.policy_version ?? ""}`),
      el("div", { class: "slip-sign" },
        el("span", {}, "购房人签字：________________"),
        el("span", {}, "工作人员签字：________________")),
      el("p", { class: "slip-foot" }, "本确认单由安居异地安置选房大厅系统生成，凭此单与开发企业办理网签。"));
    $("slip-notice").textContent = "";
    show("slip");
  }

  // ---------- inactivity ----------

  function touched() {
    state.lastActivity = Date.now();
    if (!$("idle-dialog").classList.contains("hidden")) hideIdle();
  }

  function hideIdle() {
    $("idle-dialog").classList.add("hidden");
  }

  function idleTick() {
    const idle = (Date.now() - state.lastActivity) / 1000;
    if (!state.token) {
      // a half-typed voucher or PIN does not stay on the screen for the next person
      if (idle >= IDLE_S && ($("voucher").value || $("pin").value)) {
        $("voucher").value = "";
        $("pin").value = "";
        focusLogin("voucher");
      }
      return;
    }
    if (idle >= IDLE_S) {
      endSession("长时间没有操作，已自动退出。");
    } else if (idle >= IDLE_S - WARN_S) {
      $("idle-seconds").textContent = String(Math.ceil(IDLE_S - idle));
      if ($("idle-dialog").classList.contains("hidden")) {
        $("idle-dialog").classList.remove("hidden");
        $("idle-continue").focus();
      }
    }
  }

  // ---------- wiring ----------

  function init() {
    focusLogin("voucher");
    keypad($("search-keypad"), LETTER_ROWS, onSearchKey);
    $("voucher").addEventListener("focus", () => focusLogin("voucher"));
    $("pin").addEventListener("focus", () => focusLogin("pin"));
    $("voucher").addEventListener("input", () => setVoucher(voucherRaw()));
    $("pin").addEventListener("input", () => { $("pin").value = $("pin").value.replace(/\D/g, "").slice(0, 6); });
    $("login-form").addEventListener("submit", (ev) => { ev.preventDefault(); login(); });
    $("logout").addEventListener("click", () => endSession("已退出登录。"));
    for (const t of ["matches", "search", "mine"]) $("tab-" + t).addEventListener("click", () => selectTab(t));
    $("q").addEventListener("focus", () => showSearchKeypad(true));
    $("q").addEventListener("input", debounceSearch);
    $("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); showSearchKeypad(false); newSearch(); });
    $("hold-confirm").addEventListener("click", confirmHold);
    $("hold-release").addEventListener("click", releaseHold);
    $("slip-print").addEventListener("click", () => window.print());
    $("slip-back").addEventListener("click", () => openHome("mine").catch(() => {}));
    $("slip-logout").addEventListener("click", () => endSession("谢谢使用，已退出登录。"));
    $("idle-continue").addEventListener("click", touched);
    for (const ev of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
      document.addEventListener(ev, touched, { passive: true, capture: true });
    }
    setInterval(idleTick, 1000);
  }

  init();
})();
