// Charts drawn by the vendored Chart.js (static/vendor/chart.js), after app.js: bars per
// member, columns and lines over hours, days or weeks, in the reader's language. Each
// chart's box says what it drew: data-state "drawn" with data-points (how many labels), or
// "empty" with a "no data" line instead of a chart. Chart.js sizes its canvas through the
// element's style object, which the pages' Content-Security-Policy allows.
"use strict";

const Charts = (() => {
  const COLORS = ["#0b7a53", "#1565c0", "#b36b00", "#7a3ea1"];
  const MARK = "#b3261e";
  const FILL = "#7fb8a3";
  if (window.Chart) {
    Object.assign(Chart.defaults, { locale: LANG, animation: false, maintainAspectRatio: false });
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#1d2421";
  }

  // The chart drawn in `el` before, if any, let go (its canvas is replaced).
  function clear(el) {
    const canvas = el.querySelector("canvas");
    const old = canvas && window.Chart ? Chart.getChart(canvas) : null;
    if (old) old.destroy();
    el.replaceChildren();
  }

  // "No data for this period." in place of a chart.
  function none(el) {
    clear(el);
    el.style.height = "";
    const p = document.createElement("p");
    Object.assign(p, { className: "muted no-data", textContent: t("No data for this period.") });
    el.append(p);
    Object.assign(el.dataset, { state: "empty", points: "0" });
  }

  // A new chart in `el`: a canvas named by the box's data-label, `points` labels drawn.
  function draw(el, config, points) {
    clear(el);
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", el.dataset.label || "");
    el.append(canvas);
    const chart = new Chart(canvas, config);
    Object.assign(el.dataset, { state: "drawn", points: String(points) });
    return chart;
  }

  // A tooltip line "label: value", the value written by `fmtOf(dataset index)`.
  const tip = (fmtOf) => ({ callbacks: { label: (c) => t("{label}: {value}", {
    label: c.dataset.label || c.label,
    value: fmtOf(c.datasetIndex)(c.chart.options.indexAxis === "y" ? c.parsed.x : c.parsed.y) }) } });

  // A dashed line across the bars at `value` (e.g. the guaranteed hourly rate), named.
  const reference = {
    id: "reference",
    afterDatasetsDraw(chart, args, opts) {
      if (opts.value == null) return;
      const x = chart.scales.x.getPixelForValue(opts.value);
      const { top, bottom } = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      Object.assign(ctx, { strokeStyle: "#1d2421", fillStyle: "#1d2421", textAlign: "center", font: "11px sans-serif" });
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillText(opts.label || "", x, top - 4);
      ctx.restore();
    },
  };

  // Horizontal bars, one per item {label, value, mark}: `fmt` writes a value; `ref` is an
  // optional reference line {value, label}. Marked bars are red.
  function bars(el, items, fmt, ref) {
    if (!items.length) return none(el);
    el.style.height = `${Math.max(140, items.length * 28 + (ref ? 70 : 50))}px`;
    return draw(el, {
      type: "bar",
      data: { labels: items.map((i) => i.label), datasets: [{
        label: el.dataset.label || "", data: items.map((i) => i.value),
        backgroundColor: items.map((i) => (i.mark ? MARK : FILL)) }] },
      options: { indexAxis: "y", layout: { padding: { top: ref ? 16 : 0, right: 8 } },
        scales: { x: { beginAtZero: true, suggestedMax: ref ? ref.value * 1.05 : undefined, ticks: { callback: (v) => fmt(v) } } },
        plugins: { legend: { display: false }, tooltip: tip(() => fmt), reference: ref || {} } },
      plugins: [reference],
    }, items.length);
  }

  // Columns ("bar") or lines ("line") over `labels`, one dataset per set {label, values,
  // fmt, right}: a set with `right` is read on a second axis on the right.
  function series(el, type, labels, sets, opts) {
    const o = opts || {};
    el.style.height = "";
    const axis = (set, position) => ({ position, beginAtZero: true, max: set.max,
      grid: { drawOnChartArea: position === "left" }, ticks: { callback: (v) => set.fmt(v) } });
    const left = sets.find((s) => !s.right);
    const right = sets.find((s) => s.right);
    const scales = { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: axis(left, "left") };
    if (right) scales.y2 = axis(right, "right");
    return draw(el, {
      type,
      data: { labels, datasets: sets.map((s, i) => ({
        label: s.label, data: s.values, yAxisID: s.right ? "y2" : "y", borderColor: COLORS[i],
        backgroundColor: type === "bar" ? COLORS[i] : `${COLORS[i]}33`, pointRadius: labels.length > 40 ? 0 : 3,
        spanGaps: false })) },
      options: { interaction: { mode: "index", intersect: false }, scales,
        plugins: { legend: { display: sets.length > 1 || !!o.legend }, tooltip: tip((i) => sets[i].fmt) } },
    }, labels.length);
  }

  return {
    bars, none,
    columns: (el, labels, sets, opts) => series(el, "bar", labels, sets, opts),
    lines: (el, labels, sets, opts) => series(el, "line", labels, sets, opts),
  };
})();
