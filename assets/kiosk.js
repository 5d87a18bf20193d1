// The hall kiosk: voucher + PIN on an on-screen keypad, the household's entitlement, matches and
// search with each unit's quote, hold with a countdown, confirm, a printable 认购确认单, and
// logout after inactivity. A housing ticket's holder (房票) logs in with the ticket number: the
// summary is the ticket's (balance, bonus by zone, the next drop) with a one-time 核销码 for a
// developer's sales office, and units are found by the search (matches are for area households). Speaks only the public API; the session token lives in memory only.
// It is split by theme: kiosk-core.js (state, calls, keypads, unit cards), kiosk-browse.js
// (matches, search, reservations), kiosk-hold.js (hold, confirm, 认购确认单) and this file, loaded
// last: log-in and log-out, the home screen, the inactivity logout and the wiring that starts it.
"use strict";

(() => {
  const { api, el, clear, yuan, m2, ZONE, message, localTime } = Anju;
  const {
    $, state, call, show, keypad, VOUCHER_ROWS, PIN_ROWS, LETTER_ROWS, loadMatches, showSearchKeypad,
    onSearchKey, debounceSearch, newSearch, runSearch, renderMine, resumeHold, stopHoldTimer,
    confirmHold, releaseHold, refusal,
  } = Kiosk;

  const params = new URLSearchParams(location.search);
  // seconds without a touch before the session ends (`?idle=` lets a hall or a test shorten it)
  const IDLE_S = Math.max(10, Number(params.get("idle")) || 120);
  const WARN_S = Math.min(20, Math.floor(IDLE_S / 2));
  const VOUCHER_CHARS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

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
      $("who-voucher").textContent = (res.household.method === "ticket" ? "房票 " : "凭证 ") + res.household.voucher_no;
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
    closeCode();
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
    $("ent-title").textContent = "我的安置权益";
    $("tab-matches").classList.remove("hidden");
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
    // matches rank by area entitlement: a ticket's holder finds units by the search
    $("tab-matches").classList.toggle("hidden", !!me.ticket);
    show("home");
    if (me.active_hold) return resumeHold(me.active_hold);
    selectTab(tab || (me.ticket ? "search" : "matches"));
  }

  function figure(label, value, cls, id, note) {
    return el("div", { class: "fig " + (cls || "") },
      el("dt", {}, label), el("dd", { class: "figure-value", id: id || null }, value),
      note ? el("dd", { class: "fig-note" }, note) : null);
  }

  function renderEntitlement(me) {
    if (me.ticket) return renderTicket(me);
    $("ent-title").textContent = "我的安置权益";
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
    if (!r && me.ticket) {
      banner.textContent = me.ticket.status === "active"
        ? "房票可随时使用：点“搜索房源”找房，每套房都显示房票抵扣金额和奖励，锁定后确认认购。"
        : "您的房票目前不能再用于认购，可以浏览房源，详情请咨询工作人员。";
    } else if (!r) {
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
    if (name === "matches" && state.me && state.me.ticket) name = "search";
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
    $("code-close").addEventListener("click", closeCode);
    for (const ev of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
      document.addEventListener(ev, touched, { passive: true, capture: true });
    }
    setInterval(idleTick, 1000);
  }

  Object.assign(Kiosk, { endSession, openHome, renderEntitlement });

  // ---------- a housing ticket: summary and 核销码 ----------

  // the last day the ticket can be spent (valid_until is the first instant it cannot), local date
  const lastDay = (iso) => localTime(new Date(Date.parse(iso) - 1).toISOString()).slice(0, 10);
  const STATUS = { active: "可使用", exhausted: "余额已用完", expired: "已过有效期", cashed_out: "已结清", void: "已作废" };

  function renderTicket(me) {
    const t = me.ticket;
    $("ent-title").textContent = "我的房票";
    clear($("ent-figures"),
      el("dl", { class: "figs ticket" },
        figure("房票余额", yuan(t.balance_yuan), "big", "ticket-balance", STATUS[t.status] || t.status),
        figure("房票号", t.ticket_no, "", "ticket-no"),
        figure("面额", yuan(t.face_value_yuan), "", "ticket-face"),
        figure("有效期至", lastDay(t.valid_until), "", "ticket-valid-until")),
      el("p", { class: "notice warn ticket-notice", id: "ticket-notice" }, t.notice),
      el("h3", {}, "今天使用的政府奖励比例"),
      el("dl", { class: "figs zones ticket-zones" },
        [1, 2, 3].map((z) => figure(ZONE[z], `${t.bonus_pct_by_zone[z] ?? 0}%`, "zone", "ticket-bonus-" + z))),
      t.status === "active" ? el("div", { class: "redeem" },
        el("button", { type: "button", class: "btn primary", id: "redeem-btn", onclick: redemptionCode }, "生成核销码"),
        el("p", { class: "redeem-help" }, "到开发企业售楼处用房票购房时，请把核销码出示给工作人员。"),
        el("p", { id: "redeem-error", class: "notice error", role: "alert" })) : null,
      el("p", { class: "ent-note" },
        "购房时先用房票余额抵扣，政府再按比例给奖励；奖励比例随时间递减，越早使用越划算。不够的部分需补差价。"));
  }

  // a one-time 核销码, shown in large digits over the page until closed
  async function redemptionCode() {
    const btn = $("redeem-btn");
    btn.disabled = true;
    $("redeem-error").textContent = "";
    try {
      const r = await call("POST", "/api/v1/kiosk/ticket/redemption-codes");
      $("redeem-code").textContent = r.code;
      $("redeem-expiry").textContent = `有效至 ${localTime(r.expires_at).slice(11)}`;
      $("code-dialog").classList.remove("hidden");
      $("code-close").focus();
    } catch (e) {
      if (state.token) $("redeem-error").textContent = refusal(e);
    } finally {
      btn.disabled = false;
    }
  }

  // closed by its button (focus goes back to 生成核销码) or when the session ends
  function closeCode(ev) {
    $("code-dialog").classList.add("hidden");
    $("redeem-code").textContent = "";
    $("redeem-expiry").textContent = "";
    if (ev && $("redeem-btn")) $("redeem-btn").focus();
  }

  init();
})();
