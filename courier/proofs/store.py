"""Where proof files go: one small interface (``put``, ``get``, ``delete``) with two
stores, chosen by the config (``PROOF_STORE``): files under the instance folder (the
default), or an S3-compatible bucket through boto3 (production: AWS, MinIO, Garage...).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

from courier.errors import DomainError

EXTENSION_KEY = "courier.proof_store"  # app.extensions: the store of this app


class NotStored(DomainError):
    """The proof store could not be written or read: nothing was marked (503, retried by
    the phone's offline queue)."""

    status = 503


class ProofStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class FileStore:
    """Files under ``root``: one per proof, written whole (a temporary file renamed)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"proof key outside the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """Objects in an S3-compatible bucket, under ``prefix``."""

    def __init__(self, bucket: str, prefix: str = "", client=None, **client_options):
        if client is None:
            import boto3

            client = boto3.client("s3", **{k: v for k, v in client_options.items() if v})
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data,
                               ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def build(config: dict, instance_path: str) -> ProofStore:
    """The store the config names."""
    kind = config.get("PROOF_STORE") or "files"
    if kind == "files":
        return FileStore(config.get("PROOF_DIR") or Path(instance_path) / "proofs")
    if kind == "s3":
        if not config.get("PROOF_S3_BUCKET"):
            raise RuntimeError("PROOF_STORE is s3: set PROOF_S3_BUCKET")
        return S3Store(config["PROOF_S3_BUCKET"], config.get("PROOF_S3_PREFIX") or "",
                       endpoint_url=config.get("PROOF_S3_ENDPOINT_URL"),
                       region_name=config.get("PROOF_S3_REGION"))
    raise RuntimeError(f"PROOF_STORE must be files or s3, not {kind!r}")


def store() -> ProofStore:
    """This app's proof store (built once, from its config)."""
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = current_app.extensions[EXTENSION_KEY] = build(current_app.config,
                                                              current_app.instance_path)
    return found
