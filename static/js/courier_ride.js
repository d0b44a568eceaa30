// The courier's page, built for riding: the screen kept on while a run is ridden (Screen
// Wake Lock, let go when the run ends or the shift does), the next stop's place and action
// at the bottom of the screen within one thumb, and, when the page comes back to the
// front, the live connection brought back and the run fetched again.
"use strict";

const Ride = (() => {
  const runCard = document.getElementById("run");
  const bar = document.getElementById("ride-next");
  let lock = null;
  let pill = null;

  const shiftBtn = document.getElementById("shift");
  const onShift = () => !shiftBtn || shiftBtn.dataset.online === "true";
  const riding = () => !!runCard && !runCard.hidden;

  function showPill(on) {
    if (!pill) {
      pill = document.createElement("span");
      pill.id = "wake";
      pill.className = "pill wake";
      document.querySelector(".statusbar")?.append(pill);
    }
    pill.hidden = !on;
    pill.dataset.state = on ? "on" : "off";
    pill.textContent = t("☀ Screen kept on");
  }

  async function keepAwake() {
    if (!("wakeLock" in navigator)) return;
    const want = riding() && onShift() && document.visibilityState === "visible";
    if (want && !lock) {
      try {
        lock = await navigator.wakeLock.request("screen");
        lock.addEventListener("release", () => { lock = null; showPill(false); });
        showPill(true);
      } catch (err) {
        lock = null;  // refused (battery saver, page hidden): the screen may sleep
      }
    } else if (!want && lock) {
      const held = lock;
      lock = null;
      await held.release().catch(() => {});
      showPill(false);
    }
  }

  // The next stop, mirrored at the bottom: its place, the way there, its main action.
  function drawNext() {
    if (!bar) return;
    const next = riding() ? runCard.querySelector("li.stop.next") : null;
    const action = next && next.querySelector("button.primary[data-act]");
    document.body.classList.toggle("riding", !!action);
    bar.hidden = !action;
    if (!action) { bar.replaceChildren(); bar.dataset.drawn = ""; return; }
    const kind = next.querySelector(".kind");
    const nav = next.querySelector("a.nav");
    const drawn = `${next.dataset.job}:${next.dataset.kind}:${action.dataset.act}:${action.textContent}`;
    if (bar.dataset.drawn === drawn) return;  // the same stop: leave the button under the thumb
    bar.dataset.drawn = drawn;
    bar.innerHTML = `<div class="ride-next-place"><span class="kind ${esc(next.dataset.kind)}">${esc(kind ? kind.textContent : "")}</span>
      <b>${esc(next.querySelector(".place")?.textContent || "")}</b></div>
      <div class="row actions">${nav ? `<a class="button big nav" href="${esc(nav.getAttribute("href"))}">${esc(nav.textContent)}</a>` : ""}
      <button class="big primary" type="button" data-mirror="${esc(action.dataset.act)}" data-job="${esc(action.dataset.job)}">${esc(action.textContent)}</button></div>`;
  }

  bar?.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-mirror]");
    if (!btn) return;
    const sel = `li.stop.next button[data-act="${CSS.escape(btn.dataset.mirror)}"][data-job="${CSS.escape(btn.dataset.job)}"]`;
    runCard.querySelector(sel)?.click();  // the page's own button does the work
  });

  function changed() {
    drawNext();
    keepAwake();
  }

  if (runCard) new MutationObserver(changed).observe(runCard, { attributes: true, attributeFilter: ["hidden"] });
  const stops = document.getElementById("run-stops");
  if (stops) new MutationObserver(changed).observe(stops, { childList: true });
  if (shiftBtn) new MutationObserver(changed).observe(shiftBtn, { attributes: true, attributeFilter: ["data-online"] });

  // Back in front (the phone unlocked, the app brought back): the lock again (browsers
  // drop it when the page is hidden), the connection if it was lost, the run as it is now.
  document.addEventListener("visibilitychange", () => {
    keepAwake();
    if (document.visibilityState !== "visible") return;
    if (typeof liveSocket !== "undefined" && !liveSocket.connected) liveSocket.connect();
    ActionQueue.flush();
    refresh();
  });
  changed();
  return { keepAwake, drawNext, held: () => !!lock };
})();
