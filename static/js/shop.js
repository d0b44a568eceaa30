// The shop's dashboard: ask for a courier (with a live quote and service-area check
// where the coop has them), import many jobs from a CSV file, and follow every job
// live: status, courier, expected times (live ETAs while ridden), delays and why,
// tracking link for the recipient, cancel.
"use strict";

const jobs = new Map();
const form = document.getElementById("job-form");
const FEATURES = CONFIG.features || {};
const CANCELLABLE = ["pending", "offered", "accepted"];
// a job a partner coop carries: cancelled once the partner gives it back, until picked up
const PARTNER_CANCELLABLE = ["pending", "accepted"];
const cancellable = (j) => CANCELLABLE.includes(j.status) || (j.status === "with_partner"
  && j.carried_by && !j.carried_by.cancelling && PARTNER_CANCELLABLE.includes(j.carried_by.status));
let pickMap = null, pickMarker = null, quoteTimer = null;

function render() {
  const rows = [...jobs.values()].sort((a, b) => b.id - a.id).map((j) => {
    const to = j.dropoff.address || coords(j.dropoff.lat, j.dropoff.lon);
    const why = j.status === "pending" && j.unassigned_reason ? `<span class="muted small">${esc(phrase(j.unassigned_reason_phrase, j.unassigned_reason))}</span>` : "";
    const back = j.returned_at ? t("parcel returned at {time}", { time: hhmm(j.returned_at) })
      : j.return_to ? t("parcel on its way back") : "";
    const failed = j.failure_reason ? `<span class="muted small">${esc(tr(j.failure_reason))}</span>` : "";
    const returned = back ? `<span class="small returned">${esc(back)}</span>` : "";
    const late = j.late_by_s != null && j.eta ? `<span class="late-by small">${esc(phrase(j.delay_reason_phrase, j.delay_reason))}</span>` : "";
    const link = j.tracking_url ? new URL(j.tracking_url, location.origin).href : "";
    const partner = j.carried_by ? `<span class="muted small">${esc(t("carried by our partner coop {coop}", { coop: j.carried_by.partner }))}</span>` : "";
    const cancelling = j.carried_by && j.carried_by.cancelling ? `<span class="muted small">${esc(t("cancelling: waiting for the partner coop to give it back"))}</span>` : "";
    const eta = j.carried_by && j.carried_by.eta ? j.carried_by.eta : j.eta;
    return `<tr data-id="${j.id}" data-status="${esc(j.status)}">
      <td data-label="#">${j.id}</td>
      <td data-label="${t("To")}">${esc(to)}${j.recipient && j.recipient.name ? `<span class="muted small">${esc(j.recipient.name)}</span>` : ""}</td>
      <td data-label="${t("Status")}"><span class="status s-${esc(j.status)}">${esc(statusLabel(j.status))}</span>${partner}${cancelling}${why}${failed}${returned}${late}</td>
      <td data-label="${t("Courier")}">${esc(j.courier ? j.courier.first_name : (j.carried_by && j.carried_by.courier_first_name) || "")}</td>
      <td data-label="${t("Pickup")}">${j.picked_up_at ? `✓ ${hhmm(j.picked_up_at)}` : expected(j.pickup_eta, j.planned_pickup_at)}</td>
      <td data-label="${t("Drop-off")}" class="eta">${j.delivered_at ? `✓ ${hhmm(j.delivered_at)}` : expected(eta, j.planned_dropoff_at)}</td>
      <td data-label="${t("Deliver by")}">${dayTime(j.deliver_by)}</td>
      <td data-label="${t("Price")}">${money(j.price_cents)}</td>
      <td data-label="${t("Tracking")}">${link ? `<a href="${esc(link)}" target="_blank" rel="noopener" class="track-link">${t("Open")}</a>
        <button class="small-button" data-copy="${esc(link)}">${t("Copy link")}</button>` : ""}</td>
      <td>${cancellable(j) ? `<button class="small-button danger" data-cancel="${j.id}">${t("Cancel")}</button>` : ""}</td>
    </tr>`;
  });
  document.getElementById("jobs").innerHTML = rows.join("");
  document.getElementById("no-jobs").hidden = rows.length > 0;
}

// A live ETA ("≈ 14:32", titled as worked out live), else the planned time.
function expected(eta, planned) {
  return eta ? `<span title="${t("Expected, worked out live")}">≈ ${hhmm(eta)}</span>` : hhmm(planned);
}

function number(value) { return Number(String(value).replace(",", ".")); }

// The form as the API's job body; a number that does not parse is sent as typed,
// so the API names the field.
function formBody() {
  const body = { dropoff: {}, recipient: {} };
  for (const [key, raw] of new FormData(form).entries()) {
    const value = String(raw).trim();
    if (value === "") continue;
    const [a, b] = key.split(".");
    const numeric = ["lat", "lon", "weight_kg", "volume_l"].includes(b || a);
    let v = numeric && Number.isFinite(number(value)) ? number(value) : value;
    if (["ready_at", "deliver_by"].includes(a)) v = new Date(value).toISOString();
    if (b) body[a][b] = v; else body[a] = v;
  }
  if (!Object.keys(body.recipient).length) delete body.recipient;
  if (body.slot) { delete body.ready_at; delete body.deliver_by; }  // the slot sets the times
  return body;
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  const button = document.getElementById("submit-job");
  button.disabled = true;
  try {
    const job = await api("POST", "/jobs", formBody());
    jobs.set(job.id, job);
    render();
    form.reset();
    document.getElementById("times").hidden = false;
    if (pickMarker) { pickMarker.remove(); pickMarker = null; }
    document.getElementById("quote").hidden = true;
  } catch (err) {
    showFieldErrors(form, err);
  } finally {
    button.disabled = false;
  }
});

document.getElementById("jobs").addEventListener("click", async (ev) => {
  const copy = ev.target.closest("[data-copy]");
  if (copy) {
    try { await navigator.clipboard.writeText(copy.dataset.copy); copy.textContent = t("Copied"); } catch (e) { window.prompt(t("Copy link"), copy.dataset.copy); }
    return;
  }
  const id = ev.target.closest("[data-cancel]")?.dataset.cancel;
  if (!id || !window.confirm(t("Cancel delivery #{id}?", { id }))) return;
  try {
    const job = await api("POST", `/jobs/${id}/cancel`, {});
    jobs.set(job.id, job);
    render();
  } catch (err) { window.alert(err.message); }
});

// ---- the drop-off on a map --------------------------------------------------------
function setPoint(lat, lon, fromMap) {
  if (fromMap) {
    form.elements["dropoff.lat"].value = lat.toFixed(6);
    form.elements["dropoff.lon"].value = lon.toFixed(6);
  }
  if (!pickMap || !Number.isFinite(lat) || !Number.isFinite(lon)) return;
  if (pickMarker) pickMarker.setLatLng([lat, lon]);
  else pickMarker = L.marker([lat, lon], { icon: pin("↓", "dropoff") }).addTo(pickMap);
  scheduleQuote();
}

pickMap = makeMap(document.getElementById("pick-map"));
if (pickMap) pickMap.on("click", (e) => setPoint(e.latlng.lat, e.latlng.lng, true));
for (const name of ["dropoff.lat", "dropoff.lon"]) {
  form.elements[name].addEventListener("change", () => setPoint(number(form.elements["dropoff.lat"].value), number(form.elements["dropoff.lon"].value), false));
}

// ---- quote and service area (when the coop has pricing rules and zones) ------------
function scheduleQuote() {
  if (!FEATURES.quotes) return;
  clearTimeout(quoteTimer);
  quoteTimer = setTimeout(quote, 500);
}

// The price this job would get, with the rules that gave it; stops outside the
// service area are refused here as they would be on submission. With a geocoder, an
// address alone is enough, and the place found goes on the map.
async function quote(search) {
  const box = document.getElementById("quote");
  const body = formBody();
  const located = body.dropoff.lat != null && body.dropoff.lon != null;
  if (!located && !(FEATURES.geocode && search && body.dropoff.address)) { box.hidden = true; return null; }
  try {
    const q = await api("POST", "/quotes", body);
    const lines = (q.lines || []).map((l) => `<li>${esc(tr(l.rule))} <b>${money(l.cents)}</b></li>`).join("");
    box.innerHTML = `<p class="price">${t("Price: {price}", { price: money(q.price_cents) })} <span class="ok">✓ ${t("In the service area")}</span></p>${lines ? `<ul class="small">${lines}</ul>` : ""}`;
    box.dataset.state = "ok";
    box.hidden = false;
    return q;
  } catch (err) {
    if (err.network) return null;
    box.innerHTML = `<p class="error">${esc(err.message)}</p>`;
    box.dataset.state = "refused";
    box.hidden = false;
    if (search) showFieldErrors(form, err);
    return null;
  }
}

form.addEventListener("input", (ev) => { if (!ev.target.name.startsWith("recipient.") && !["notes", "dropoff.address"].includes(ev.target.name)) scheduleQuote(); });

// ---- address search (when the coop has a geocoder) --------------------------------
if (FEATURES.geocode) {
  const button = document.getElementById("geocode");
  button.hidden = false;
  button.addEventListener("click", async () => {
    clearFieldErrors(form);
    form.elements["dropoff.lat"].value = "";
    form.elements["dropoff.lon"].value = "";
    const q = await quote(true);
    const place = q && q.dropoffs && q.dropoffs[0];
    if (!place) return;
    form.elements["dropoff.address"].value = place.address || form.elements["dropoff.address"].value;
    setPoint(place.lat, place.lon, true);
    fitTo(pickMap, [[place.lat, place.lon]], 16);
  });
}

// ---- delivery slots (when the shop offers some to its customers) -------------------
async function loadSlots() {
  if (!FEATURES.slots) return;
  let offered = [];
  try { offered = (await api("GET", "/slots")).slots || []; } catch (err) { return; }
  const select = form.elements.slot;
  select.querySelectorAll("option[value]:not([value=''])").forEach((o) => o.remove());
  for (const s of offered) select.insertAdjacentHTML("beforeend", `<option value="${esc(s.id)}">${esc(dayTime(s.start))} – ${esc(hhmm(s.end))}</option>`);
  document.getElementById("slot-field").hidden = !offered.length;
}
form.elements.slot.addEventListener("change", () => { document.getElementById("times").hidden = !!form.elements.slot.value; scheduleQuote(); });
loadSlots();

// ---- CSV import -------------------------------------------------------------------
if (FEATURES.import) {
  document.getElementById("import-card").hidden = false;
  document.getElementById("import-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    clearFieldErrors(f);
    const report = document.getElementById("import-report");
    if (!f.elements.file.files.length) return showFieldErrors(f, { fields: { file: t("Choose a CSV file.") } });
    try {
      const res = await api("POST", "/jobs/import", new FormData(f));
      showImport(report, res);
      await load();
    } catch (err) {
      if (err.data.rows) return showImport(report, err.data);
      showFieldErrors(f, err);
    }
  });
}

function showImport(report, res) {
  const errors = res.rows || [];
  const rows = errors.map((e) => {
    const cols = Object.entries(e.fields || {}).map(([k, v]) => `<b>${esc(k)}</b>: ${esc(tr(v))}`).join("; ");
    return `<tr data-row="${e.row}"><td>${e.row}</td><td>${cols || esc(tr(e.error))}</td></tr>`;
  }).join("");
  const head = errors.length ? `<span class="error">${t("{n} row(s) have problems: nothing was imported.", { n: errors.length })}</span>`
    : t("{n} job(s) created", { n: res.created || 0 });
  report.innerHTML = `<p>${head}</p>
    ${rows ? `<table class="report"><thead><tr><th>${t("Row")}</th><th>${t("Problem")}</th></tr></thead><tbody>${rows}</tbody></table>` : ""}`;
}

async function load() {
  const data = await api("GET", "/jobs?limit=200");
  jobs.clear();
  data.jobs.forEach((j) => jobs.set(j.id, j));
  render();
}

// A delivery newly late: said once in the live region (the row shows it as long as it lasts).
function delayed(d) {
  const box = document.getElementById("delays");
  box.textContent = t("Delivery #{id} is running late: {reason}", { id: d.job_id, reason: phrase(d.reason_phrase, d.reason) });
  box.hidden = false;
}

live({ connect: load, "job.updated": (j) => { jobs.set(j.id, { ...jobs.get(j.id), ...j }); render(); }, "job.delayed": delayed });
