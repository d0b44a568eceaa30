// The courier's actions (accept, decline, picked up, delivered, failed) go through
// this queue, kept in localStorage: sent at once when the phone has a connection,
// else kept and replayed in order once it is back. Each action carries its id as an
// Idempotency-Key, so the server answers a replay of an action already done as done.
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

  function push(path, body, label) {
    const items = load();
    items.push({ id: newId(), path, body: body ?? null, label: label || "", at: new Date().toISOString() });
    save(items);
    emit("change", items);
    return flush();
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
          const result = await api("POST", action.path, action.body ?? undefined,
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
    on: (name, fn) => listeners[name].push(fn),
  };
})();
