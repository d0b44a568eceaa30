"""The proof store: files under a folder by default, an S3-compatible bucket in
production (tested against moto's S3 server, a real HTTP endpoint boto3 talks to)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from courier.proofs.store import FileStore, S3Store, build


def _round_trip(store) -> None:
    store.put("7/12/delivered-photo-ab.jpg", b"\xff\xd8photo", "image/jpeg")
    assert store.get("7/12/delivered-photo-ab.jpg") == b"\xff\xd8photo"
    store.put("7/12/delivered-photo-ab.jpg", b"\xff\xd8again", "image/jpeg")
    assert store.get("7/12/delivered-photo-ab.jpg") == b"\xff\xd8again"
    store.delete("7/12/delivered-photo-ab.jpg")
    store.delete("7/12/delivered-photo-ab.jpg")  # twice: no error
    with pytest.raises((FileNotFoundError, ClientError)):  # gone from the folder, the bucket
        store.get("7/12/delivered-photo-ab.jpg")


def test_the_file_store_writes_reads_and_deletes(tmp_path):
    _round_trip(FileStore(tmp_path))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing left behind


def test_the_file_store_keeps_keys_inside_its_folder(tmp_path):
    with pytest.raises(ValueError):
        FileStore(tmp_path / "proofs").put("../escape.jpg", b"x", "image/jpeg")


def test_the_config_chooses_the_store(tmp_path):
    assert isinstance(build({}, str(tmp_path)), FileStore)
    with pytest.raises(RuntimeError, match="PROOF_S3_BUCKET"):
        build({"PROOF_STORE": "s3"}, str(tmp_path))
    with pytest.raises(RuntimeError):
        build({"PROOF_STORE": "ftp"}, str(tmp_path))


@pytest.fixture(scope="module")
def s3_endpoint():
    server_mod = pytest.importorskip("moto.server", reason="pip install -e '.[test]'")
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_the_s3_store_writes_reads_and_deletes(s3_endpoint, monkeypatch):
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(
        Bucket="coop-proofs", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    store = build({"PROOF_STORE": "s3", "PROOF_S3_BUCKET": "coop-proofs",
                   "PROOF_S3_PREFIX": "proofs/", "PROOF_S3_ENDPOINT_URL": s3_endpoint}, "")
    assert isinstance(store, S3Store)
    store.put("1/2/x.jpg", b"\xff\xd8", "image/jpeg")
    head = store.client.head_object(Bucket="coop-proofs", Key="proofs/1/2/x.jpg")
    assert head["ContentType"] == "image/jpeg"
    store.delete("1/2/x.jpg")
    _round_trip(store)


@pytest.fixture
def s3_app_config(database_url, s3_endpoint, monkeypatch):
    import boto3

    from tests.conftest import base_config

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    if "app-proofs" not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket="app-proofs",
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return base_config(database_url, PROOF_STORE="s3", PROOF_S3_BUCKET="app-proofs",
                       PROOF_S3_PREFIX="coop/", PROOF_S3_ENDPOINT_URL=s3_endpoint)


@pytest.fixture
def app_config(s3_app_config):
    return s3_app_config


def test_the_app_keeps_proofs_in_the_bucket_and_erases_them_there(carried, s3_endpoint):
    import boto3

    from courier.dispatch import retention
    from courier.extensions import db
    from courier.models import Job
    from tests.proofs.conftest import jpeg
    from tests.proofs.test_proofs_api import deliver

    bucket = boto3.client("s3", endpoint_url=s3_endpoint)

    def keys():
        listed = bucket.list_objects_v2(Bucket="app-proofs", Prefix="coop/")
        return [o["Key"] for o in listed.get("Contents", [])]

    before = keys()
    shop, ana, job_id = carried("photo")
    assert deliver(ana, job_id, photo=jpeg()).status_code == 200
    (stored,) = set(keys()) - set(before)
    assert stored.startswith(f"coop/{shop.user.merchant.id}/{job_id}/delivered-photo-")
    (proof,) = shop.get(f"/jobs/{job_id}/proof").json["proofs"]
    image = shop.get(proof["url"].removeprefix("/api/v1"))
    body = bucket.get_object(Bucket="app-proofs", Key=stored)
    assert image.status_code == 200 and image.data == body["Body"].read()
    assert body["ContentType"] == "image/jpeg"
    retention.redact(db.session.get(Job, job_id), None, "request")
    db.session.commit()
    assert stored not in keys()  # erased from the bucket with the recipient's data
