// Shared by the hall's pages: calls to the public API, safe DOM building (text only, never
// innerHTML with data), number formats and the Chinese wording of the API's error codes.
"use strict";

const Anju = (() => {
  class ApiFailure extends Error {
    constructor(status, code, message, details) {
      super(message || code);
      this.status = status;
      this.code = code;
      this.details = details || null;
    }
  }

  /** Calls `/api/v1…`; resolves to the parsed JSON (or null for 204), rejects with ApiFailure. */
  async function api(method, path, opts = {}) {
    const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    if (opts.token) headers.Authorization = "Bearer " + opts.token;
    let body;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    let res;
    try {
      res = await fetch(path, { method, headers, body, cache: "no-store" });
    } catch (e) {
      throw new ApiFailure(0, "network", "网络连接中断");
    }
    if (opts.raw && res.ok) return res;
    if (res.status === 204) return null;
    let json = null;
    try {
      json = await res.json();
    } catch (e) {
      json = null;
    }
    if (!res.ok) {
      const err = (json && json.error) || {};
      throw new ApiFailure(res.status, err.code || "http_" + res.status, err.message, err.details);
    }
    return json;
  }

  /** `el("div", {class: "x", onclick: f}, "text", child…)`: text children are text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  }

  const yuanFmt = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 });
  const areaFmt = new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const yuan = (n) => yuanFmt.format(n) + " 元";
  const m2 = (n) => areaFmt.format(n) + " m²";
  const pct = (r, digits = 1) => (r * 100).toFixed(digits) + "%";
  const count = (n) => yuanFmt.format(n);

  /** "2026-11-27 18:13" in the hall's time zone. */
  function localTime(iso, withSeconds) {
    if (!iso) return "";
    const d = new Date(iso);
    const parts = new Intl.DateTimeFormat("zh-CN", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: withSeconds ? "2-digit" : undefined, hour12: false,
    }).formatToParts(d);
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` + (withSeconds ? `:${p.second}` : "");
  }

  const ZONE = { 1: "一类区域", 2: "二类区域", 3: "三类区域" };
  const DECORATION = { rough: "毛坯", basic: "简装", fine: "精装" };
  const DELIVERY = { ready: "现房", off_plan: "期房" };
  const METHOD = { hall: "大厅选房", in_kind: "实物安置", cash: "货币补偿" };

  /** What a household or an official is told when the API refuses. */
  const MESSAGES = {
    network: "网络连接中断，请稍后再试，或请工作人员帮助。",
    invalid_credentials: "凭证号或密码不正确，请核对安置凭证上的号码后重新输入。",
    login_locked: "密码输错次数过多，凭证已暂时锁定。请稍后再试，或请工作人员帮助。",
    session_expired: "操作超时，已自动退出。请重新登录。",
    unauthorized: "登录已失效，请重新登录。",
    forbidden: "您没有进行此项操作的权限。",
    not_your_turn: "还没有轮到您选房，请留意大厅叫号。您可以先浏览房源。",
    voucher_expired: "您的安置凭证已过期，请到服务台办理。",
    round_not_open: "当前没有正在进行的选房批次，请留意大厅通知。",
    unit_not_available: "这套房刚刚被其他家庭选定或已下架，请另选一套。",
    hold_limit_reached: "您已锁定了一套房，请先确认认购或放弃后再选。",
    hold_expired: "锁定时间已到，这套房已释放。如仍想要，请重新锁定。",
    entitlement_exhausted: "您的安置面积已全部使用，不能再认购。",
    idempotency_key_reused: "重复提交，请返回后重新操作。",
    invalid_transition: "当前状态下不能进行这项操作，请刷新后重试。",
    not_found: "没有找到相关信息，可能已被删除。",
    service_unavailable: "系统繁忙，请稍后再试。",
    validation_failed: "填写的内容有误，请检查后重试。",
    seed_mismatch: "抽签种子与公布的承诺值不符。",
  };

  function message(err) {
    if (err && MESSAGES[err.code]) return MESSAGES[err.code];
    if (err && err.status >= 500) return "系统出现问题，请稍后再试，或请工作人员帮助。";
    return "操作没有成功，请稍后再试，或请工作人员帮助。";
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  return { api, ApiFailure, el, clear, yuan, m2, pct, count, localTime, ZONE, DECORATION, DELIVERY, METHOD, message, newKey };
})();
