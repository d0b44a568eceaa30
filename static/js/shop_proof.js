// The shop's proofs of delivery: which proof its deliveries need, each delivery's proof
// (and, before it, the code to send the recipient), and the proofs of a period as one
// ZIP with a PDF summary. Each row of the deliveries' table gets a "Proof" button.
"use strict";

(() => {
  const policy = document.getElementById("proof-policy-form");
  const exporter = document.getElementById("proof-export-form");
  const dialog = document.getElementById("proof-view");
  const jobsTable = document.getElementById("jobs");

  fillForm(policy, api("GET", "/shop/proof-policy"), (p) => {
    policy.elements.required.value = p.required;
    policy.elements.on_failure.checked = p.on_failure;
  }).catch(() => {});

  policy.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(policy);
    document.getElementById("proof-policy-saved").hidden = true;
    try {
      await api("PUT", "/shop/proof-policy", { required: policy.elements.required.value, on_failure: policy.elements.on_failure.checked });
      document.getElementById("proof-policy-saved").hidden = false;
    } catch (err) {
      showFieldErrors(policy, err);
    }
  });

  const today = new Date().toLocaleDateString("sv", { timeZone: COOP_ZONE });  // YYYY-MM-DD, coop's day
  exporter.elements.from.value = exporter.elements.from.value || today.slice(0, 8) + "01";
  exporter.elements.to.value = exporter.elements.to.value || today;
  exporter.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(exporter);
    const query = new URLSearchParams({ from: exporter.elements.from.value, to: exporter.elements.to.value });
    const resp = await fetch(`/api/v1/proofs/export?${query}`, { credentials: "same-origin" });
    if (!resp.ok) {
      const data = await resp.json().catch(() => ({}));
      return showFieldErrors(exporter, { message: phrase(data.error_phrase, data.error), fields: data.fields });
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await resp.blob());
    link.download = `proofs-${query.get("from")}-${query.get("to")}.zip`;
    document.body.append(link);
    link.click();
    link.remove();
  });

  // A "Proof" button on every delivery of the table (shop.js draws the rows).
  const addButtons = () => jobsTable.querySelectorAll("tr[data-id]").forEach((row) => {
    if (row.querySelector("[data-proof]")) return;
    const cell = row.lastElementChild;
    const button = document.createElement("button");
    Object.assign(button, { className: "small-button", textContent: t("Proof") });
    button.dataset.proof = row.dataset.id;
    cell.append(button);
  });
  new MutationObserver(addButtons).observe(jobsTable, { childList: true });
  addButtons();

  jobsTable.addEventListener("click", async (ev) => {
    const button = ev.target.closest("[data-proof]");
    if (!button) return;
    try {
      show(await api("GET", `/jobs/${button.dataset.proof}/proof`));
    } catch (err) {
      window.alert(err.message);
    }
  });

  const KIND = { photo: t("Photo"), signature: t("Signature"), code: t("Recipient's code checked") };

  function show(p) {
    document.getElementById("proof-view-title").textContent = t("Delivery #{id}", { id: p.job_id });
    const parts = [];
    if (p.code && ["pending", "offered", "accepted", "picked_up"].includes(p.status)) {
      parts.push(`<p>${esc(t("Code to give the recipient: {code}", { code: p.code }))}</p>`);
    }
    for (const proof of p.proofs) {
      const what = `${KIND[proof.kind]} · ${proof.outcome === "failed" ? t("Failed") : t("Delivered")} · ${dayTime(proof.at)}`;
      parts.push(`<figure class="proof-figure">${proof.url ? `<img src="${esc(proof.url)}" alt="${esc(KIND[proof.kind])}">` : ""}
        <figcaption class="muted small">${esc(what)}${proof.removed ? ` · ${esc(t("erased after the retention period"))}` : ""}</figcaption></figure>`);
    }
    if (!p.proofs.length) parts.push(`<p class="muted">${esc(t("No proof yet."))}</p>`);
    if (p.courier_first_name) parts.push(`<p class="muted small">${esc(t("Courier: {name}", { name: p.courier_first_name }))}</p>`);
    document.getElementById("proof-view-body").innerHTML = parts.join("");
    dialog.showModal();
  }
  document.getElementById("proof-view-close").addEventListener("click", () => dialog.close());
})();
