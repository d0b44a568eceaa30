// Shared by every page: calls to the REST API and the live Socket.IO connection.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]').content;

async function api(method, path, body) {
  const opts = { method, credentials: "same-origin", headers: { "X-CSRFToken": CSRF } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch("/api/v1" + path, opts);
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = new Error(data.error || resp.statusText);
    err.status = resp.status;
    err.fields = data.fields || {};
    throw err;
  }
  return data;
}

function live(handlers) {
  const conn = document.getElementById("conn");
  const socket = io({ transports: ["websocket", "polling"] });
  const show = (state, text) => { if (conn) { conn.dataset.state = state; conn.textContent = text; } };
  socket.on("connect", () => { show("online", "● live"); handlers.connect && handlers.connect(); });
  socket.on("disconnect", () => show("offline", "○ offline — reconnecting…"));
  socket.on("connect_error", () => show("offline", "○ offline — reconnecting…"));
  for (const [name, fn] of Object.entries(handlers)) {
    if (name !== "connect") socket.on(name, fn);
  }
  return socket;
}

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function hhmm(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}
