// The alert of a new offer: three beeps (Web Audio, no sound file to load) and a
// vibration. Browsers allow sound only after a tap, so the first tap unlocks it.
"use strict";

const OfferAlert = (() => {
  let audio = null;

  function unlock() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) audio = new Ctx();
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }

  function ring(card) {
    if (card) card.dataset.alerts = String(Number(card.dataset.alerts || 0) + 1);
    if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
    if (card && card.scrollIntoView) card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    if (!audio) return;
    const now = audio.currentTime;
    [0, 0.25, 0.5].forEach((d, i) => {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = i === 2 ? 1320 : 880;
      gain.gain.setValueAtTime(0.0001, now + d);
      gain.gain.exponentialRampToValueAtTime(0.5, now + d + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + d + 0.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + d);
      osc.stop(now + d + 0.22);
    });
  }

  document.addEventListener("pointerdown", unlock, { once: true });
  return { unlock, ring };
})();
