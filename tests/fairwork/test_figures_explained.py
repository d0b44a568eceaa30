"""Each figure of the member's and the council's pages says in one line how it is computed,
linked to its section of docs/fairwork.md, which the app serves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub (and a reader of the file) makes it."""
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def test_every_how_line_links_a_section_of_the_document(client):
    doc = client.get("/docs/fairwork.md")
    assert doc.status_code == 200 and doc.mimetype == "text/plain"
    text = doc.get_data(as_text=True)
    assert text == (ROOT / "docs" / "fairwork.md").read_text(encoding="utf-8")
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    script = (ROOT / "static" / "js" / "council.js").read_text(encoding="utf-8")
    linked = re.findall(r'^\s+\w+: \[t\("[^"]+"\), "([a-z-]+)"\],$', script, re.M)
    assert len(linked) >= 11
    assert set(linked) <= anchors, set(linked) - anchors
    assert "effective-hourly-pay" in linked and "a-runs-pay" in anchors


def test_only_the_documents_the_pages_link_are_served(client):
    assert client.get("/docs/production.md").status_code == 404
    assert client.get("/docs/..%2fREADME.md").status_code == 404
