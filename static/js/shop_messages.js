// A shop chooses the messages its recipients are sent (GET/PUT /shop/messages).
"use strict";

(() => {
  const el = (id) => document.getElementById(id);
  const boxes = () => [...document.querySelectorAll("input[name=kind]")];

  async function load() {
    try {
      await fillForm(el("kinds-form"), api("GET", "/shop/messages"), (r) => {
        const chosen = new Set(r.kinds);
        boxes().forEach((b) => { b.checked = chosen.has(b.value); });
      });
      const rate = await api("GET", "/message-settings");
      el("rate").textContent = t("At most {n} messages to one recipient in an hour (the coop's setting).", { n: num(rate.per_hour) });
    } catch (err) { el("error").textContent = err.message; }
  }

  el("kinds-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    el("error").textContent = "";
    el("saved").textContent = "";
    try {
      await api("PUT", "/shop/messages", { kinds: boxes().filter((b) => b.checked).map((b) => b.value) });
      el("saved").textContent = t("Saved.");
    } catch (err) { el("error").textContent = err.message; }
  });
  load();
})();
