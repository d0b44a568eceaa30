// The council's page on recipients' data: how long it is kept, and a recipient's request
// to see or erase it (by phone or e-mail), answered from the API (docs/privacy.md).
"use strict";

(() => {
  const retention = document.getElementById("retention-form");
  const request = document.getElementById("request-form");
  const result = document.getElementById("request-result");

  fillForm(retention, api("GET", "/privacy/retention"), (r) => { retention.elements.days.value = r.days; })
    .catch(() => {});

  retention.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(retention);
    document.getElementById("retention-saved").hidden = true;
    const raw = retention.elements.days.value.trim();
    const days = /^\d+$/.test(raw) ? Number(raw) : raw;
    try {
      const r = await api("PUT", "/privacy/retention", { days });
      retention.elements.days.value = r.days;
      document.getElementById("retention-saved").hidden = false;
    } catch (err) {
      showFieldErrors(retention, err);
    }
  });

  function kept(j) {
    const ended = j.ended_at ? dayTime(j.ended_at) : t("still being delivered");
    return `<tr><td>#${j.job_id}</td><td>${esc(j.shop)}</td><td>${esc(statusLabel(j.status))}<span class="muted small">${esc(ended)}</span></td>
      <td>${esc(j.recipient_name || "")}<span class="muted small">${esc(j.recipient_phone || "")} ${esc(j.recipient_email || "")}</span></td>
      <td>${esc(j.dropoff_address || "")}<span class="muted small">${esc(j.notes || "")}</span></td>
      <td>${num(j.proofs)}</td></tr>`;
  }

  request.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(request);
    const action = ev.submitter ? ev.submitter.value : "see";
    if (action === "erase" && !window.confirm(t("Erase this recipient's data now? It cannot be undone."))) return;
    const body = { action, phone: request.elements.phone.value.trim(), email: request.elements.email.value.trim() };
    try {
      const r = await api("POST", "/privacy/requests", body);
      if (r.action === "see") {
        result.innerHTML = r.jobs.length ? `<div class="scroll"><table class="data"><thead><tr><th>#</th><th>${t("Shop")}</th><th>${t("Status")}</th>
          <th>${t("Recipient")}</th><th>${t("Address")}</th><th>${t("Proof files")}</th></tr></thead><tbody>${r.jobs.map(kept).join("")}</tbody></table></div>`
          : `<p>${t("Nothing is kept for this recipient.")}</p>`;
      } else {
        result.innerHTML = `<p class="notice ok">${esc(t("{n} delivery(ies) erased.", { n: r.erased.length }))}</p>`
          + (r.open.length ? `<p class="muted">${esc(t("{n} delivery(ies) still under way: erased once they end.", { n: r.open.length }))}</p>` : "");
      }
    } catch (err) {
      showFieldErrors(request, err);
    }
  });
})();
