// The kiosk's hold and what follows: 锁定这套房 places a hold (with an `Idempotency-Key`) and
// shows its countdown, 确认认购 confirms it or 放弃 releases it, and the 认购确认单 prints alone
// (with the area quote, or a housing ticket's: 房票抵扣, 政府奖励, 需补差价, 使用后余额).
"use strict";

(() => {
  const { el, clear, yuan, m2, ZONE, message, newKey } = Anju;
  const { $, state, call, say, show, quoteBox, unitFacts, renderMine, USAGE, refusal } = Kiosk;

  // ---------- hold ----------

  async function placeHold(listing, quote, fit) {
    const key = newKey();
    let hold;
    try {
      hold = await call("POST", "/api/v1/kiosk/holds", { body: { unit_id: listing.unit_id }, headers: { "Idempotency-Key": key } });
    } catch (e) {
      if (!state.token) return;
      let text = refusal(e);
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
      l.layout || l.usage ? unitFacts(l) : el("p", { class: "unit-where" }, `${l.building} ${l.unit} ${l.room} 室`),
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
      Kiosk.renderEntitlement(me);
      renderMine(me);
      const detail = (me.reservations || []).find((r) => r.id === reservation.id) || reservation;
      showSlip(Object.assign({}, detail, reservation), h.listing);
      $("slip-notice").textContent = me.ticket
        ? `认购成功！房票余额 ${yuan(me.ticket.balance_yuan)}。请打印确认单，凭单办理后续手续。`
        : `认购成功！剩余可用原房屋面积 ${m2(me.remaining_origin_area_m2)}。请打印确认单，凭单办理后续手续。`;
      say("认购成功");
    } catch (e) {
      if (!state.token) return;
      if (e.code === "hold_expired" || e.code === "unit_not_available" || e.code === "invalid_transition") {
        stopHoldTimer();
        holdEnded(message(e));
      } else {
        $("hold-error").textContent = refusal(e);
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
    await Kiosk.openHome("matches");
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
        el("caption", {}, hh.method === "ticket" ? "房票持有人" : "安置家庭"),
        el("tbody", {},
          row("户主", hh.name_masked || ""),
          row(hh.method === "ticket" ? "房票号" : "安置凭证号", hh.voucher_no || ""),
          me.round ? row("选房批次", `${me.round.name}（顺序号 ${me.round.position ?? "—"}）`) : null)),
      el("table", { class: "slip-table" },
        el("caption", {}, "认购房源"),
        el("tbody", {},
          row("项目", r.project_name || l.project_name || ""),
          l.developer_name ? row("开发企业", l.developer_name) : null,
          l.address ? row("地址", `${l.district || ""} ${l.address}`) : null,
          row("房号", `${r.building || l.building} ${r.unit || l.unit} ${r.room || l.room} 室`),
          USAGE[l.usage] ? row("用途", USAGE[l.usage]) : null,
          l.layout ? row("户型", `${l.layout}${l.orientation ? " · " + l.orientation : ""}`) : null,
          row("建筑面积", m2(r.area_m2 ?? l.area_m2)),
          l.price_per_m2_yuan ? row("单价", yuan(l.price_per_m2_yuan) + "/m²") : null,
          l.total_price_yuan ? row("总价", yuan(l.total_price_yuan)) : null)),
      el("table", { class: "slip-table money" },
        el("caption", {}, q.debit_yuan !== undefined ? "费用结算（房票）" : "费用结算"),
        el("tbody", {}, q.debit_yuan !== undefined ? [
          row("房票抵扣", yuan(q.debit_yuan)),
          row(`政府奖励（${q.bonus_pct}%）`, yuan(q.bonus_yuan)),
          row("需补差价", yuan(q.top_up_yuan)),
          row("使用后房票余额", yuan(q.balance_after_yuan)),
        ] : [
          row("可安置面积", m2(q.entitled_area_m2 || 0)),
          row("抵扣原房屋面积", m2(q.origin_area_consumed_m2 || 0)),
          row("政府承担", yuan(q.gov_pays_yuan || 0)),
          row("需补差价", yuan(q.top_up_yuan || 0)),
          row("异地安置奖励", yuan(q.reward_yuan || 0)),
        ])),
      el("p", { class: "slip-meta" },
        `确认时间 ${Anju.localTime(r.confirmed_at, true)}　政策版本 v${r.policy_version ?? ""}`),
      el("div", { class: "slip-sign" },
        el("span", {}, "购房人签字：________________"),
        el("span", {}, "工作人员签字：________________")),
      el("p", { class: "slip-foot" }, "本确认单由安居异地安置选房大厅系统生成，凭此单与开发企业办理网签。"));
    $("slip-notice").textContent = "";
    show("slip");
  }

  Object.assign(Kiosk, { placeHold, resumeHold, stopHoldTimer, confirmHold, releaseHold, showSlip });
})();
