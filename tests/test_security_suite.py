"""docs/security.md names, for each promise, the test that holds it: every file it names
exists, and none of them is left out of the default test run (the README's command, which
CI runs through .ci/run, with the browser and PostgreSQL required), so the security suite
runs on every change."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
SUITE = ("tests/test_sessions.py", "tests/browser/test_session_end.py",
         "tests/production/test_session_ends.py", "tests/test_request_limits.py",
         "tests/production/test_door_limits.py", "tests/test_nginx_limits.py",
         "tests/test_authz_matrix.py", "tests/test_fuzz_api.py", "tests/test_strict_csv.py",
         "tests/test_csp.py", "tests/browser/test_every_page.py")


def named_tests() -> set[str]:
    return set(re.findall(r"`(tests/[\w/]+\.py)`", DOC.read_text()))


def test_every_test_the_document_names_exists():
    named = named_tests()
    assert set(SUITE) <= named
    assert not [p for p in named if not (ROOT / p).is_file()]


def test_the_default_run_leaves_out_only_what_is_marked_slow():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]
    assert options["addopts"].split("-m", 1)[1].strip() == "'not slow'"
    assert options["testpaths"] == ["tests"]
    run = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    command = ".venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert command in readme and run.rstrip().endswith(command)
    for needed in ("COURIER_TEST_REQUIRE_POSTGRES=1", "COURIER_TEST_REQUIRE_BROWSER=1"):
        assert needed in run  # a browser or database missing fails CI instead of skipping


def test_no_test_of_the_security_suite_is_marked_slow():
    slow = [p for p in named_tests()
            if re.search(r"mark\.slow|pytestmark\s*=.*slow", (ROOT / p).read_text())]
    assert not slow, slow
