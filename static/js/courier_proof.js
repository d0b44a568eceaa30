// Proofs of delivery on the courier's phone: when a stop's shop asks for one, marking it
// delivered (or failed, when a failed delivery needs a photo) first asks for it: a photo
// from the camera (filmed inside the page, so the courier never leaves the app, or taken
// with the phone's camera app; resized here, sent as a JPEG), the recipient's signature
// drawn on the screen (a PNG), or the code the recipient gives. The proof goes with the action through
// the offline queue (queue.js), files included, and is replayed with it.
"use strict";

const ProofOfDelivery = (() => {
  const PHOTO_SIDE = 1280;  // px: the longest side of a photo sent
  const QUALITY = 0.8;
  let dialog = null, pending = null, photo = null, strokes = 0, drawing = false;
  let stream = null, filming = 0;  // the camera's stream while the viewfinder is open

  const $ = (id) => document.getElementById(id);

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "proof-dialog";
    dialog.setAttribute("aria-labelledby", "proof-title");
    dialog.innerHTML = `<form id="proof-form" method="dialog" novalidate>
      <h2 id="proof-title">${esc(t("Proof of delivery"))}</h2>
      <p id="proof-help" class="muted small"></p>
      <div id="proof-photo" class="proof-part" data-field="photo" hidden>
        <div id="proof-camera" class="proof-part" hidden>
          <video id="proof-video" class="proof-preview" playsinline muted aria-label="${esc(t("Camera"))}"></video>
          <button type="button" class="big primary block" id="proof-shutter" disabled>${esc(t("Take the photo"))}</button>
        </div>
        <img id="proof-photo-preview" class="proof-preview" alt="${esc(t("Photo of the delivery"))}" hidden>
        <button type="button" class="button big block" id="proof-camera-open" hidden>${esc(t("Take another photo"))}</button>
        <p id="proof-camera-note" class="muted small" hidden>${esc(t("The camera cannot be opened in the page: use the camera app."))}</p>
        <label class="button big block" id="proof-photo-label" for="proof-photo-input">${esc(t("Take a photo"))}</label>
        <input type="file" id="proof-photo-input" name="photo" accept="image/*" capture="environment" class="sr-only">
      </div>
      <div id="proof-signature" class="proof-part" data-field="signature" hidden>
        <canvas id="proof-canvas" class="proof-canvas" role="img" aria-label="${esc(t("Signature area"))}"></canvas>
        <button type="button" id="proof-clear">${esc(t("Clear"))}</button>
      </div>
      <div id="proof-code" class="proof-part" hidden>
        <label>${esc(t("Recipient's code"))} <input name="code" inputmode="numeric" autocomplete="off" maxlength="12"></label>
      </div>
      <p class="form-error error" role="alert" hidden></p>
      <div class="row actions">
        <button type="button" class="big" id="proof-cancel">${esc(t("Back"))}</button>
        <button type="submit" class="big primary" id="proof-confirm">${esc(t("Confirm"))}</button>
      </div>
    </form>`;
    document.body.append(dialog);
    $("proof-photo-input").addEventListener("change", (ev) => { stopCamera(); takePhoto(ev.target.files[0]); });
    $("proof-shutter").addEventListener("click", shoot);
    $("proof-camera-open").addEventListener("click", startCamera);
    dialog.addEventListener("close", stopCamera);  // the camera is let go with the dialog
    $("proof-clear").addEventListener("click", clearSignature);
    $("proof-cancel").addEventListener("click", () => { pending = null; dialog.close(); });
    $("proof-form").addEventListener("submit", confirm);
    const canvas = $("proof-canvas");
    canvas.addEventListener("pointerdown", (ev) => { drawing = true; canvas.setPointerCapture(ev.pointerId); line(ev, true); });
    canvas.addEventListener("pointermove", (ev) => { if (drawing) line(ev, false); });
    for (const name of ["pointerup", "pointercancel"]) canvas.addEventListener(name, () => { drawing = false; });
  }

  // The drop-off of a job on the courier's runs, as the server described it.
  function stopOf(jobId) {
    for (const run of currentRuns()) {
      const stop = run.stops.find((s) => s.job_id === jobId && s.kind === "dropoff");
      if (stop) return stop;
    }
    return null;
  }

  // The proof an action needs: { kind: "photo" | "signature" | "code", outcome }, or null.
  function needed(path) {
    const m = path.match(/^\/jobs\/(\d+)\/(delivered|failed)$/);
    const stop = m && stopOf(Number(m[1]));
    const rule = stop && stop.proof;
    if (!rule) return null;
    const kind = m[2] === "delivered" ? rule.required : (rule.on_failure ? "photo" : "none");
    return kind && kind !== "none" ? { kind, outcome: m[2] } : null;
  }

  function open(action, need) {
    if (!dialog) build();
    pending = { ...action, ...need };
    photo = null;
    const form = $("proof-form");
    form.reset();
    clearFieldErrors(form);
    $("proof-photo-preview").hidden = true;
    $("proof-camera-open").hidden = true;
    $("proof-photo-label").textContent = canFilm() ? t("Use the camera app") : t("Take a photo");
    for (const kind of ["photo", "signature", "code"]) $(`proof-${kind}`).hidden = kind !== need.kind;
    $("proof-title").textContent = need.outcome === "failed" ? t("Photo of the failed delivery") : t("Proof of delivery");
    $("proof-help").textContent = {
      photo: need.outcome === "failed" ? t("Take a photo of the place: the door, the letterbox, the parcel.") : t("Take a photo of the parcel where you left it."),
      signature: t("Ask the recipient to sign in the box."),
      code: t("Ask the recipient for the code their shop sent them."),
    }[need.kind];
    dialog.showModal();
    if (need.kind === "signature") sizeCanvas();
    if (need.kind === "photo" && canFilm()) startCamera();
  }

  // The camera inside the page (the back one, when the phone has two): the courier frames
  // the parcel and shoots without leaving the app (a phone short of memory may close a
  // page left for the camera app, and the action with it). Refused or missing, the
  // camera app stays at hand.
  const canFilm = () => window.isSecureContext && !!navigator.mediaDevices?.getUserMedia;

  async function startCamera() {
    const token = ++filming;
    const video = $("proof-video");
    $("proof-camera-open").hidden = true;
    $("proof-camera-note").hidden = true;
    $("proof-shutter").disabled = true;
    try {
      const got = await navigator.mediaDevices.getUserMedia({ audio: false, video: {
        facingMode: { ideal: "environment" }, width: { ideal: 1920 }, height: { ideal: 1440 } } });
      if (token !== filming) { got.getTracks().forEach((track) => track.stop()); return; }
      stream = got;
      video.srcObject = stream;
      $("proof-photo-preview").hidden = true;
      $("proof-camera").hidden = false;
      await video.play();
      if (token === filming) $("proof-shutter").disabled = false;
    } catch (e) {
      if (token !== filming) return;
      stopCamera();
      $("proof-camera-note").hidden = false;
      $("proof-photo-label").textContent = photo ? t("Take another photo") : t("Take a photo");
    }
  }

  function stopCamera() {
    filming += 1;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    if (!dialog) return;
    $("proof-video").srcObject = null;
    $("proof-camera").hidden = true;
  }

  function shoot() {
    const video = $("proof-video");
    if (!stream || !video.videoWidth) return;
    usePhoto(video, video.videoWidth, video.videoHeight);
    stopCamera();
    $("proof-camera-open").hidden = false;
  }

  // A photo from the camera, made at most PHOTO_SIDE px and a JPEG (a phone's photo is
  // several megabytes; the coop needs to see the parcel, not the grain of the door).
  async function takePhoto(file) {
    if (!file) return;
    try {
      const image = await decode(file);
      usePhoto(image, image.width, image.height);
      $("proof-camera-open").hidden = !canFilm();
    } catch (e) {
      showFieldErrors($("proof-form"), { fields: { photo: t("The photo could not be read: take it again.") } });
    }
  }

  // The photo as it is sent: an image or a video frame drawn at most PHOTO_SIDE px wide
  // or high, as a JPEG, shown to the courier.
  function usePhoto(source, width, height) {
    const scale = Math.min(1, PHOTO_SIDE / Math.max(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    photo = canvas.toDataURL("image/jpeg", QUALITY);
    const preview = $("proof-photo-preview");
    preview.src = photo;
    preview.hidden = false;
    $("proof-photo-label").textContent = canFilm() ? t("Use the camera app") : t("Take another photo");
    clearFieldErrors($("proof-form"));
  }

  function decode(file) {
    if (window.createImageBitmap) return createImageBitmap(file);
    return new Promise((resolve, reject) => {
      const img = new Image();
      const url = URL.createObjectURL(file);
      img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function sizeCanvas() {
    const canvas = $("proof-canvas");
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    Object.assign(ctx, { lineWidth: 2.5, lineCap: "round", lineJoin: "round", strokeStyle: "#111" });
    strokes = 0;
  }

  function line(ev, start) {
    const ctx = $("proof-canvas").getContext("2d");
    if (start) { ctx.beginPath(); ctx.moveTo(ev.offsetX, ev.offsetY); return; }
    ctx.lineTo(ev.offsetX, ev.offsetY);
    ctx.stroke();
    strokes += 1;
  }

  function clearSignature() {
    const canvas = $("proof-canvas");
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
  }

  function confirm(ev) {
    ev.preventDefault();
    const form = $("proof-form");
    const code = form.elements.code.value.trim();
    const missing = {
      photo: !photo && { photo: t("Take a photo first.") },
      signature: !strokes && { signature: t("Ask the recipient to sign first.") },
      code: !/^\d{4,12}$/.test(code) && { code: t("Type the code the recipient gives you.") },
    }[pending.kind];
    if (missing) return showFieldErrors(form, { fields: missing });
    const files = { photo: photo && { photo }, signature: { signature: $("proof-canvas").toDataURL("image/png") }, code: {} }[pending.kind];
    const body = pending.kind === "code" ? { ...(pending.body || {}), code } : pending.body;
    const { path, label } = pending;
    pending = null;
    dialog.close();
    ActionQueue.push(path, body, label, files);
    if (typeof render === "function") render();
  }

  ActionQueue.intercept((path, body, label) => {
    const need = needed(path);
    if (!need) return false;
    open({ path, body, label }, need);
    return true;
  });
  return { needed };
})();
