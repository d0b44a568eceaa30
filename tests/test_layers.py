"""The house holds: no import circle between modules or packages (imports inside
functions included), and no import from a layer up to a higher one (the layers are
declared in pyproject.toml, [tool.courier.layers]; docs/architecture.md draws them)."""

from pathlib import Path

from tests import layers


def test_no_import_circle_between_modules_or_packages():
    found = layers.circles(layers.graph("courier"))
    assert found == {"modules": [], "packages": []}


def test_every_import_runs_down_the_declared_layers():
    assert layers.layer_breaches(layers.graph("courier"), layers.declared_layers()) == []


def test_the_routing_package_stays_pure():
    """Problem in, plan out: routing imports nothing else of the app, nor Flask."""
    g = layers.graph("courier")
    outside = {t for m, ts in g.items() if m.startswith("courier.routing")
               for t in ts if not t.startswith("courier.routing")}
    assert outside == set()
    sources = Path(layers.ROOT, "courier", "routing").rglob("*.py")
    assert not [p.name for p in sources if "flask" in p.read_text() or "sqlalchemy" in
                p.read_text()]


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "toy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_guard_reports_a_circle_hidden_in_a_function(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "low/__init__.py": "",
        "low/a.py": "from toy.low import b\n",
        "low/b.py": "def f():\n    from toy.high import c\n",
        "high/__init__.py": "",
        "high/c.py": "from toy.low.a import thing\n",
    })
    found = layers.circles(layers.graph("toy", root))
    assert found["modules"] == [["toy.high.c", "toy.low.a", "toy.low.b"]]
    assert found["packages"] == [["toy.high", "toy.low"]]


def test_the_guard_reports_an_import_up_a_layer_and_between_siblings(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "top.py": "from toy import base\n",
        "left.py": "from . import right\n",
        "right.py": "",
        "base.py": "import toy.top\n",
        "stray.py": "",
    })
    g = layers.graph("toy", root)
    found = layers.layer_breaches(g, [["toy"], ["toy.top"], ["toy.left", "toy.right"],
                                      ["toy.base"]])
    assert found == [
        "toy.base -> toy.top: imports a layer above (toy.top over toy.base)",
        "toy.left -> toy.right: siblings toy.left and toy.right import each other",
        "toy.stray: on no layer",
    ]


def test_a_compiled_extension_and_a_name_imported_from_a_module_resolve_right(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "fast.c": "",
        "user.py": "from toy import fast\nfrom toy.model import Thing\n",
        "model.py": "class Thing: ...\n",
    })
    assert layers.graph("toy", root)["toy.user"] == {"toy.model"}
