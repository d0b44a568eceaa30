"""The house's imports, read from the code: every ``import`` of a package's modules,
function-level ones included, resolved to the module it names.

:func:`graph` reads a package from disk; :func:`circles` finds the import circles
between modules and between packages; :func:`layer_breaches` holds the graph against
an ordered list of layers (top first; modules on one layer are siblings that may not
import each other; nothing may import a layer above its own).

Run ``python -m tests.layers`` from the repository's root to print the layers as the
code has them, with any circle or breach; ``tests/test_layers.py`` fails on either.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = (".c", ".so", ".pyd")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(name: str, root: Path) -> bool:
    base = root.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _is_extension(name: str, root: Path) -> bool:
    base = root.joinpath(*name.split("."))
    return any(base.with_suffix(ext).is_file() for ext in EXTENSIONS) or any(
        base.parent.glob(base.name + ".*.so"))


def _resolve(name: str, root: Path) -> str | None:
    """The module ``name`` refers to: itself, or its nearest existing parent (``a.b.C``
    names a class of ``a.b``). A compiled extension is no module of the graph."""
    if _is_extension(name, root):
        return None
    parts = name.split(".")
    while parts:
        if _exists(".".join(parts), root):
            return ".".join(parts)
        parts.pop()
    return None


def _imports(path: Path, module: str, package: str, root: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_init = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_init else base[:-1]
                base = base[:len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            names = [f"{stem}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] != package:
                continue
            target = _resolve(name, root)
            if target is not None and target != module:
                out.add(target)
    return out


def graph(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (anywhere in its code)."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue  # Alembic's scripts are run by Alembic, not imported
        module = _module_name(path, root)
        out[module] = _imports(path, module, package, root)
    return out


def _components(nodes: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(nodes.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(nodes.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    members.append(m)
                    if m == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members))
    return sorted(found)


def packages(g: dict[str, set[str]], depth: int = 2) -> dict[str, set[str]]:
    """The graph between packages (module names cut to ``depth`` parts)."""
    out: dict[str, set[str]] = {}
    for src, targets in g.items():
        a = ".".join(src.split(".")[:depth])
        out.setdefault(a, set())
        for t in targets:
            b = ".".join(t.split(".")[:depth])
            if b != a:
                out[a].add(b)
    return out


def circles(g: dict[str, set[str]]) -> dict[str, list[list[str]]]:
    """Import circles between modules, and between packages."""
    return {"modules": _components(g), "packages": _components(packages(g))}


def declared_layers(pyproject: Path = ROOT / "pyproject.toml") -> list[list[str]]:
    """``[tool.courier.layers] order``: top layer first, siblings joined by ``|``."""
    order = tomllib.loads(pyproject.read_text())["tool"]["courier"]["layers"]["order"]
    return [[name.strip() for name in line.split("|")] for line in order]


def _layer_of(module: str, layers: list[list[str]]) -> tuple[int, str] | None:
    """(layer index, the entry it falls under): the longest entry that names the module
    or a subpackage holding it (the top package names only its own ``__init__``)."""
    best = None
    for i, entries in enumerate(layers):
        for entry in entries:
            if module == entry or ("." in entry and module.startswith(entry + ".")):
                if best is None or len(entry) > len(best[1]):
                    best = (i, entry)
    return best


def layer_breaches(g: dict[str, set[str]], layers: list[list[str]]) -> list[str]:
    """Every module outside the declared layers, and every import that runs up a layer
    or across to a sibling."""
    out = []
    for src in sorted(g):
        a = _layer_of(src, layers)
        if a is None:
            out.append(f"{src}: on no layer")
            continue
        for target in sorted(g[src]):
            b = _layer_of(target, layers)
            if b is None or b[1] == a[1]:
                continue
            if b[0] < a[0]:
                out.append(f"{src} -> {target}: imports a layer above ({b[1]} over {a[1]})")
            elif b[0] == a[0]:
                out.append(f"{src} -> {target}: siblings {a[1]} and {b[1]} import each other")
    return out


def main() -> int:
    g = graph("courier")
    layers = declared_layers()
    pk = packages(g)
    for i, entries in enumerate(layers):
        print(f"{len(layers) - i:2d}  {' | '.join(entries)}")
        for entry in entries:
            below = sorted(t for t in pk.get(entry, set()) if _layer_of(t, layers) != (i, entry))
            if below and "." in entry:
                print(f"      {entry} uses {', '.join(below)}")
    found = circles(g)
    problems = [f"circle: {' <-> '.join(c)}" for c in found["modules"] + found["packages"]]
    problems += layer_breaches(g, layers)
    print("\n".join(problems) if problems else "\nno circle, no import up a layer")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
