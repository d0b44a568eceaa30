// The dashboards: the coop's work (members, dispatch, the council) or a shop's own jobs, in
// charts over a period, with each chart's numbers as CSV (GET /api/v1/dashboard).
"use strict";

(() => {
  const { t, api, esc, money, num, km, day, pct, thisWeek, notice } = FW;
  const el = (id) => document.getElementById(id);
  const form = el("period");
  const hoursOf = (h) => (h == null ? "–" : `${num(h, 2)}\u00a0h`);
  const kg = (x) => (x == null ? "–" : `${num(x, 1)}\u00a0kg`);
  const hourOfDay = (h) => new Date(2000, 0, 1, h).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" });
  const days = (c) => c.labels.map(day);

  // How each chart is drawn from its numbers (the API's series, one value per label).
  const DRAW = {
    deliveries_per_hour: (box, c) => Charts.columns(box, c.labels.map(hourOfDay),
      [{ label: t("Deliveries"), values: c.series.deliveries, fmt: num }]),
    deliveries_per_day: (box, c) => Charts.columns(box, days(c),
      [{ label: t("Deliveries"), values: c.series.deliveries, fmt: num }]),
    on_time: (box, c) => Charts.lines(box, days(c),
      [{ label: t("On time"), values: c.series.on_time_share, fmt: pct, max: 1 }]),
    per_delivery: (box, c) => Charts.lines(box, days(c), [
      { label: t("km per delivery"), values: c.series.km_per_delivery, fmt: km },
      ...(c.series.shift_h_per_delivery ? [{ label: t("Hours on shift per delivery"),
        values: c.series.shift_h_per_delivery, fmt: hoursOf, right: true }] : []),
      { label: t("Hours on runs per delivery"), values: c.series.active_h_per_delivery, fmt: hoursOf, right: true }]),
    co2: (box, c) => Charts.columns(box, days(c),
      [{ label: t("CO2 avoided"), values: c.series.co2_avoided_kg, fmt: kg }]),
    hours: (box, c) => Charts.bars(box, c.labels.map((label, i) => ({ label, value: c.series.on_shift_h[i] })), hoursOf),
    hourly: (box, c) => Charts.bars(box, c.labels.map((label, i) => ({ label, value: c.series.effective_hourly_cents[i] })),
      money, c.guaranteed_hourly_cents ? { value: c.guaranteed_hourly_cents,
        label: t("guaranteed {rate}", { rate: money(c.guaranteed_hourly_cents) }) } : null),
    gini_weeks: (box, c) => Charts.lines(box, c.labels.map((w) => t("week of {day}", { day: day(w) })), [
      { label: t("Gini of hours"), values: c.series.gini_hours, fmt: (x) => num(x, 3), max: 1 },
      { label: t("Gini of pay"), values: c.series.gini_pay, fmt: (x) => num(x, 3), max: 1 }]),
  };

  function totals(r) {
    const x = r.totals;
    const items = [[t("Deliveries"), num(x.deliveries)], [t("On time"), pct(x.on_time_share)],
      [t("km ridden"), km(x.km)], [t("km per delivery"), km(x.km_per_delivery)]];
    if (x.shift_h_per_delivery !== undefined) items.push([t("Hours on shift per delivery"), hoursOf(x.shift_h_per_delivery)]);
    items.push([t("Hours on runs per delivery"), hoursOf(x.active_h_per_delivery)], [t("CO2 avoided"), kg(x.co2_avoided_kg)]);
    el("totals").innerHTML = items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("");
  }

  async function load() {
    notice(el("error"), "");
    const q = `from=${form.from.value}&to=${form.to.value}`;
    for (const a of document.querySelectorAll("a.csv")) a.href = `/api/v1/dashboard?${q}&chart=${a.dataset.chart}&format=csv`;
    for (const box of document.querySelectorAll(".chart")) box.dataset.state = "loading";
    try {
      const r = await api("GET", `/dashboard?${q}`);
      totals(r);
      for (const [name, c] of Object.entries(r.charts)) {
        const box = el(`chart-${name}`);
        if (!box) continue;
        if (c.empty) Charts.none(box);
        else DRAW[name](box, c);
      }
    } catch (err) {
      notice(el("error"), err.message);
      for (const box of document.querySelectorAll(".chart")) box.dataset.state = "error";
    }
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  thisWeek(form);
  load();
})();
