// The dispatcher's board: pending jobs, couriers, unassigned reasons, live runs.
"use strict";

const jobs = new Map();
const couriers = new Map();
const runs = new Map();
const unassigned = new Map();

function render() {
  const li = (html) => `<li>${html}</li>`;
  document.getElementById("pending").innerHTML = [...jobs.values()]
    .filter((j) => j.status === "pending")
    .map((j) => li(`#${j.id} ${esc(j.dropoff.address)} · ${j.weight_kg} kg · ${hhmm(j.deliver_by)}`)).join("");
  document.getElementById("couriers").innerHTML = [...couriers.values()].filter((c) => c.on_shift)
    .map((c) => li(`${esc(c.name)} · ${esc(c.vehicle)} · ${c.lat?.toFixed(4)}, ${c.lon?.toFixed(4)}`)).join("");
  document.getElementById("unassigned").innerHTML = [...unassigned.entries()]
    .filter(([id]) => jobs.get(id)?.status === "pending")
    .map(([id, r]) => li(`#${id}: ${esc(r)}`)).join("");
  document.getElementById("runs").innerHTML = [...runs.values()]
    .filter((r) => ["offered", "accepted"].includes(r.status))
    .map((r) => li(`Run ${r.id} · ${esc(r.courier.first_name)} · ${esc(r.status)} · ${r.stops.length} stops`)).join("");
}

async function load() {
  const [j, c] = await Promise.all([api("GET", "/jobs?limit=500"), api("GET", "/couriers")]);
  j.jobs.forEach((x) => { jobs.set(x.id, x); if (x.unassigned_reason) unassigned.set(x.id, x.unassigned_reason); });
  c.couriers.forEach((x) => couriers.set(x.id, x));
  render();
}

document.getElementById("run-cycle").addEventListener("click", async () => {
  const out = document.getElementById("cycle-result");
  try {
    const res = await api("POST", "/dispatch");
    res.unassigned.forEach((u) => unassigned.set(u.job_id, u.reason));
    res.runs.forEach((r) => runs.set(r.id, r));
    out.textContent = `${res.runs.length} run(s) offered, ${res.unassigned.length} not assigned`;
    render();
  } catch (err) { out.textContent = err.message; }
});

live({
  connect: load,
  "job.updated": (j) => { jobs.set(j.id, j); render(); },
  "run.offered": (r) => { runs.set(r.id, r); render(); },
  "run.updated": (r) => { runs.set(r.id, r); render(); },
  "run.cancelled": (r) => { runs.set(r.id, r); render(); },
  "courier.position": (p) => {
    const c = couriers.get(p.courier_id) || { id: p.courier_id };
    Object.assign(c, { name: p.name, vehicle: p.vehicle, on_shift: p.on_shift, lat: p.lat, lon: p.lon });
    couriers.set(c.id, c);
    render();
  },
});
