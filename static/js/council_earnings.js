// A member's own earnings page: their figures and pay lines, pay per run and per job (each
// linked to the decision that gave the run), their monthly statement, where they stand in
// the coop (anonymised), breaks, and the reasons for their offers and non-offers, to
// contest. The council's answers arrive live.
"use strict";

(() => {
  const { t, api, esc, money, num, km, day, phrase, hours, when, thisWeek, figures, fairness,
    stack, notice, COMPONENTS, hourly, legend, how } = FW;
  const el = (id) => document.getElementById(id);
  const form = document.getElementById("period");
  const me = Number(el("me").dataset.courier);
  const ACTIONS = { offered: t("Offer"), not_offered: t("No offer"), rule_warning: t("Rule warning"),
    declined: t("Declined"), offer_expired: t("Offer expired"), shift_started: t("Shift started"),
    shift_ended: t("Shift ended"), time_corrected: t("Time corrected"), reassigned: t("Reassigned") };
  let onBreak = false;

  async function report() {
    notice(el("error"), "");
    try {
      const r = await api("GET", `/reports/earnings?from=${form.from.value}&to=${form.to.value}`);
      const m = r.members[0];
      figures(el("mine"), m ? [
        [t("Deliveries"), num(m.deliveries), "deliveries"], [t("km ridden"), km(m.km_ridden), "km"],
        [t("On shift"), hours(m.on_shift_s), "on_shift"], [t("Active"), hours(m.active_s), "active"],
        ...Object.entries(COMPONENTS).map(([k, l]) => [l, money(m.pay[k]), k === "topup" ? "topup" : "pay"]),
        [t("Total"), money(m.total_cents), "total"],
        [t("Per hour before top-up"), hourlyOrWhy(m, r.rules), "hourly"],
      ] : [[t("Total"), money(0), "total"]]);
      el("failed-rule").innerHTML = `<span>${esc(t("Failed attempts are paid: {how} (rules v{n}).", {
        how: ruleValue("pay.failed_attempt", r.rules.failed_attempt), n: r.rules.version }))}</span> ${how("failed")}`;
      el("lines").innerHTML = m ? `<thead><tr><th>${esc(t("Day"))}</th><th>${esc(t("Component"))}</th>
        <th>${esc(t("Rules"))}</th><th>${esc(t("Amount"))}</th></tr></thead><tbody>${m.lines.map((l) =>
        `<tr><td>${esc(day(l.day))}</td><td>${esc(COMPONENTS[l.component] || l.component)}</td><td>v${l.version}</td><td>${money(l.cents)}</td></tr>`).join("")}</tbody>` : "";
      stack(el("lines"));
      legend(el("lines-how"), m ? [[t("Component"), "pay"], [t("Rules"), "pay"]] : []);
      const mine = m ? m.effective_hourly_cents : null;
      let marked = false;
      Charts.bars(el("chart-hourly"), r.distribution.effective_hourly_cents.map((v, i) => {
        const mark = !marked && v === mine;
        marked = marked || mark;
        return { label: mark ? `${t("you")} · ${hours(m.on_shift_s)}` : `#${i + 1}`, value: v, mark };
      }), money);
      // each rate is over its member's own hours, which the anonymised chart does not pair
      el("chart-hourly-note").textContent = t("Each bar is a member's pay before top-up over their own hours on shift; under {min} on shift, no rate is shown.",
        { min: hours(r.rules.hourly_shown_from_s) });
      fairness(el("fairness"), r.fairness, r.totals.on_shift_s);
      await runs();
    } catch (err) { notice(el("error"), err.message); }
  }

  // The effective hourly pay beside its hours, or why it is not shown.
  function hourlyOrWhy(m, rules) {
    if (m.effective_hourly_cents != null || !m.on_shift_s) return hourly(m.effective_hourly_cents, m.on_shift_s);
    return t("Not shown: {hours} on shift, under the {min} the council set for an hourly figure to mean something.",
      { hours: hours(m.on_shift_s), min: hours(rules.hourly_shown_from_s) });
  }

  // Pay per run and per job: each component, the run's decision, a failed job's why.
  const parts = (pay) => Object.entries(pay).filter(([, v]) => v)
    .map(([k, v]) => t("{label}: {value}", { label: COMPONENTS[k] || k, value: money(v) })).join(" · ") || "–";
  const decision = (d) => (d ? `<a href="#decision-${d.event_id}" data-decision="${d.event_id}">${esc(phrase(d.reason_phrase, d.reason))}</a>` : "–");
  const failedWhy = (f) => esc(t("Failed: {reason}. Failed attempts are paid: {how}.", {
    reason: f.reason, how: ruleValue("pay.failed_attempt", f.failed_attempt) }));

  async function runs() {
    const q = `from=${form.from.value}&to=${form.to.value}`;
    const r = await api("GET", `/reports/runs?${q}`);
    el("runs-csv").href = `/api/v1/reports/runs?${q}&format=csv`;
    const rows = r.runs.map((run) => `<tr class="run" data-run="${run.run_id}">
      <td><b>${esc(t("Run {id}", { id: run.run_id }))}</b>${run.in_progress ? ` · ${esc(t("in progress"))}` : ""}</td>
      <td>${esc(when(run.ended_at || run.accepted_at))}</td><td>${esc(km(run.km))}</td><td class="wrap">${esc(parts(run.pay))}</td>
      <td><b>${esc(money(run.total_cents))}</b></td><td class="wrap">${decision(run.decision)}</td></tr>${run.jobs.map((j) =>
      `<tr class="job" data-job="${j.job_id}" data-status="${esc(j.status)}">
      <td>${esc(t("Job {id}", { id: j.job_id }))} · ${esc(statusLabel(j.status))}</td><td>${esc(when(j.at))}</td>
      <td>${esc(km(j.km))}</td><td class="wrap">${esc(parts(j.pay))}</td><td>${esc(money(j.total_cents))}</td>
      <td class="wrap">${j.failed ? failedWhy(j.failed) : ""}</td></tr>`).join("")}`).join("");
    el("runs").innerHTML = `<thead><tr><th>${esc(t("Run or job"))}</th><th>${esc(t("When"))}</th><th>${esc(t("km"))}</th>
      <th>${esc(t("Pay"))}</th><th>${esc(t("Amount"))}</th><th>${esc(t("Why"))}</th></tr></thead>
      <tbody>${rows || `<tr><td colspan="6" class="muted">${esc(t("No run in this period."))}</td></tr>`}</tbody>
      <tfoot><tr><th>${esc(t("Total"))}</th><td></td><td></td><td>${esc(parts(r.totals.pay))}</td>
      <td><b>${esc(money(r.totals.total_cents))}</b></td><td></td></tr></tfoot>`;
    stack(el("runs"));
    legend(el("runs-how"), [[t("Pay"), "runs"], [t("Failed attempts"), "failed"]]);
  }

  const contestForm = (id) => `<form class="contest-form" data-event="${id}" hidden>
    <label>${esc(t("What do you contest, and why?"))}<textarea name="body" rows="3" maxlength="2000" required></textarea></label>
    <button class="primary">${esc(t("Send to the council"))}</button></form>`;

  async function decisions() {
    const d = await api("GET", "/courier/decisions");
    const contested = new Set(d.contested);
    el("decisions").innerHTML = d.decisions.map((e) => `<li id="decision-${e.id}" data-event="${e.id}" data-action="${esc(e.action)}">
      <b>${esc(ACTIONS[e.action] || e.action)}</b> <span class="muted">${esc(when(e.at))}</span>
      <p>${esc(phrase(e.reason_phrase, e.reason))}</p>
      ${contested.has(e.id) ? `<span class="muted">${esc(t("contested"))}</span>`
        : `<button type="button" data-contest="${e.id}">${esc(t("Contest"))}</button>${contestForm(e.id)}`}</li>`).join("")
      || `<li class="muted">${esc(t("None."))}</li>`;
    await contests();
  }

  async function contests() {
    const { contests: list } = await api("GET", "/contests");
    el("contests").innerHTML = list.map((c) => `<li data-contest="${c.id}" data-status="${esc(c.status)}">
      <p class="muted">${esc(phrase(c.event.reason_phrase, c.event.reason))}</p>
      <p>${esc(c.body)}</p>${c.answers.map((a) => `<p class="answer">${esc(t("{label}: {value}", { label: a.author, value: a.body }))}</p>`).join("")
      || `<p class="muted">${esc(t("Waiting for the council's answer."))}</p>`}</li>`).join("")
      || `<li class="muted">${esc(t("None."))}</li>`;
  }

  async function breakState() {
    const since = new Date(Date.now() - 86400000).toISOString();
    const r = await api("GET", `/time?courier=${me}&since=${encodeURIComponent(since)}`);
    onBreak = r.on_break;
    el("break").textContent = onBreak ? t("End the break") : t("Start a break");
  }

  el("decisions").addEventListener("click", (ev) => {
    const id = ev.target.dataset.contest;
    if (!id) return;
    const f = el("decisions").querySelector(`form[data-event="${id}"]`);
    f.hidden = false;
    ev.target.hidden = true;
    f.body.focus();
  });
  el("decisions").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    clearFieldErrors(f);
    try {
      await api("POST", `/events/${f.dataset.event}/contest`, { body: f.body.value });
      await decisions();
      notice(el("decisions-notice"), t("Sent: the council will answer here."), true);
    } catch (err) { if (!showFieldErrors(f, err)) notice(el("decisions-notice"), err.message); }
  });
  el("break").addEventListener("click", async () => {
    try { await api("POST", "/courier/break", { on: !onBreak }); await breakState(); }
    catch (err) { notice(el("error"), err.message); }
  });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); report(); });
  // The monthly statement (PDF): this month unless another is chosen.
  const statement = el("statement");
  const now = new Date();
  const pdfLink = () => { el("statement-pdf").href = `/api/v1/reports/statements/${statement.month.value}.pdf`; };
  statement.month.value = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  statement.month.addEventListener("change", pdfLink);
  statement.addEventListener("submit", (ev) => ev.preventDefault());
  pdfLink();
  thisWeek(form);
  report();
  decisions().catch((err) => notice(el("decisions-notice"), err.message));
  breakState().catch(() => {});
  if (window.io) live({ "contest.answered": () => contests().catch(() => {}) });
})();
