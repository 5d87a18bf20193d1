// Hall wall screen: the call-up pointer and the latest selections (names masked) from the public
// board route, refreshed every few seconds; a failed refresh keeps the last figures on screen.
"use strict";

(() => {
  const { api, el, clear, localTime } = Anju;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const INTERVAL_S = Math.max(2, Number(params.get("interval")) || 5);
  const STATUS = { created: "尚未开始", open: "选房进行中", closed: "选房已暂停" };
  let seen = null;

  async function refresh() {
    const q = params.get("round_id") ? "?round_id=" + encodeURIComponent(params.get("round_id")) : "";
    try {
      const b = await api("GET", "/api/v1/board" + q);
      $("round-name").textContent = b.round_name || "当前没有选房批次";
      $("called").textContent = b.round_id ? String(b.called_up_to) : "—";
      $("round-size").textContent = b.round_id ? `本批次共 ${b.size} 户` : "";
      $("round-status").textContent = STATUS[b.status] || "";
      $("round-status").className = "round-status status-" + (b.status || "none");
      const rows = b.recent_selections || [];
      const keys = rows.map((s) => `${s.confirmed_at}|${s.project_name}|${s.building}|${s.unit}|${s.room}`);
      clear($("recent"), rows.map((s, i) => el("tr", { class: seen && !seen.has(keys[i]) ? "fresh" : "" },
        el("td", { class: "time" }, localTime(s.confirmed_at).slice(11)),
        el("td", {}, s.household_name_masked),
        el("td", {}, s.project_name),
        el("td", {}, `${s.building} ${s.unit} ${s.room}`))));
      seen = new Set(keys);
      $("recent-empty").classList.toggle("hidden", rows.length > 0);
      $("updated").textContent = "更新于 " + localTime(new Date().toISOString(), true).slice(11);
    } catch (e) {
      $("updated").textContent = "连接中断，正在重试…";
    }
  }

  $("interval").textContent = String(INTERVAL_S);
  refresh();
  setInterval(refresh, INTERVAL_S * 1000);
})();
