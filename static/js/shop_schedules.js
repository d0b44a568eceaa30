// A shop's recurring jobs (the API's /schedules): each schedule with its next
// occurrences and the job made for each; create, edit, pause, resume and delete.
"use strict";

(() => {
  const el = (id) => document.getElementById(id);
  const form = el("schedule-form");
  const when = (iso) => new Date(iso).toLocaleString(LANG, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: COOP_ZONE });
  let rows = [];

  function item(s) {
    const next = s.next.map((o) => `<li>${esc(when(o.at))}${o.job_id ? ` · ${esc(t("Job {id}", { id: o.job_id }))}` : ""}</li>`).join("");
    return `<li class="card" data-schedule="${s.id}">
      <b>${esc(s.name || t("Schedule {id}", { id: s.id }))}</b> ${s.paused ? `<span class="pill">${esc(t("Paused"))}</span>` : ""}
      <div class="muted"><code>${esc(s.rrule)}</code> · ${esc(t("deliver within {n} min", { n: num(s.window_minutes) }))}</div>
      ${s.last_error ? `<p class="error">${esc(t("Last refused: {why}", { why: s.last_error }))}</p>` : ""}
      <p>${esc(t("Next dates"))}</p><ul>${next || `<li class="muted">${esc(t("No more dates."))}</li>`}</ul>
      <div><button type="button" data-act="edit">${esc(t("Edit"))}</button>
      <button type="button" data-act="${s.paused ? "resume" : "pause"}">${esc(s.paused ? t("Resume") : t("Pause the schedule"))}</button>
      <button type="button" data-act="delete">${esc(t("Delete"))}</button></div></li>`;
  }

  async function load() {
    try {
      rows = (await api("GET", "/schedules")).schedules;
      el("schedules").innerHTML = rows.map(item).join("") || `<li class="muted">${esc(t("No schedule yet."))}</li>`;
    } catch (err) { el("list-error").textContent = err.message; }
  }

  function rule() {
    let r = form.preset.value || form.rrule.value.trim();
    if (form.until.value && !/UNTIL=|COUNT=/i.test(r)) r += `;UNTIL=${form.until.value.replaceAll("-", "")}T235959`;
    return r;
  }

  function body() {
    const dropoff = { address: form.address.value.trim() };
    if (form.lat.value && form.lon.value) {
      dropoff.lat = Number(form.lat.value.replace(",", "."));
      dropoff.lon = Number(form.lon.value.replace(",", "."));
    }
    const recipient = { name: form.recipient.value.trim(), phone: form.phone.value.trim() };
    if (form.email.value.trim()) recipient.email = form.email.value.trim();
    return {
      name: form.name.value.trim(), rrule: rule(), starts: `${form.day.value}T${form.time.value}:00`,
      window_minutes: Number(form.window.value) || 60,
      exdates: form.exdates.value.split(",").map((d) => d.trim()).filter(Boolean),
      job: { dropoff, recipient },
    };
  }

  function edit(s) {
    form.id.value = s.id;
    form.name.value = s.name;
    const preset = [...form.preset.options].find((o) => o.value === s.rrule);
    form.preset.value = preset ? s.rrule : "";
    form.rrule.value = s.rrule;
    el("rrule-label").hidden = !!preset;
    [form.day.value, form.time.value] = [s.starts.slice(0, 10), s.starts.slice(11, 16)];
    form.window.value = s.window_minutes;
    form.exdates.value = s.exdates.join(", ");
    form.until.value = "";
    const d = s.job.dropoff || {};
    [form.address.value, form.lat.value, form.lon.value] = [d.address || "", d.lat ?? "", d.lon ?? ""];
    const r = s.job.recipient || {};
    [form.recipient.value, form.phone.value, form.email.value] = [r.name || "", r.phone || "", r.email || ""];
    el("form-title").textContent = t("Edit the schedule");
    el("save").textContent = t("Save");
    el("cancel-edit").hidden = false;
    form.scrollIntoView();
  }

  function reset() {
    form.reset();
    form.id.value = "";
    el("rrule-label").hidden = true;
    el("form-title").textContent = t("New schedule");
    el("save").textContent = t("Create");
    el("cancel-edit").hidden = true;
    form.day.value = new Date().toLocaleDateString("sv", { timeZone: COOP_ZONE });  // the coop's today (YYYY-MM-DD)
    clearFieldErrors(form);
  }

  // The API names the schedule's fields; the form asks them in its own words.
  const FIELD = { starts: "day", window_minutes: "window", "job.dropoff": "address",
                  "job.dropoff.address": "address", "job.dropoff.lat": "lat", "job.dropoff.lon": "lon",
                  "job.recipient.name": "recipient", "job.recipient.phone": "phone",
                  "job.recipient.email": "email" };
  function fieldOf(name) {
    if (name === "rrule") return el("rrule-label").hidden ? "preset" : "rrule";
    if (name.startsWith("exdates")) return "exdates";
    return FIELD[name] || name;
  }

  form.preset.addEventListener("change", () => { el("rrule-label").hidden = form.preset.value !== ""; });
  el("cancel-edit").addEventListener("click", reset);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    try {
      if (form.id.value) await api("PATCH", `/schedules/${form.id.value}`, body());
      else await api("POST", "/schedules", body());
      reset();
      load();
    } catch (err) {
      const fields = Object.fromEntries(Object.entries(err.fields || {}).map(([k, v]) => [fieldOf(k), v]));
      showFieldErrors(form, { message: err.message, fields });
    }
  });
  el("schedules").addEventListener("click", async (ev) => {
    const act = ev.target.dataset.act;
    const li = ev.target.closest("[data-schedule]");
    if (!act || !li) return;
    const id = li.dataset.schedule;
    try {
      if (act === "edit") return edit(rows.find((s) => String(s.id) === id));
      if (act === "delete") {
        if (!window.confirm(t("Delete this schedule? Jobs already made stay."))) return;
        await api("DELETE", `/schedules/${id}`);
      } else await api("POST", `/schedules/${id}/${act}`);
      load();
    } catch (err) { el("list-error").textContent = err.message; }
  });
  reset();
  load();
})();
