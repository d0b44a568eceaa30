// "Notify me of offers on this phone": the switch that asks the browser's permission and
// subscribes this device to Web Push (the server's key from /api/v1/push/key), so offers
// reach the phone with the page closed (sw_push.js shows and answers them). The page
// also hears from the service worker: a push came, or an offer was answered from its
// notification, and refreshes; notifications of offers no longer open are closed.
"use strict";

const PushSwitch = (() => {
  const box = document.getElementById("push-switch");
  const DEVICE_KEY = "courier.push.device";
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  let serverKey = null;

  const b64ToBytes = (s) => {
    const raw = atob((s + "=".repeat((4 - (s.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const sameKey = (sub) => {
    const k = sub && sub.options && sub.options.applicationServerKey;
    if (!k) return true;
    const a = new Uint8Array(k), b = b64ToBytes(serverKey);
    return a.length === b.length && a.every((x, i) => x === b[i]);
  };

  function draw(on, note, busy) {
    box.hidden = false;
    box.innerHTML = `<label class="switch"><input type="checkbox" role="switch" id="push-toggle">
      <span>${esc(t("Notify me of offers on this phone"))}</span></label>
      <p class="muted small" id="push-note"></p>`;
    const input = box.querySelector("input");
    input.checked = on;
    input.disabled = !!busy;
    box.dataset.state = on ? "on" : "off";
    box.querySelector("#push-note").textContent = note || "";
    input.addEventListener("change", () => (input.checked ? turnOn() : turnOff()));
  }

  function unsupported() {
    box.hidden = false;
    box.dataset.state = "unsupported";
    const ios = /iPhone|iPad/.test(navigator.userAgent) && !window.matchMedia("(display-mode: standalone)").matches;
    box.innerHTML = `<p class="muted small" id="push-note">${esc(ios
      ? t("To be notified of offers with the app closed, add Courier to your home screen, then open it from there.")
      : t("This browser cannot notify you of offers when the app is closed."))}</p>`;
  }

  async function registration() {
    return navigator.serviceWorker.ready;
  }

  async function save(sub) {
    const device = await api("POST", "/push/devices", sub.toJSON());
    localStorage.setItem(DEVICE_KEY, String(device.id));
    return device;
  }

  async function turnOn() {
    draw(true, t("Asking your browser…"), true);
    try {
      const allowed = await Notification.requestPermission();
      if (allowed !== "granted") {
        return draw(false, t("Notifications are blocked for this site: allow them in your browser's settings."));
      }
      const reg = await registration();
      let sub = await reg.pushManager.getSubscription();
      if (sub && !sameKey(sub)) { await sub.unsubscribe(); sub = null; }
      sub = sub || await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(serverKey) });
      await save(sub);
      draw(true, t("Offers reach this phone even with the app closed."));
    } catch (err) {
      draw(false, err instanceof ApiError ? err.message : t("Your browser could not subscribe to notifications."));
    }
  }

  async function turnOff() {
    draw(false, "", true);
    const id = localStorage.getItem(DEVICE_KEY);
    try {
      if (id) await api("DELETE", `/push/devices/${id}`).catch((err) => { if (err.status !== 404) throw err; });
      localStorage.removeItem(DEVICE_KEY);
      const sub = await (await registration()).pushManager.getSubscription();
      if (sub) await sub.unsubscribe();
      draw(false, t("This phone is no longer notified of offers."));
    } catch (err) {
      draw(true, err.message);
    }
  }

  // On each visit: the switch as this browser has it; a subscription still there is sent
  // again (new keys, another courier logged in on this phone), a refused one is dropped.
  async function init() {
    if (!box) return;
    if (!supported) return unsupported();
    let info;
    try { info = await api("GET", "/push/key"); } catch (err) { return undefined; }
    if (!info.enabled) return undefined;
    serverKey = info.public_key;
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    const on = !!sub && Notification.permission === "granted" && sameKey(sub);
    draw(on, on ? t("Offers reach this phone even with the app closed.") : "");
    if (on) save(sub).catch((err) => { if (!err.network) draw(false, err.message); });
    return undefined;
  }

  // Offers' notifications whose offer is no longer open here go (answered on the page).
  async function tidy() {
    if (!supported || !navigator.serviceWorker.controller) return;
    const open = new Set(currentRuns().filter((r) => r.status === "offered").map((r) => r.id));
    const notes = await (await registration()).getNotifications();
    notes.filter((n) => n.data && n.data.kind === "offer" && !open.has(n.data.run)).forEach((n) => n.close());
  }

  if (supported) {
    navigator.serviceWorker.addEventListener("message", async (event) => {
      const msg = event.data || {};
      if (msg.type !== "push" && msg.type !== "push.answered") return;
      const known = currentRuns().some((r) => r.id === msg.run);
      await refresh();
      const offer = currentRuns().find((r) => r.id === msg.run && r.status === "offered");
      if (msg.type === "push" && offer && !known) OfferAlert.ring(document.getElementById("offer"));
    });
    ActionQueue.on("sent", () => { tidy(); });
    // Logging out of this phone stops its notifications: nobody else reads offers here.
    document.querySelector('form[action$="/logout"]')?.addEventListener("submit", () => {
      const id = localStorage.getItem(DEVICE_KEY);
      if (id) fetch(`/api/v1/push/devices/${id}`, { method: "DELETE", credentials: "same-origin", keepalive: true, headers: { "X-CSRFToken": CSRF } }).catch(() => {});
      localStorage.removeItem(DEVICE_KEY);
      navigator.serviceWorker.ready.then((reg) => reg.pushManager.getSubscription()).then((sub) => sub && sub.unsubscribe()).catch(() => {});
    });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) tidy(); });
  }
  init();
  return { init, tidy };
})();
