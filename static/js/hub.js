// A food hub's page: producers, recurring rounds, the rounds themselves (release one
// before its cut-off), and a round's order list imported from a CSV file.
"use strict";

const ROUND_STATUS = { open: t("Taking orders"), released: t("Sent to dispatch"), cancelled: t("Cancelled") };
const KIND = { collect: t("Collection"), distribute: t("Distribution") };
const DAYS = [t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")];
let producers = [];

function num(v) { const n = Number(String(v).replace(",", ".")); return Number.isFinite(n) ? n : v; }

async function loadProducers() {
  producers = await api("GET", "/hub/producers");
  document.getElementById("producers").innerHTML = producers.map((p) =>
    `<li>${esc(p.name)} <span class="muted small">${esc(p.address)} · ${num(p.default_kg, 1)} kg</span></li>`).join("");
  document.getElementById("producer-choices").innerHTML = producers.map((p) =>
    `<label class="inline"><input type="checkbox" name="producer_ids" value="${p.id}"> ${esc(p.name)}</label>`).join("");
}

async function loadSchedules() {
  const rows = await api("GET", "/hub/schedules");
  document.getElementById("schedules").innerHTML = rows.map((s) =>
    `<li><b>${esc(s.name)}</b> · ${esc(KIND[s.kind] || s.kind)} · ${s.weekdays.map((d) => DAYS[d]).join(", ")} ${esc(s.start)}–${esc(s.end)}
      ${s.solidarity ? `<span class="pill">${t("solidarity")}</span>` : ""}</li>`).join("");
}

async function loadRounds() {
  const rows = await api("GET", "/hub/rounds");
  document.getElementById("rounds").innerHTML = rows.map((r) => `<tr data-id="${r.id}" data-status="${esc(r.status)}">
      <td data-label="#">${r.id}</td>
      <td data-label="${t("When")}">${dayTime(r.starts_at)}–${hhmm(r.ends_at)}</td>
      <td data-label="${t("Round")}">${esc(r.name || KIND[r.kind])}${r.solidarity ? ` <span class="pill">${t("solidarity")}</span>` : ""}</td>
      <td data-label="${t("Status")}">${esc(ROUND_STATUS[r.status] || r.status)}</td>
      <td data-label="${t("Orders")}">${num(r.order_count)} · ${num(r.weight_kg, 1)} kg</td>
      <td data-label="${t("Orders close")}">${dayTime(r.cutoff_at)}</td>
      <td>${r.status === "open" ? `<button class="small-button" data-release="${r.id}">${t("Send to dispatch now")}</button>` : ""}</td>
    </tr>`).join("");
  document.getElementById("no-rounds").hidden = rows.length > 0;
  const open = rows.filter((r) => r.status === "open" && r.kind === "distribute");
  document.querySelector("#orders-form select[name=round]").innerHTML = open.map((r) =>
    `<option value="${r.id}">#${r.id} ${esc(r.name || KIND[r.kind])} · ${esc(dayTime(r.starts_at))}</option>`).join("");
}

function formTo(form, handler) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(form);
    try { await handler(new FormData(form)); form.reset(); } catch (err) { showFieldErrors(form, err); }
  });
}

formTo(document.getElementById("producer-form"), async (data) => {
  const body = {};
  for (const [k, v] of data.entries()) if (String(v).trim() !== "") body[k] = ["lat", "lon", "default_kg"].includes(k) ? num(v) : String(v).trim();
  await api("POST", "/hub/producers", body);
  await loadProducers();
});

formTo(document.getElementById("schedule-form"), async (data) => {
  const body = { name: data.get("name"), kind: data.get("kind"), start: data.get("start"), end: data.get("end"),
    cutoff_hours: num(data.get("cutoff_hours")), solidarity: data.get("solidarity") === "on",
    weekdays: data.getAll("weekdays").map(Number), producer_ids: data.getAll("producer_ids").map(Number) };
  await api("POST", "/hub/schedules", body);
  await Promise.all([loadSchedules(), loadRounds()]);
});

document.getElementById("orders-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  clearFieldErrors(f);
  const report = document.getElementById("orders-report");
  if (!f.elements.round.value) return showFieldErrors(f, { fields: { round: t("No round is taking orders.") } });
  if (!f.elements.file.files.length) return showFieldErrors(f, { fields: { file: t("Choose a CSV file.") } });
  try {
    const res = await api("POST", `/hub/rounds/${f.elements.round.value}/orders`, new FormData(f));
    report.innerHTML = `<p>${t("{n} order(s) added, {m} updated", { n: res.created, m: res.updated })}</p>`;
    await loadRounds();
  } catch (err) {
    if (!err.data.rows) return showFieldErrors(f, err);
    const rows = err.data.rows.map((e) => `<tr data-row="${e.row}"><td>${e.row}</td><td>${Object.entries(e.fields || {})
      .map(([k, v]) => `<b>${esc(k)}</b>: ${esc(tr(v))}`).join("; ")}</td></tr>`).join("");
    report.innerHTML = `<p class="error">${t("{n} row(s) have problems: nothing was imported.", { n: err.data.rows.length })}</p>
      <table class="report"><thead><tr><th>${t("Row")}</th><th>${t("Problem")}</th></tr></thead><tbody>${rows}</tbody></table>`;
  }
});

document.getElementById("rounds").addEventListener("click", async (ev) => {
  const id = ev.target.closest("[data-release]")?.dataset.release;
  if (!id || !window.confirm(t("Close the orders of round #{id} and send it to dispatch?", { id }))) return;
  try { await api("POST", `/hub/rounds/${id}/release`); await loadRounds(); } catch (err) { window.alert(err.message); }
});

live({ connect: () => Promise.all([loadProducers(), loadSchedules(), loadRounds()]), "job.updated": () => {} });
