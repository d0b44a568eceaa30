// The council's rules page, weather and terrain: the conditions the safety rules go by and
// where they come from (the source's last reading with its age, its last failure, the
// council's own conditions), the weather rules they pass now, whether climbing can be
// checked; and the council setting the conditions for a while (PUT /weather/override).
"use strict";

(() => {
  const { t, api, esc, when, notice } = FW;
  const el = (id) => document.getElementById(id);
  const form = el("weather-override");
  const VALUES = [["temperature_c", t("Temperature"), "°C"], ["gusts_kmh", t("Wind gusts"), "km/h"],
    ["rain_mm_h", t("Rain"), "mm/h"]];
  const SOURCES = { "open-meteo": "Open-Meteo", file: t("the coop's weather file"), none: t("no weather source") };
  const ago = (s) => (s < 3600 ? t("{n} min ago", { n: num(Math.round(s / 60)) }) : t("{n} h ago", { n: num(s / 3600, 1) }));
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

  function enforced(rule, enforce) {
    const f = (RULE_WORDS.fields || {})[`${rule}.enforce`];
    return (f && f.choices[enforce]) || enforce;
  }

  function render(w) {
    const now = w.in_use;
    el("weather-now").innerHTML = now ? VALUES.map(([k, label, unit]) => `<div><dt>${esc(label)}</dt>
      <dd>${now[k] == null ? "–" : esc(`${num(now[k], 1)}\u00a0${unit}`)}</dd></div>`).join("")
      : `<div><dd>${esc(t("No conditions known: no weather rule applies."))}</dd></div>`;
    const said = [];
    if (w.override) {
      said.push(t("Set by {name} until {until}: {reason}", { name: w.override.set_by, until: when(w.override.until), reason: w.override.reason }));
    } else if (now) {
      said.push(t("From {source}, measured {age}.", { source: SOURCES[now.source] || now.source, age: ago(now.age_s) }));
      if (now.stale) said.push(t("The source is not answering: these are the last known conditions."));
    } else if (w.too_old && w.last_reading) {
      said.push(t("The last reading ({age}) is too old to be used.", { age: ago(w.last_reading.age_s) }));
    }
    if (!w.override && w.provider === "none") said.push(t("No weather source is configured: only the conditions you set apply."));
    if (w.no_centre) said.push(t("The coop has no centre set: the weather source is not asked (courier init --center)."));
    if (w.error) said.push(t("Last failure of the source: {error}", { error: w.error }) + (w.failed_at ? ` (${when(w.failed_at)})` : ""));
    el("weather-source").textContent = said.join(" ");
    el("weather-applying").innerHTML = w.applying.length ? w.applying.map((a) => `<li>${esc(t("{rule} ({enforce}): {why}", {
      rule: ruleLabel(a.rule), enforce: enforced(a.rule, a.enforce), why: phrase(a.why_phrase, a.why) }))}${a.cargo_bikes_stop
      ? ` · ${esc(t("cargo bikes stay in"))}` : ""}</li>`).join("") : `<li>${esc(t("No weather rule applies now."))}</li>`;
    el("elevation").textContent = w.elevation.configured
      ? t("Climbing is measured on the elevation model, every {m} m along each leg.", { m: num(w.elevation.sample_m) })
      : t("No elevation source is configured: the climbing rule is not checked.");
    el("weather-end").hidden = !w.override;
    if (!form.until.value) form.until.value = local(new Date(Date.now() + 6 * 3600 * 1000));
  }

  async function load() {
    render(await api("GET", "/weather"));
  }

  async function send(override, reason) {
    clearFieldErrors(form);
    notice(el("weather-done"), "");
    try {
      render(await api("PUT", "/weather/override", { override, reason }));
      form.reason.value = "";
      notice(el("weather-done"), override ? t("The conditions are set.") : t("Back to the weather source."), true);
    } catch (err) {
      showFieldErrors(form, err);
    }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const override = {};
    for (const [k] of VALUES) override[k] = form[k].value.trim() === "" ? null : Number(form[k].value);
    if (!form.until.value) { showFieldErrors(form, { message: "", fields: { until: t("required") } }); return; }
    override.until = new Date(form.until.value).toISOString();
    send(override, form.reason.value);
  });
  el("weather-end").addEventListener("click", () => send(null, form.reason.value || t("back to the weather source")));

  load().catch((err) => notice(el("weather-source"), err.message));
})();
