// A shop's statements: a month's jobs with their prices and what is billed (the API's
// GET /statements/<month>, the same figures as its CSV and the invoice), the CSV, and the
// month's numbered invoice (PDF) once the month is over.
"use strict";

(() => {
  const el = (id) => document.getElementById(id);
  const form = el("month-form");
  const pad = (n) => String(n).padStart(2, "0");
  const now = new Date();
  const thisMonth = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
  const day = (iso) => new Date(iso).toLocaleDateString(LANG, { day: "numeric", month: "short", timeZone: COOP_ZONE });

  function figures(items) {
    el("totals").innerHTML = items.map(([key, k, v]) =>
      `<div data-figure="${key}"><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("");
  }

  async function show() {
    const month = form.month.value;
    el("error").textContent = "";
    el("csv").href = `/api/v1/statements/${month}?format=csv`;
    const over = month < thisMonth;
    el("invoice").hidden = !over;
    el("invoice").href = `/api/v1/statements/${month}/invoice.pdf`;
    el("invoice-later").hidden = over;
    try {
      const st = await api("GET", `/statements/${month}`);
      const tt = st.totals;
      figures([["jobs", t("Jobs"), num(tt.jobs)], ["billed_jobs", t("Billed jobs"), num(tt.billed_jobs)],
        ["open_jobs", t("Still open"), num(tt.open_jobs)], ["billed_cents", t("Billed"), money(tt.billed_cents)]]);
      const billed = new Set(["delivered", "failed"]);
      el("jobs").innerHTML = `<thead><tr><th>${esc(t("Job"))}</th><th>${esc(t("Submitted"))}</th>
        <th>${esc(t("Status"))}</th><th>${esc(t("Price"))}</th><th>${esc(t("Billed"))}</th></tr></thead>
        <tbody>${st.jobs.map((j) => `<tr data-job="${j.id}"><td>${esc(t("Job {id}", { id: j.id }))}</td>
        <td>${esc(day(j.created_at))}</td><td>${esc(statusLabel(j.status))}</td><td>${esc(money(j.price_cents || 0))}</td>
        <td>${esc(money(billed.has(j.status) ? j.price_cents || 0 : 0))}</td></tr>`).join("")
        || `<tr><td colspan="5" class="muted">${esc(t("No job this month."))}</td></tr>`}</tbody>
        <tfoot><tr><th>${esc(t("Total"))}</th><td></td><td>${esc(t("{n} billed of {total}", { n: num(tt.billed_jobs), total: num(tt.jobs) }))}</td>
        <td>${esc(money(tt.price_cents))}</td><td><b>${esc(money(tt.billed_cents))}</b></td></tr></tfoot>`;
      FW.stack(el("jobs"));
    } catch (err) { el("error").textContent = err.message; }
  }

  form.month.value = thisMonth;
  form.month.max = thisMonth;
  form.addEventListener("submit", (ev) => { ev.preventDefault(); show(); });
  show();
})();
