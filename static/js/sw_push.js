// Offers that reach a phone in a pocket (imported by the service worker, sw.js): a push
// from the server (Web Push, courier/journal/push.py) becomes a notification with Accept
// and Decline; tapping either answers over the API from here, with an Idempotency-Key
// as the page's offline queue does (queue.js), so a second tap, or a tap and then the
// page, answers once. A withdrawn or expired offer takes its notification away.
"use strict";

const PUSH_CACHE = "courier-push";  // the session's CSRF token, to answer from a notification
const TOKEN_URL = "/__push/csrf";
const ICON = "/static/icons/icon-192.png";

const runTag = (run) => `run-${run}`;

// "1 min 45 s", "40 s": what is left of an offer (the same units in French and English).
function timeLeft(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}\u00a0min${s % 60 ? `\u00a0${s % 60}\u00a0s` : ""}` : `${s}\u00a0s`;
}

async function windows() {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true });
}

async function tellPages(message) {
  (await windows()).forEach((c) => c.postMessage(message));
}

// The courier's page open and in front on this phone: it shows and rings itself.
async function pageInFront() {
  return (await windows()).some((c) => c.focused && new URL(c.url).pathname === "/courier");
}

async function onPush(data) {
  const tag = runTag(data.run);
  const shown = await self.registration.getNotifications({ tag });
  await tellPages({ type: "push", kind: data.kind, run: data.run });
  const left = new Date(data.expires_at) - Date.now();
  if (data.kind === "offer") {
    if (left <= 0 || await pageInFront()) return undefined;  // lapsed on the way, or seen
    return self.registration.showNotification(data.title, {
      tag, renotify: true, requireInteraction: true, icon: ICON, badge: ICON,
      body: [data.body, (data.left || "").replace("{left}", timeLeft(left)), data.reason].filter(Boolean).join("\n"),
      vibrate: [400, 150, 400, 150, 700], timestamp: Date.now(), data,
      actions: [{ action: "accept", title: data.labels.accept }, { action: "decline", title: data.labels.decline }],
    });
  }
  shown.forEach((n) => n.close());
  if (await pageInFront()) return undefined;
  // An offer gone quietly replaces its notification (if it was still there); a run
  // being ridden that changed, or was taken away, buzzes.
  if (data.quiet && !shown.length) return undefined;
  return self.registration.showNotification(data.title, {
    tag, body: data.body, icon: ICON, badge: ICON, timestamp: Date.now(), data,
    silent: !!data.quiet, renotify: !data.quiet, vibrate: data.quiet ? undefined : [300, 120, 300],
  });
}

self.addEventListener("push", (event) => {
  let data;
  try { data = event.data ? event.data.json() : null; } catch (e) { data = null; }
  if (!data || !data.run) return;
  event.waitUntil(onPush(data));
});

// The page's token for the session this browser is logged in with: kept, else read from
// the courier page (a same-origin request, as the page itself makes it).
async function csrfToken(fresh) {
  const cache = await caches.open(PUSH_CACHE);
  if (!fresh) {
    const hit = await cache.match(TOKEN_URL);
    if (hit) return hit.text();
  }
  const resp = await fetch("/courier", { credentials: "same-origin", redirect: "follow" });
  const m = (await resp.text()).match(/<meta name="csrf-token" content="([^"]+)"/);
  if (!m) return "";
  await cache.put(TOKEN_URL, new Response(m[1]));
  return m[1];
}

async function post(path, key, body) {
  for (let tries = 0; tries < 2; tries += 1) {
    const headers = { Accept: "application/json", "Idempotency-Key": key, "X-CSRFToken": await csrfToken(tries > 0) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let resp;
    try {
      resp = await fetch(`/api/v1${path}`, { method: "POST", credentials: "same-origin", headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      return { ok: false };
    }
    const data = await resp.json().catch(() => ({}));
    if (resp.status === 400 && data.fields && "X-CSRFToken" in data.fields && !tries) continue;
    return { ok: resp.ok, status: resp.status, data };
  }
  return { ok: false };
}

// Accept or Decline tapped on the notification: answered once, whatever is tapped after
// (a tap while the first is on its way waits for it; a later one is a replay).
const answering = new Map();

function answer(data, action) {
  const key = `${action}-${data.run}`;
  if (!answering.has(key)) answering.set(key, sendAnswer(data, action).finally(() => answering.delete(key)));
  return answering.get(key);
}

async function sendAnswer(data, action) {
  const tag = runTag(data.run);
  const sent = await post(`/runs/${data.run}/${action}`, `push-${action}-${data.run}`,
    action === "decline" ? { reason: "" } : undefined);
  await tellPages({ type: "push.answered", run: data.run, action, ok: sent.ok });
  if (sent.ok && action === "decline") return undefined;
  // 409: the offer lapsed or was withdrawn before the tap (its withdrawal not yet here)
  const kind = sent.ok ? "answered" : sent.status === 409 && data.labels.gone ? "gone" : "failed";
  return self.registration.showNotification(data.labels[kind === "answered" ? "accepted" : kind], {
    tag, icon: ICON, badge: ICON, silent: true, timestamp: Date.now(),
    data: { kind, run: data.run, url: data.url },
  });
}

// The courier's page in front: the one already open, else another page of the app
// taken there, else a new window.
async function openPage(url) {
  const pages = await windows();
  const focus = (c) => (c && c.focus ? c.focus().catch(() => c) : c);
  const there = pages.find((c) => new URL(c.url).pathname === url);
  if (there) return focus(there);
  const other = pages.find((c) => typeof c.navigate === "function");
  if (other) {
    const moved = await other.navigate(url).catch(() => null);
    if (moved) return focus(moved);
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  const note = event.notification;
  const data = note.data || {};
  note.close();
  const work = data.kind === "offer" && (event.action === "accept" || event.action === "decline")
    ? answer(data, event.action) : openPage(data.url || "/courier");
  try {
    event.waitUntil(work);
  } catch (err) {
    // an event made by a script (the browser tests' tap) cannot be extended: it runs anyway
  }
});
