#!/usr/bin/env python3
"""Fetch the front-end libraries into static/vendor/ at pinned versions.

Downloads each package's tarball from the npm registry, checks its published
integrity hash, and copies only the files the pages use. Nothing is loaded from
a CDN at run time; the vendored files are committed. Run again after changing a
version below: ``python scripts/vendor.py``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"

# package -> (version, {path in the tarball: path under static/vendor})
PACKAGES = {
    "socket.io-client": ("4.8.1", {
        "package/dist/socket.io.min.js": "socket.io/socket.io.min.js",
        "package/LICENSE": "socket.io/LICENSE",
    }),
    "leaflet": ("1.9.4", {
        "package/dist/leaflet.js": "leaflet/leaflet.js",
        "package/dist/leaflet.css": "leaflet/leaflet.css",
        "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
        "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
        "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
        "package/dist/images/layers.png": "leaflet/images/layers.png",
        "package/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
        "package/LICENSE": "leaflet/LICENSE",
    }),
    "chart.js": ("4.6.2", {  # the dashboards' charts (static/js/charts.js)
        "package/dist/chart.umd.min.js": "chart.js/chart.umd.min.js",
        "package/LICENSE.md": "chart.js/LICENSE.md",
    }),
}


def fetch(name: str, version: str) -> bytes:
    meta = json.load(urllib.request.urlopen(f"{REGISTRY}/{name}/{version}", timeout=30))
    data = urllib.request.urlopen(meta["dist"]["tarball"], timeout=60).read()
    algo, _, expected = meta["dist"]["integrity"].partition("-")
    digest = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{name}@{version}: integrity mismatch")
    return data


def main() -> None:
    for name, (version, files) in PACKAGES.items():
        with tarfile.open(fileobj=io.BytesIO(fetch(name, version)), mode="r:gz") as tar:
            for src, dst in files.items():
                target = VENDOR / dst
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(src) as fh, open(target, "wb") as out:
                    shutil.copyfileobj(fh, out)
        (VENDOR / files[next(iter(files))].split("/")[0] / "VERSION").write_text(
            f"{name}@{version}\n")
        print(f"vendored {name}@{version}")


if __name__ == "__main__":
    main()
