// The shift calendar (docs/shifts.md): the week's slots day by day, who rides and who
// waits; members sign up, offer a sign-up to another member, accept one or release it;
// dispatch and the council publish and cancel slots and see late starts and no-shows;
// everyone sees the demand forecast against the riders booked, short hours marked.
"use strict";

(() => {
  const root = document.getElementById("shifts");
  const role = root.dataset.role;
  const me = Number(root.dataset.courier || 0);
  const myVehicle = root.dataset.vehicle;
  const planner = role === "dispatcher" || role === "council";
  const daysEl = document.getElementById("days");
  const demandEl = document.getElementById("demand");
  const errorEl = document.getElementById("error");
  const publish = document.getElementById("publish");
  const notes = {}; // slot id -> {kind: "ok" | "warn" | "refused", html}
  // any day of the week shown ("YYYY-MM-DD", ?week= in the address); null: this week
  let week = /^\d{4}-\d{2}-\d{2}$/.test(new URLSearchParams(window.location.search).get("week") || "")
    ? new URLSearchParams(window.location.search).get("week") : null;
  let data = null;

  const VEHICLES = { bike: t("bike"), cargo_bike: t("cargo bike") };
  const PLACES = { riding: t("rides"), waiting: t("waiting for a place") };
  const FAIRNESS = { off: t("first come, first served"), hours: t("fewer hours this week first"), pay: t("lower pay this week first") };
  // The API's field messages, in the catalogue for tr().
  void [t("must be after starts_at"), t("must be in the future"), t("must be at least 1"), t("at most 16 h after starts_at"),
    t("overlaps slot {0} of the same vehicle kind"), t("must be between {0} and {1}"), t("already signed up"), t("overlaps your slot {0}"),
    t("the slot is for bike"), t("the slot is for cargo_bike"), t("over or cancelled"), t("another member riding the slot's vehicle"),
    t("no history of jobs yet: the forecast needs at least one past week of jobs; the calendar works without it")];

  // Days and hours are the coop's (COOP_ZONE, app.js), wherever the reader's device is set.
  const pad = (n) => String(n).padStart(2, "0");
  const isoDay = (d) => d.toLocaleDateString("sv", { timeZone: COOP_ZONE }); // YYYY-MM-DD
  const addDays = (iso, n) => { const [y, m, d] = iso.split("-").map(Number); return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10); };
  const PARTS = new Intl.DateTimeFormat("en-US", { timeZone: COOP_ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  function zoned(dayIso, hm) {  // "2026-12-07", "11:00" in the coop's zone -> a Date
    const [y, m, d] = dayIso.split("-").map(Number);
    const [h, mi] = hm.split(":").map(Number);
    const want = Date.UTC(y, m - 1, d, h, mi);
    let at = want;
    for (let k = 0; k < 2; k++) {
      const p = Object.fromEntries(PARTS.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
      at += want - Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
    }
    return new Date(at);
  }

  function attendance(s) {
    if (!s.attendance) return "";
    const minutes = Math.round((s.late_s || 0) / 60);
    const words = { started: t("started on time"), late: t("started {n} min late", { n: num(minutes) }),
      not_started: t("not started yet ({n} min)", { n: num(minutes) }), no_show: t("did not come") }[s.attendance];
    return ` <span class="attendance ${s.attendance}">${esc(words)}</span>`;
  }

  function signupLine(s) {
    const who = s.mine ? t("you") : s.name;
    return `<li class="${s.place}"><span>${esc(who)}</span> <span class="place">${esc(PLACES[s.place])}</span>${attendance(s)}</li>`;
  }

  function actions(slot) {
    const out = [];
    const mine = slot.signups.find((s) => s.mine);
    const offered = slot.signups.find((s) => s.offered_to_me);
    const started = new Date(slot.starts_at) <= new Date();
    if (role === "courier") {
      if (offered) out.push(`<button type="button" class="small-button primary" data-act="accept" data-signup="${offered.id}">${esc(t("Take {name}'s place", { name: offered.name }))}</button>`);
      if (!mine && slot.vehicle === myVehicle && new Date(slot.ends_at) > new Date()) {
        out.push(`<button type="button" class="small-button primary" data-act="signup" data-slot="${slot.id}">${esc(t("Sign up"))}</button>`);
      }
      if (mine && !started) {
        out.push(`<button type="button" class="small-button" data-act="release" data-signup="${mine.id}">${esc(t("Release"))}</button>`);
        const others = data.members.filter((m) => m.id !== me && m.vehicle === slot.vehicle);
        if (others.length) {
          const options = others.map((m) => `<option value="${m.id}" ${m.id === mine.offered_to_id ? "selected" : ""}>${esc(m.name)}</option>`).join("");
          out.push(`<span class="swap"><label>${esc(t("Offer to"))} <select data-for="${mine.id}"><option value="">${esc(t("nobody"))}</option>${options}</select></label>
            <button type="button" class="small-button" data-act="offer" data-signup="${mine.id}">${esc(t("Offer it"))}</button></span>`);
        }
      }
    }
    if (planner && !started) out.push(`<button type="button" class="small-button danger" data-act="cancel" data-slot="${slot.id}">${esc(t("Cancel the slot"))}</button>`);
    return out.join(" ");
  }

  function slotCard(slot) {
    const note = notes[slot.id];
    const short = slot.waiting > 0 ? `<p class="muted small">${esc(t("More sign-ups than riders: {rule}.", { rule: FAIRNESS[slot.fairness] || slot.fairness }))}</p>` : "";
    return `<article class="slot ${slot.booked < slot.riders ? "open" : "full"}" data-slot="${slot.id}">
      <h3>${esc(hhmm(slot.starts_at))}–${esc(hhmm(slot.ends_at))} · ${esc(VEHICLES[slot.vehicle])}</h3>
      <p>${esc(t("{booked} of {riders} riders", { booked: num(slot.booked), riders: num(slot.riders) }))}${slot.waiting ? ` · ${esc(t("{n} waiting", { n: num(slot.waiting) }))}` : ""}</p>
      ${slot.note ? `<p class="muted small">${esc(slot.note)}</p>` : ""}
      ${slot.signups.length ? `<ul class="plain signups">${slot.signups.map(signupLine).join("")}</ul>` : ""}
      ${short}
      ${note ? `<div class="note ${note.kind}" role="${note.kind === "refused" ? "alert" : "status"}">${note.html}</div>` : ""}
      <div class="row actions">${actions(slot)}</div>
    </article>`;
  }

  function hourRows(dayIndex) {
    const f = data.forecast;
    const rows = [];
    const shortHours = [];
    for (let h = 0; h < 24; h++) {
      const i = dayIndex * 24 + h;
      const jobs = f ? f.jobs[i] : null;
      const needed = f ? f.riders[i] : null;
      const booked = data.booked[i] || 0;
      if (!(jobs >= 0.05) && !booked) continue;
      const short = needed != null && booked < needed;
      if (short) shortHours.push(`${pad(h)}:00`);
      rows.push(`<tr class="${short ? "short" : ""}"><th scope="row">${pad(h)}:00</th><td>${jobs == null ? "–" : num(jobs, 1)}</td>
        <td>${needed == null ? "–" : num(needed)}</td><td>${num(booked)}${short ? ` <span class="short-mark">${esc(t("short"))}</span>` : ""}</td></tr>`);
    }
    return { rows, shortHours };
  }

  function dayColumn(iso, index) {
    const slots = data.slots.filter((s) => isoDay(new Date(s.starts_at)) === iso);
    const { rows, shortHours } = hourRows(index);
    const summary = !data.forecast ? "" : shortHours.length
      ? `<p class="short-summary">${esc(t("Short of riders at {hours}", { hours: shortHours.join(", ") }))}</p>` : "";
    const table = rows.length ? `<details><summary>${esc(t("Demand hour by hour"))}</summary>
      <table class="data hours"><thead><tr><th>${esc(t("Hour"))}</th><th>${esc(t("Jobs expected"))}</th><th>${esc(t("Riders needed"))}</th><th>${esc(t("Riders booked"))}</th></tr></thead>
      <tbody>${rows.join("")}</tbody></table></details>` : "";
    return `<section class="card day" aria-label="${esc(day(iso))}"><h2>${esc(day(iso))}</h2>${summary}
      ${slots.length ? slots.map(slotCard).join("") : `<p class="muted">${esc(t("No slot published."))}</p>`}${table}</section>`;
  }

  function render() {
    const monday = data.start.slice(0, 10);
    document.getElementById("week-label").textContent = t("Week of {day}", { day: day(monday) });
    const f = data.forecast;
    demandEl.innerHTML = f
      ? `<p>${esc(t("Demand forecast from {weeks} week(s) of the coop's jobs, recent weeks weighing more.", { weeks: num(f.weeks) }))}
        ${f.jobs_per_courier_hour == null ? esc(t("Riders needed: no time on shift recorded yet.")) : esc(t("Riders needed at {rate} jobs per courier-hour.", { rate: num(f.jobs_per_courier_hour, 1) }))}</p>`
      : `<p class="muted">${esc(t("No demand forecast: {why}", { why: tr(data.forecast_message) }))}</p>`;
    daysEl.innerHTML = [0, 1, 2, 3, 4, 5, 6].map((i) => dayColumn(addDays(monday, i), i)).join("");
  }

  async function load() {
    try {
      data = await api("GET", `/shifts${week ? `?week=${week}` : ""}`);
      errorEl.hidden = true;
      render();
    } catch (err) {
      errorEl.textContent = err.message;
      errorEl.hidden = false;
    }
  }

  function refusal(err) {
    const breaches = (err.data.fields && err.data.fields.breaches) || [];
    const list = breaches.map((b) => `<li>${esc(t("{rule}: {why}", { rule: ruleLabel(b.rule), why: phrase(b.text_phrase, b.text) }))}</li>`).join("");
    return `<p>${esc(err.message)}</p>${list ? `<ul>${list}</ul>` : ""}`;
  }

  function warned(warnings) {
    if (!warnings || !warnings.length) return { kind: "ok", html: `<p>${esc(t("Signed up."))}</p>` };
    const list = warnings.map((b) => `<li>${esc(t("{rule}: {why}", { rule: ruleLabel(b.rule), why: phrase(b.text_phrase, b.text) }))}</li>`).join("");
    return { kind: "warn", html: `<p>${esc(t("Signed up, with a warning of the council's rules:"))}</p><ul>${list}</ul>` };
  }

  daysEl.addEventListener("click", async (ev) => {
    const btn = ev.target.closest("button[data-act]");
    if (!btn) return;
    const act = btn.dataset.act;
    const slotId = Number(btn.closest("[data-slot]").dataset.slot);
    if (act === "cancel" && !window.confirm(t("Cancel this slot? Its members are told on the calendar."))) return;
    btn.disabled = true;
    try {
      if (act === "signup") notes[slotId] = warned((await api("POST", `/shifts/slots/${slotId}/signup`)).warnings);
      if (act === "accept") notes[slotId] = warned((await api("POST", `/shifts/signups/${btn.dataset.signup}/accept`)).warnings);
      if (act === "release") { await api("POST", `/shifts/signups/${btn.dataset.signup}/release`); notes[slotId] = { kind: "ok", html: `<p>${esc(t("Released."))}</p>` }; }
      if (act === "offer") {
        const pick = daysEl.querySelector(`select[data-for="${btn.dataset.signup}"]`).value;
        await api("POST", `/shifts/signups/${btn.dataset.signup}/offer`, { courier_id: pick ? Number(pick) : null });
        notes[slotId] = { kind: "ok", html: `<p>${esc(pick ? t("Offered.") : t("Offer withdrawn."))}</p>` };
      }
      if (act === "cancel") await api("POST", `/shifts/slots/${slotId}/cancel`);
    } catch (err) {
      notes[slotId] = { kind: "refused", html: refusal(err) };
    }
    await load();
  });

  if (publish) {
    publish.elements.day.value = addDays(isoDay(new Date()), 1);
    publish.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearFieldErrors(publish);
      const el = publish.elements;
      const at = (time) => (el.day.value && /^\d{2}:\d{2}/.test(time) ? zoned(el.day.value, time) : new Date(NaN));
      if (Number.isNaN(at(el.from.value).getTime()) || Number.isNaN(at(el.to.value).getTime())) {
        showFieldErrors(publish, { fields: { day: t("Give the day and the hours.") } });
        return;
      }
      const raw = el.riders.value.trim();
      const body = { starts_at: at(el.from.value).toISOString(), ends_at: at(el.to.value).toISOString(), vehicle: el.vehicle.value,
        riders: /^-?\d+$/.test(raw) ? Number(raw) : raw, note: el.note.value.trim() };
      try {
        await api("POST", "/shifts/slots", body);
        week = el.day.value;
        await load();
      } catch (err) {
        showFieldErrors(publish, err);
      }
    });
  }

  const move = (n) => { week = addDays(week || isoDay(new Date()), 7 * n); load(); };
  document.getElementById("prev-week").addEventListener("click", () => move(-1));
  document.getElementById("next-week").addEventListener("click", () => move(1));
  document.getElementById("this-week").addEventListener("click", () => { week = null; load(); });
  load();
})();
