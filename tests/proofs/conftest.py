"""Fixtures of the proofs' tests: proof files in a folder of the test run, images made
on the spot, and a job picked up by its courier, ready to be delivered."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from tests.conftest import base_config


@pytest.fixture(scope="session")
def proof_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("proofs")


@pytest.fixture
def app_config(database_url, proof_dir):
    return base_config(database_url, PROOF_DIR=str(proof_dir))


def jpeg(size=(800, 600), color=(200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def signature_png(strokes=True) -> bytes:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    if strokes:
        ImageDraw.Draw(image).line([(20, 90), (80, 30), (150, 100), (280, 20)],
                                   fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def carried(make_merchant, make_courier, make_job, dispatcher):
    """``carried(rule=None, on_failure=False)``: a shop (asking for ``rule``), its job
    picked up by Ana; returns (shop, ana, job id)."""
    def make(rule=None, on_failure=False):
        shop, ana = make_merchant(), make_courier("Ana Lopez")
        if rule is not None:
            r = shop._call("put", "/shop/proof-policy",
                           json={"required": rule, "on_failure": on_failure})
            assert r.status_code == 200, r.json
        job = make_job(shop)
        run = dispatcher.post(f"/jobs/{job['id']}/assign",
                              json={"courier_id": ana.user.courier.id, "reason": "test"}).json
        assert ana.post(f"/runs/{run['id']}/accept").status_code == 200
        assert ana.post(f"/jobs/{job['id']}/picked-up").status_code == 200
        return shop, ana, job["id"]
    return make
