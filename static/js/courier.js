// The courier's phone page: shift, live offers, the run's stops.
"use strict";

let online = false;
let offer = null;
let watchId = null;
let lastSent = 0;
let timer = null;
const el = (id) => document.getElementById(id);

function showError(err) { el("error").textContent = err ? err.message : ""; }

function stopsHtml(run, actions) {
  return run.stops.map((s) => {
    const done = s.done_at || ["delivered", "failed", "cancelled"].includes(s.job_status);
    const btns = !actions || done ? "" : (s.kind === "pickup"
      ? (s.job_status === "accepted" ? `<button class="big" data-act="picked-up" data-job="${s.job_id}">Picked up</button>` : "")
      : (s.job_status === "picked_up" ? `<button class="big primary" data-act="delivered" data-job="${s.job_id}">Delivered</button>
         <button class="big" data-act="failed" data-job="${s.job_id}">Failed</button>` : ""));
    return `<li class="${done ? "done" : ""}" data-kind="${s.kind}">
      <b>${s.kind === "pickup" ? "⬆" : "⬇"} ${esc(s.address || s.lat + ", " + s.lon)}</b>
      <span class="muted">#${s.job_id} · ${hhmm(s.planned_arrival)} · ${s.weight_kg} kg · ${esc(s.job_status)}</span>
      <a href="geo:${s.lat},${s.lon}">navigate</a> ${btns}</li>`;
  }).join("");
}

function renderOffer() {
  clearInterval(timer);
  el("offer").hidden = !offer;
  if (!offer) return;
  el("offer-reason").textContent = offer.reason;
  el("offer-stops").innerHTML = stopsHtml(offer, false);
  const tick = () => {
    const left = Math.max(0, Math.round((new Date(offer.expires_at) - Date.now()) / 1000));
    el("countdown").textContent = `${left}s`;
    if (left === 0) { offer = null; renderOffer(); }
  };
  tick();
  timer = setInterval(tick, 1000);
}

function renderRun(run) {
  el("run").hidden = !run;
  if (run) el("run-stops").innerHTML = stopsHtml(run, true);
}

async function refresh() {
  const me = await api("GET", "/courier/me");
  setOnline(me.on_shift);
  const { runs } = await api("GET", "/courier/runs");
  offer = runs.find((r) => r.status === "offered") || null;
  renderOffer();
  renderRun(runs.find((r) => r.status === "accepted"));
}

function sendPosition(pos) {
  const now = Date.now();
  el("position").textContent = `📍 ${pos.coords.latitude.toFixed(5)}, ${pos.coords.longitude.toFixed(5)}`;
  if (!online || now - lastSent < 10000) return;
  lastSent = now;
  api("POST", "/courier/position", { lat: pos.coords.latitude, lon: pos.coords.longitude }).catch(showError);
}

function setOnline(value) {
  online = value;
  el("shift").textContent = online ? "Go off shift" : "Go on shift";
  el("shift").dataset.online = String(online);
  if (online && watchId === null && navigator.geolocation) {
    watchId = navigator.geolocation.watchPosition(sendPosition, () => {}, { enableHighAccuracy: true });
  } else if (!online && watchId !== null) {
    navigator.geolocation.clearWatch(watchId);
    watchId = null;
    el("position").textContent = "";
  }
}

function currentPosition() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => resolve(null), { timeout: 10000 });
  });
}

el("shift").addEventListener("click", async () => {
  showError(null);
  try {
    const body = { online: !online };
    if (!online) {
      const c = await currentPosition();
      if (c) { body.lat = c.latitude; body.lon = c.longitude; }
    }
    const me = await api("POST", "/courier/shift", body);
    setOnline(me.on_shift);
  } catch (err) { showError(err); }
});

el("accept").addEventListener("click", async () => {
  try { await api("POST", `/runs/${offer.id}/accept`); offer = null; await refresh(); } catch (err) { showError(err); await refresh(); }
});
el("decline").addEventListener("click", async () => {
  try { await api("POST", `/runs/${offer.id}/decline`, {}); offer = null; renderOffer(); } catch (err) { showError(err); }
});
el("run-stops").addEventListener("click", async (ev) => {
  const { act, job } = ev.target.dataset;
  if (!act) return;
  let body;
  if (act === "failed") {
    const reason = prompt("Why did it fail?", "recipient absent");
    if (!reason) return;
    body = { reason };
  }
  try { await api("POST", `/jobs/${job}/${act}`, body); await refresh(); } catch (err) { showError(err); }
});

live({
  connect: refresh,
  "run.offered": (run) => { offer = run; renderOffer(); },
  "run.updated": () => refresh(),
  "run.cancelled": (run) => { if (offer && offer.id === run.id) { offer = null; renderOffer(); } refresh(); },
});
