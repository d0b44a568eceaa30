// The recipient's tracking page: refreshed every 15 seconds; the courier on a map
// only while the parcel is on the bike. When the link expires the page says so.
"use strict";

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
    w.textContent = hhmm(view.delivered_at);
  } else {
    w.textContent = `${hhmm(view.window.start)} – ${hhmm(view.window.end)}`;
  }
  document.getElementById("track-courier").textContent = view.courier ? view.courier.first_name : "—";
  const expiry = document.getElementById("track-expiry");
  expiry.hidden = !view.expires_at;
  if (view.expires_at) expiry.textContent = t("This link works until {time}.", { time: dayTime(view.expires_at) });
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
setInterval(poll, 15000);
document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
