// Shared by every page: translations, calls to the REST API, the live Socket.IO
// connection and its visible state, field errors, times, and maps.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]')?.content || "";
// The page's settings and words come as JSON blocks, not inline code (ready for a strict CSP).
const CONFIG = JSON.parse(document.getElementById("page-config")?.textContent || "{}");
const LANG = document.documentElement.lang || "fr";
// Times are shown in the coop's time zone, wherever the reader's device is set.
const COOP_ZONE = document.documentElement.dataset.timeZone || undefined;
const T = JSON.parse(document.getElementById("i18n")?.textContent || "{}");

// t(text, {name: "Ana"}): text in the user's language, with {name} filled in.
function t(text, vars) {
  let out = T[text] || text;
  for (const [k, v] of Object.entries(vars || {})) out = out.split(`{${k}}`).join(String(v));
  return out;
}

// An English message from the API, in the user's language when the catalogue knows it.
// Numbers are matched as {0}, {1}...: "must be between 0 and 1000".
function tr(message) {
  if (!message) return "";
  if (T[message]) return T[message];
  const nums = [];
  const key = String(message).replace(/-?\d+(?:\.\d+)?/g, (n) => `{${nums.push(n) - 1}}`);
  return T[key] ? T[key].replace(/\{(\d+)\}/g, (_, i) => nums[Number(i)]) : message;
}

// The rules in words (courier/fairwork/labels.py), for labels, units and values.
const RULE_WORDS = JSON.parse(document.getElementById("rule-words")?.textContent || "{}");

// A sentence of the server's (courier/texts.py: a template and its values, each value
// text, a number or a phrase itself) in the user's language; the English sentence when
// there is no phrase (reasons written before phrases were kept, or typed by people).
// A rule named by its key is named in words, a number is written as the language does.
function phrase(p, english) {
  if (!p || typeof p !== "object" || typeof p.template !== "string") return tr(english);
  const vars = {};
  for (const [k, v] of Object.entries(p.values || {})) {
    if (v && typeof v === "object") vars[k] = phrase(v, "");
    else if (typeof v === "number" || /^-?\d+\.\d+$/.test(String(v))) vars[k] = num(Number(v));
    else vars[k] = /^[a-z_]+(\.[a-z_]+)+$/.test(String(v)) ? ruleLabel(v) : v;
  }
  return t(p.template, vars);
}

// Numbers, distances and days as the user's language writes them.
function num(x, digits) {
  return x == null || Number.isNaN(x) ? "–" : Number(x).toLocaleString(LANG, { maximumFractionDigits: digits ?? 2 });
}
const km = (x) => (x == null ? "–" : `${num(x, 1)}\u00a0km`);
const fixed5 = (x) => Number(x).toLocaleString(LANG, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
const coords = (lat, lon) => t("{lat}, {lon}", { lat: fixed5(lat), lon: fixed5(lon) });
function day(isoDate) {  // "2026-03-04" -> "mer. 4 mars"
  if (!isoDate) return "";
  const [y, m, d] = String(isoDate).slice(0, 10).split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(LANG, { weekday: "short", day: "numeric", month: "short" });
}

// "load.max_run" -> "Maximum run duration"; anything else is given back as it is.
function ruleLabel(path) {
  const w = RULE_WORDS;
  return (w.rules && w.rules[path]) || (w.fields && w.fields[path] && w.fields[path].label) || path;
}

// A value of the rules document as people read it: 36000 s -> "10 h", 250 cents -> "2,50 €".
function ruleValue(path, v) {
  const f = (RULE_WORDS.fields || {})[path];
  if (v == null) return "–";
  if (!f) return typeof v === "object" ? JSON.stringify(v) : String(v);
  switch (f.unit) {
    case "choice": return f.choices[v] || v;
    case "eur": return money(v);
    case "pct": return (v / 100).toLocaleString(LANG, { style: "percent", maximumFractionDigits: 1 });
    case "clock": return new Date(2000, 0, 1, v).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" });
    case "days": case "stops": {
      const [one, other] = RULE_WORDS.counts[f.unit];
      return (new Intl.PluralRules(LANG).select(v) === "one" ? one : other).replace("{n}", num(v));
    }
    case "h": return `${num(v / 3600)}\u00a0h`;
    case "min": return `${num(v / 60)}\u00a0min`;
    case "l": return `${num(v)}\u00a0L`;
    default: {  // kg, and the safety rules' °C, km/h, mm/h, km and m
      const shown = f.unit === "kg" ? "kg" : (RULE_WORDS.shown || {})[f.unit];
      return shown ? `${num(v)}\u00a0${shown}` : num(v);
    }
  }
}

// One change between two versions of the rules, in words.
const ruleChange = (c) => t("{label}: {old} → {new}", { label: ruleLabel(c.path), old: ruleValue(c.path, c.from), new: ruleValue(c.path, c.to) });

const STATUS = {
  pending: t("Pending"), offered: t("Offered"), accepted: t("Accepted"),
  picked_up: t("Picked up"), delivered: t("Delivered"), failed: t("Failed"),
  cancelled: t("Cancelled"), done: t("Done"), declined: t("Declined"), expired: t("Expired"),
  with_partner: t("With a partner coop"),
};
const statusLabel = (s) => STATUS[s] || s;

class ApiError extends Error {
  constructor(message, status, fields, network, data) {
    super(message);
    Object.assign(this, { status, fields: fields || {}, network: !!network, data: data || {} });
  }
}

async function api(method, path, body, headers) {
  const opts = { method, credentials: "same-origin", headers: { "X-CSRFToken": CSRF, Accept: "application/json", ...(headers || {}) } };
  if (body !== undefined) {
    if (body instanceof FormData) opts.body = body;
    else { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  }
  let resp;
  try {
    resp = await fetch("/api/v1" + path, opts);
  } catch (e) {
    throw new ApiError(t("No connection."), 0, {}, true);
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new ApiError(phrase(data.error_phrase, data.error) || resp.statusText, resp.status, data.fields, false, data);
  return data;
}

// The live connection, shown in #conn: "live", "connecting", "offline".
function live(handlers) {
  const conn = document.getElementById("conn");
  const show = (state) => {
    if (!conn) return;
    conn.dataset.state = state;
    conn.textContent = { online: t("● Live"), connecting: t("◌ Connecting…"), offline: t("○ Offline: reconnecting…") }[state];
  };
  const socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });
  socket.on("connect", () => { show("online"); handlers.connect && handlers.connect(); });
  socket.on("disconnect", () => show(navigator.onLine ? "connecting" : "offline"));
  socket.on("connect_error", () => show(navigator.onLine ? "connecting" : "offline"));
  window.addEventListener("offline", () => show("offline"));
  window.addEventListener("online", () => { show(socket.connected ? "online" : "connecting"); if (!socket.connected) socket.connect(); });
  for (const [name, fn] of Object.entries(handlers)) if (name !== "connect") socket.on(name, fn);
  // This session was ended (logged out elsewhere, password changed, role changed): the
  // page stops reconnecting and goes to the login page.
  socket.on("session.ended", () => { socket.io.opts.reconnection = false; window.location.assign("/login"); });
  return socket;
}

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function hhmm(iso) {
  return iso ? new Date(iso).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit", timeZone: COOP_ZONE }) : "";
}

function dayTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const day = (x) => x.toLocaleDateString("sv", { timeZone: COOP_ZONE });  // YYYY-MM-DD
  const today = day(new Date()) === day(d);
  return today ? hhmm(iso) : d.toLocaleString(LANG, { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: COOP_ZONE });
}

function money(cents) {
  return cents == null ? "" : (cents / 100).toLocaleString(LANG, { style: "currency", currency: "EUR" });
}

// A reason dialog's answer (a choice, with details required for "other"): {reason}, or
// {fields} naming what is missing (for showFieldErrors).
function chosenReason(form) {
  const choice = form.querySelector('input[name="reason"]:checked');
  const details = form.elements.details.value.trim();
  if (!choice) return { fields: { reason: t("Choose a reason.") } };
  if (choice.value === "other" && !details) return { fields: { details: t("Say what happened.") } };
  return { reason: choice.value === "other" ? details : details ? `${choice.value}: ${details}` : choice.value };
}

// Put each API field message next to its input ([name=field] or [data-field=field]);
// what has no place goes to the form's [role=alert] box. Returns how many were placed.
function showFieldErrors(form, err) {
  clearFieldErrors(form);
  const box = form.querySelector(".form-error");
  const rest = [];
  let placed = 0;
  for (const [field, msg] of Object.entries(err.fields || {})) {
    const target = form.querySelector(`[name="${CSS.escape(field)}"]`) || form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (!target) { rest.push(tr(msg)); continue; }
    const id = `err-${form.id}-${field.replace(/\W/g, "_")}`;
    const p = document.createElement("p");
    Object.assign(p, { className: "field-error", id, textContent: tr(msg) });
    p.dataset.for = field;
    (target.closest("label") || target).after(p);
    target.setAttribute("aria-invalid", "true");
    target.setAttribute("aria-describedby", id);
    if (!placed++) target.focus?.();
  }
  if (box) { box.textContent = placed && !rest.length ? t("Please correct the fields marked in red.") : [err.message, ...rest].join(" "); box.hidden = false; }
  return placed;
}

function clearFieldErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  form.querySelectorAll("[aria-invalid]").forEach((n) => { n.removeAttribute("aria-invalid"); n.removeAttribute("aria-describedby"); });
  const box = form.querySelector(".form-error");
  if (box) { box.textContent = ""; box.hidden = true; }
}

// A form that shows what is stored: its fields wait, disabled, until `read` answers and
// `fill` has put the stored values in, so a choice made before then is never put back by
// a late answer. Fields come back even when the read fails.
async function fillForm(form, read, fill) {
  const fields = [...form.elements].filter((f) => !f.disabled);
  fields.forEach((f) => { f.disabled = true; });
  form.setAttribute("aria-busy", "true");
  try {
    fill(await read);
  } finally {
    fields.forEach((f) => { f.disabled = false; });
    form.removeAttribute("aria-busy");
  }
}

// A Leaflet map in `el`, with tiles only when the instance has a tile server configured.
function makeMap(el, center) {
  if (!window.L || !el) return null;
  const map = L.map(el, { zoomControl: true, attributionControl: !!CONFIG.tileUrl }).setView(center || [45.764, 4.8357], 13);
  if (CONFIG.tileUrl) L.tileLayer(CONFIG.tileUrl, { maxZoom: 19, attribution: CONFIG.tileAttribution || "" }).addTo(map);
  else el.classList.add("no-tiles");
  // A resized container (rotation, a panel opening) needs the vector layers redrawn too.
  if (window.ResizeObserver) new ResizeObserver(() => { map.invalidateSize(); map.fire("moveend"); }).observe(el);
  return map;
}

function pin(label, cls) {
  return L.divIcon({ className: `pin ${cls || ""}`, html: `<span>${esc(label)}</span>`, iconSize: [28, 28], iconAnchor: [14, 14] });
}

function fitTo(map, points, maxZoom) {
  const pts = points.filter((p) => p && p[0] != null && p[1] != null);
  if (!map || !pts.length) return;
  if (pts.length === 1) map.setView(pts[0], Math.max(map.getZoom(), maxZoom || 15));
  else map.fitBounds(L.latLngBounds(pts), { padding: [24, 24], maxZoom: maxZoom || 16 });
}

// Logging out forgets what this device kept of the courier's run (addresses, phones);
// actions not yet sent stay queued for the next login.
document.querySelector('form[action$="/logout"]')?.addEventListener("submit", () => {
  try { localStorage.removeItem("courier.state.v1"); } catch (e) { /* storage disabled */ }
  if (window.caches) caches.keys().then((keys) => keys.forEach((k) => caches.delete(k)));
});
