// Partner coops (docs/federation.md): the partnerships and their actions, pairing with an
// invitation code, the council's hand-off rule, and the jobs handed over both ways.
// Dispatchers see the partners and the hand-offs; only the council changes anything.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const council = Boolean($("rule-form"));
  const PARTNER_STATUS = { invited: t("waiting for approval"), active: t("working together"), paused: t("paused"), ended: t("ended") };
  const HANDOFF_STATUS = {
    asked: t("asked"), accepted: t("carried by the partner"), refused: t("refused"), timed_out: t("no answer in time"),
    delivered: t("Delivered"), failed: t("Failed"), returned: t("given back"), cancelled: t("withdrawn"),
  };
  const STEP = { pending: t("waiting for a courier"), accepted: t("a courier took it"), picked_up: t("on its way"), delivered: t("Delivered"), failed: t("Failed"), returned: t("given back") };

  function actions(p) {
    if (!council) return "";
    const b = (what, label, cls) => `<button class="small-button ${cls || ""}" data-partner="${p.id}" data-do="${what}">${label}</button>`;
    const out = [];
    if (p.status === "invited" && !p.we_approved) out.push(b("approve", t("Approve"), "primary"));
    if (p.status === "active") out.push(b("pause", t("Pause the partnership")));
    if (p.status === "paused" && p.status_by !== "them") out.push(b("resume", t("Resume the partnership")));
    if (p.status !== "ended") out.push(b("rotate-key", t("New key")), b("refresh", t("Read their profile again")), b("end", t("End the partnership"), "danger"));
    return out.join(" ");
  }

  function approvals(p) {
    if (p.status !== "invited") return "";
    return `<span class="muted small">${esc(p.we_approved ? t("we approved") : t("our approval is awaited"))} · ${esc(p.they_approved ? t("they approved") : t("their approval is awaited"))}</span>`;
  }

  function takes(p) {
    const v = (p.takes && p.takes.vehicles) || [];
    return v.map((x) => t("{kind} up to {kg} kg", { kind: x.kind === "cargo_bike" ? t("cargo bike") : t("bike"), kg: num(x.max_kg) })).join(", ") || "–";
  }

  function drawPartners(list) {
    $("no-partners").hidden = list.length > 0;
    $("partners").innerHTML = list.length ? `<thead><tr><th>${t("Partner coop")}</th><th>${t("Status")}</th><th>${t("Takes")}</th><th></th></tr></thead><tbody>${list.map((p) => `<tr data-partner-id="${p.id}">
      <td><b>${esc(p.name)}</b><span class="muted small">${esc(p.url)}</span></td>
      <td>${esc(PARTNER_STATUS[p.status] || p.status)}${approvals(p)}</td>
      <td>${esc(takes(p))}</td><td>${actions(p)}</td></tr>`).join("")}</tbody>` : "";
  }

  function drawRule(s) {
    const f = $("rule-form");
    if (!f) return;
    f.elements.auto_handoff.checked = s.auto_handoff;
    f.elements.outside_zone.checked = s.outside_zone;
    f.elements.accept_only_in_time.checked = s.accept_only_in_time;
    f.elements.pending_minutes.value = s.pending_minutes;
    f.elements.answer_timeout_s.value = s.answer_timeout_s;
    f.elements.max_price_cents.value = s.max_price_cents == null ? "" : String(s.max_price_cents / 100);
    f.elements.hours_from.value = s.hours ? s.hours.from : "";
    f.elements.hours_to.value = s.hours ? s.hours.to : "";
  }

  function drawHandoffs(list) {
    $("no-handoffs").hidden = list.length > 0;
    $("handoffs").innerHTML = list.length ? `<thead><tr><th>${t("Job")}</th><th>${t("Partner coop")}</th><th>${t("Way")}</th><th>${t("Status")}</th><th>${t("Price")}</th><th>${t("When")}</th></tr></thead><tbody>${list.map((h) => `<tr>
      <td>#${h.job_id ?? "–"}</td><td>${esc(h.partner.name)}</td>
      <td>${esc(h.direction === "out" ? t("we handed it") : t("we carry it"))}</td>
      <td>${esc(HANDOFF_STATUS[h.status] || h.status)}${h.direction === "out" && h.status === "accepted" && h.remote_status ? `<span class="muted small">${esc(STEP[h.remote_status] || h.remote_status)}${h.courier_first_name ? ` · ${esc(h.courier_first_name)}` : ""}</span>` : ""}${h.reason ? `<span class="muted small">${esc(tr(h.reason))}</span>` : ""}</td>
      <td>${h.price_cents == null ? "–" : esc(money(h.price_cents))}</td><td>${esc(dayTime(h.created_at))}</td></tr>`).join("")}</tbody>` : "";
  }

  async function load() {
    const [fed, ho] = await Promise.all([api("GET", "/federation"), api("GET", "/handoffs?limit=100")]);
    drawPartners(fed.partners);
    drawRule(fed.settings);
    drawHandoffs(ho.handoffs);
  }

  $("partners").addEventListener("click", async (ev) => {
    const b = ev.target.closest("[data-do]");
    if (!b) return;
    const what = b.dataset.do;
    if (what === "end" && !window.confirm(t("End this partnership? Jobs already handed over finish normally."))) return;
    const notice = $("partner-notice");
    notice.textContent = "";
    b.disabled = true;
    try {
      await api("POST", `/partners/${b.dataset.partner}/${what}`, ["pause", "resume", "end"].includes(what) ? {} : undefined);
      await load();
    } catch (err) {
      notice.textContent = tr(err.message);
      b.disabled = false;
    }
  });

  if (!council) { load().catch((err) => { $("partner-notice").textContent = tr(err.message); }); return; }

  $("invite").addEventListener("click", async () => {
    try {
      const r = await api("POST", "/federation/invitations");
      $("invitation-url").textContent = r.url;
      $("invitation-code").textContent = r.code;
      $("invitation-expiry").textContent = dayTime(r.expires_at);
      $("invitation").hidden = false;
    } catch (err) {
      $("partner-notice").textContent = tr(err.message);
    }
  });

  const connect = $("connect-form");
  connect.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(connect);
    try {
      await api("POST", "/partners", { url: connect.elements.url.value.trim(), code: connect.elements.code.value.trim() });
      connect.reset();
      await load();
    } catch (err) {
      showFieldErrors(connect, err);
    }
  });

  const rule = $("rule-form");
  rule.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearFieldErrors(rule);
    $("rule-saved").hidden = true;
    const e = rule.elements;
    const int = (v) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);
    const euros = e.max_price_cents.value.trim().replace(",", ".");
    const body = {
      auto_handoff: e.auto_handoff.checked, outside_zone: e.outside_zone.checked,
      accept_only_in_time: e.accept_only_in_time.checked,
      pending_minutes: int(e.pending_minutes.value), answer_timeout_s: int(e.answer_timeout_s.value),
      max_price_cents: euros === "" ? null : (/^\d+(\.\d{1,2})?$/.test(euros) ? Math.round(Number(euros) * 100) : euros),
      hours: e.hours_from.value && e.hours_to.value ? { from: e.hours_from.value, to: e.hours_to.value } : null,
    };
    try {
      drawRule(await api("PATCH", "/federation/settings", body));
      $("rule-saved").hidden = false;
    } catch (err) {
      showFieldErrors(rule, err);
    }
  });

  fillForm(rule, load(), () => {}).catch((err) => { $("partner-notice").textContent = tr(err.message); });
})();
