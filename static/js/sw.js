// The courier app's service worker: keeps the app's files (and the last copy of each
// page) so that the app opens without a connection. API calls are never cached:
// the page keeps its own state and queue (queue.js).
"use strict";

const VERSION = "courier-v6";
const SHELL = [
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/messages.js",
  "/static/js/queue.js",
  "/static/js/position.js",
  "/static/js/alert.js",
  "/static/js/breaks.js",
  "/static/js/courier.js",
  "/static/js/courier_push.js",
  "/static/js/courier_ride.js",
  "/static/css/courier_ride.css",
  "/static/js/courier_proof.js",
  "/static/css/proof.css",
  "/static/vendor/socket.io/socket.io.min.js",
  "/static/vendor/leaflet/leaflet.js",
  "/static/vendor/leaflet/leaflet.css",
  "/static/icons/icon-192.png",
  "/static/icons/icon.svg",
];
importScripts("/static/js/sw_push.js");  // offers pushed to the phone, answered from their notification

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION)
    .then((c) => c.addAll(SHELL).then(() => c.add("/courier").catch(() => {})))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/socket.io/") || url.pathname.startsWith("/t/")) return;
  if (req.mode === "navigate") {
    // Pages: the network first (fresh CSRF token and state), the last copy offline.
    event.respondWith(fetch(req).then((resp) => {
      if (resp.ok) { const copy = resp.clone(); caches.open(VERSION).then((c) => c.put(req, copy)); }
      return resp;
    }).catch(() => caches.match(req).then((hit) => hit || Response.error())));
    return;
  }
  if (url.pathname.startsWith("/static/vendor/") || url.pathname.startsWith("/static/icons/")) {
    // Pinned libraries and icons: the cached copy at once.
    event.respondWith(caches.open(VERSION).then((cache) => cache.match(req).then((hit) => hit
      || fetch(req).then((resp) => { if (resp.ok) cache.put(req, resp.clone()); return resp; }))));
  } else if (url.pathname.startsWith("/static/")) {
    // The app's own scripts and styles change with each release: the network first, the
    // cached copy when it fails or is slower than 3 seconds (bad signal).
    event.respondWith(caches.open(VERSION).then((cache) => {
      const fresh = fetch(req).then((resp) => { if (resp.ok) cache.put(req, resp.clone()); return resp; });
      const late = new Promise((resolve) => setTimeout(resolve, 3000)).then(() => cache.match(req));
      return Promise.race([fresh.catch(() => cache.match(req)), late.then((hit) => hit || fresh)])
        .then((resp) => resp || fresh);
    }));
  }
});
