// The recipient's tracking page: live over Socket.IO (the link's token lets it hear
// this one job, track.updated), asking the API every 15 seconds while it cannot; the
// expected time and the courier on a map only while a courier rides it. Times are
// written in the coop's time zone, as the reader's language writes them. When the link
// expires the page says so.
"use strict";

const ZONE = CONFIG.timeZone || undefined;
const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit", timeZone: ZONE }) : "");
const dayClock = (iso) => (iso ? new Date(iso).toLocaleString(LANG, { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: ZONE }) : "");

const HEADLINE = {
  pending: t("Waiting for a courier"), offered: t("Waiting for a courier"),
  accepted: t("A courier is on the way to the shop"), picked_up: t("Your parcel is on its way"),
  delivered: t("Delivered"), failed: t("The delivery could not be made"),
  cancelled: t("This delivery was cancelled"),
};
const ORDER = ["pending", "accepted", "picked_up", "delivered"];
let trackMap = null, courierMarker = null;

function show(view) {
  const box = document.getElementById("track");
  box.dataset.status = view.status;
  document.getElementById("track-status").textContent = HEADLINE[view.status] || view.status;
  const reached = ORDER.indexOf(view.status === "offered" ? "pending" : view.status);
  document.querySelectorAll("#track-steps li").forEach((li, i) => {
    li.classList.toggle("done", reached >= 0 && i <= reached);
    li.classList.toggle("current", i === reached);
  });
  const w = document.getElementById("track-window");
  if (view.status === "delivered") {
    document.getElementById("window-label").textContent = t("Delivered at");
    w.textContent = clock(view.delivered_at);
  } else {
    w.textContent = `${clock(view.window.start)} – ${clock(view.window.end)}`;
  }
  const eta = document.getElementById("track-eta");
  eta.hidden = document.getElementById("eta-label").hidden = !view.eta;
  eta.textContent = clock(view.eta);
  eta.dataset.eta = view.eta || "";
  document.getElementById("track-late").hidden = !view.delayed;
  document.getElementById("track-courier").textContent = view.courier ? view.courier.first_name : "—";
  const expiry = document.getElementById("track-expiry");
  expiry.hidden = !view.expires_at;
  if (view.expires_at) expiry.textContent = t("This link works until {time}.", { time: dayClock(view.expires_at) });
  showCourier(view.courier && view.courier.lat != null ? view.courier : null);
}

function showCourier(c) {
  const el = document.getElementById("track-map");
  el.hidden = !c;
  if (!c) return;
  if (!trackMap) trackMap = makeMap(el, [c.lat, c.lon]);
  if (!trackMap) return;
  trackMap.invalidateSize();
  if (courierMarker) courierMarker.setLatLng([c.lat, c.lon]);
  else courierMarker = L.marker([c.lat, c.lon], { icon: pin("●", "courier") }).addTo(trackMap);
  trackMap.setView([c.lat, c.lon], Math.max(trackMap.getZoom(), 15));
}

async function poll() {
  try {
    const resp = await fetch(`/api/v1/track/${encodeURIComponent(CONFIG.token)}`, { headers: { Accept: "application/json" } });
    if (resp.status === 404 || resp.status === 410) { location.reload(); return; }
    if (resp.ok) show(await resp.json());
  } catch (e) { /* offline: try again later */ }
}

show(JSON.parse(document.getElementById("track-view").textContent));
const socket = window.io ? io({ auth: { track: CONFIG.token }, transports: ["websocket", "polling"], reconnectionDelayMax: 10000 }) : null;
if (socket) {
  socket.on("track.updated", show);
  socket.on("connect", () => { document.getElementById("track").dataset.live = "on"; });
  socket.on("disconnect", () => { document.getElementById("track").dataset.live = "off"; });
  socket.on("connect_error", () => { document.getElementById("track").dataset.live = "off"; poll(); });
}
const connected = () => socket && socket.connected;
setInterval(() => { if (!connected()) poll(); }, 15000);
document.addEventListener("visibilitychange", () => { if (!document.hidden && !connected()) poll(); });
