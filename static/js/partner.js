// A partner's page: ask for a free delivery for someone who needs it, and follow
// one's requests live (status, courier, cancel while it can still be cancelled).
"use strict";

const requests = new Map();
const askForm = document.getElementById("ask-form");
const OPEN = ["pending", "offered", "accepted"];

function renderRequests() {
  const rows = [...requests.values()].sort((a, b) => b.id - a.id).map((j) => {
    const to = j.dropoff.address || `${j.dropoff.lat}, ${j.dropoff.lon}`;
    const who = j.recipient && j.recipient.name ? `<span class="muted small">${esc(j.recipient.name)}</span>` : "";
    return `<tr data-id="${j.id}" data-status="${esc(j.status)}">
      <td data-label="#">${j.id}</td>
      <td data-label="${t("To")}">${esc(to)}${who}</td>
      <td data-label="${t("Status")}"><span class="status s-${esc(j.status)}">${esc(statusLabel(j.status))}</span></td>
      <td data-label="${t("Courier")}">${esc(j.courier ? j.courier.first_name : "")}</td>
      <td data-label="${t("Deliver by")}">${dayTime(j.deliver_by)}</td>
      <td>${OPEN.includes(j.status) ? `<button class="small-button danger" data-cancel="${j.id}">${t("Cancel")}</button>` : ""}</td>
    </tr>`;
  });
  document.getElementById("requests").innerHTML = rows.join("");
  document.getElementById("no-requests").hidden = rows.length > 0;
}

// The form as the API's body; a number that does not parse is sent as typed, so the
// API names the field.
function askBody() {
  const body = { dropoff: {}, recipient: {} };
  for (const [key, raw] of new FormData(askForm).entries()) {
    const value = String(raw).trim();
    if (value === "") continue;
    const [a, b] = key.split(".");
    const n = Number(value.replace(",", "."));
    let v = ["lat", "lon", "weight_kg"].includes(b || a) && Number.isFinite(n) ? n : value;
    if (a === "deliver_by") v = new Date(value).toISOString();
    if (b) body[a][b] = v; else body[a] = v;
  }
  if (!Object.keys(body.recipient).length) delete body.recipient;
  return body;
}

askForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(askForm);
  const button = document.getElementById("ask");
  button.disabled = true;
  try {
    const job = await api("POST", "/solidarity/deliveries", askBody());
    requests.set(job.id, job);
    renderRequests();
    askForm.reset();
  } catch (err) {
    showFieldErrors(askForm, err);
  } finally {
    button.disabled = false;
  }
});

document.getElementById("requests").addEventListener("click", async (ev) => {
  const id = ev.target.closest("[data-cancel]")?.dataset.cancel;
  if (!id || !window.confirm(t("Cancel delivery #{id}?", { id }))) return;
  try {
    const job = await api("POST", `/jobs/${id}/cancel`, {});
    requests.set(job.id, job);
    renderRequests();
  } catch (err) { window.alert(err.message); }
});

async function loadRequests() {
  const data = await api("GET", "/solidarity/deliveries?limit=200");
  requests.clear();
  data.jobs.forEach((j) => requests.set(j.id, j));
  renderRequests();
}

live({ connect: loadRequests, "job.updated": (j) => { requests.set(j.id, { ...requests.get(j.id), ...j }); renderRequests(); } });
