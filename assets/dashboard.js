// Officials' dashboard: overview figures, the two SVG charts (fetched with the bearer header and
// inlined), housing tickets (房票) with those expiring soon, monthly rankings with the
// two-months-last flag, developer and project approvals, round control and report exports. The official token is kept in sessionStorage (this tab only).
"use strict";

(() => {
  const { api, el, clear, pct, count, m2, yuan, ZONE, DELIVERY, localTime, message } = Anju;
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = "anju.official_token";
  const ROUND_STATUS = { created: "未开始", open: "进行中", closed: "已暂停" };
  const ORDERING = { signing_time: "按签约时间", lottery: "摇号" };

  let token = sessionStorage.getItem(TOKEN_KEY);
  let rankLevel = "district";

  async function call(method, path, opts = {}) {
    try {
      return await api(method, path, Object.assign({ token }, opts));
    } catch (e) {
      if (e.status === 401) logout("令牌无效或已失效，请重新登录。");
      throw e;
    }
  }

  function flash(text, kind = "ok") {
    const f = $("flash");
    f.className = "notice " + kind;
    f.textContent = text;
  }

  // ---------- session ----------

  async function login(candidate) {
    $("login-error").textContent = "";
    try {
      await api("GET", "/api/v1/stats/overview", { token: candidate });
    } catch (e) {
      $("login-error").textContent = e.status === 401 || e.status === 403
        ? "令牌不正确或没有查看权限。" : message(e);
      return;
    }
    token = candidate;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    for (const id of ["app", "nav", "session"]) $(id).classList.remove("hidden");
    $("login").classList.add("hidden");
    await loadAll();
  }

  function logout(notice) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    for (const id of ["app", "nav", "session"]) $(id).classList.add("hidden");
    $("login").classList.remove("hidden");
    $("login-error").textContent = notice || "";
    $("token").focus();
  }

  async function loadAll() {
    await Promise.allSettled([loadOverview(), loadCharts(), loadTickets(), loadRankings(), loadApprovals(), loadRounds()]);
  }

  // ---------- overview ----------

  function figureCard(key, label, value, note, cls) {
    return el("div", { class: "figure " + (cls || ""), "data-figure": key },
      el("div", { class: "figure-label" }, label),
      el("div", { class: "figure-value", id: "fig-" + key }, value),
      note ? el("div", { class: "figure-note" }, note) : null);
  }

  async function loadOverview() {
    const o = await call("GET", "/api/v1/stats/overview");
    const by = o.households_by_method || {};
    const target = o.monetization_target_pct;
    clear($("overview-figures"),
      figureCard("stock_units", "存量房源（套）", count(o.stock_units), `${m2(o.stock_area_m2)} · ${yuan(o.stock_value_yuan)}`),
      figureCard("available_units", "可选房源（套）", count(o.available_units)),
      figureCard("held_units", "锁定中（套）", count(o.held_units)),
      figureCard("reserved_units", "已认购（套）", count(o.reserved_units)),
      figureCard("sold_units", "已网签（套）", count(o.sold_units)),
      figureCard("absorption_rate", "去化率（按套数）", pct(o.absorption_rate, 2),
        `按面积 ${pct(o.absorption_rate_by_area, 2)} · 按金额 ${pct(o.absorption_rate_by_value, 2)}`, "accent"),
      figureCard("households_total", "安置家庭（户）", count(o.households_total),
        `大厅选房 ${by.hall || 0} · 房票安置 ${by.ticket || 0} · 实物安置 ${by.in_kind || 0} · 货币补偿 ${by.cash || 0}`),
      figureCard("monetization_rate", "货币化安置率", pct(o.monetization_rate),
        `目标 ${target}%` + (o.monetization_rate * 100 >= target ? "，已达标" : "，未达标"),
        o.monetization_rate * 100 >= target ? "good" : "warn"),
      figureCard("hall_uptake_rate", "大厅选房完成率", pct(o.hall_uptake_rate), "已认购的大厅选房家庭占比"));
    $("overview-time").textContent = "更新于 " + localTime(new Date().toISOString(), true);
  }

  // ---------- charts ----------

  async function loadChart(name, container, query) {
    const body = container.querySelector(".chart-body");
    try {
      const res = await call("GET", "/api/v1/stats/charts/" + name + (query ? "?" + query : ""), { raw: true, headers: { Accept: "image/svg+xml" } });
      const doc = new DOMParser().parseFromString(await res.text(), "image/svg+xml");
      const svg = doc.documentElement;
      if (svg.nodeName !== "svg") throw new Error("not an svg");
      for (const s of svg.querySelectorAll("script, foreignObject")) s.remove();
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", container.querySelector("figcaption").textContent);
      clear(body, document.importNode(svg, true));
    } catch (e) {
      clear(body, el("p", { class: "muted" }, "图表暂时无法显示：" + message(e)));
    }
  }

  function loadCharts() {
    return Promise.all([
      loadChart("selections-trend.svg", $("chart-trend")),
      loadChart("absorption-by-district.svg", $("chart-district")),
    ]);
  }

  // ---------- housing tickets ----------

  const TICKET_STATUS = { active: "有效", exhausted: "已用完", expired: "已过期", cashed_out: "已兑付", void: "已作废" };

  function ticketFigures(t) {
    clear($("ticket-figures"),
      figureCard("tickets_issued", "已发放房票", yuan(t.issued_yuan), `${count(t.issued_count)} 张`),
      figureCard("tickets_debited", "已使用（抵扣房款）", yuan(t.debited_yuan)),
      figureCard("tickets_bonus", "已付奖励", yuan(t.bonus_yuan), "政府按使用时间和区位加付", "accent"),
      figureCard("tickets_outstanding", "未使用余额", yuan(t.outstanding_yuan), "仍在有效期内"),
      figureCard("tickets_expiring", "30 天内到期", `${count(t.expiring_30d_count)} 张`, `余额 ${yuan(t.expiring_30d_yuan)}`,
        t.expiring_30d_count > 0 ? "warn" : ""),
      figureCard("tickets_expired", "已过期待兑付", yuan(t.expired_unpaid_yuan), `已兑付现金 ${yuan(t.cashed_out_yuan)}`,
        t.expired_unpaid_yuan > 0 ? "warn" : "good"));
  }

  function expiringTickets(page) {
    const items = page.items || [];
    if (items.length === 0) return el("p", { class: "muted" }, "30 天内没有到期的房票。");
    return [
      el("table", { class: "expiring" },
        el("caption", { class: "visually-hidden" }, "30 天内到期的房票（持票人姓名已脱敏）"),
        el("thead", {}, el("tr", {}, el("th", {}, "房票号"), el("th", {}, "持票人"),
          el("th", { class: "num" }, "余额"), el("th", {}, "有效期至"), el("th", {}, "状态"))),
        el("tbody", {}, items.map((t) => el("tr", { "data-ticket-id": t.id },
          el("td", { class: "mono" }, t.ticket_no), el("td", {}, t.holder_name_masked),
          el("td", { class: "num" }, yuan(t.balance_yuan)), el("td", {}, localTime(t.valid_until)),
          el("td", {}, TICKET_STATUS[t.status] || t.status))))),
      page.total > items.length ? el("p", { class: "muted small" }, `仅列出最早到期的 ${items.length} 张，共 ${count(page.total)} 张。`) : null,
    ];
  }

  async function loadTickets() {
    const [figures, expiring] = await Promise.allSettled([
      call("GET", "/api/v1/stats/tickets"),
      call("GET", "/api/v1/tickets?expiring_within_days=30&per_page=100"),
    ]);
    if (figures.status === "fulfilled") ticketFigures(figures.value);
    else clear($("ticket-figures"), el("p", { class: "muted" }, "房票统计暂时无法显示：" + message(figures.reason)));
    clear($("ticket-expiring"), expiring.status === "fulfilled" ? expiringTickets(expiring.value)
      : el("p", { class: "muted" }, "到期房票列表暂时无法显示：" + message(expiring.reason)));
  }

  // ---------- rankings ----------

  /** The twelve months up to `current` ("YYYY-MM"), newest first. */
  function fillMonths(current) {
    let [y, m] = current.split("-").map(Number);
    const options = [];
    for (let i = 0; i < 12; i += 1) {
      const v = `${y}-${String(m).padStart(2, "0")}`;
      options.push(el("option", { value: v }, `${y} 年 ${m} 月`));
      m -= 1;
      if (m === 0) { m = 12; y -= 1; }
    }
    clear($("rank-month"), options);
    $("rank-month").value = current;
  }

  async function loadRankings() {
    const q = new URLSearchParams({ level: rankLevel });
    if ($("rank-month").value) q.set("month", $("rank-month").value);
    const r = await call("GET", "/api/v1/stats/rankings?" + q);
    if (!$("rank-month").value) fillMonths(r.month);
    const rows = r.rows || [];
    clear($("rank-table"), rows.length === 0 ? el("p", { class: "muted" }, "本月没有可排名的对象。") :
      el("table", { class: "rank" },
        el("caption", { class: "visually-hidden" }, `${r.month} ${rankLevel === "district" ? "区县" : "项目"}去化排名`),
        el("thead", {}, el("tr", {},
          el("th", { class: "num" }, "名次"), el("th", {}, "名称"), el("th", { class: "num" }, "存量"),
          el("th", { class: "num" }, "当月认购"), el("th", { class: "num" }, "当月去化率"),
          el("th", { class: "num" }, "连续末位"), el("th", {}, "标记"))),
        el("tbody", {}, rows.map((row) => el("tr", {
          class: (row.flagged ? "flagged" : "") + (row.last ? " last" : ""), "data-key": row.key,
        },
          el("td", { class: "num" }, row.rank), el("td", {}, row.label),
          el("td", { class: "num" }, count(row.stock_units)), el("td", { class: "num" }, count(row.confirmed_in_month)),
          el("td", { class: "num" }, pct(row.absorption_rate, 2)),
          el("td", { class: "num" }, row.consecutive_last_months ? `${row.consecutive_last_months} 个月` : "—"),
          el("td", {},
            row.flagged ? el("span", { class: "flag" }, "连续两个月排名最后") : null,
            !row.flagged && row.last ? el("span", { class: "last-mark" }, "末位") : null))))));
  }

  // ---------- approvals ----------

  async function approve(kind, id, name, action = "approve") {
    const path = `/api/v1/${kind}/${id}/${action}`;
    try {
      await call("POST", path, { body: {} });
      const verb = action === "approve" ? "已批准" : "已驳回";
      flash(`${verb}${kind === "projects" ? "项目" : "开发企业"}“${name}”。`);
      await Promise.allSettled([loadApprovals(), loadOverview(), loadCharts(), loadRankings()]);
    } catch (e) {
      if (token) flash(`“${name}”操作未成功：${message(e)}`, "error");
    }
  }

  async function loadApprovals() {
    const [devs, projects] = await Promise.all([
      call("GET", "/api/v1/developers?status=pending&per_page=100"),
      call("GET", "/api/v1/projects?status=pending&per_page=100"),
    ]);
    clear($("pending-developers"), devs.items.length === 0 ? el("p", { class: "muted" }, "没有待审批的开发企业。") :
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "企业名称"), el("th", {}, "统一社会信用代码"),
          el("th", {}, "联系人"), el("th", {}, "登记时间"), el("th", {}, "操作"))),
        el("tbody", {}, devs.items.map((d) => el("tr", { "data-developer-id": d.id },
          el("td", {}, d.name), el("td", { class: "mono" }, d.credit_code),
          el("td", {}, `${d.contact_name_masked} ${d.contact_phone_masked}`), el("td", {}, localTime(d.created_at)),
          el("td", { class: "actions" },
            el("button", { type: "button", class: "btn small primary", onclick: () => approve("developers", d.id, d.name) }, "批准")))))));
    clear($("pending-projects"), projects.items.length === 0 ? el("p", { class: "muted" }, "没有待审批的项目。") :
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "项目"), el("th", {}, "开发企业"), el("th", {}, "区县"),
          el("th", {}, "区域类别"), el("th", {}, "预售许可证"), el("th", {}, "操作"))),
        el("tbody", {}, projects.items.map((p) => el("tr", { "data-project-id": p.id },
          el("td", {}, p.name, el("div", { class: "muted small" }, p.address)), el("td", {}, p.developer_name),
          el("td", {}, p.district), el("td", {}, ZONE[p.zone_class] || p.zone_class),
          el("td", {}, p.presale_permit_no, el("div", { class: "muted small" }, DELIVERY[p.delivery] || "")),
          el("td", { class: "actions" },
            el("button", { type: "button", class: "btn small primary", "aria-label": `批准项目 ${p.name}`, onclick: () => approve("projects", p.id, p.name) }, "批准"),
            el("button", { type: "button", class: "btn small danger", "aria-label": `驳回项目 ${p.name}`, onclick: () => approve("projects", p.id, p.name, "reject") }, "驳回")))))));
  }

  // ---------- rounds ----------

  async function roundAction(r, action, body) {
    try {
      await call("POST", `/api/v1/rounds/${r.id}/${action}`, { body: body || {} });
      const done = { open: "已开放选房", close: "已暂停选房", call: `已叫号到 ${body && body.up_to} 号`, draw: "已公开种子并生成顺序" }[action];
      flash(`“${r.name}”${done}。`);
      await loadRounds();
    } catch (e) {
      if (token) flash(`“${r.name}”操作未成功：${message(e)}`, "error");
    }
  }

  function roundRow(r) {
    const callInput = el("input", {
      type: "number", class: "field small num-input", min: r.called_up_to, max: r.size,
      value: Math.min(r.size, r.called_up_to + 10), "aria-label": `${r.name} 叫号到第几号`,
    });
    const seedInput = el("input", { type: "text", class: "field small", placeholder: "公开种子", "aria-label": `${r.name} 抽签种子` });
    const needsDraw = r.ordering === "lottery" && !r.seed;
    return el("tr", { "data-round-id": r.id },
      el("td", {}, r.name, el("div", { class: "muted small" }, ORDERING[r.ordering] || r.ordering)),
      el("td", {}, el("span", { class: "status status-" + r.status }, ROUND_STATUS[r.status] || r.status)),
      el("td", { class: "num" }, el("span", { class: "called" }, `${r.called_up_to} / ${r.size}`)),
      el("td", { class: "actions" },
        r.status === "open"
          ? el("button", { type: "button", class: "btn small", onclick: () => roundAction(r, "close") }, "暂停")
          : el("button", { type: "button", class: "btn small primary", onclick: () => roundAction(r, "open") }, "开放"),
        needsDraw
          ? el("span", { class: "inline" }, seedInput,
            el("button", { type: "button", class: "btn small", onclick: () => roundAction(r, "draw", { seed: seedInput.value }) }, "抽签"))
          : el("span", { class: "inline" }, callInput,
            el("button", { type: "button", class: "btn small primary", onclick: () => roundAction(r, "call", { up_to: Number(callInput.value) }) }, "叫号"))));
  }

  async function loadRounds() {
    const rounds = await call("GET", "/api/v1/rounds");
    clear($("round-list"), rounds.length === 0 ? el("p", { class: "muted" }, "还没有选房批次。") :
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "批次"), el("th", {}, "状态"), el("th", { class: "num" }, "叫号 / 户数"), el("th", {}, "操作"))),
        el("tbody", {}, rounds.map(roundRow))));
  }

  // ---------- exports ----------

  const REPORTS = [["destocking", "去化报表"], ["rankings", "排名报表"], ["settlement", "结算报表"], ["tickets", "房票台账"]];

  async function download(report, format, button) {
    const q = new URLSearchParams({ report, format });
    if (report === "rankings") {
      q.set("level", rankLevel);
      if ($("rank-month").value) q.set("month", $("rank-month").value);
    }
    button.disabled = true;
    try {
      const res = await call("GET", "/api/v1/stats/export?" + q, { raw: true, headers: { Accept: "*/*" } });
      const blob = await res.blob();
      const disposition = res.headers.get("Content-Disposition") || "";
      const name = (disposition.match(/filename="?([^";]+)"?/) || [])[1] || `anju-${report}.${format}`;
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: name, class: "hidden" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      flash(`已导出 ${name}。`);
    } catch (e) {
      if (token) flash("导出未成功：" + message(e), "error");
    } finally {
      button.disabled = false;
    }
  }

  function renderExports() {
    clear($("export-list"), REPORTS.map(([report, label]) => el("div", { class: "export" },
      el("span", { class: "export-label" }, label),
      ["csv", "xlsx"].map((format) => {
        const b = el("button", { type: "button", class: "btn small", "data-report": report, "data-format": format }, format.toUpperCase());
        b.addEventListener("click", () => download(report, format, b));
        return b;
      }))));
  }

  // ---------- wiring ----------

  function init() {
    renderExports();
    $("login-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const t = $("token").value.trim();
      if (t) login(t);
    });
    $("logout").addEventListener("click", () => logout("已退出。"));
    $("refresh").addEventListener("click", () => loadAll().then(() => flash("已刷新。")));
    for (const b of $("rank-level").querySelectorAll("button")) {
      b.addEventListener("click", () => {
        rankLevel = b.dataset.level;
        for (const o of $("rank-level").querySelectorAll("button")) o.setAttribute("aria-pressed", String(o === b));
        loadRankings().catch(() => {});
      });
    }
    $("rank-month").addEventListener("change", () => loadRankings().catch(() => {}));
    if (token) login(token);
    else $("token").focus();
  }

  init();
})();
