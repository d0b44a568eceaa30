// Shared by the council's pages and the member's earnings page (after app.js): hours,
// shares and dates in the reader's language, tables that stack on phones, notices, and how
// each figure is computed. Charts are drawn by static/js/charts.js.
"use strict";

const FW = (() => {
  // t, api, esc, money, num, day, phrase and the rules' words come from app.js.
  const hours = (s) => (s == null ? "–" : `${num(s / 3600, 1)}\u00a0h`);
  const pct = (x) => (x == null ? "–" : x.toLocaleString(LANG, { style: "percent", maximumFractionDigits: 0 }));
  const when = (iso) => (iso ? new Date(iso).toLocaleString(LANG, { dateStyle: "medium", timeStyle: "short", timeZone: COOP_ZONE }) : "");
  const isoDay = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);

  // A table read as stacked rows on a phone (table.responsive in static/css/app.css):
  // each cell carries the heading of its column.
  function stack(table) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.classList.add("responsive");
    for (const tr of table.querySelectorAll("tbody tr, tfoot tr")) {
      [...tr.children].forEach((cell, i) => { if (heads[i]) cell.dataset.label = heads[i]; });
    }
  }

  // A message in the page's notice slot: an error in red, a success in green.
  function notice(el, text, ok) {
    el.textContent = text || "";
    el.className = ok ? "notice ok" : "error";
    el.setAttribute("role", ok ? "status" : "alert");
  }

  // The current week, Monday to today, for the period pickers.
  function thisWeek(form) {
    const today = new Date();
    const monday = new Date(today);
    monday.setDate(today.getDate() - ((today.getDay() + 6) % 7));
    if (!form.from.value) form.from.value = isoDay(monday);
    if (!form.to.value) form.to.value = isoDay(today);
  }

  // How each figure is computed: one line, linked to its section of docs/fairwork.md.
  const HOW = {
    deliveries: [t("Jobs delivered in the period; a failed one is not counted."), "deliveries"],
    km: [t("Planned km of the runs done, in proportion to the stops done."), "km-ridden"],
    on_shift: [t("From going on shift to going off, breaks taken out."), "hours-on-shift"],
    active: [t("From accepting a run to its last stop."), "active-time"],
    pay: [t("Under the rules version in force when the work was done."), "pay-by-component"],
    topup: [t("Each day, up to the guaranteed rate times the hours on shift."), "top-up"],
    total: [t("The sum of the pay lines, top-up included."), "total"],
    hourly: [t("Pay before top-up divided by the hours on shift beside it."), "effective-hourly-pay"],
    failed: [t("What a failed delivery attempt pays: the council's rule, when it failed."), "failed-attempts"],
    runs: [t("Each run's pay as its phone showed it, shared among its jobs to the cent."), "a-runs-pay"],
    gini: [t("0 when everyone has the same, towards 1 when one member has everything."), "gini"],
    members: [t("Paid members with time on shift in the period."), "members-who-worked"],
    below: [t("Pay before top-up under the guaranteed rate for their hours."), "below-the-guaranteed-rate"],
  };
  const how = (key) => (HOW[key] ? `<a class="how" href="/docs/fairwork.md#${HOW[key][1]}">${esc(HOW[key][0])}</a>` : "");
  // The effective hourly pay, only ever beside the hours it is computed over.
  const hourly = (cents, secs) => (cents == null || !secs ? "–"
    : t("{rate} an hour over {hours}", { rate: money(cents), hours: hours(secs) }));

  // Figures [label, value, how]: each with its line on how it is computed.
  function figures(el, items) {
    el.innerHTML = items.map(([k, v, h]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd>${h ? `<dd class="how">${how(h)}</dd>` : ""}</div>`).join("");
  }

  // Below a table: what each column means and how it is computed.
  function legend(el, items) {
    el.innerHTML = items.map(([k, h]) => `<li><b>${esc(k)}</b> ${how(h)}</li>`).join("");
  }

  // ``secs``: the hours on shift of the members compared (the rates are each one's own).
  function fairness(el, f, secs) {
    figures(el, [
      [t("Members who worked"), f.members, "members"],
      [t("Gini of hours"), num(f.gini_hours, 3), "gini"],
      [t("Gini of pay"), num(f.gini_pay, 3), "gini"],
      [t("Hourly pay: lowest"), hourly(f.hourly_min_cents, secs), "hourly"],
      [t("Hourly pay: median"), hourly(f.hourly_median_cents, secs), "hourly"],
      [t("Hourly pay: highest"), hourly(f.hourly_max_cents, secs), "hourly"],
      [t("Below the guaranteed rate before top-up"), pct(f.share_below_guaranteed), "below"],
    ]);
  }

  const COMPONENTS = { hours: t("Hourly pay"), deliveries: t("Delivery pay"), failed_attempts: t("Failed attempts"), distance: t("Distance pay"),
    night_bonus: t("Night bonus"), sunday_bonus: t("Sunday bonus"), topup: t("Top-up") };

  return { t, api, esc, money, num, km, day, phrase, hours, pct, when, isoDay, thisWeek, figures, fairness, stack, notice,
    COMPONENTS, hourly, legend, how };
})();
