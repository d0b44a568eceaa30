// The shop's page: submit a job, watch its jobs change live.
"use strict";

const jobs = new Map();

function render() {
  const rows = [...jobs.values()].sort((a, b) => b.id - a.id).map((j) => `
    <tr data-id="${j.id}" data-status="${esc(j.status)}">
      <td>${j.id}</td><td>${esc(j.dropoff.address || j.dropoff.lat + ", " + j.dropoff.lon)}</td>
      <td class="status">${esc(j.status)}</td><td>${esc(j.courier ? j.courier.first_name : "")}</td>
      <td>${hhmm(j.planned_dropoff_at)}</td>
      <td>${["pending", "offered", "accepted"].includes(j.status) ? `<button data-cancel="${j.id}">✕</button>` : ""}</td>
    </tr>`);
  document.getElementById("jobs").innerHTML = rows.join("");
}

function formBody(form) {
  const body = { dropoff: {}, recipient: {} };
  for (const [key, raw] of new FormData(form).entries()) {
    const value = String(raw).trim();
    if (value === "") continue;
    const [a, b] = key.split(".");
    const num = ["lat", "lon", "weight_kg", "volume_l"].includes(b || a);
    const v = num ? Number(value.replace(",", ".")) : value;
    if (b) body[a][b] = v; else body[a] = a === "deliver_by" ? new Date(v).toISOString() : v;
  }
  return body;
}

document.getElementById("job-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  document.getElementById("form-error").textContent = "";
  try {
    const job = await api("POST", "/jobs", formBody(form));
    jobs.set(job.id, job);
    render();
    form.reset();
  } catch (err) {
    document.getElementById("form-error").textContent = err.message;
    for (const [field, msg] of Object.entries(err.fields)) {
      const input = form.querySelector(`[name="${field}"]`);
      if (input) input.insertAdjacentHTML("afterend", `<span class="field-error">${esc(msg)}</span>`);
    }
  }
});

document.getElementById("jobs").addEventListener("click", async (ev) => {
  const id = ev.target.dataset.cancel;
  if (!id) return;
  const job = await api("POST", `/jobs/${id}/cancel`, {});
  jobs.set(job.id, job);
  render();
});

async function load() {
  const data = await api("GET", "/jobs?limit=100");
  data.jobs.forEach((j) => jobs.set(j.id, j));
  render();
}

live({ connect: load, "job.updated": (j) => { jobs.set(j.id, j); render(); } });
