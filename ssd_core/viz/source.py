"""Lesson 4: a function's source, shown in the notebook.

* :func:`resolve`: the object a dotted name inside ``ssd_core`` names (``"loss.multibox_loss"``);
* :func:`source_file`: the file that defines an object, relative to the repository;
* :func:`show_source`: a function's or class's source (``inspect``) as a :class:`SourceView`,
  which shows as highlighted code with its file and lines.

Lesson 3 shows the loss's body with it, lesson 4 every function it reads;
:func:`ssd_core.viz.code_maps.tf_port_markdown` links our names to their files through it.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import _
from ..paths import SOURCE_ROOT as _ROOT

__all__ = ["resolve", "source_file", "SourceView", "show_source"]


def resolve(dotted: str) -> Any:
    """The object a dotted name inside ``ssd_core`` names (``"loss.multibox_loss"``)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module("ssd_core." + ".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(f"ssd_core.{dotted}: no such module or name")


def _defined(obj) -> Any:
    """What ``inspect`` reads the source of: ``obj`` (a dotted name is resolved) unwrapped of
    its decorators, a classmethod or staticmethod as its function."""
    if isinstance(obj, str):
        obj = resolve(obj)
    target = inspect.unwrap(obj)
    if isinstance(target, (classmethod, staticmethod)):
        target = target.__func__
    return target


def source_file(obj) -> str:
    """The file that defines ``obj`` (a dotted name like :func:`resolve` takes, or the object),
    relative to the repository (``"ssd_core/loss.py"``); its full path when it lies outside."""
    path = Path(inspect.getsourcefile(_defined(obj))).resolve()
    try:
        return path.relative_to(_ROOT).as_posix()
    except ValueError:
        return str(path)


@dataclass
class SourceView:
    """The source of one function or class; shows as highlighted code in a notebook."""

    name: str
    path: str
    first_line: int
    source: str

    @property
    def last_line(self) -> int:
        return self.first_line + self.source.count("\n") - (1 if self.source.endswith("\n") else 0)

    def header(self) -> str:
        return f"{self.name}  ({self.path}, lines {self.first_line}-{self.last_line})"

    def _repr_markdown_(self) -> str:
        # TRANSLATORS: the head of a function's source shown in a notebook (lesson 4); keep the
        # Markdown marks (** and `) around the name and the path
        head = _("**`{name}`** in `{path}`, lines {first}-{last}").format(
            name=self.name, path=self.path, first=self.first_line, last=self.last_line)
        return f"{head}\n\n```python\n{self.source.rstrip()}\n```"

    def __str__(self) -> str:
        return f"# {self.header()}\n{self.source}"

    def __repr__(self) -> str:
        return str(self)


def show_source(obj, docstring: bool = True) -> SourceView:
    """The source of ``obj`` (a function, class or method of ``ssd_core``), via ``inspect``.

    ``docstring=False`` leaves out the docstring, so that the code itself fits on a screen.
    """
    target = _defined(obj)
    lines, first = inspect.getsourcelines(target)
    source = "".join(lines)
    if not docstring:
        doc = inspect.getdoc(target)
        if doc:
            for quote in ('"""', "'''"):
                start = source.find(quote)
                if start != -1:
                    end = source.find(quote, start + 3)
                    if end != -1:
                        cut_end = source.find("\n", end) + 1
                        cut_start = source.rfind("\n", 0, start) + 1
                        source = source[:cut_start] + source[cut_end:]
                        break
    name = getattr(target, "__qualname__", getattr(target, "__name__", str(target)))
    return SourceView(name, source_file(target), first, source)
