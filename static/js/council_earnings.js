// A member's own earnings page: their figures and pay lines, where they stand in the
// coop (anonymised), breaks, and the reasons for their offers and non-offers, to contest.
"use strict";

(() => {
  const { t, api, esc, money, hours, when, thisWeek, bars, figures, fairness, COMPONENTS } = FW;
  const el = (id) => document.getElementById(id);
  const form = document.getElementById("period");
  const me = Number(el("me").dataset.courier);
  const ACTIONS = { offered: t("Offer"), not_offered: t("No offer"), rule_warning: t("Rule warning"),
    declined: t("Declined"), offer_expired: t("Offer expired"), shift_started: t("Shift started"),
    shift_ended: t("Shift ended"), time_corrected: t("Time corrected"), reassigned: t("Reassigned") };
  let onBreak = false;

  async function report() {
    el("error").textContent = "";
    try {
      const r = await api("GET", `/reports/earnings?from=${form.from.value}&to=${form.to.value}`);
      const m = r.members[0];
      figures(el("mine"), m ? [
        [t("Deliveries"), m.deliveries], [t("km ridden"), m.km_ridden],
        [t("On shift"), hours(m.on_shift_s)], [t("Active"), hours(m.active_s)],
        ...Object.entries(COMPONENTS).map(([k, l]) => [l, money(m.pay[k])]),
        [t("Total"), money(m.total_cents)], [t("Per hour before top-up"), money(m.effective_hourly_cents)],
      ] : [[t("Total"), money(0)]]);
      el("lines").innerHTML = m ? `<thead><tr><th>${esc(t("Day"))}</th><th>${esc(t("Component"))}</th>
        <th>${esc(t("Rules"))}</th><th>${esc(t("Amount"))}</th></tr></thead><tbody>${m.lines.map((l) =>
        `<tr><td>${l.day}</td><td>${esc(COMPONENTS[l.component])}</td><td>v${l.version}</td><td>${money(l.cents)}</td></tr>`).join("")}</tbody>` : "";
      const mine = m ? m.effective_hourly_cents : null;
      let marked = false;
      bars(el("chart-hourly"), r.distribution.effective_hourly_cents.map((v, i) => {
        const mark = !marked && v === mine;
        marked = marked || mark;
        return { label: mark ? t("you") : `#${i + 1}`, value: v, mark };
      }), money);
      fairness(el("fairness"), r.fairness);
    } catch (err) { el("error").textContent = err.message; }
  }

  async function decisions() {
    const d = await api("GET", "/courier/decisions");
    const contested = new Set(d.contested);
    el("decisions").innerHTML = d.decisions.map((e) => `<li><b>${esc(ACTIONS[e.action] || e.action)}</b>
      <span class="muted">${when(e.at)}</span><p>${esc(phrase(e.reason_phrase, e.reason))}</p>
      ${contested.has(e.id) ? `<span class="muted">${esc(t("contested"))}</span>`
        : `<button data-event="${e.id}">${esc(t("Contest"))}</button>`}</li>`).join("")
      || `<li class="muted">${esc(t("None."))}</li>`;
    const { contests } = await api("GET", "/contests");
    el("contests").innerHTML = contests.map((c) => `<li><p class="muted">${esc(phrase(c.event.reason_phrase, c.event.reason))}</p>
      <p>${esc(c.body)}</p>${c.answers.map((a) => `<p class="answer">${esc(a.author)}: ${esc(a.body)}</p>`).join("")
      || `<p class="muted">${esc(t("Waiting for the council's answer."))}</p>`}</li>`).join("")
      || `<li class="muted">${esc(t("None."))}</li>`;
  }

  async function breakState() {
    const since = new Date(Date.now() - 86400000).toISOString();
    const r = await api("GET", `/time?courier=${me}&since=${encodeURIComponent(since)}`);
    onBreak = r.on_break;
    el("break").textContent = onBreak ? t("End the break") : t("Start a break");
  }

  el("decisions").addEventListener("click", async (ev) => {
    const id = ev.target.dataset.event;
    if (!id) return;
    const body = prompt(t("What do you contest, and why?"));
    if (!body) return;
    try { await api("POST", `/events/${id}/contest`, { body }); await decisions(); }
    catch (err) { el("error").textContent = err.message; }
  });
  el("break").addEventListener("click", async () => {
    try { await api("POST", "/courier/break", { on: !onBreak }); await breakState(); }
    catch (err) { el("error").textContent = err.message; }
  });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); report(); });
  thisWeek(form);
  report();
  decisions().catch((err) => { el("error").textContent = err.message; });
  breakState().catch(() => {});
})();
