// The council's rules page: the draft of the next version (starting from the one in
// force), publishing it, history, comparison of two versions, and what-if replays.
"use strict";

(() => {
  const { t, api, esc, money, hours, when, pct } = FW;
  const el = (id) => document.getElementById(id);
  const LABELS = {
    "working_time.max_day": t("Maximum working time per day"),
    "working_time.max_week": t("Maximum working time per week"),
    "working_time.daily_rest": t("Minimum daily rest between shifts"),
    "working_time.break": t("Break after continuous work"),
    "working_time.consecutive_days": t("Maximum consecutive working days"),
    "load.vehicle_caps": t("Load caps per vehicle type"),
    "load.max_stops": t("Maximum stops per run"),
    "load.max_run": t("Maximum run duration"),
    pay: t("Pay scheme"), fairness: t("Fairness"),
  };
  const FIELDS = {
    limit_s: [t("hours"), "h"], min_s: [t("hours"), "h"], after_s: [t("after (hours)"), "h"],
    duration_s: [t("minutes"), "min"], max_days: [t("days"), ""], limit: [t("stops"), ""],
    kg: [t("kg"), ""], l: [t("litres"), ""],
    per_delivery_cents: [t("per delivery (€)"), "€"], per_km_cents: [t("per km (€)"), "€"],
    per_hour_cents: [t("per hour on shift (€)"), "€"],
    guaranteed_hourly_cents: [t("guaranteed hourly minimum (€)"), "€"],
    night_bonus_pct: [t("night bonus (%)"), ""], night_from_h: [t("night from (hour)"), ""],
    night_to_h: [t("night until (hour)"), ""], sunday_bonus_pct: [t("Sunday bonus (%)"), ""],
    strength: [t("strength (0-100)"), ""],
  };
  const ENFORCE = { block: t("block"), warn: t("warn"), off: t("off") };
  const BALANCE = { off: t("off"), hours: t("fewer hours first"), pay: t("lower pay first") };
  const toUi = { h: (v) => v / 3600, min: (v) => v / 60, "€": (v) => v / 100, "": (v) => v };
  const fromUi = { h: (v) => Math.round(v * 3600), min: (v) => Math.round(v * 60),
                   "€": (v) => Math.round(v * 100), "": (v) => v };
  let current = null;
  let versions = [];

  function input(path, key, value) {
    if (key === "enforce") {
      return `<label>${esc(t("enforcement"))} <select data-path="${path}">${Object.entries(ENFORCE).map(([v, l]) =>
        `<option value="${v}" ${v === value ? "selected" : ""}>${esc(l)}</option>`).join("")}</select></label>`;
    }
    if (key === "balance") {
      return `<label>${esc(t("balancing"))} <select data-path="${path}">${Object.entries(BALANCE).map(([v, l]) =>
        `<option value="${v}" ${v === value ? "selected" : ""}>${esc(l)}</option>`).join("")}</select></label>`;
    }
    const [label, unit] = FIELDS[key] || [key, ""];
    return `<label>${esc(label)} <input type="number" step="any" min="0" data-path="${path}" data-unit="${unit}"
      value="${toUi[unit](value)}"></label>`;
  }

  function group(path, obj) {
    const leaves = [], subs = [];
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === "object") subs.push(`<fieldset><legend>${esc(k === "bike" ? t("bike") : k === "cargo_bike" ? t("cargo bike") : k)}</legend>${group(`${path}.${k}`, v)}</fieldset>`);
      else leaves.push(input(`${path}.${k}`, k, v));
    }
    return `<div class="row">${leaves.join("")}</div>${subs.join("")}`;
  }

  function render(doc) {
    const parts = [];
    const order = { working_time: ["max_day", "max_week", "daily_rest", "break", "consecutive_days"],
                    load: ["vehicle_caps", "max_stops", "max_run"] };
    for (const section of ["working_time", "load"]) {
      for (const name of order[section]) {
        const rule = doc[section][name];
        const { enforce, ...params } = rule;
        parts.push(`<fieldset><legend>${esc(LABELS[`${section}.${name}`] || name)}</legend>
          ${group(`${section}.${name}`, { enforce, ...params })}</fieldset>`);
      }
    }
    parts.push(`<fieldset><legend>${esc(LABELS.pay)}</legend>${group("pay", doc.pay)}</fieldset>`);
    parts.push(`<fieldset><legend>${esc(LABELS.fairness)}</legend>${group("fairness", doc.fairness)}</fieldset>`);
    el("rules-fields").innerHTML = parts.join("");
  }

  function draft() {
    const doc = {};
    for (const field of el("rules-fields").querySelectorAll("[data-path]")) {
      const keys = field.dataset.path.split(".");
      let node = doc;
      keys.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
      node[keys.at(-1)] = field.tagName === "SELECT" ? field.value
        : fromUi[field.dataset.unit](Number(field.value));
    }
    return doc;
  }

  const fmtChange = (c) => `<tr><th>${esc(c.path)}</th><td>${esc(JSON.stringify(c.from))}</td><td>→ ${esc(JSON.stringify(c.to))}</td></tr>`;

  async function load() {
    const cur = await api("GET", "/rules");
    current = cur.in_force;
    el("in-force").textContent = `${t("in force")}: v${current.number}` +
      (cur.scheduled.length ? ` · ${t("scheduled")}: ${cur.scheduled.map((v) => `v${v.number} (${when(v.effective_from)})`).join(", ")}` : "");
    render((cur.scheduled.at(-1) || current).rules);
    versions = (await api("GET", "/rules/versions")).versions;
    el("history").innerHTML = versions.map((v) => `<li value="${v.number}"><b>v${v.number}</b>
      <span class="muted">${esc(t("from"))} ${when(v.effective_from)} · ${esc(v.created_by || t("template"))} · ${when(v.created_at)}</span>
      <p>${esc(v.reason)}</p><details><summary>${esc(t("{n} changes", { n: v.diff.length }))}</summary>
      <table class="data">${v.diff.map(fmtChange).join("")}</table></details></li>`).join("");
    const opts = versions.map((v) => `<option value="${v.number}">v${v.number}</option>`).join("");
    const f = el("compare");
    f.from.innerHTML = opts; f.to.innerHTML = opts;
    if (versions.length > 1) f.from.value = versions[1].number;
  }

  el("rules-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    el("error").textContent = "";
    const body = { rules: draft(), reason: ev.target.reason.value };
    if (ev.target.effective_from.value) body.effective_from = new Date(ev.target.effective_from.value).toISOString();
    try {
      const v = await api("POST", "/rules", body);
      ev.target.reason.value = "";
      el("error").textContent = t("Published v{n}.", { n: v.number });
      await load();
    } catch (err) {
      el("error").textContent = err.message;
    }
  });

  el("compare").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("GET", `/rules/versions/compare?from=${ev.target.from.value}&to=${ev.target.to.value}`);
    el("compare-table").innerHTML = r.changes.map(fmtChange).join("") || `<tr><td>${esc(t("No difference."))}</td></tr>`;
  });

  el("whatif").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    el("whatif-status").textContent = t("Replaying… this can take a minute.");
    try {
      const r = await api("POST", "/rules/what-if", { from: ev.target.from.value, to: ev.target.to.value, rules: draft() });
      const sides = [["actual", t("What happened")], ["replayed_current", t("Replay, rules in force")], ["proposed", t("Replay, draft")]];
      const rows = [
        [t("Jobs"), (s) => s.jobs], [t("Served"), (s) => s.served], [t("Late"), (s) => s.late],
        [t("Not served"), (s) => s.unassigned], [t("km"), (s) => s.km],
        [t("Members' pay"), (s) => money(s.total_cents)],
        [t("Gini of hours"), (s) => s.fairness.gini_hours], [t("Gini of pay"), (s) => s.fairness.gini_pay],
        [t("Hourly pay: lowest"), (s) => money(s.fairness.hourly_min_cents)],
        [t("Hourly pay: median"), (s) => money(s.fairness.hourly_median_cents)],
        [t("Below the guaranteed rate before top-up"), (s) => pct(s.fairness.share_below_guaranteed)],
      ];
      el("whatif-table").innerHTML = `<thead><tr><th></th>${sides.map(([, l]) => `<th>${esc(l)}</th>`).join("")}</tr></thead>
        <tbody>${rows.map(([l, f]) => `<tr><th>${esc(l)}</th>${sides.map(([k]) => `<td>${esc(f(r[k]))}</td>`).join("")}</tr>`).join("")}
        ${r.proposed.members.map((m, i) => `<tr><th>${esc(m.name)}</th><td>${hours(r.actual.members.find((a) => a.courier_id === m.courier_id)?.on_shift_s)} · ${money(r.actual.members.find((a) => a.courier_id === m.courier_id)?.total_cents)}</td>
          <td>${money(r.replayed_current.members[i]?.total_cents)} · ${r.replayed_current.members[i]?.deliveries ?? 0}</td>
          <td>${money(m.total_cents)} · ${m.deliveries}</td></tr>`).join("")}</tbody>`;
      el("whatif-status").textContent = r.changes.length ? r.changes.map((c) => `${c.path}: ${c.from} → ${c.to}`).join("; ") : t("The draft changes nothing.");
    } catch (err) {
      el("whatif-status").textContent = err.message;
    }
  });

  load().catch((err) => { el("error").textContent = err.message; });
})();
