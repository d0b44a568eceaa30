// The dispatcher's board: a live map of couriers (position, status, load) and jobs
// (waiting, offered, on a bike), offers with their countdown, jobs not assigned with
// the reason, runs being ridden with each job's live ETA and delays, "run a cycle now",
// and manual overrides.
"use strict";

const jobs = new Map(), couriers = new Map(), runs = new Map();
const $ = (id) => document.getElementById(id);
const map = makeMap($("board-map"));
const courierLayer = map && L.layerGroup().addTo(map);
const jobLayer = map && L.layerGroup().addTo(map);
const courierMarkers = new Map();
let fitted = false, renderQueued = false;
let partnerCoops = 0;  // active partner coops: pending jobs may be handed to one
const relayable = new Map();  // pending job id -> the partner and hub a relay would go through
let relayTimer = null;
const answers = new Map();  // job id -> what a partner coop answered the dispatcher, in its row

const openRuns = () => [...runs.values()].filter((r) => ["offered", "accepted"].includes(r.status));
const runOf = (courierId, status) => openRuns().find((r) => r.courier.id === courierId && r.status === status);
const jobsOf = (run) => [...new Set(run.stops.map((s) => s.job_id))].map((id) => jobs.get(id) || { id, ...stopJob(run, id) });
const stopJob = (run, id) => { const s = run.stops.find((x) => x.job_id === id); return { status: s.job_status, weight_kg: s.weight_kg }; };
// A stop still to ride: not made, its job not over (a failed parcel's return until made).
const stopLeft = (s) => !s.done_at && (s.kind === "return" || !["delivered", "failed", "cancelled"].includes(s.job_status));

function courierState(c) {
  if (!c.on_shift) return "off";
  if (runOf(c.id, "accepted")) return "riding";
  if (runOf(c.id, "offered")) return "offered";
  return "free";
}

function load(c) {
  const run = runOf(c.id, "accepted");
  const onBoard = run ? run.stops.filter((s) => s.kind === "pickup" && s.job_status === "picked_up").reduce((a, s) => a + s.weight_kg, 0) : 0;
  return t("{kg} of {cap} kg on board", { kg: num(onBoard, 1), cap: c.capacity_kg == null ? "?" : num(c.capacity_kg, 1) });
}

const STATE_LABEL = { free: t("free"), offered: t("offer pending"), riding: t("riding"), off: t("off shift") };
const COLOR = { free: "#0b7a53", offered: "#d98e04", riding: "#1565c0", off: "#888" };

function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; draw(); });
}

function draw() {
  const onShift = [...couriers.values()].filter((c) => c.on_shift);
  $("couriers").innerHTML = onShift.map((c) => {
    const st = courierState(c);
    const pos = c.lat != null ? coords(c.lat, c.lon) : t("no position");
    return `<li data-courier="${c.id}" data-state="${st}" data-lat="${c.lat ?? ""}" data-lon="${c.lon ?? ""}">
      <span class="dot ${st}"></span><b>${esc(c.name)}</b> <span class="tag">${esc(STATE_LABEL[st])}</span>
      <span class="muted small">${c.vehicle === "cargo_bike" ? t("cargo bike") : t("bike")} · ${esc(load(c))} ·
        <span class="pos">${pos}</span>${c.position_at ? ` · ${hhmm(c.position_at)}` : ""}</span></li>`;
  }).join("") || `<li class="muted">${t("No courier on shift.")}</li>`;
  $("couriers-count").textContent = onShift.length;

  const offers = openRuns().filter((r) => r.status === "offered");
  $("offers").innerHTML = offers.map((r) => `<li data-run="${r.id}">
      <b>${esc(r.courier.first_name)}</b> · ${t("{n} job(s)", { n: new Set(r.stops.map((s) => s.job_id)).size })} ·
      ${km(r.distance_m / 1000)} <span class="countdown" data-expires="${r.expires_at}"></span>
      <button class="small-button" data-move-run="${r.id}">${t("Move…")}</button>
      <span class="muted small">${esc(phrase(r.reason_phrase, r.reason))}</span></li>`).join("") || `<li class="muted">${t("None.")}</li>`;
  $("offers-count").textContent = offers.length;

  const pending = [...jobs.values()].filter((j) => j.status === "pending").sort((a, b) => new Date(a.deliver_by) - new Date(b.deliver_by));
  $("unassigned").innerHTML = pending.map((j) => `<li data-job="${j.id}">
      <b>#${j.id}</b> ${esc(j.dropoff.address || (j.redacted ? t("Address kept private") : ""))} · ${num(j.weight_kg, 1)} kg · ${t("by {time}", { time: hhmm(j.deliver_by) })}
      <button class="small-button" data-assign="${j.id}">${t("Assign…")}</button>
      ${partnerCoops ? `<button class="small-button" data-handoff="${j.id}">${t("Hand to a partner coop")}</button>` : ""}
      ${relayable.has(j.id) ? `<button class="small-button" data-relay="${j.id}" title="${esc(t("through {hub} with {coop}", { hub: relayable.get(j.id).hub.name, coop: relayable.get(j.id).partner }))}">${t("Relay through a hub")}</button>` : ""}
      ${answers.has(j.id) ? `<span class="partner-answer small">${esc(answers.get(j.id))}</span>` : ""}
      <span class="reason small">${esc(j.unassigned_reason ? phrase(j.unassigned_reason_phrase, j.unassigned_reason) : t("waiting for the next cycle"))}</span></li>`).join("") || `<li class="muted">${t("None.")}</li>`;
  $("unassigned-count").textContent = pending.length;

  const riding = openRuns().filter((r) => r.status === "accepted");
  $("runs").innerHTML = riding.map((r) => {
    const done = r.stops.filter((s) => !stopLeft(s)).length;
    const movable = jobsOf(r).filter((j) => ["offered", "accepted"].includes(j.status));
    return `<li data-run="${r.id}"><b>${esc(r.courier.first_name)}</b> · ${t("{done} of {total} stops done", { done, total: r.stops.length })}
      <button class="small-button" data-move-run="${r.id}">${t("Move run…")}</button>
      <span class="small">${jobsOf(r).map((j) => `#${j.id} ${esc(statusLabel(j.status))}${j.eta ? ` <span class="eta" data-job="${j.id}">${t("ETA {time}", { time: hhmm(j.eta) })}</span>` : ""}${movable.includes(j) ? ` <button class="link" data-assign="${j.id}">${t("move")}</button>` : ""}`).join(" · ")}</span>
      ${jobsOf(r).filter((j) => j.late_by_s != null && j.eta).map((j) => `<span class="late-by small" data-late="${j.id}">#${j.id} ${esc(phrase(j.delay_reason_phrase, j.delay_reason))}</span>`).join("")}</li>`;
  }).join("") || `<li class="muted">${t("None.")}</li>`;
  $("runs-count").textContent = riding.length;
  drawMap(onShift);
  tick();
}

function drawMap(onShift) {
  if (!map) return;
  for (const [id, m] of courierMarkers) if (!onShift.some((c) => c.id === id && c.lat != null)) { m.remove(); courierMarkers.delete(id); }
  for (const c of onShift.filter((x) => x.lat != null)) {
    const st = courierState(c);
    let m = courierMarkers.get(c.id);
    if (!m) { m = L.circleMarker([c.lat, c.lon], { radius: 9, weight: 3, color: "#fff", fillOpacity: 1 }).addTo(courierLayer); courierMarkers.set(c.id, m); }
    m.setLatLng([c.lat, c.lon]).setStyle({ fillColor: COLOR[st] });
    m.bindTooltip(`${esc(c.name)} · ${esc(STATE_LABEL[st])} · ${esc(load(c))}`);
  }
  jobLayer.clearLayers();
  for (const j of jobs.values()) {
    if (j.status === "pending" || j.status === "offered") {
      L.marker([j.pickup.lat, j.pickup.lon], { icon: pin(`#${j.id}`, `job ${j.status}`) }).bindTooltip(`#${j.id} ${esc(statusLabel(j.status))}`).addTo(jobLayer);
    } else if (j.status === "picked_up") {
      L.marker([j.dropoff.lat, j.dropoff.lon], { icon: pin("↓", "dropoff") }).bindTooltip(`#${j.id} ${esc(statusLabel(j.status))}`).addTo(jobLayer);
    }
  }
  // Each run being ridden: from its courier through the stops still to do.
  for (const r of openRuns().filter((x) => x.status === "accepted")) {
    const c = couriers.get(r.courier.id);
    const left = r.stops.filter(stopLeft);
    const line = (c && c.lat != null ? [[c.lat, c.lon]] : []).concat(left.map((s) => [s.lat, s.lon]));
    if (line.length > 1) L.polyline(line, { color: "#1565c0", weight: 2, opacity: 0.8, dashArray: "4 6" }).bindTooltip(esc(r.courier.first_name)).addTo(jobLayer);
    left.filter((s) => s.kind === "pickup").forEach((s) => L.circleMarker([s.lat, s.lon], { radius: 5, color: "#c77700", weight: 2, fillColor: "#fff", fillOpacity: 1 }).bindTooltip(`#${s.job_id} ${t("Pick up")}`).addTo(jobLayer));
  }
  if (!fitted) {
    const pts = onShift.filter((c) => c.lat != null).map((c) => [c.lat, c.lon])
      .concat([...jobs.values()].filter((j) => j.status === "pending").map((j) => [j.pickup.lat, j.pickup.lon]));
    if (pts.length) { fitTo(map, pts, 15); fitted = true; }
  }
}

function tick() {
  document.querySelectorAll(".countdown[data-expires]").forEach((n) => {
    const left = Math.max(0, Math.ceil((new Date(n.dataset.expires) - Date.now()) / 1000));
    n.textContent = t("{s} s left", { s: left });
    n.classList.toggle("urgent", left < 30);
  });
}
setInterval(tick, 1000);

async function loadAll() {
  const [j, c, r] = await Promise.all([api("GET", "/jobs?limit=500"), api("GET", "/couriers"), api("GET", "/runs")]);
  jobs.clear(); couriers.clear(); runs.clear();
  j.jobs.forEach((x) => jobs.set(x.id, x));
  c.couriers.forEach((x) => couriers.set(x.id, x));
  r.runs.forEach((x) => runs.set(x.id, x));
  render();
}

$("run-cycle").addEventListener("click", async () => {
  const out = $("cycle-result");
  const btn = $("run-cycle");
  btn.disabled = true;
  out.textContent = t("Planning…");
  try {
    const res = await api("POST", "/dispatch");
    res.runs.forEach((x) => runs.set(x.id, x));
    res.unassigned.forEach((u) => { const job = jobs.get(u.job_id); if (job) Object.assign(job, { unassigned_reason: u.reason, unassigned_reason_phrase: u.reason_phrase }); });
    out.textContent = t("{runs} run(s) offered, {left} not assigned", { runs: res.runs.length, left: res.unassigned.length });
    render();
  } catch (err) { out.textContent = err.message; } finally { btn.disabled = false; }
});

// ---- overrides ------------------------------------------------------------------------
const form = $("override-form");

function openOverride(kind, id) {
  const run = kind === "run" ? runs.get(id) : null;
  const job = kind === "job" ? jobs.get(id) : null;
  form.reset();
  clearFieldErrors(form);
  form.elements.kind.value = kind;
  form.elements.id.value = id;
  $("override-title").textContent = kind === "run" ? t("Move run {id} to another courier", { id }) : t("Assign job #{id}", { id });
  $("override-what").textContent = run ? t("Now with {name}; every job not yet picked up moves.", { name: run.courier.first_name })
    : job && job.courier ? t("Now with {name}.", { name: job.courier.first_name }) : "";
  const exclude = run ? run.courier.id : null;
  form.elements.courier_id.innerHTML = `<option value="">${t("Choose a courier")}</option>` + [...couriers.values()]
    .filter((c) => c.on_shift && c.id !== exclude)
    .map((c) => `<option value="${c.id}">${esc(c.name)} (${esc(STATE_LABEL[courierState(c)])})</option>`).join("");
  $("override-dialog").showModal();
}

// A pending job handed to a partner coop (docs/federation.md): the answer in its row.
async function handOff(b) {
  const id = Number(b.dataset.handoff);
  b.disabled = true;
  try {
    const h = await api("POST", `/jobs/${id}/handoff`, {});
    answers.set(id, h.status === "accepted"
      ? t("carried by {coop} for {price}", { coop: h.partner.name, price: money(h.price_cents) })
      : tr(h.reason));
  } catch (err) {
    answers.set(id, tr(err.message));
  }
  b.disabled = false;
  render();
}
// A pending job relayed through a hub (our courier to the hub, the partner's from there).
async function relayJob(b) {
  const id = Number(b.dataset.relay);
  b.disabled = true;
  try {
    const r = await api("POST", `/jobs/${id}/relay`, {});
    answers.set(id, r.status === "stopped" ? tr(r.reason)
      : t("relayed at {hub}: {coop} carries it from there", { hub: r.hub.name, coop: r.partner }));
  } catch (err) {
    answers.set(id, tr(err.message));
  }
  relayable.delete(id);  // said again by the next look, if it still fits
  b.disabled = false;
  render();
}

// Which pending jobs a relay fits now: asked on load, and again a little after new work.
function loadRelayable() {
  relayTimer = null;
  if (!partnerCoops) return;
  api("GET", "/relays/possible").then((r) => {
    relayable.clear();
    r.jobs.forEach((x) => relayable.set(x.job_id, x));
    render();
  }).catch(() => {});
}
function relayableSoon() {
  if (partnerCoops && !relayTimer) relayTimer = setTimeout(loadRelayable, 5000);
}

api("GET", "/federation").then((f) => {
  partnerCoops = f.partners.filter((p) => p.status === "active").length;
  render();
  loadRelayable();
}).catch(() => {});

document.querySelector(".panels").addEventListener("click", (ev) => {
  const h = ev.target.closest("[data-handoff]");
  if (h) { handOff(h); return; }
  const rl = ev.target.closest("[data-relay]");
  if (rl) { relayJob(rl); return; }
  const b = ev.target.closest("[data-assign],[data-move-run]");
  if (!b) return;
  if (b.dataset.assign) openOverride("job", Number(b.dataset.assign));
  else openOverride("run", Number(b.dataset.moveRun));
});

$("override-cancel").addEventListener("click", () => $("override-dialog").close());
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const { kind, id, courier_id: cid, reason } = form.elements;
  const fields = {};
  if (!cid.value) fields.courier_id = t("Choose a courier");
  if (!reason.value.trim()) fields.reason = t("Say why: it is recorded with your name.");
  if (Object.keys(fields).length) return showFieldErrors(form, { fields });
  const path = kind.value === "run" ? `/runs/${id.value}/reassign` : `/jobs/${id.value}/assign`;
  try {
    const run = await api("POST", path, { courier_id: Number(cid.value), reason: reason.value.trim() });
    runs.set(run.id, run);
    $("override-dialog").close();
    render();
  } catch (err) {
    if (err.status === 422) showFieldErrors(form, err);
    else showFieldErrors(form, { message: err.message, fields: {} });
  }
});

const upsertRun = (r) => { runs.set(r.id, r); render(); };
live({
  connect: loadAll,
  "job.updated": (j) => {
    const known = jobs.get(j.id);
    if (j.status === "pending" && (!known || known.status !== "pending")) relayableSoon();
    jobs.set(j.id, { ...known, ...j });
    render();
  },
  "run.offered": upsertRun,
  "run.updated": upsertRun,
  "run.cancelled": upsertRun,
  "job.delayed": (d) => { const j = jobs.get(d.job_id); if (j) { Object.assign(j, { late_by_s: d.late_by_s, eta: d.eta, delay_reason: d.reason, delay_reason_phrase: d.reason_phrase }); render(); } },
  "courier.position": (p) => {
    const c = couriers.get(p.courier_id) || { id: p.courier_id, capacity_kg: null };
    Object.assign(c, { name: p.name, vehicle: p.vehicle, on_shift: p.on_shift, lat: p.lat, lon: p.lon, position_at: p.at });
    couriers.set(c.id, c);
    render();
  },
});
