// The council's rules page: the version in force and, apart, any version scheduled; the
// draft of the next version (starting from the latest one), publishing it, history,
// comparison of two versions, and what-if replays. Every rule is written in words with its
// unit (courier/fairwork/labels.py): hours, minutes, kg, litres, euros.
"use strict";

(() => {
  const { t, api, esc, money, hours, hourly, when, pct, notice } = FW;
  const el = (id) => document.getElementById(id);
  const FIELDS = RULE_WORDS.fields || {};
  const SCALE = { h: 3600, min: 60, eur: 100 };
  const toUi = (unit, v) => v / (SCALE[unit] || 1);
  const fromUi = (unit, v) => (SCALE[unit] ? Math.round(v * SCALE[unit]) : v);
  const UNIT = { h: "h", min: "min", eur: "€", kg: "kg", pct: "%", ...(RULE_WORDS.shown || {}) };
  // Messages of the rules' checks that name a key: said in words.
  const MESSAGES = { "must be shorter than after_s": t("must be shorter than the work after which it is due"),
    "must be at least the daily limit": t("must be at least the daily limit"),
    "must be shorter than break_every_s": t("must be shorter than the work after which it is due"),
    "must be 0 (unchanged) or at least 300": t("must be 0 (unchanged) or at least 5 minutes") };
  let versions = [];

  function input(path, value) {
    const f = FIELDS[path] || { field: path, unit: "number" };
    const attrs = `data-path="${esc(path)}" data-field="rules.${esc(path)}"`;
    if (f.unit === "choice") {
      return `<label>${esc(f.field)} <select ${attrs}>${Object.entries(f.choices).map(([v, l]) =>
        `<option value="${esc(v)}" ${v === value ? "selected" : ""}>${esc(l)}</option>`).join("")}</select></label>`;
    }
    const unit = UNIT[f.unit] ? ` <span class="unit">${esc(UNIT[f.unit])}</span>` : "";
    return `<label>${esc(f.field)} <span class="with-unit"><input type="number" step="any" ${attrs}
      min="${toUi(f.unit, f.min)}" max="${toUi(f.unit, f.max)}" value="${toUi(f.unit, value)}">${unit}</span></label>`;
  }

  function group(path, obj) {
    const leaves = [], subs = [];
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === "object") {
        subs.push(`<fieldset><legend>${esc((RULE_WORDS.groups || {})[k] || k)}</legend>${group(`${path}.${k}`, v)}</fieldset>`);
      } else leaves.push(input(`${path}.${k}`, v));
    }
    return `<div class="row">${leaves.join("")}</div>${subs.join("")}`;
  }

  function render(doc) {
    const parts = [];
    for (const [section, names] of Object.entries(doc)) {
      const rules = section === "pay" || section === "fairness" ? { [section]: names } : Object.fromEntries(
        Object.entries(names).map(([n, r]) => [`${section}.${n}`, r]));
      for (const [path, rule] of Object.entries(rules)) {
        const { enforce, ...params } = rule;
        const ordered = enforce === undefined ? params : { enforce, ...params };
        parts.push(`<fieldset><legend>${esc(ruleLabel(path))}</legend>${group(path, ordered)}</fieldset>`);
      }
    }
    el("rules-fields").innerHTML = parts.join("");
  }

  function draft() {
    const doc = {};
    for (const field of el("rules-fields").querySelectorAll("[data-path]")) {
      const keys = field.dataset.path.split(".");
      let node = doc;
      keys.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
      const f = FIELDS[field.dataset.path] || {};
      node[keys.at(-1)] = field.tagName === "SELECT" ? field.value : fromUi(f.unit, Number(field.value));
    }
    return doc;
  }

  const changeRow = (c) => `<tr><th>${esc(ruleLabel(c.path))}</th><td>${esc(ruleValue(c.path, c.from))}</td>
    <td>→ ${esc(ruleValue(c.path, c.to))}</td></tr>`;
  const changeList = (changes) => `<ul class="changes">${changes.map((c) => `<li>${esc(ruleChange(c))}</li>`).join("")}</ul>`;

  async function load() {
    const cur = await api("GET", "/rules");
    const v = cur.in_force;
    el("in-force").textContent = t("In force: v{n}, since {date}", { n: v.number, date: when(v.effective_from) });
    el("scheduled").innerHTML = cur.scheduled.map((s) => `<div class="scheduled" data-version="${s.number}">
      <p><b>${esc(t("Scheduled: v{n}, from {date}", { n: s.number, date: when(s.effective_from) }))}</b></p>
      ${changeList(s.diff)}</div>`).join("");
    el("scheduled").hidden = !cur.scheduled.length;
    const base = cur.scheduled.at(-1) || v;
    el("draft-base").textContent = t("Draft of the next version, starting from v{n} (its values are below).", { n: base.number });
    render(base.rules);
    versions = (await api("GET", "/rules/versions")).versions;
    el("history").innerHTML = versions.map((h) => `<li value="${h.number}"><b>v${h.number}</b>
      <span class="muted">${esc(t("from {date}", { date: when(h.effective_from) }))} · ${esc(h.created_by || t("template"))} · ${esc(when(h.created_at))}</span>
      <p>${esc(tr(h.reason))}</p><details><summary>${esc(h.diff.length === 1 ? t("1 change") : t("{n} changes", { n: h.diff.length }))}</summary>
      ${changeList(h.diff)}</details></li>`).join("");
    const opts = versions.map((h) => `<option value="${h.number}">v${h.number}</option>`).join("");
    const f = el("compare");
    f.from.innerHTML = opts; f.to.innerHTML = opts;
    if (versions.length > 1) f.from.value = versions[1].number;
  }

  // An error of the rules' checks, at its field and in the field's unit.
  function fieldMessages(err) {
    for (const [key, msg] of Object.entries(err.fields || {})) {
      const path = key.replace(/^rules\./, "");
      const f = FIELDS[path];
      if (MESSAGES[msg]) err.fields[key] = MESSAGES[msg];
      else if (f && f.min != null && /^must be between/.test(msg)) {
        err.fields[key] = t("must be from {min} to {max}", { min: ruleValue(path, f.min), max: ruleValue(path, f.max) });
      }
    }
    return err;
  }

  // The bounds of each value, checked before sending (the server checks them again).
  function outOfBounds() {
    const fields = {};
    for (const field of el("rules-fields").querySelectorAll("input[data-path]")) {
      const path = field.dataset.path;
      const f = FIELDS[path];
      const v = fromUi(f.unit, Number(field.value));
      if (field.value.trim() === "" || Number.isNaN(v)) fields[`rules.${path}`] = t("required");
      else if (v < f.min || v > f.max) {
        fields[`rules.${path}`] = t("must be from {min} to {max}", { min: ruleValue(path, f.min), max: ruleValue(path, f.max) });
      }
    }
    return fields;
  }

  el("rules-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    notice(el("published"), "");
    clearFieldErrors(form);
    const wrong = outOfBounds();
    if (Object.keys(wrong).length) { showFieldErrors(form, { message: "", fields: wrong }); return; }
    const body = { rules: draft(), reason: form.reason.value };
    if (form.effective_from.value) body.effective_from = new Date(form.effective_from.value).toISOString();
    try {
      const v = await api("POST", "/rules", body);
      form.reason.value = "";
      await load();
      notice(el("published"), t("Published v{n}.", { n: v.number }), true);
    } catch (err) {
      showFieldErrors(form, fieldMessages(err));
    }
  });

  el("compare").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("GET", `/rules/versions/compare?from=${ev.target.from.value}&to=${ev.target.to.value}`);
    el("compare-table").innerHTML = r.changes.length ? `<thead><tr><th>${esc(t("Rule"))}</th><th>v${r.from.number}</th>
      <th>v${r.to.number}</th></tr></thead><tbody>${r.changes.map(changeRow).join("")}</tbody>`
      : `<tr><td>${esc(t("No difference."))}</td></tr>`;
  });

  el("whatif").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    el("whatif-status").textContent = t("Replaying… this can take a minute.");
    el("whatif-changes").innerHTML = "";
    try {
      const r = await api("POST", "/rules/what-if", { from: ev.target.from.value, to: ev.target.to.value, rules: draft() });
      const sides = [["actual", t("What happened")], ["replayed_current", t("Replay, rules in force")], ["proposed", t("Replay, draft")]];
      const rows = [
        [t("Jobs"), (s) => num(s.jobs)], [t("Served"), (s) => num(s.served)], [t("Late"), (s) => num(s.late)],
        [t("Not served"), (s) => num(s.unassigned)], [t("km"), (s) => num(s.km, 1)],
        [t("Members' pay"), (s) => money(s.total_cents)],
        [t("Gini of hours"), (s) => num(s.fairness.gini_hours, 3)], [t("Gini of pay"), (s) => num(s.fairness.gini_pay, 3)],
        // beside the hours on shift they are computed over (none under the council's minimum)
        [t("Hourly pay: lowest"), (s) => hourly(s.fairness.hourly_min_cents, s.on_shift_s)],
        [t("Hourly pay: median"), (s) => hourly(s.fairness.hourly_median_cents, s.on_shift_s)],
        [t("Below the guaranteed rate before top-up"), (s) => pct(s.fairness.share_below_guaranteed)],
      ];
      const actual = (m) => r.actual.members.find((a) => a.courier_id === m.courier_id);
      el("whatif-table").innerHTML = `<thead><tr><th></th>${sides.map(([, l]) => `<th>${esc(l)}</th>`).join("")}</tr></thead>
        <tbody>${rows.map(([l, f]) => `<tr><th>${esc(l)}</th>${sides.map(([k]) => `<td>${esc(f(r[k]))}</td>`).join("")}</tr>`).join("")}
        ${r.proposed.members.map((m, i) => `<tr><th>${esc(m.name)}</th><td>${hours(actual(m)?.on_shift_s)} · ${money(actual(m)?.total_cents)}</td>
          <td>${money(r.replayed_current.members[i]?.total_cents)} · ${num(r.replayed_current.members[i]?.deliveries ?? 0)}</td>
          <td>${money(m.total_cents)} · ${num(m.deliveries)}</td></tr>`).join("")}</tbody>`;
      FW.stack(el("whatif-table"));
      el("whatif-status").textContent = r.changes.length ? t("The draft changes:") : t("The draft changes nothing.");
      el("whatif-changes").innerHTML = r.changes.length ? changeList(r.changes) : "";
    } catch (err) {
      el("whatif-status").textContent = err.message;
    }
  });

  // A replay needs a period that is over: the last seven days up to yesterday, to begin with.
  const ago = (days) => { const d = new Date(); d.setDate(d.getDate() - days); return FW.isoDay(d); };
  el("whatif").from.value = ago(7);
  el("whatif").to.value = ago(1);

  load().catch((err) => notice(el("error"), err.message));
})();
