// Shared by the council's pages and the member's earnings page: API calls,
// translations, money and hours, and plain SVG bar charts (no chart library).
"use strict";

const FW = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const catalogue = JSON.parse(document.getElementById("i18n")?.textContent || "{}");
  const lang = document.documentElement.lang || "fr";

  // t("text {n}", {n: 3}): the text in the user's language (strings extracted by babel).
  function t(text, vars) {
    let out = catalogue[text] || text;
    for (const [k, v] of Object.entries(vars || {})) out = out.split(`{${k}}`).join(String(v));
    return out;
  }

  async function api(method, path, body) {
    const opts = { method, credentials: "same-origin",
                   headers: { "X-CSRFToken": csrf, Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch("/api/v1" + path, opts);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const err = new Error(data.error || resp.statusText);
      err.fields = data.fields || {};
      throw err;
    }
    return data;
  }

  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const money = (cents) => cents == null ? "–" : new Intl.NumberFormat(lang, {
    style: "currency", currency: "EUR" }).format(cents / 100);
  const hours = (s) => s == null ? "–" : `${(s / 3600).toLocaleString(lang, { maximumFractionDigits: 1 })} h`;
  const pct = (x) => x == null ? "–" : `${Math.round(x * 100)} %`;
  const when = (iso) => iso ? new Date(iso).toLocaleString(lang, {
    dateStyle: "medium", timeStyle: "short" }) : "";
  const isoDay = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);

  // The current week, Monday to today, for the period pickers.
  function thisWeek(form) {
    const today = new Date();
    const monday = new Date(today);
    monday.setDate(today.getDate() - ((today.getDay() + 6) % 7));
    if (!form.from.value) form.from.value = isoDay(monday);
    if (!form.to.value) form.to.value = isoDay(today);
  }

  // A horizontal bar chart: items [{label, value, mark}], a value formatter, and an
  // optional reference line {value, label} (e.g. the guaranteed hourly rate).
  function bars(el, items, fmt, ref) {
    const max = Math.max(1, ...items.map((i) => i.value || 0), ref ? ref.value : 0);
    const row = 22, left = 110, width = 480, right = 90;
    const h = items.length * row + (ref ? 24 : 8);
    const svg = [`<svg viewBox="0 0 ${left + width + right} ${h}" role="img" class="bars" aria-label="${esc(el.dataset.label || "")}">`];
    items.forEach((it, i) => {
      const w = Math.max(1, (width * (it.value || 0)) / max);
      const y = i * row + 4;
      svg.push(`<text x="${left - 6}" y="${y + 13}" text-anchor="end">${esc(it.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${w}" height="${row - 6}" class="${it.mark ? "mark" : ""}"><title>${esc(it.label)}: ${esc(fmt(it.value))}</title></rect>`,
        `<text x="${left + w + 4}" y="${y + 13}">${esc(fmt(it.value))}</text>`);
    });
    if (ref) {
      const x = left + (width * ref.value) / max;
      svg.push(`<line x1="${x}" x2="${x}" y1="0" y2="${h - 16}" class="ref"/>`,
        `<text x="${x}" y="${h - 3}" text-anchor="middle" class="ref">${esc(ref.label)}</text>`);
    }
    svg.push("</svg>");
    el.innerHTML = items.length ? svg.join("") : `<p class="muted">${esc(t("No data for this period."))}</p>`;
  }

  function figures(el, pairs) {
    el.innerHTML = pairs.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("");
  }

  function fairness(el, f) {
    figures(el, [
      [t("Members who worked"), f.members],
      [t("Gini of hours"), f.gini_hours],
      [t("Gini of pay"), f.gini_pay],
      [t("Hourly pay: lowest"), money(f.hourly_min_cents)],
      [t("Hourly pay: median"), money(f.hourly_median_cents)],
      [t("Hourly pay: highest"), money(f.hourly_max_cents)],
      [t("Below the guaranteed rate before top-up"), pct(f.share_below_guaranteed)],
    ]);
  }

  const COMPONENTS = { hours: t("Hourly pay"), deliveries: t("Delivery pay"), distance: t("Distance pay"),
    night_bonus: t("Night bonus"), sunday_bonus: t("Sunday bonus"), topup: t("Top-up") };

  return { t, api, esc, money, hours, pct, when, thisWeek, bars, figures, fairness, COMPONENTS };
})();
