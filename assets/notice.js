// The public notice page: `/notices` lists the notices, `/notices/{id}` shows one with its lines
// (masked data only) and a form to file an objection, which answers with the receipt number.
"use strict";

(() => {
  const { api, el, clear, m2, localTime, message } = Anju;
  const $ = (id) => document.getElementById(id);
  const STATUS = { open: "公示中，可提出异议", reviewing: "公示期满，异议复核中", final: "公示结束，结果已生效" };
  const SELECTED_BY = { self: "本人", proxy: "委托代选" };
  const RELATION = { co_applicant: "共同申请人", notarized: "公证委托" };

  const period = (n) => `公示期：${localTime(n.starts_at)} 至 ${localTime(n.ends_at)}`;
  const counts = (o) => `异议：待复核 ${o.open} 件，成立 ${o.upheld} 件，不成立 ${o.dismissed} 件`;

  async function showList() {
    const page = await api("GET", "/api/v1/notices?per_page=100");
    $("list").classList.remove("hidden");
    $("list-empty").classList.toggle("hidden", page.items.length > 0);
    clear($("notices"), page.items.map((n) => el("tr", {},
      el("td", {}, el("a", { href: `/notices/${n.id}` }, n.title)),
      el("td", {}, `${localTime(n.starts_at)} 至 ${localTime(n.ends_at)}`),
      el("td", {}, STATUS[n.status] || n.status),
      el("td", { class: "num" }, String(n.objections.open + n.objections.upheld + n.objections.dismissed)))));
  }

  function lineRow(l) {
    const by = l.selected_by === "proxy"
      ? `${SELECTED_BY.proxy}（${l.proxy_name_masked || ""}${l.proxy_relation ? "，" + (RELATION[l.proxy_relation] || l.proxy_relation) : ""}）`
      : SELECTED_BY.self;
    return el("tr", { class: l.withdrawn ? "withdrawn" : null },
      el("td", { class: "num" }, String(l.position)),
      el("td", {}, l.name_masked),
      el("td", {}, l.id_number_masked),
      el("td", {}, l.expropriation_project),
      el("td", { class: "num" }, m2(l.origin_area_m2)),
      el("td", {}, l.project_name),
      el("td", {}, `${l.building}栋${l.unit}单元${l.room}室`),
      el("td", { class: "num" }, m2(l.area_m2)),
      el("td", { class: "num" }, m2(l.origin_area_consumed_m2)),
      el("td", {}, by),
      el("td", {}, l.withdrawn ? "已撤销" : ""));
  }

  async function showNotice(id) {
    const n = await api("GET", `/api/v1/notices/${id}`);
    document.title = `安居 · ${n.title}`;
    clear($("title"), el("span", { class: "logo", "aria-hidden": "true" }, "安"), n.title);
    $("period").textContent = period(n);
    $("state").textContent = STATUS[n.status] || n.status;
    clear($("lines"), n.lines.map(lineRow));
    $("objection-counts").textContent = counts(n.objections);
    $("detail").classList.remove("hidden");
    if (n.status !== "open") return;
    clear($("line"), el("option", { value: "" }, "整个公示"),
      n.lines.map((l) => el("option", { value: String(l.position) }, `${l.position} 号 ${l.name_masked}`)));
    $("objection").classList.remove("hidden");
    $("objection-form").addEventListener("submit", (e) => {
      e.preventDefault();
      submit(id);
    });
  }

  async function submit(id) {
    const result = $("form-result");
    const line = $("line").value;
    const body = {
      text: $("text").value,
      contact_name: $("contact-name").value,
      contact_phone: $("contact-phone").value,
    };
    if (line) body.line = Number(line);
    $("submit").disabled = true;
    result.className = "notice";
    try {
      const r = await api("POST", `/api/v1/notices/${id}/objections`, { body });
      result.className = "notice ok";
      clear(result, "异议已受理。受理编号：", el("span", { class: "receipt" }, r.receipt_no),
        `。请妥善保存，复核将于 ${localTime(r.review_deadline)} 前完成。`);
      $("objection-form").reset();
    } catch (err) {
      result.className = "notice error";
      const words = {
        notice_closed: "公示期已结束，不再受理异议。",
        objection_throttled: "提交过于频繁，请稍后再试。",
      };
      result.textContent = words[err.code] || message(err);
    } finally {
      $("submit").disabled = false;
    }
  }

  const m = location.pathname.match(/^\/notices\/(\d+)\/?$/);
  (m ? showNotice(m[1]) : showList()).catch((err) => {
    $("load-error").textContent = message(err);
  });
})();
