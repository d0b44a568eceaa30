// The courier's break, from their phone: started and ended with one button beside the
// shift, refused with the server's reason in the page's error banner (off shift, already
// on one...). The state comes from the tracked time (GET /time), so a break started on
// another device shows here too. No offer can be accepted during a break: the server's
// gate refuses it, and the page shows no Accept button meanwhile.
"use strict";

const Break = (() => {
  let on = false, since = null, hooks = { changed: () => {}, error: () => {} };

  async function load(courierId) {
    if (!courierId) return;
    const from = new Date(Date.now() - 86400000).toISOString();
    const r = await api("GET", `/time?courier=${courierId}&since=${encodeURIComponent(from)}`);
    on = !!r.on_break;
    const open = (r.breaks || []).find((b) => !b.end);
    since = on && open ? open.start : null;
  }

  function show(onShift) {
    const btn = document.getElementById("break"), note = document.getElementById("break-note");
    btn.hidden = !onShift && !on;
    btn.textContent = on ? t("End the break") : t("Start a break");
    btn.dataset.onBreak = String(on);
    btn.setAttribute("aria-pressed", String(on));
    note.hidden = !on;
    note.textContent = on ? t("On a break since {time}: no offers until you end it.", { time: hhmm(since) }) : "";
  }

  async function toggle() {
    const btn = document.getElementById("break");
    btn.disabled = true;
    try {
      const ev = await api("POST", "/courier/break", { on: !on });
      on = !on;
      since = on ? ev.at : null;
    } catch (err) {
      hooks.error(err.network ? new Error(t("No connection: try again once you are back online.")) : err);
    } finally {
      btn.disabled = false;
      hooks.changed();
    }
  }

  function init(options) {
    hooks = { ...hooks, ...options };
    document.getElementById("break").addEventListener("click", () => toggle());
  }

  return { load, show, init, on: () => on };
})();
