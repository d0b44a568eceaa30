// The courier's actions (accept, decline, picked up, delivered, failed) go through
// this queue, kept in localStorage: sent at once when the phone has a connection,
// else kept and replayed in order once it is back. Each action carries its id as an
// Idempotency-Key, so the server answers a replay of an action already done as done.
// An action may carry files (a proof of delivery: a photo, a signature), kept as data
// URLs with it and sent as a multipart form, on the first try as on a replay.
"use strict";

const ActionQueue = (() => {
  const KEY = "courier.queue.v1";
  let flushing = false;
  let timer = null;
  let delay = 2000;  // the next retry, doubling up to 30 s while the connection stays bad
  const listeners = { change: [], sent: [], rejected: [] };

  const load = () => { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; } };
  const save = (items) => localStorage.setItem(KEY, JSON.stringify(items));
  const emit = (name, ...args) => listeners[name].forEach((fn) => fn(...args));
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

  // An interceptor may take an action over (return true) to push it again later, with
  // its files (courier_proof.js asks for the proof a stop needs).
  const interceptors = [];

  function push(path, body, label, files) {
    if (files === undefined && interceptors.some((fn) => fn(path, body, label))) return Promise.resolve();
    const items = load();
    items.push({ id: newId(), path, body: body ?? null, label: label || "", at: new Date().toISOString(),
                 ...(files && Object.keys(files).length ? { files } : {}) });
    try { save(items); } catch (e) {  // the phone's storage is full: the action is not kept
      emit("rejected", items.pop(), new Error(t("No room left on this phone to keep the action: send the waiting ones first.")));
      return Promise.resolve();
    }
    emit("change", items);
    return flush();
  }

  // A queued action's body: JSON, or a form with its files (data URLs back to blobs).
  function body(action) {
    if (!action.files) return action.body ?? undefined;
    const form = new FormData();
    for (const [k, v] of Object.entries(action.body || {})) form.append(k, String(v));
    for (const [k, url] of Object.entries(action.files)) {
      const blob = toBlob(url);
      form.append(k, blob, `${k}.${blob.type === "image/png" ? "png" : "jpg"}`);
    }
    return form;
  }

  // "data:image/jpeg;base64,..." as a Blob (fetch() of a data: URL is refused by the CSP).
  function toBlob(url) {
    const [head, data] = url.split(",", 2);
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    return new Blob([bytes], { type: head.slice(5).split(";")[0] });
  }

  // Send what is queued, oldest first; stop at the first that cannot go through now.
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (let items = load(); items.length; items = load()) {
        const action = items[0];
        try {
          // The action's id is its Idempotency-Key: if it went through before (a response
          // lost with the connection), the server answers it as done.
          const result = await api("POST", action.path, body(action),
                                   { "Idempotency-Key": action.id });
          delay = 2000;
          save(load().filter((a) => a.id !== action.id));
          emit("sent", action, result);
        } catch (err) {
          if (err.network || err.status >= 500 || err.status === 401 || "X-CSRFToken" in err.fields) {
            schedule();  // no connection, server trouble, or the session needs a new login
            return;
          }
          save(load().filter((a) => a.id !== action.id));  // refused for good (409, 403, 422)
          emit("rejected", action, err);
        }
      }
    } finally {
      flushing = false;
      emit("change", load());
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 30000);
  }

  window.addEventListener("online", () => flush());
  return {
    push, flush,
    items: load,
    intercept: (fn) => interceptors.push(fn),
    on: (name, fn) => listeners[name].push(fn),
  };
})();
