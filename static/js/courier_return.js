// The courier's phone: parcels that come back and work given back. A failed drop-off
// adds a return stop to the run (to the shop, or the coop's return hub), with its own
// "Returned" button; a job accepted and not picked up yet can be given back to dispatch
// with a reason. Both go through the offline queue (queue.js) like every other action,
// and show at once on the screen (apply), before the server has them.
"use strict";

const Returns = (() => {
  const OVER = ["delivered", "failed", "cancelled"];
  const REASONS = [  // sent in English, shown translated (the API speaks English)
    ["too far", t("Too far for me now")], ["vehicle problem", t("Problem with my bike")],
    ["not enough time", t("Not enough time left")], ["other", t("Other")],
  ];
  const API_MESSAGES = [  // the server's refusals, in the courier's language
    t("this job has no parcel to bring back"), t("this parcel is already back"),
    t("you gave this job back"), t("say why you give this job back"),
  ];
  let dialog = null, releasing = null, act = null;

  // Whether a stop is behind the courier: made, or its job over (a return only once made).
  function done(s) {
    return s.kind === "return" ? !!s.done_at : !!s.done_at || OVER.includes(s.job_status);
  }

  // Back to the shop the parcel came from, or to the coop's hub.
  function toShop(run, s) {
    const pickup = run && run.stops.find((x) => x.job_id === s.job_id && x.kind === "pickup");
    return !pickup || (Math.abs(pickup.lat - s.lat) < 1e-6 && Math.abs(pickup.lon - s.lon) < 1e-6);
  }

  function item(s, actions, next, run) {
    const shop = toShop(run, s);
    const place = esc(s.address || coords(s.lat, s.lon));
    const geo = `geo:${s.lat},${s.lon}?q=${s.lat},${s.lon}(${encodeURIComponent(s.address || "")})`;
    const open = actions && !s.done_at;
    return `<li class="stop return ${s.done_at ? "done" : ""} ${next ? "next" : ""}" data-job="${s.job_id}" data-kind="return" data-status="${esc(s.job_status)}">
      <div class="stop-head"><span class="kind return">${shop ? t("Back to the shop") : t("Back to the hub")}</span>
        ${stopTime(s)}${next ? `<span class="badge">${t("Next")}</span>` : ""}</div>
      <b class="place">${place}</b>
      <span class="muted small">#${s.job_id} · ${num(s.weight_kg, 1)} kg · ${t("the delivery failed: bring the parcel back")}</span>
      ${open ? `<div class="row actions"><a class="button big nav" href="${geo}">${t("Navigate")}</a>
        <button class="big primary" data-act="returned" data-job="${s.job_id}">${shop ? t("Returned to shop") : t("Returned to hub")}</button></div>` : ""}
    </li>`;
  }

  // On a pickup not made yet: give the job back to dispatch.
  function releaseButton(s) {
    return `<button class="big" data-act="release" data-job="${s.job_id}">${t("Give back…")}</button>`;
  }

  // What a queued action does to the runs on screen. True when it was one of ours.
  function apply(runs, verb, id, action) {
    if (verb === "failed") {
      for (const run of runs) {
        const drop = run.stops.find((s) => s.job_id === id && s.kind === "dropoff" && s.job_status === "picked_up");
        const pickup = run.stops.find((s) => s.job_id === id && s.kind === "pickup");
        if (drop && pickup && !run.stops.some((s) => s.job_id === id && s.kind === "return")) {
          // until the server says where and when: back where it was picked up
          run.stops.push({ ...pickup, kind: "return", done_at: null, planned_arrival: null, provisional: true });
        }
      }
      return false;  // and the job fails as usual
    }
    if (verb === "returned") {
      for (const run of runs) {
        run.stops.filter((s) => s.job_id === id && s.kind === "return").forEach((s) => { s.done_at = s.done_at || action.at; });
        if (run.status === "accepted" && run.stops.every(done)) run.status = "done";
      }
      return true;
    }
    if (verb === "release") {
      for (const run of runs) {
        if (!run.stops.some((s) => s.job_id === id)) continue;
        run.stops = run.stops.filter((s) => s.job_id !== id);
        if (!run.stops.length) run.status = "cancelled";
        else if (run.stops.every(done)) run.status = "done";
      }
      return true;
    }
    return false;
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "release-dialog";
    dialog.setAttribute("aria-labelledby", "release-title");
    dialog.innerHTML = `<form method="dialog" id="release-form" novalidate>
      <h2 id="release-title"></h2>
      <p class="muted small">${t("It goes back to dispatch for another courier. Say why:")}</p>
      <fieldset data-field="reason"><legend class="sr-only">${t("Reason")}</legend>
        ${REASONS.map(([value, label]) => `<label class="choice"><input type="radio" name="reason" value="${esc(value)}"> ${esc(label)}</label>`).join("")}
        <label>${t("Details")} <input name="details" maxlength="400" autocomplete="off"></label>
      </fieldset>
      <div class="row actions">
        <button type="button" class="big" id="release-cancel">${t("Back")}</button>
        <button type="submit" class="big danger" id="release-confirm">${t("Give back")}</button>
      </div></form>`;
    document.body.appendChild(dialog);
    dialog.querySelector("#release-cancel").addEventListener("click", () => dialog.close());
    dialog.querySelector("form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const form = ev.target;
      const answer = chosenReason(form);
      if (answer.fields) return showFieldErrors(form, answer);
      dialog.close();
      act(`/jobs/${releasing}/release`, { reason: answer.reason }, `#${releasing} ${t("Given back")}`);
    });
  }

  function openRelease(job) {
    if (!dialog) build();
    releasing = job;
    const form = dialog.querySelector("form");
    form.reset();
    clearFieldErrors(form);
    dialog.querySelector("#release-title").textContent = t("Give job #{id} back?", { id: job });
    dialog.showModal();
  }

  // ``queue``: how the page sends an action (through the offline queue).
  function init(queue) { act = queue; }

  return { done, item, releaseButton, apply, openRelease, init, API_MESSAGES };
})();
