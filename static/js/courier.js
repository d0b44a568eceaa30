// The courier's phone app: shift, live offers with a countdown and an alert, the run
// on a map with its stops, position while on shift, and actions that survive a
// lost connection (see queue.js). The last known state is kept in localStorage, so
// a reload, even offline, brings the run back at once.
"use strict";

const el = (id) => document.getElementById(id);
const STATE_KEY = "courier.state.v1";
const OPEN = ["offered", "accepted"];
let state = loadState();
let offerTimer = null, map = null, layer = null, fittedRun = null;
let failJob = null;

function loadState() {
  try { return JSON.parse(localStorage.getItem(STATE_KEY)) || { me: null, runs: [] }; } catch (e) { return { me: null, runs: [] }; }
}
// Every change kept is counted: a refresh whose answers were read before a fresher change
// (the shift button's own answer, a run pushed over the socket) reads again instead of
// putting the older state back.
let edits = 0;
function saveState() { edits++; localStorage.setItem(STATE_KEY, JSON.stringify(state)); }

function showError(err) {
  const box = el("error");
  box.textContent = err ? (err.message || String(err)) : "";
  box.hidden = !err;
  if (err) setTimeout(() => { if (box.textContent === err.message) box.hidden = true; }, 8000);
}

// What a queued action does to the runs, so the screen shows it before the server has it.
function applyAction(runs, action) {
  const m = action.path.match(/^\/(runs|jobs)\/(\d+)\/([a-z-]+)$/);
  if (!m) return runs;
  const id = Number(m[2]);
  if (m[1] === "jobs" && Returns.apply(runs, m[3], id, action)) return runs;
  if (m[1] === "runs") {
    const run = runs.find((r) => r.id === id);
    if (run && m[3] === "accept") { run.status = "accepted"; run.stops.forEach((s) => { if (s.job_status === "offered") s.job_status = "accepted"; }); }
    if (run && m[3] === "decline") run.status = "declined";
    return runs;
  }
  const status = { "picked-up": "picked_up", delivered: "delivered", failed: "failed" }[m[3]];
  for (const run of runs) {
    for (const s of run.stops.filter((x) => x.job_id === id)) {
      s.job_status = status;
      if ((status === "picked_up" && s.kind === "pickup") || (status === "delivered" && s.kind === "dropoff")) s.done_at = s.done_at || action.at;
    }
    if (run.status === "accepted" && run.stops.every(Returns.done)) run.status = "done";
  }
  return runs;
}

function currentRuns() {
  const runs = JSON.parse(JSON.stringify(state.runs || []));
  ActionQueue.items().forEach((a) => applyAction(runs, a));
  return runs.filter((r) => OPEN.includes(r.status));
}

async function refresh() {
  try {
    for (let tries = 1; ; tries++) {
      const before = edits;
      const [me, mine] = await Promise.all([api("GET", "/courier/me"), api("GET", "/courier/runs")]);
      if (edits !== before && tries < 3) continue;  // changed meanwhile: these answers are older
      state = { me, runs: mine.runs };
      saveState();
      break;
    }
    await Break.load(state.me.id);
  } catch (err) {
    if (!err.network) showError(err);
  }
  render();
}

function upsert(run) {
  state.runs = (state.runs || []).filter((r) => r.id !== run.id);
  if (OPEN.includes(run.status)) state.runs.push(run);
  saveState();
  render();
}

function act(path, body, label) {
  OfferAlert.unlock();
  ActionQueue.push(path, body, label);
  render();
}

// ---- rendering -------------------------------------------------------------------
function render() {
  const on = !!(state.me && state.me.on_shift);
  const runs = currentRuns();
  const offer = runs.find((r) => r.status === "offered");
  const run = runs.find((r) => r.status === "accepted");
  const btn = el("shift");
  btn.textContent = on ? t("Go off shift") : t("Go on shift");
  btn.dataset.online = String(on);
  btn.setAttribute("aria-pressed", String(on));
  btn.classList.toggle("primary", !on);
  if (on) Position.start(); else Position.stop();
  Break.show(on);
  renderOffer(offer);
  renderRun(run);
  el("idle").hidden = !!(offer || run);
  el("idle-text").textContent = !on ? t("Go on shift to receive offers.")
    : Break.on() ? t("On a break: no offers until you end it.") : t("On shift: new offers appear here, with a sound.");
}

function stopItem(s, actions, next, run) {
  if (s.kind === "return") return Returns.item(s, actions, next, run);
  const done = Returns.done(s);
  const place = s.redacted && !s.address ? `${t("Address kept private")} (≈ ${s.lat}, ${s.lon})`
    : esc(s.address || coords(s.lat, s.lon));
  const geo = `geo:${s.lat},${s.lon}?q=${s.lat},${s.lon}(${encodeURIComponent(s.address || "")})`;
  let buttons = "";
  if (actions && !done) {
    if (s.kind === "pickup" && s.job_status === "accepted") {
      buttons = `<button class="big primary" data-act="picked-up" data-job="${s.job_id}">${t("Picked up")}</button>${Returns.releaseButton(s)}`;
    } else if (s.kind === "dropoff" && s.job_status === "picked_up") {
      buttons = `<button class="big primary" data-act="delivered" data-job="${s.job_id}">${t("Delivered")}</button>
        <button class="big" data-act="failed" data-job="${s.job_id}">${t("Failed…")}</button>`;
    } else if (s.kind === "dropoff") {
      buttons = `<span class="muted small">${t("Pick it up first")}</span>`;
    }
  }
  const who = s.kind === "dropoff" && s.recipient && (s.recipient.name || s.recipient.phone)
    ? `<span class="small">${esc(s.recipient.name)} ${s.recipient.phone ? `<a href="tel:${esc(s.recipient.phone)}">${esc(s.recipient.phone)}</a>` : ""}</span>` : "";
  return `<li class="stop ${done ? "done" : ""} ${next ? "next" : ""}" data-job="${s.job_id}" data-kind="${s.kind}" data-status="${esc(s.job_status)}">
    <div class="stop-head"><span class="kind ${s.kind}">${s.kind === "pickup" ? t("Pick up") : t("Drop off")}</span>
      ${stopTime(s)}${next ? `<span class="badge">${t("Next")}</span>` : ""}</div>
    <b class="place">${place}</b>
    <span class="muted small">#${s.job_id} · ${num(s.weight_kg, 1)} kg · ${esc(statusLabel(s.job_status))}</span>
    ${who}${s.notes ? `<span class="notes small">${esc(s.notes)}</span>` : ""}
    ${actions && !done ? `<div class="row actions"><a class="button big nav" href="${geo}">${t("Navigate")}</a>${buttons}</div>` : ""}
  </li>`;
}

// A stop's time: its live ETA while it is still to do ("≈ 14:32"), else the planned time.
function stopTime(s) {
  if (s.eta && !s.done_at) return `<span class="time eta" title="${t("Expected, worked out live")}">≈ ${hhmm(s.eta)}</span>`;
  return `<span class="time">${hhmm(s.planned_arrival)}</span>`;
}

function renderOffer(offer) {
  clearInterval(offerTimer);
  el("offer").hidden = !offer;
  if (!offer) return;
  el("offer").dataset.run = offer.id;
  el("accept").hidden = Break.on();  // the server refuses it during a break: no button to tap
  el("offer-break").hidden = !Break.on();
  const jobs = new Set(offer.stops.map((s) => s.job_id)).size;
  const kg = offer.stops.filter((s) => s.kind === "pickup").reduce((a, s) => a + s.weight_kg, 0);
  el("offer-summary").textContent = t("{jobs} job(s) · {km} km · {kg} kg · until {end}",
    { jobs, km: num(offer.distance_m / 1000, 1), kg: num(kg, 1), end: hhmm(offer.planned_end) });
  el("offer-reason").textContent = phrase(offer.reason_phrase, offer.reason);
  const pay = offer.estimated_pay_cents;
  el("offer-pay-box").hidden = pay == null;
  el("offer-pay").textContent = pay == null ? "" : t("+{pay} for this run", { pay: money(pay) });
  el("offer-stops").innerHTML = offer.stops.map((s) => stopItem(s, false)).join("");
  const ttl = (CONFIG.offerTtl || 120) * 1000;
  const tick = () => {
    const left = Math.max(0, new Date(offer.expires_at) - Date.now());
    el("countdown").textContent = t("{s} s left", { s: Math.ceil(left / 1000) });
    el("countdown-bar").style.width = `${Math.min(100, (100 * left) / ttl)}%`;
    if (left <= 0) { clearInterval(offerTimer); state.runs = state.runs.filter((r) => r.id !== offer.id); saveState(); render(); }
  };
  tick();
  offerTimer = setInterval(tick, 1000);
}

function renderRun(run) {
  el("run").hidden = !run;
  if (!run) { fittedRun = null; return; }
  el("run").dataset.run = run.id;
  const nextIdx = run.stops.findIndex((s) => !Returns.done(s));
  el("run-stops").innerHTML = run.stops.map((s, i) => stopItem(s, true, i === nextIdx, run)).join("");
  const done = run.stops.filter(Returns.done).length;
  el("run-progress").textContent = t("{done} of {total} stops done", { done, total: run.stops.length });
  drawMap(run, nextIdx);
}

function redrawMap() {
  const run = currentRuns().find((r) => r.status === "accepted");
  if (run) drawMap(run, run.stops.findIndex((s) => !Returns.done(s)));
}

function drawMap(run, nextIdx) {
  if (!map) { map = makeMap(el("run-map")); if (!map) return; layer = L.layerGroup().addTo(map); }
  layer.clearLayers();
  const left = run.stops.filter((s, i) => i >= nextIdx && nextIdx >= 0);
  left.forEach((s, i) => L.marker([s.lat, s.lon], { icon: pin(String(i + 1), s.kind), title: s.address || "" }).addTo(layer));
  const myPos = Position.here();
  const line = (myPos ? [myPos] : []).concat(left.map((s) => [s.lat, s.lon]));
  if (line.length > 1) L.polyline(line, { color: "#0b7a53", weight: 4, opacity: 0.7, dashArray: "6 8" }).addTo(layer);
  if (myPos) L.circleMarker(myPos, { radius: 9, color: "#fff", weight: 3, fillColor: "#1565c0", fillOpacity: 1 }).addTo(layer);
  setTimeout(() => map.invalidateSize(), 0);
  if (fittedRun !== run.id) { fittedRun = run.id; fitTo(map, line); }
}

// A run ends: what it earned, for a few seconds ("+4,19 €").
function earned(run) {
  const box = el("earned");
  if (run.estimated_pay_cents == null || box.dataset.run === String(run.id)) return;
  box.dataset.run = String(run.id);
  box.textContent = t("Run done: +{pay}", { pay: money(run.estimated_pay_cents) });
  box.hidden = false;
  setTimeout(() => { box.hidden = true; }, 15000);
}

// ---- the queue's state ------------------------------------------------------------
function showQueue(items) {
  const pill = el("queue");
  pill.dataset.count = String(items.length);
  pill.hidden = !items.length;
  pill.textContent = t("{n} action(s) waiting to be sent", { n: items.length });
}

ActionQueue.on("change", (items) => { showQueue(items); render(); });
ActionQueue.on("sent", (action) => { applyAction(state.runs, action); state.runs = state.runs.filter((r) => OPEN.includes(r.status)); saveState(); });
ActionQueue.on("rejected", (action, err) => { showError(new Error(`${action.label}: ${err.message}`)); refresh(); });

// ---- wiring -------------------------------------------------------------------------
el("shift").addEventListener("click", async () => {
  OfferAlert.unlock();
  showError(null);
  const goingOn = !(state.me && state.me.on_shift);
  const body = { online: goingOn };
  el("shift").disabled = true;
  try {
    if (goingOn) {
      const c = await Position.once();
      if (c) Object.assign(body, { lat: c.latitude, lon: c.longitude });
    }
    state.me = await api("POST", "/courier/shift", body);
    if (!goingOn) state.runs = state.runs.filter((r) => r.status !== "offered");
    saveState();
    if (!goingOn) await Break.load(state.me.id);  // going off shift ends a break
    render();
  } catch (err) {
    showError(err.network ? new Error(t("No connection: try again once you are back online.")) : err);
    el("emergency").hidden = !(err.status === 409 && err.fields && err.fields.jobs);
  } finally {
    el("shift").disabled = false;
  }
});

// Going off shift with work accepted is refused; in an emergency it hands the work back.
el("emergency").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  showError(null);
  const reason = el("emergency-reason").value.trim();
  try {
    state.me = await api("POST", "/courier/shift", { online: false, emergency: true, reason });
    el("emergency").hidden = true;
    await refresh();
  } catch (err) {
    showError(err);
  }
});

el("accept").addEventListener("click", () => act(`/runs/${el("offer").dataset.run}/accept`, undefined, t("Accept")));
// Declining takes a second tap within 3 s: a stray tap on a bumpy road loses no offer.
el("decline").addEventListener("click", () => {
  const btn = el("decline");
  if (btn.dataset.armed !== "true") {
    btn.dataset.armed = "true";
    btn.textContent = t("Tap again to decline");
    setTimeout(() => { btn.dataset.armed = "false"; btn.textContent = t("Decline"); }, 3000);
    return;
  }
  btn.dataset.armed = "false";
  btn.textContent = t("Decline");
  act(`/runs/${el("offer").dataset.run}/decline`, { reason: "" }, t("Decline"));
});

el("run-stops").addEventListener("click", (ev) => {
  const btn = ev.target.closest("button[data-act]");
  if (!btn) return;
  const { act: what, job } = btn.dataset;
  if (what === "failed") return openFail(job);
  if (what === "release") return Returns.openRelease(job);
  act(`/jobs/${job}/${what}`, undefined, `#${job} ${btn.textContent.trim()}`);
});

function openFail(job) {
  failJob = job;
  const form = el("fail-form");
  form.reset();
  clearFieldErrors(form);
  el("fail-dialog").showModal();
}

el("fail-cancel").addEventListener("click", () => el("fail-dialog").close());
el("fail-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const answer = chosenReason(form);
  if (answer.fields) return showFieldErrors(form, answer);
  el("fail-dialog").close();
  act(`/jobs/${failJob}/failed`, { reason: answer.reason }, `#${failJob} ${t("Failed")}`);
});

Returns.init(act);
Break.init({ changed: render,
  error: (err) => { showError(err); refresh(); } });
Position.init({ onShift: () => !!(state.me && state.me.on_shift), refused: refresh,
  moved: () => redrawMap() });

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});

showQueue(ActionQueue.items());
render();
const liveSocket = live({  // courier_ride.js reconnects it when the page is back in front
  connect: () => { ActionQueue.flush(); refresh(); Position.flush(); },
  "run.offered": (run) => { upsert(run); OfferAlert.ring(el("offer")); },
  "runs.current": (mine) => { state.runs = mine.runs; saveState(); render(); },  // on every (re)connect
  "run.updated": (run) => { if (run.status === "done") earned(run); upsert(run); },
  "run.cancelled": (run) => {
    const had = (state.runs || []).find((r) => r.id === run.id);
    if (had && run.status === "cancelled") {
      showError(new Error(had.status === "accepted" ? t("Your run was taken off your list: moved by dispatch, or its deliveries were cancelled.") : t("The offer was withdrawn.")));
    }
    upsert(run);
  },
});
