// The council's set-up page: the coop's legal details for invoices, saved through the API
// (PATCH /api/v1/coop); a refused value is shown at its field.
"use strict";

(function () {
  const form = document.getElementById("legal-form");
  if (!form) return;
  const saved = document.getElementById("legal-saved");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    saved.textContent = "";
    clearFieldErrors(form);
    const body = {};
    for (const name of ["legal_name", "legal_address", "registration_id", "vat_id", "invoice_note"]) {
      body[name] = form.elements[name].value.trim();
    }
    try {
      await api("PATCH", "/coop", body);
      saved.textContent = t("Saved.");
    } catch (err) {
      showFieldErrors(form, err);
    }
  });
})();
