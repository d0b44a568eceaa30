"""Proofs of delivery through the API: a stop that needs a proof is not marked without
it, on every path; bad files are refused with 413/415/422 naming the field; nothing is
half-stored; the shop reads the proofs, and the recipient's code, and exports them."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from courier.extensions import db
from courier.models import Event, Proof
from courier.proofs.store import EXTENSION_KEY, FileStore
from tests.proofs.conftest import jpeg, signature_png


def form(**parts) -> dict:
    """A multipart body, encoded in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    values = {k: FileStorage(io.BytesIO(v), f"{k}.bin") if isinstance(v, bytes) else v
              for k, v in parts.items()}
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def deliver(courier, job_id, headers=None, **parts):
    return courier.post(f"/jobs/{job_id}/delivered", headers=headers or {}, **form(**parts))


def test_a_shop_chooses_the_proof_its_jobs_need(make_merchant):
    shop = make_merchant()
    assert shop.get("/shop/proof-policy").json == {"required": "none", "on_failure": False}
    r = shop._call("put", "/shop/proof-policy", json={"required": "signature",
                                                      "on_failure": True})
    assert r.status_code == 200
    assert shop.get("/shop/proof-policy").json == {"required": "signature", "on_failure": True}
    bad = shop._call("put", "/shop/proof-policy", json={"required": "selfie"})
    assert bad.status_code == 422 and "required" in bad.json["fields"]


def test_the_phone_is_told_which_proof_each_drop_off_needs(carried):
    shop, ana, job_id = carried("photo", on_failure=True)
    (run,) = ana.get("/courier/runs").json["runs"]
    dropoff = next(s for s in run["stops"] if s["kind"] == "dropoff")
    pickup = next(s for s in run["stops"] if s["kind"] == "pickup")
    assert dropoff["proof"] == {"required": "photo", "on_failure": True}
    assert pickup["proof"] is None


def test_a_stop_needing_a_photo_is_not_delivered_without_one(carried):
    shop, ana, job_id = carried("photo")
    r = ana.post(f"/jobs/{job_id}/delivered")
    assert r.status_code == 422 and r.json["fields"] == {"photo": "required"}
    assert shop.get(f"/jobs/{job_id}").json["status"] == "picked_up"
    r = deliver(ana, job_id, photo=jpeg())
    assert r.status_code == 200 and r.json["status"] == "delivered"
    proof = shop.get(f"/jobs/{job_id}/proof").json
    assert [(p["kind"], p["outcome"]) for p in proof["proofs"]] == [("photo", "delivered")]
    assert proof["courier_first_name"] == "Ana"
    image = shop.get(proof["proofs"][0]["url"].removeprefix("/api/v1"))
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.data[:2] == b"\xff\xd8"


def test_a_photo_is_kept_small_and_without_its_metadata(carried, app):
    from PIL import Image

    shop, ana, job_id = carried("photo")
    big = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # any tag: the kept photo has none
    Image.new("RGB", (4000, 3000), (10, 200, 30)).save(big, "JPEG", exif=exif)
    assert deliver(ana, job_id, photo=big.getvalue()).status_code == 200
    proof = db.session.scalars(select(Proof)).one()
    kept = Image.open(io.BytesIO(app.extensions[EXTENSION_KEY].get(proof.key)))
    assert max(kept.size) == 1600 and not kept.getexif()


def test_a_signature_needs_strokes(carried):
    shop, ana, job_id = carried("signature")
    assert ana.post(f"/jobs/{job_id}/delivered").json["fields"] == {"signature": "required"}
    blank = deliver(ana, job_id, signature=signature_png(strokes=False))
    assert blank.status_code == 422 and blank.json["fields"] == {"signature": "no strokes"}
    assert deliver(ana, job_id, signature=signature_png()).status_code == 200
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    assert proof["kind"] == "signature" and proof["content_type"] == "image/png"


def test_the_recipients_code_is_for_the_shop_and_must_match(carried):
    shop, ana, job_id = carried("code")
    code = shop.get(f"/jobs/{job_id}/proof").json["code"]
    assert len(code) == 6 and code.isdigit()
    assert ana.get(f"/jobs/{job_id}/proof").json["code"] is None  # never the courier's
    assert ana.post(f"/jobs/{job_id}/delivered").json["fields"] == {"code": "required"}
    wrong = str((int(code) + 1) % 10**6).zfill(6)
    r = ana.post(f"/jobs/{job_id}/delivered", json={"code": wrong})
    assert r.status_code == 422 and r.json["fields"] == {"code": "does not match"}
    assert ana.post(f"/jobs/{job_id}/delivered", json={"code": code}).status_code == 200
    kinds = [p["kind"] for p in shop.get(f"/jobs/{job_id}/proof").json["proofs"]]
    assert kinds == ["code"]


def test_a_failed_delivery_needs_a_photo_when_the_shop_asks(carried):
    shop, ana, job_id = carried("none", on_failure=True)
    r = ana.post(f"/jobs/{job_id}/failed", json={"reason": "recipient absent"})
    assert r.status_code == 422 and r.json["fields"] == {"photo": "required"}
    r = ana.post(f"/jobs/{job_id}/failed", **form(reason="recipient absent", photo=jpeg()))
    assert r.status_code == 200 and r.json["status"] == "failed"
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    assert (proof["kind"], proof["outcome"]) == ("photo", "failed")


def test_a_photo_over_10_mb_is_refused_with_413_naming_it(carried, app):
    shop, ana, job_id = carried("photo")
    r = deliver(ana, job_id, photo=b"\xff\xd8" + b"0" * (10 * 1024 * 1024))
    assert r.status_code == 413 and list(r.json["fields"]) == ["photo"]
    r = deliver(ana, job_id, photo=b"\xff\xd8" + b"0" * (25 * 1024 * 1024))  # over any form
    assert r.status_code == 413 and r.is_json and list(r.json["fields"]) == ["_body"]
    assert shop.get(f"/jobs/{job_id}").json["status"] == "picked_up"


def test_a_file_that_is_not_an_image_is_refused_with_415(carried):
    shop, ana, job_id = carried("photo")
    r = deliver(ana, job_id, photo=b"%PDF-1.4 not a photo")
    assert r.status_code == 415 and list(r.json["fields"]) == ["photo"]
    r = deliver(ana, job_id, photo=jpeg(), signature=jpeg())  # a signature is a PNG
    assert r.status_code == 415 and list(r.json["fields"]) == ["signature"]
    r = ana.post(f"/jobs/{job_id}/delivered", data=b"GIF89a", content_type="image/gif")
    assert r.status_code == 415
    assert shop.get(f"/jobs/{job_id}").json["status"] == "picked_up"


def test_unknown_files_and_fields_are_refused_by_name(carried):
    shop, ana, job_id = carried("photo")
    r = deliver(ana, job_id, photo=jpeg(), selfie=jpeg())
    assert r.status_code == 422 and r.json["fields"] == {"selfie": "Unknown field."}
    r = deliver(ana, job_id, photo=jpeg(), comment="hello")
    assert r.status_code == 422 and "comment" in r.json["fields"]


class FailingStore(FileStore):
    def put(self, key, data, content_type):
        raise OSError("disk full")


def test_a_proof_that_fails_to_store_leaves_the_job_undelivered(carried, app, proof_dir):
    shop, ana, job_id = carried("photo")
    app.extensions[EXTENSION_KEY] = FailingStore(proof_dir)
    r = deliver(ana, job_id, photo=jpeg())
    assert r.status_code == 503 and list(r.json["fields"]) == ["photo"]
    db.session.expire_all()
    assert shop.get(f"/jobs/{job_id}").json["status"] == "picked_up"
    assert db.session.scalars(select(Proof)).all() == []
    assert not db.session.scalars(select(Event).where(Event.action == "delivered")).all()
    app.extensions[EXTENSION_KEY] = FileStore(proof_dir)  # the store is back: so is the stop
    assert deliver(ana, job_id, photo=jpeg()).status_code == 200


def test_a_rolled_back_action_deletes_the_files_it_stored(carried, app, proof_dir):
    from courier.dispatch import runs
    from courier.models import Job, User
    from courier.proofs.policy import Given

    shop, ana, job_id = carried("photo")
    before = {p for p in proof_dir.rglob("*") if p.is_file()}
    runs.mark_delivered(db.session.get(User, ana.id), db.session.get(Job, job_id),
                        given=Given(photo=jpeg()))
    assert {p for p in proof_dir.rglob("*") if p.is_file()} - before  # stored...
    db.session.rollback()  # ...then the transaction fails: the file goes too
    assert {p for p in proof_dir.rglob("*") if p.is_file()} == before


def test_the_offline_queue_replays_a_delivery_with_its_proof_once(carried):
    shop, ana, job_id = carried("signature")
    key = {"Idempotency-Key": "queue-1"}
    first = deliver(ana, job_id, headers=key, signature=signature_png())
    again = deliver(ana, job_id, headers=key, signature=signature_png())
    assert first.status_code == again.status_code == 200
    assert len(shop.get(f"/jobs/{job_id}/proof").json["proofs"]) == 1


def test_others_cannot_read_a_jobs_proof(carried, make_merchant, make_courier):
    shop, ana, job_id = carried("photo")
    assert deliver(ana, job_id, photo=jpeg()).status_code == 200
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    stranger, other = make_merchant("Other shop"), make_courier("Yann", lat=45.77)
    for who in (stranger, other):
        assert who.get(f"/jobs/{job_id}/proof").status_code == 403
        assert who.get(f"/proofs/{proof['id']}/file").status_code == 403


def test_a_shop_exports_the_proofs_of_a_period_as_a_zip_with_a_pdf(carried, make_job,
                                                                     dispatcher, app):
    from zoneinfo import ZoneInfo

    from pypdf import PdfReader

    from courier.models import Job

    shop, ana, signed = carried("signature", on_failure=True)
    assert deliver(ana, signed, signature=signature_png()).status_code == 200
    failed = make_job(shop)["id"]
    run = dispatcher.post(f"/jobs/{failed}/assign",
                          json={"courier_id": ana.user.courier.id, "reason": "test"}).json
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    assert ana.post(f"/jobs/{failed}/picked-up").status_code == 200
    r = ana.post(f"/jobs/{failed}/failed", **form(reason="closed door", photo=jpeg()))
    assert r.status_code == 200, r.json
    # the period is the coop's local days (near midnight, not the UTC date)
    ended = db.session.get(Job, signed).delivered_at.astimezone(
        ZoneInfo(app.config["COOP_TIMEZONE"]))
    day = ended.date().isoformat()

    r = shop.get(f"/proofs/export?from={day}&to={day}")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    assert sorted(archive.namelist()) == sorted([
        f"job-{signed}-delivered-signature.png", f"job-{failed}-failed-photo.jpg",
        "summary.pdf"])
    assert archive.read(f"job-{failed}-failed-photo.jpg")[:2] == b"\xff\xd8"
    pages = PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages
    assert len(pages) == 2  # one page per delivery
    first, second = (page.extract_text() for page in pages)
    assert f"Livraison n° {signed}" in first and "Livrée" in first  # the coop's language
    assert ended.strftime("%Y-%m-%d %H:%M") in first  # the time, in the coop's zone
    assert "Ana" in first and "Lopez" not in first  # the courier's first name only
    assert "Signature" in first and len(pages[0].images) == 1
    assert f"Livraison n° {failed}" in second and "Échec" in second
    assert "closed door" in second and "Photo" in second and len(pages[1].images) == 1

    other = shop.get("/proofs/export?from=2000-01-01&to=2000-01-02")  # nothing then
    assert zipfile.ZipFile(io.BytesIO(other.data)).namelist() == ["summary.pdf"]
    bad = shop.get(f"/proofs/export?from={day}&to=2000-01-01")
    assert bad.status_code == 422 and "to" in bad.json["fields"]
    assert ana.get(f"/proofs/export?from={day}&to={day}").status_code == 403


def test_a_shop_gives_its_own_code_for_the_recipient(make_merchant, make_courier, dispatcher):
    shop, ana = make_merchant(), make_courier("Ana")
    assert shop._call("put", "/shop/proof-policy", json={"required": "code"}).status_code == 200
    from tests.conftest import job_body

    bad = shop.post("/jobs", json=job_body(recipient={"name": "Rita", "code": "12ab"}))
    assert bad.status_code == 422 and "recipient.code" in bad.json["fields"]
    job = shop.post("/jobs", json=job_body(recipient={"name": "Rita", "code": "482193"})).json
    assert shop.get(f"/jobs/{job['id']}/proof").json["code"] == "482193"
    assert "482193" not in str(shop.get(f"/jobs/{job['id']}").json)  # not in the job's dumps
    run = dispatcher.post(f"/jobs/{job['id']}/assign",
                          json={"courier_id": ana.user.courier.id, "reason": "test"}).json
    assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
    assert ana.post(f"/jobs/{job['id']}/picked-up").status_code == 200
    assert "482193" not in str(ana.get("/courier/runs").json)  # never the courier's
    r = ana.post(f"/jobs/{job['id']}/delivered", json={"code": "000000"})
    assert r.status_code == 422 and r.json["fields"] == {"code": "does not match"}
    assert ana.post(f"/jobs/{job['id']}/delivered", json={"code": "482193"}).status_code == 200
    from courier.dispatch import retention
    from courier.models import Job

    retention.redact(db.session.get(Job, job["id"]), None, "request")
    db.session.commit()
    assert db.session.get(Job, job["id"]).recipient_code is None
    assert shop.get(f"/jobs/{job['id']}/proof").json["code"] is None
