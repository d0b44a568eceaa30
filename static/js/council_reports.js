// The council's report page: members' earnings, fairness, charts, CSV, contests (new ones
// arrive live), warnings.
"use strict";

(() => {
  const { t, api, esc, money, num, km, phrase, hours, when, thisWeek, fairness, stack, notice,
    COMPONENTS, hourly, legend } = FW;
  const form = document.getElementById("period");
  const el = (id) => document.getElementById(id);

  async function load() {
    notice(el("error"), "");
    const q = `from=${form.from.value}&to=${form.to.value}`;
    el("csv").href = `/api/v1/reports/earnings?${q}&format=csv`;
    try {
      const r = await api("GET", `/reports/earnings?${q}`);
      fairness(el("fairness"), r.fairness, r.totals.on_shift_s);
      const rate = r.members.length ? Math.max(...r.members.map((m) => m.on_shift_s ? m.guaranteed_cents * 3600 / m.on_shift_s : 0)) : 0;
      Charts.bars(el("chart-hours"), r.members.map((m) => ({ label: m.name, value: m.on_shift_s })), hours);
      Charts.bars(el("chart-hourly"), r.members.filter((m) => m.effective_hourly_cents != null).map((m) => ({
        label: `${m.name} · ${hours(m.on_shift_s)}`, value: m.effective_hourly_cents, mark: m.before_topup_cents < m.guaranteed_cents })),
        money, rate ? { value: rate, label: t("guaranteed {rate}", { rate: money(rate) }) } : null);
      const comps = Object.keys(COMPONENTS);
      const head = [t("Member"), t("Deliveries"), t("km ridden"), t("On shift"), t("Active"),
        ...comps.map((c) => COMPONENTS[c]), t("Total"), t("Per hour before top-up")];
      const row = (m, name) => `<tr><th>${esc(name)}</th><td>${num(m.deliveries)}</td><td>${km(m.km_ridden)}</td>
        <td>${hours(m.on_shift_s)}</td><td>${hours(m.active_s)}</td>
        ${comps.map((c) => `<td>${money(m.pay[c])}</td>`).join("")}
        <td><b>${money(m.total_cents)}</b></td><td>${esc(hourlyOrWhy(m))}</td></tr>`;
      // Under the time on shift the council set, an hourly figure is not shown, and why.
      const hourlyOrWhy = (m) => (m.effective_hourly_cents == null && m.on_shift_s && m.courier_id
        ? t("not shown under {min} on shift", { min: hours(r.rules.hourly_shown_from_s) })
        : hourly(m.effective_hourly_cents, m.on_shift_s));
      // volunteers are never paid: their time is shown apart from the paid members' total
      const v = r.totals.volunteers || {};
      const unpaid = v.members ? row({ ...v, pay: Object.fromEntries(comps.map((c) => [c, 0])),
        effective_hourly_cents: null }, t("Volunteers (unpaid)")) : "";
      el("members").innerHTML = `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>
        <tbody>${r.members.map((m) => row(m, m.volunteer ? `${m.name} · ${t("volunteer")}` : m.name)).join("")}</tbody>
        <tfoot>${row({ ...r.totals, effective_hourly_cents: null }, t("Coop total"))}${unpaid}</tfoot>`;
      stack(el("members"));
      legend(el("members-how"), [[t("Deliveries"), "deliveries"], [t("km ridden"), "km"],
        [t("On shift"), "on_shift"], [t("Active"), "active"], [t("Pay by component"), "pay"],
        [t("Top-up"), "topup"], [t("Total"), "total"], [t("Per hour before top-up"), "hourly"]]);
      const w = await api("GET", `/rules/warnings?${q}`);
      el("warnings").innerHTML = w.warnings.map((e) => `<li data-event="${e.id}"><span class="muted">${esc(when(e.at))}</span>
        ${esc(phrase(e.reason_phrase, e.reason))}</li>`).join("") || `<li class="muted">${esc(t("None."))}</li>`;
    } catch (err) { notice(el("error"), err.message); }
  }

  async function contests() {
    const { contests: list } = await api("GET", "/contests");
    el("contests").innerHTML = list.map((c) => `<li data-contest="${c.id}" data-status="${esc(c.status)}">
      <b>${esc(c.courier)}</b> <span class="muted">${esc(when(c.created_at))} · ${esc(c.status === "open" ? t("open") : t("answered"))}</span>
      <p class="muted">${esc(phrase(c.event.reason_phrase, c.event.reason))}</p><p>${esc(c.body)}</p>
      ${c.answers.map((a) => `<p class="answer">${esc(t("{label}: {value}", { label: a.author, value: a.body }))}</p>`).join("")}
      <form data-id="${c.id}" id="answer-${c.id}" class="row answer-form"><label class="grow">${esc(t("Answer"))}
        <input name="body" required maxlength="2000"></label><div><button>${esc(t("Answer"))}</button></div></form></li>`).join("")
      || `<li class="muted">${esc(t("None."))}</li>`;
  }

  el("contests").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    clearFieldErrors(f);
    try {
      await api("POST", `/contests/${f.dataset.id}/answer`, { body: f.body.value });
      await contests();
      notice(el("contests-notice"), t("Answer sent: the member sees it now."), true);
    } catch (err) { if (!showFieldErrors(f, err)) notice(el("contests-notice"), err.message); }
  });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  thisWeek(form);
  load();
  contests().catch((err) => notice(el("contests-notice"), err.message));
  if (window.io) live({ "contest.opened": () => contests().catch(() => {}) });
})();
