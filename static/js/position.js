// The courier's position: watched only while on shift (nothing is read or sent off
// shift), sent to dispatch at most every `positionInterval` seconds (the latest one,
// even when it comes between two sends), kept while the connection is down and sent
// once it is back, and always shown to the courier.
"use strict";

const Position = (() => {
  let watchId = null, lastSent = 0, pending = null, timer = null, shared = null, here = null;
  let hooks = { onShift: () => false, refused: () => {}, moved: () => {} };
  const node = () => document.getElementById("position");

  function start() {
    if (watchId !== null || !navigator.geolocation) return;
    watchId = navigator.geolocation.watchPosition(got, (e) => show(e.message),
      { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
    show();
  }

  function stop() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null; pending = null; here = null; shared = null;
    clearTimeout(timer); timer = null;
    show();
  }

  function got(p) {
    here = [p.coords.latitude, p.coords.longitude];
    pending = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
    hooks.moved(here);
    const wait = lastSent + (CONFIG.positionInterval || 15) * 1000 - Date.now();
    if (wait <= 0) send();
    else if (!timer) timer = setTimeout(() => { timer = null; send(); }, wait);
  }

  async function send() {
    if (!pending || !hooks.onShift()) return;
    const p = pending;
    pending = null;
    lastSent = Date.now();
    try {
      await api("POST", "/courier/position", { lat: p.lat, lon: p.lon });
      shared = { ...p, at: new Date().toISOString() };
    } catch (err) {
      if (err.network) pending = pending || p;  // sent when the connection is back
      else if (err.status === 409) hooks.refused();  // off shift, decided elsewhere
    }
    show();
  }

  function show(problem) {
    const el = node();
    const on = hooks.onShift();
    el.dataset.state = !on ? "off" : shared ? "sharing" : "waiting";
    el.dataset.lat = shared ? shared.lat : "";
    if (!on) el.textContent = t("Position not shared (off shift).");
    else if (problem) el.textContent = t("Position unavailable: {why}", { why: problem });
    else if (!shared) el.textContent = t("Looking for your position…");
    else {
      el.textContent = t("Shared with dispatch at {time}: {lat}, {lon} (±{acc} m)", {
        time: hhmm(shared.at), lat: fixed5(shared.lat), lon: fixed5(shared.lon),
        acc: Math.round(shared.accuracy || 0) });
    }
  }

  // One reading, for going on shift (the server needs a position for that).
  function once() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => resolve(null),
        { timeout: 10000, enableHighAccuracy: true });
    });
  }

  window.addEventListener("online", () => send());
  return {
    init: (h) => { hooks = { ...hooks, ...h }; show(); },
    start, stop, once, flush: send, here: () => here,
  };
})();
