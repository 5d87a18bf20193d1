// The kiosk's ways to a unit: 为我推荐 (the household's matches, with 补差价 / 区域 / 户型 filters),
// 搜索房源 typed on the pinyin keyboard (with 城区 facets and each unit's quote as it arrives) and
// 我的认购 (the household's reservations).
"use strict";

(() => {
  const { el, clear, m2, message } = Anju;
  const { $, PER_PAGE, state, call, chips, ROOM_OPTIONS, ZONE_OPTIONS, quoteBox, unitCard, pager } = Kiosk;

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
      // a housing ticket that can no longer pay: say so on every card instead of asking for quotes
      const t = state.me && state.me.ticket;
      if (t && t.status !== "active") {
        const code = { exhausted: "ticket_exhausted", expired: "ticket_expired" }[t.status] || "ticket_closed";
        for (const c of cards) clear(c.querySelector(".quote-slot"), el("p", { class: "quote pending" }, Kiosk.refusal({ code })));
        return;
      }
      // each unit's quote for this household, filled in as it arrives
      res.items.forEach((l, i) => {
        call("GET", "/api/v1/kiosk/quote/" + l.unit_id).then((r) => {
          if (seq !== state.searchSeq) return;
          const fresh = unitCard(l, r.quote, r.fit, true);
          cards[i].replaceWith(fresh);
          cards[i] = fresh;
        }).catch((e) => {
          const slot = cards[i].querySelector(".quote-slot");
          // a housing ticket that cannot buy this unit says why (usage, used up, expired)
          const why = e && /^(usage_not_allowed|ticket_)/.test(e.code || "") ? Kiosk.refusal(e) : "暂时无法计算这套房的费用";
          if (slot) clear(slot, el("p", { class: "quote pending" }, why));
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
        el("button", { type: "button", class: "btn", onclick: () => Kiosk.showSlip(r, null) }, "查看认购确认单"))));
  }

  Object.assign(Kiosk, { loadMatches, showSearchKeypad, onSearchKey, debounceSearch, newSearch, runSearch, renderMine });
})();
