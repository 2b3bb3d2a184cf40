"""The package's layers, read from every module's imports (ast, nothing is imported).

* Nothing below the top layer (``viz/``, ``homework/``, ``cli.py``, ``__main__.py``,
  ``html.py``: the lessons' explorers, the homework, the command line, the web pages of
  ``make html``, which runs nbconvert) imports it: the core that the lessons show must make
  sense without them.
* No import cycle: no two modules import each other, directly or through others.
* Imports sit at the top of a module; only optional dependencies are imported where they are
  used.
* Every module appears in the module table of both READMEs (the students' map from the paper to
  the files), and every file in those tables exists.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ssd_core"
TOP = ("ssd_core.viz", "ssd_core.homework", "ssd_core.cli", "ssd_core.__main__", "ssd_core.html")
#: Imported inside functions on purpose: optional, or only needed on one rare path.
OPTIONAL = {"pycocotools.coco", "pycocotools.cocoeval", "nbformat", "nbconvert",
            "nbconvert.preprocessors", "jupyter_core.utils"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def resolve(importer: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The ``ssd_core`` modules an import statement names (a package counts as its
    ``__init__``; ``from pkg import submodule`` as the submodule)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "ssd_core"]
    if node.level:
        base = importer.split(".") if is_package(importer) else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "ssd_core":
        return []
    out = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.append(sub if sub in MODULES else target)
    return out


def imports(name: str) -> list[tuple[str, int, bool]]:
    """``(module, line, inside a function)`` for every ssd_core import of module ``name``."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    inner = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in resolve(name, node):
                found.append((target, node.lineno, id(node) in inner))
    return found


def graph() -> dict[str, set[str]]:
    return {name: {t for t, _, _ in imports(name) if t != name} for name in MODULES}


def is_top(name: str) -> bool:
    return any(name == t or name.startswith(t + ".") for t in TOP)


def test_the_resolver_reads_relative_imports():
    assert resolve("ssd_core.viz.mining", ast.parse("from ..train import train_step").body[0]) == \
        ["ssd_core.train"]
    assert resolve("ssd_core.models", ast.parse("from .build import build_ssd").body[0]) == \
        ["ssd_core.models.build"]
    assert resolve("ssd_core.viz.batch_trace", ast.parse("from .. import data").body[0]) == \
        ["ssd_core.data"]
    assert resolve("ssd_core.train", ast.parse("import torch").body[0]) == []


def upward_imports() -> list[tuple[str, int, str]]:
    """``(module, line, top-layer module it imports)`` for every import from below the top."""
    return [(name, line, target) for name in MODULES if not is_top(name)
            for target, line, _ in imports(name) if is_top(target)]


def test_a_core_module_that_imports_html_is_caught(tmp_path, monkeypatch):
    planted = tmp_path / "planted.py"
    planted.write_text("import torch\n\nfrom .html import build_html\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "ssd_core.planted", planted)
    assert upward_imports() == [("ssd_core.planted", 3, "ssd_core.html")]


def test_nothing_below_the_top_layer_imports_it():
    upward = [f"{MODULES[name].relative_to(ROOT)}:{line} imports {target}"
              for name, line, target in upward_imports()]
    assert not upward, "upward imports (the core must not need the lessons' code):\n" + "\n".join(upward)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycles():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_imports_are_at_the_top():
    inner = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for f in ast.walk(tree):
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(f):
                    if isinstance(node, ast.Import):
                        mods = [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom):
                        mods = ["." * node.level + (node.module or "")]
                    else:
                        continue
                    inner += [f"{path.relative_to(ROOT)}:{node.lineno} {m}" for m in mods
                              if m not in OPTIONAL]
    assert not inner, "imports inside functions (move them to the top):\n" + "\n".join(inner)


# --------------------------------------------------------------------------- the map


def readme_table(readme: str) -> list[tuple[str, str]]:
    """``(paper, module cell)`` rows of a README's module table (``| paper |`` or ``| 论文 |``)."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    start = min(i for i in (text.find("| paper | module |"), text.find("| 论文 | 模块 |")) if i >= 0)
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((cells[0], cells[1]))
    return rows


@pytest.mark.parametrize("readme", ["README.md", "README.en.md"])
def test_readme_module_table_matches_the_tree(readme):
    named: set[str] = set()
    for _, cell in readme_table(readme):
        for path in re.findall(r"`([^`]+)`", cell):
            full = ROOT / path
            assert full.exists(), f"{readme}'s module table names {path}, which does not exist"
            named |= {module_name(p) for p in ([full] if full.is_file() else full.rglob("*.py"))}
    missing = sorted(n for n in MODULES if n not in named and not MODULES[n].name.startswith("__"))
    assert not missing, f"modules missing from {readme}'s module table: {missing}"


@pytest.mark.parametrize("name", ["ssd_core.metrics", "ssd_core.train", "ssd_core.inference"])
def test_modules_import_as_modules(name):
    module = importlib.import_module(name)
    assert module.__name__ == name and Path(module.__file__) == MODULES[name]
