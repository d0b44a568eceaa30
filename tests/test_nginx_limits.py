"""The example nginx configuration (deploy/nginx.conf) keeps the app's limits the same
behind it as without it: every body the app would read reaches the app, so each kind of
request meets its own limit and the app's JSON 413, and what nginx refuses itself on the
API is JSON too.

nginx is not run here: its configuration is read and nginx's choice of a location for an
address (exact, then the longest prefix unless a regular expression matches first) is
applied to every API address the app has."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from courier import create_app
from tests.conftest import base_config

CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"
TOKENS = re.compile(r"#[^\n]*|'[^']*'|\"[^\"]*\"|[{};]|[^\s{};#]+")
UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def parse(text: str) -> list:
    """nginx's blocks as nested lists: [args, children] per directive (children None)."""
    stack: list[list] = [[]]
    args: list[str] = []
    for token in TOKENS.findall(text):
        if token.startswith("#"):
            continue  # a comment
        if token == ";":
            stack[-1].append([args, None])
            args = []
        elif token == "{":
            block = [args, []]
            stack[-1].append(block)
            stack.append(block[1])
            args = []
        elif token == "}":
            stack.pop()
        else:
            args.append(token)
    return stack[0]


def directive(block: list, name: str) -> list[str] | None:
    return next((args[1:] for args, children in block if args[0] == name and children is None),
                None)


def size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * UNITS[unit]


def the_server() -> list:
    """The HTTPS server block, the one that proxies to the app."""
    (http,) = [children for args, children in parse(CONF.read_text())
               if args[0] == "server" and any(a[:2] == ["listen", "443"] for a, _ in children)]
    return http


def location_for(server: list, path: str) -> list:
    """The location block nginx chooses for ``path``."""
    prefixes, regexes = [], []
    for args, children in server:
        if args[0] != "location" or args[1].startswith("@"):
            continue
        if args[1] == "=" and args[2] == path:
            return children
        if args[1] in ("~", "~*"):
            regexes.append((re.compile(args[2], re.I if args[1] == "~*" else 0), children))
        elif args[1] != "=":
            stop = args[1] == "^~"
            prefixes.append((args[2] if stop else args[1], stop, children))
    matching = sorted((p for p in prefixes if path.startswith(p[0])), key=lambda p: -len(p[0]))
    if matching and matching[0][1]:
        return matching[0][2]
    for pattern, children in regexes:
        if pattern.search(path):
            return children
    assert matching, f"no location for {path}"
    return matching[0][2]


def named(server: list, name: str) -> list:
    (block,) = [c for a, c in server if a[:2] == ["location", name]]
    return block


def body_addresses():
    """Every API address that takes a body, with a sample path and the app's limit."""
    app = create_app(base_config("sqlite://"))
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or not rule.methods & {"POST", "PUT", "PATCH"}:
            continue
        view = app.view_functions[rule.endpoint]
        limit = getattr(view, "max_body", None) or app.config["MAX_CONTENT_LENGTH"]
        path = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
                      lambda m: "7" if m.group(1) == "int" else "x", rule.rule)
        yield path, limit


ADDRESSES = sorted(set(body_addresses()))


def test_the_api_addresses_include_every_kind_of_body():
    limits = {limit for _, limit in ADDRESSES}
    assert len(limits) >= 3, limits  # JSON, a CSV import, a proof of delivery
    assert ("/api/v1/jobs/7/delivered", max(limits)) in ADDRESSES


@pytest.mark.parametrize(("path", "limit"), ADDRESSES, ids=[p for p, _ in ADDRESSES])
def test_every_body_the_app_reads_reaches_the_app(path, limit):
    server = the_server()
    location = location_for(server, path)
    allowed = directive(location, "client_max_body_size") \
        or directive(server, "client_max_body_size")
    assert allowed and size(allowed[0]) >= limit, (path, allowed, limit)
    assert directive(location, "proxy_pass") == ["http://courier_web"]


@pytest.mark.parametrize(("path", "limit"), ADDRESSES, ids=[p for p, _ in ADDRESSES])
def test_what_nginx_refuses_itself_on_the_api_is_json(path, limit):
    server = the_server()
    location = location_for(server, path)
    pages = {tuple(a[1:-1]): a[-1] for a, c in location if a[0] == "error_page"}
    assert set(pages) == {("413",), ("502", "503", "504")}, pages
    for codes, target in pages.items():
        answer = directive(named(server, target), "return")
        assert directive(named(server, target), "default_type") == ["application/json"]
        assert answer[0] == codes[0] or codes[0] != "413"
        body = json.loads(answer[1].strip("'").replace("\\n", ""))
        assert set(body) == {"error", "fields"}
    allowed = directive(location, "client_max_body_size") \
        or directive(server, "client_max_body_size")
    said = json.loads(directive(named(server, pages[("413",)]), "return")[1]
                      .strip("'").replace("\\n", ""))
    assert said["fields"] == {"_body": f"over {size(allowed[0]) // 1024 ** 2} MB"}


def test_the_choice_of_a_location_is_nginxs():
    server = the_server()
    assert location_for(server, "/api/v1/jobs/12/delivered") is not location_for(
        server, "/api/v1/jobs")
    assert location_for(server, "/api/v1/jobs/12/delivered/x") is location_for(
        server, "/api/v1/jobs")
    assert directive(location_for(server, "/static/app.js"), "alias")
    assert directive(location_for(server, "/courier"), "proxy_pass")
