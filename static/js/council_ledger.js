// The council's mutual-credit page: the balance with each partner coop against the limit
// the council sets, the month's statement (the same at the partner's), settlements, the
// check that both books match, and the relay hubs of the partnership (docs/federation.md).
"use strict";

// The API's field messages of this page, in the catalogue for tr() (see messages.js).
const LEDGER_MESSAGES = [t("outside our zone"), t("outside the partner's published zone"),
  t("not in the future")];

(() => {
  const el = (id) => document.getElementById(id);
  const pick = el("pick-form");
  const pad = (n) => String(n).padStart(2, "0");
  const now = new Date();
  let partners = [];
  let hubs = [];

  // "12,50" or "12.50" euros -> 1250 cents; anything else is sent as typed, for the API
  // to refuse with the field named.
  function cents(raw) {
    const v = raw.trim().replace(",", ".");
    return /^\d+(\.\d{1,2})?$/.test(v) ? Math.round(Number(v) * 100) : raw.trim();
  }
  const coop = (url, st) => (st.partnership.coops.find((c) => c.url === url) || { name: url }).name;
  function owes(b, name) {
    if (!b.cents) return t("Even: neither coop owes the other.");
    return t("{debtor} owes {creditor} {amount}", { debtor: name(b.debtor), creditor: name(b.creditor), amount: money(b.cents) });
  }
  const KIND = { handoff: t("Jobs handed over"), reversal: t("Hand-offs reversed"), settlement: t("Settlements") };
  const current = () => partners.find((p) => String(p.partner_id) === pick.partner.value);

  function balance(p) {
    const name = (url) => (url === p.coop ? t("our coop") : p.partner);
    const state = p.hand_offs_paused ? t("Hand-offs to this partner are paused until a settlement.")
      : p.taking_paused ? t("Jobs from this partner are paused until a settlement.") : t("Hand-offs go both ways.");
    el("balance").innerHTML = [[t("Balance now"), owes(p.balance, name)], [t("Credit limit"), money(p.credit_limit_cents)],
      [t("Transactions in the book"), num(p.entries)], [t("Hand-offs"), state]]
      .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("");
    el("limit-form").elements.credit_limit_cents.value = (p.credit_limit_cents / 100).toLocaleString(LANG);
  }

  async function statement(p) {
    const month = pick.month.value;
    const base = `/partners/${p.partner_id}/ledger/${month}`;
    el("csv").href = `/api/v1${base}?format=csv`;
    el("pdf").href = `/api/v1${base}/statement.pdf`;
    const st = await api("GET", base);
    const name = (url) => coop(url, st);
    el("period").innerHTML = [[t("At the start"), owes(st.opening, name)], [t("At the end"), owes(st.closing, name)],
      [t("Fingerprint"), st.digest.slice(0, 16)]]
      .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("");
    const flows = st.flows.filter((f) => f.count);
    el("flows").innerHTML = `<thead><tr><th>${esc(t("What"))}</th><th>${esc(t("Owed by"))}</th><th>${esc(t("Owed to"))}</th>
      <th>${esc(t("Number"))}</th><th>${esc(t("Amount"))}</th></tr></thead><tbody>${flows.map((f) => `<tr>
      <td>${esc(KIND[f.kind])}</td><td>${esc(name(f.debtor))}</td><td>${esc(name(f.creditor))}</td><td>${esc(num(f.count))}</td>
      <td>${esc(money(f.cents))}</td></tr>`).join("") || `<tr><td colspan="5" class="muted">${esc(t("Nothing this month."))}</td></tr>`}</tbody>`;
    el("entries").innerHTML = `<thead><tr><th>${esc(t("Date"))}</th><th>${esc(t("What"))}</th><th>${esc(t("Owed by"))}</th>
      <th>${esc(t("Owed to"))}</th><th>${esc(t("Amount"))}</th></tr></thead><tbody>${st.entries.map((e) => `<tr data-ref="${esc(e.ref)}">
      <td>${esc(FW.when(e.at))}</td><td>${esc(KIND[e.kind])}</td><td>${esc(name(e.debtor))}</td><td>${esc(name(e.creditor))}</td>
      <td>${esc(money(e.amount_cents))}</td></tr>`).join("")}</tbody>`;
    FW.stack(el("flows"));
    FW.stack(el("entries"));
  }

  function showHubs() {
    el("hubs").innerHTML = hubs.map((h, i) => `<li><p><b>${esc(h.name)}</b> ${esc(h.address || "")}</p>
      <p class="muted">${esc(coords(h.lat, h.lon))} <button type="button" data-remove="${i}">${esc(t("Remove"))}</button></p></li>`).join("")
      || `<li class="muted">${esc(t("No relay hub yet."))}</li>`;
  }

  async function loadHubs(p) {
    hubs = (await api("GET", `/partners/${p.partner_id}/relay-hubs`)).configured;
    showHubs();
  }

  async function saveHubs(list, form) {
    const r = await api("PUT", `/partners/${current().partner_id}/relay-hubs`, { hubs: list });
    hubs = r.configured;
    showHubs();
    if (form) form.reset();
  }

  async function show() {
    const p = current();
    el("ledger-notice").textContent = "";
    if (!p) return;
    balance(p);
    for (const id of ["statement-card", "settle-card", "hubs-card"]) el(id).hidden = false;
    try {
      await Promise.all([statement(p), loadHubs(p)]);
    } catch (err) { FW.notice(el("ledger-notice"), err.message); }
  }

  async function reload() {
    partners = (await api("GET", "/ledger")).partners;
    const chosen = pick.partner.value;
    pick.partner.innerHTML = partners.map((p) => `<option value="${p.partner_id}">${esc(p.partner)}</option>`).join("");
    if (chosen) pick.partner.value = chosen;
    el("no-partner").hidden = partners.length > 0;
    pick.hidden = partners.length === 0;
    await show();
  }

  el("limit-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    clearFieldErrors(form);
    try {
      await api("PUT", `/partners/${current().partner_id}/limit`, { credit_limit_cents: cents(form.elements.credit_limit_cents.value) });
      await reload();
      FW.notice(el("ledger-notice"), t("Saved."), true);
    } catch (err) { showFieldErrors(form, err); }
  });

  el("settle-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    clearFieldErrors(form);
    const day = form.elements.paid_at.value;
    const body = { payer: form.elements.payer.value, amount_cents: cents(form.elements.amount_cents.value),
      paid_at: day ? new Date(Math.min(new Date(`${day}T12:00:00`), Date.now())).toISOString() : "",
      note: form.elements.note.value.trim() };  // noon of the day paid (now, for today)
    try {
      await api("POST", `/partners/${current().partner_id}/settlements`, body);
      form.reset();
      await reload();
      FW.notice(el("ledger-notice"), t("Settlement recorded, and sent to the partner coop."), true);
    } catch (err) { showFieldErrors(form, err); }
  });

  el("reconcile").addEventListener("click", async () => {
    const out = el("reconciled");
    out.textContent = "";
    try {
      const r = await api("POST", `/partners/${current().partner_id}/ledger/reconcile`);
      const lines = [...r.only_ours.map((e) => t("Only in our book: {ref}", { ref: e.ref })),
        ...r.only_theirs.map((e) => t("Only in the partner's book: {ref}", { ref: e.ref })),
        ...r.differ.map((d) => t("Not alike in both books: {ref} ({fields})", { ref: d.ref, fields: Object.keys(d.fields).join(", ") }))];
      out.innerHTML = r.match ? `<p class="notice ok">${esc(t("Both books match: {n} transaction(s).", { n: num(r.entries) }))}</p>`
        : `<p class="error">${esc(t("The books differ."))}</p><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`;
    } catch (err) { out.innerHTML = `<p class="error">${esc(err.message)}</p>`; }
  });

  el("hub-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    clearFieldErrors(form);
    const f = form.elements;
    const n = (v) => (/^-?\d+(\.\d+)?$/.test(v.trim().replace(",", ".")) ? Number(v.trim().replace(",", ".")) : v);
    const hub = { name: f.name.value.trim(), address: f.address.value.trim(), lat: n(f.lat.value), lon: n(f.lon.value) };
    try { await saveHubs([...hubs, hub], form); } catch (err) {
      // the new hub's fault ("hubs.<n>", "hubs.<n>.lat"...) at its place in the form
      const mine = `hubs.${hubs.length}`;
      const fields = Object.fromEntries(Object.entries(err.fields || {}).map(([k, v]) =>
        [k === mine ? "lat" : k.startsWith(`${mine}.`) ? k.slice(mine.length + 1) : k, v]));
      showFieldErrors(form, { message: err.message, fields });
    }
  });

  el("hubs").addEventListener("click", async (ev) => {
    const i = ev.target.dataset.remove;
    if (i === undefined) return;
    try { await saveHubs(hubs.filter((_, k) => String(k) !== i)); } catch (err) { FW.notice(el("ledger-notice"), err.message); }
  });

  pick.month.value = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
  pick.addEventListener("change", () => show());
  reload().catch((err) => FW.notice(el("ledger-notice"), err.message));
})();
