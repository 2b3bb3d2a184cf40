"""The lessons as static web pages (``make html``): readable on a phone, without a kernel.

Each lesson of each edition is executed top to bottom in the quick mode (``SSD_COURSE_QUICK=1``,
small data, seconds) and in the static mode (``SSD_COURSE_STATIC=1``: every explorer shows its
figure as a picture, a quiz its questions), then written with nbconvert's HTML exporter to
``build/html/<edition>/<lesson>.html``, with an ``index.html`` that links them. A teacher can
preview a lesson the same way. nbconvert comes with JupyterLab (the course environment); it is
imported only here.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Iterable, Sequence

from .i18n import languages, pgettext, using_language
from .paths import SOURCE_ROOT, write_atomically

__all__ = ["lesson_files", "build_lesson", "build_html", "available_editions", "edition_title"]


def available_editions(root: str | os.PathLike | None = None) -> list[str]:
    """The editions that have lessons (``lessons/<language>/``): the course's languages in
    their order (Chinese first), then any other folder."""
    folder = Path(root or SOURCE_ROOT / "lessons")
    found = {p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("0*.ipynb"))}
    return [lang for lang in languages() if lang in found] + sorted(found - set(languages()))


def edition_title(edition: str) -> str:
    """The edition's name in its own language (the heading of its part of the index)."""
    try:
        with using_language(edition):
            return pgettext("the name of this language's edition of the course", "English edition")
    except ValueError:                                      # lessons without a catalog
        return edition


def lesson_files(edition: str, root: str | os.PathLike | None = None) -> list[Path]:
    """The lessons of ``edition`` (``lessons/<edition>/0*.ipynb``), in order."""
    folder = Path(root or SOURCE_ROOT / "lessons") / edition
    files = sorted(folder.glob("0*.ipynb"))
    if not files:
        raise FileNotFoundError(f"{folder}: no lessons (0*.ipynb) there; run from a clone of "
                                "the ssd-course repository.")
    return files


def _write(path: Path, text: str) -> None:
    write_atomically(path, text)


def build_lesson(notebook: str | os.PathLike, out: str | os.PathLike, timeout: int = 600) -> Path:
    """Execute one lesson in the quick and static modes and write it as HTML to ``out``."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import ExecutePreprocessor

    notebook, out = Path(notebook), Path(out)
    nb = nbformat.read(notebook, as_version=4)
    saved = {k: os.environ.get(k) for k in ("SSD_COURSE_QUICK", "SSD_COURSE_STATIC")}
    os.environ.update(SSD_COURSE_QUICK="1", SSD_COURSE_STATIC="1")   # the kernel inherits them
    try:
        ExecutePreprocessor(timeout=timeout, kernel_name="python3").preprocess(
            nb, {"metadata": {"path": str(notebook.parent)}})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    body, _ = HTMLExporter().from_notebook_node(nb)
    _write(out, body)
    return out


def build_html(out: str | os.PathLike = "build/html", editions: Sequence[str] | None = None,
               lessons: Iterable[int] | None = None, root: str | os.PathLike | None = None,
               progress: bool = True) -> list[Path]:
    """Every lesson (or those numbered in ``lessons``) of every edition, as HTML under ``out``,
    and ``out/index.html``. Returns the pages written."""
    out = Path(out)
    wanted = set(lessons) if lessons is not None else None
    pages, links = [], []
    for edition in (editions if editions is not None else available_editions(root)):
        items = []
        for nb in lesson_files(edition, root):
            if wanted is not None and int(nb.name[:2]) not in wanted:
                continue
            page = out / edition / f"{nb.stem}.html"
            if progress:
                print(f"{edition}/{nb.name} -> {page}", flush=True)
            pages.append(build_lesson(nb, page))
            items.append(f'<li><a href="{edition}/{page.name}">{html.escape(nb.stem)}</a></li>')
        links.append(f"<h2>{html.escape(edition_title(edition))}</h2><ul>{''.join(items)}</ul>")
    _write(out / "index.html", "<!doctype html><meta charset='utf-8'><title>ssd-course</title>"
           "<h1>ssd-course: SSD: Single Shot MultiBox Detector</h1>" + "".join(links))
    return pages
