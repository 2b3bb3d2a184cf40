"""The lessons as static web pages (``make html``): a course site a student reads on a phone,
without a kernel and without the internet.

Each lesson of each edition is executed top to bottom in the quick mode (``SSD_COURSE_QUICK=1``,
small data, seconds) and in the static mode (``SSD_COURSE_STATIC=1``: every explorer shows its
figure as a picture, a quiz its questions), then written with nbconvert's HTML exporter to
``build/html/<edition>/<lesson>.html``, with an ``index.html`` that gives each lesson's title and
one-line summary in its edition's language. A teacher can preview a lesson the same way.

What a phone needs, and what the pages therefore do:

* a readable column: ``meta viewport``, at most ``46em`` wide, a comfortable line height, no
  ``In [3]:`` prompts, wide code, tables and figures scrolled or scaled inside the column;
* a font stack that has Chinese (``FONT_STACK``): PingFang SC, Noto Sans CJK SC, Microsoft
  YaHei ... before the generic ``sans-serif`` (a browser's default is a serif font), after the
  Latin faces that set Latin words, digits and § · “” at their own width;
* formulas typeset offline: MathJax 3 (its single-file ``tex-svg-full.js``, SVG output, so no
  web fonts to load) comes from an installed package (``django-static-mathjax`` in
  requirements.txt, a plain copy of MathJax's release files), copied once into
  ``<out>/static/mathjax/`` and referenced relatively. Nothing is loaded from the network: the
  template drops nbconvert's CDN scripts (require.js, the widget manager, mermaid);
* no stray spaces: a line break between two Chinese characters of a markdown paragraph shows as a
  space in a browser, so the page joins such lines (``join_cjk_lines``; the zh lessons are
  written one line per paragraph anyway, tests/test_zh_style.py checks it).

A lesson's title is its notebook's first heading; its summary is the notebook's metadata field
``ssd_course.summary`` when the lesson sets one (edit it in JupyterLab's property inspector, or
in the notebook's JSON), else the first sentence of the first plain paragraph after the title.
nbconvert comes with JupyterLab (the course environment); it is imported only here.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import queue
import re
import shutil
import time
from pathlib import Path
from typing import Iterable, Sequence

from .i18n import languages, pgettext, using_language
from .paths import SOURCE_ROOT, write_atomically

__all__ = ["lesson_files", "lesson_title", "lesson_summary", "build_lesson", "build_html",
           "render_lesson", "available_editions", "edition_title", "join_cjk_lines", "mathjax_source",
           "FONT_STACK"]

#: The body font, both editions. A Latin face first, for letters, digits and the marks the two
#: scripts share (§ · “”), which a Chinese face sets full-width ("§ 2.2", "第 1 课 · 目标");
#: a Latin face has no Chinese, so every 汉字 and full-width mark (，。：) comes from the first
#: Chinese face found: macOS/iOS, Linux/Android (Noto Sans CJK = Source Han Sans), Windows.
LATIN_FONTS = ('-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
               '"Noto Sans"')
CJK_FONTS = ('"PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", '
             '"Microsoft YaHei", "WenQuanYi Micro Hei"')
FONT_STACK = f"{LATIN_FONTS}, {CJK_FONTS}, sans-serif"
MONO_FONTS = ('ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", '
              '"Noto Sans Mono CJK SC", "Microsoft YaHei Mono", monospace')

#: The MathJax file the pages load: MathJax 3's TeX input and SVG output in one file, with
#: every TeX extension built in (nothing is fetched later, and SVG needs no web fonts).
MATHJAX_FILE = "tex-svg-full.js"
STATIC = "static"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL = "\u3000-\u303f\uff00-\uffef"                   # 、。《》「」 ，：；？！（）
_SHARED = "\u2018\u2019\u201c\u201d\u2026\u2014"            # “” ‘’ … —: Chinese and English use them
_WIDE = _HAN + _FULL + _SHARED


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


# ---------------------------------------------------------------------------- the words


def _last_char(line: str) -> str:
    """The last character a reader sees on ``line``: closing emphasis and a link's target set
    aside (``**交并比**`` and ``[术语表](01.ipynb)`` end with 比 and 表)."""
    line = line.rstrip()
    for _ in range(3):
        line = re.sub(r"\]\([^()\s]*(\([^()]*\))?[^()]*\)$", "]", line).rstrip("*_~]")
    return line[-1:]


def _first_char(line: str) -> str:
    return line.lstrip().lstrip("*_~[")[:1]


def _seen_as_space(last: str, first: str) -> bool:
    """Whether a line break between ``last`` and ``first`` shows as a stray space: between two
    Chinese characters, or next to Chinese punctuation (``，⏎SSD`` reads ``， SSD``). The
    quotes, ellipsis and dash that English shares (“” ‘’ … —) count only beside a Chinese one."""
    if not last or not first:
        return False
    both_wide = re.match(f"[{_WIDE}]", last) and re.match(f"[{_WIDE}]", first)
    shared = re.match(f"[{_SHARED}]", last) and re.match(f"[{_SHARED}]", first)
    return bool((both_wide and not shared)
                or re.match(f"[{_FULL}]", last) or re.match(f"[{_FULL}]", first))


def join_cjk_lines(markdown: str) -> str:
    """``markdown`` with each line break inside a paragraph between two Chinese characters
    removed (a browser shows it as a space: ``默认框的尺度⏎由公式决定``). Breaks between
    paragraphs, list items, table rows, headings, HTML lines and code are kept."""
    lines = markdown.split("\n")
    out: list[str] = []
    fence = None
    for line in lines:
        bare = re.sub(r"^(\s{0,3}>\s?)+", "", line)
        m = re.match(r"\s{0,3}(`{3,}|~{3,})", bare)
        if fence is not None or m:
            if fence is None:
                fence = m.group(1)[:3]
            elif m and m.group(1).startswith(fence):
                fence = None
            out.append(line)
            continue
        prev = out[-1] if out else ""
        prev_bare = re.sub(r"^(\s{0,3}>\s?)+", "", prev)
        quote = re.match(r"(\s{0,3}>\s?)+", line)
        prev_quote = re.match(r"(\s{0,3}>\s?)+", prev)
        same_block = bool(quote) == bool(prev_quote)
        if (out and same_block and prev_bare.strip() and bare.strip()
                and not re.match(r"\s{0,3}(#{1,6}(\s|$)|\||<|\$\$)", prev_bare)
                and not re.match(r"\s*(#{1,6}(\s|$)|\||<|\$\$|([-*+]|\d{1,3}[.)])(\s|$))", bare)
                and not prev.endswith(("  ", "\\"))
                and _seen_as_space(_last_char(prev), _first_char(bare))):
            out[-1] = prev.rstrip() + bare.lstrip()
            continue
        out.append(line)
    return "\n".join(out)


def _plain(markdown: str) -> str:
    """A line of markdown as text: links keep their words, emphasis and code marks go."""
    text = join_cjk_lines(markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _markdown_cells(nb) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "markdown"]


def _load(notebook) -> dict:
    if isinstance(notebook, (str, os.PathLike)):
        return json.loads(Path(notebook).read_text(encoding="utf-8"))
    return notebook


def lesson_title(notebook) -> str:
    """The lesson's title: the text of its notebook's first heading (``# 第 1 课 · ...``)."""
    nb = _load(notebook)
    for cell in _markdown_cells(nb):
        for line in cell.splitlines():
            m = re.match(r"\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if m:
                return _plain(m.group(1))
    return Path(notebook).stem if isinstance(notebook, (str, os.PathLike)) else ""


def lesson_summary(notebook) -> str:
    """The lesson in one sentence for the index: the notebook's metadata ``ssd_course.summary``
    when the lesson sets it; else the first sentence of the first plain paragraph after the
    title (not a quote, a list, a table, an italic byline or a heading)."""
    nb = _load(notebook)
    given = (nb.get("metadata", {}).get("ssd_course") or {}).get("summary")
    if given:
        return _plain(given)
    seen_title = False
    for cell in _markdown_cells(nb):
        for block in re.split(r"\n\s*\n", join_cjk_lines(cell)):
            block = block.strip()
            if not block:
                continue
            if re.match(r"#{1,6}\s", block):
                if seen_title:
                    return ""                               # a section began: no summary there
                seen_title = True
                rest = block.split("\n", 1)
                if len(rest) == 1:
                    continue
                block = rest[1].strip()
            if not seen_title or re.match(r"(>|\||<|[-*+]\s|\d+[.)]\s|```|~~~|\$\$)", block):
                continue
            if re.fullmatch(r"(\*[^*].*\*|_[^_].*_)", block, flags=re.S):
                continue                                    # the italic byline under the title
            text = _plain(block)
            m = re.match(r"(.+?(?:[。！？]|[.!?](?=\s|$)))", text)
            return (m.group(1) if m else text).strip()
    return ""


# ---------------------------------------------------------------------------- the page


def mathjax_source() -> Path:
    """MathJax's single-file build in the installed package (``django-static-mathjax``, the
    release files of MathJax 3 as its npm package ships them)."""
    spec = importlib.util.find_spec("mathjax")              # django-static-mathjax's package
    if spec is None or not spec.origin:                     # pragma: no cover - told how to fix
        raise RuntimeError("make html typesets formulas with MathJax from the package "
                           "django-static-mathjax (requirements.txt): pip install -r "
                           "requirements.txt")
    path = Path(spec.origin).parent / "static" / "mathjax" / "es5" / MATHJAX_FILE
    if not path.is_file():                                  # pragma: no cover
        raise RuntimeError(f"{path}: not found in the installed django-static-mathjax")
    return path


def _copy_mathjax(static: Path) -> Path:
    """``static/mathjax/tex-svg-full.js`` (and MathJax's licence), copied once."""
    source = mathjax_source()
    target = static / "mathjax" / MATHJAX_FILE
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        licence = source.parents[1] / "LICENSE"
        if licence.is_file():
            shutil.copyfile(licence, target.parent / "LICENSE")
    return target


def _css(edition: str) -> str:
    # Chinese has no italic: code comments (italic in the highlighting style) stand upright
    upright = (".highlight .c, .highlight .ch, .highlight .cm, .highlight .cpf, .highlight .c1, "
               ".highlight .cs, .highlight .sd {{ font-style: normal; }}\n" if edition == "zh" else "")
    return upright.replace("{{", "{").replace("}}", "}") + f"""
:root {{
  --ssd-font: {FONT_STACK};
  --jp-content-font-family: var(--ssd-font);
  --jp-ui-font-family: var(--ssd-font);
  --jp-code-font-family: {MONO_FONTS};
  --jp-content-line-height: 1.75;
  --jp-content-font-size1: 16px;
  --jp-code-font-size: 13px;
}}
html {{ -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }}
body.jp-Notebook, body.ssd-index {{
  font-family: var(--ssd-font); line-height: 1.75; margin: 0; padding: 0; overflow-x: hidden;
}}
main, .ssd-page {{ max-width: 46rem; margin: 0 auto; padding: 0.5em 1em 3em; box-sizing: border-box; }}
.jp-Notebook .jp-Cell {{ padding: 0.25em 0; }}
.jp-InputPrompt, .jp-OutputPrompt {{ display: none; }}
.jp-RenderedHTMLCommon {{ font-family: var(--ssd-font); font-size: 16px; line-height: 1.75;
  padding-right: 0; overflow-wrap: break-word; }}
.jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon li {{ line-height: 1.75; }}
.jp-RenderedHTMLCommon h1 {{ font-size: 1.6em; line-height: 1.35; }}
.jp-RenderedHTMLCommon h2 {{ font-size: 1.3em; line-height: 1.4; }}
.jp-RenderedHTMLCommon h3 {{ font-size: 1.12em; }}
.ssd-scroll {{ max-width: 100%; overflow-x: auto; margin-bottom: 1em; }}
.jp-RenderedHTMLCommon .ssd-scroll > table {{ table-layout: auto; width: max-content;
  max-width: 44rem; margin: 0; font-size: 14px; line-height: 1.5; }}
.jp-RenderedHTMLCommon blockquote {{ margin: 1em 0; padding: 0.1em 0 0.1em 1em; }}
img, svg, video {{ max-width: 100%; height: auto; }}
.jp-InputArea-editor, .jp-OutputArea-output {{ min-width: 0; overflow-x: auto; }}
.jp-OutputArea-output pre, .jp-RenderedHTMLCommon pre {{ overflow-x: auto; }}
mjx-container[display="true"] {{ overflow-x: auto; overflow-y: hidden; max-width: 100%; }}
nav.ssd-nav {{ display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5em 1em;
  font-size: 15px; margin: 0.5em 0; }}
nav.ssd-nav a {{ text-decoration: none; }}
.ssd-index h1 {{ font-size: 1.6em; line-height: 1.35; margin-bottom: 0.2em; }}
.ssd-index .ssd-subtitle {{ color: #555; margin-top: 0; }}
.ssd-index h2 {{ font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }}
.ssd-index ol {{ list-style: none; padding: 0; }}
.ssd-index li {{ margin: 0.9em 0; }}
.ssd-index li a {{ font-weight: 600; font-size: 1.08em; text-decoration: none; }}
.ssd-index li p {{ margin: 0.15em 0 0; color: #333; }}
"""


#: MathJax 3's settings: the TeX delimiters JupyterLab reads ($…$, $$…$$, \\(…\\), \\[…\\]),
#: SVG output with one shared glyph cache, no menu of its own (it offers to load more files).
_MATHJAX_CONFIG = r"""window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams'},
  svg: {fontCache: 'global'},
  options: {enableMenu: false, ignoreHtmlClass: 'tex2jax_ignore|jp-OutputArea-output'}
};"""

#: nbconvert's "lab" page, less everything it would fetch from a CDN, with the course's
#: MathJax, styles and navigation.
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}
<script>{{ resources.ssd_mathjax_config }}</script>
<script id="MathJax-script" defer src="{{ resources.ssd_mathjax_src }}"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">{{ resources.ssd_css }}</style>
{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.ssd_nav }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.ssd_nav }}
{{ super() }}
{% endblock body_footer %}
"""


def _exporter(edition: str):
    from nbconvert import HTMLExporter

    code = edition.split("_")[0].split("-")[0]              # nbconvert takes ISO 639-1: "zh"
    return HTMLExporter(template_name="lab", raw_template=_TEMPLATE, exclude_input_prompt=True,
                        exclude_output_prompt=True, language_code=code)


def _edition_of(notebook: Path) -> str:
    return notebook.parent.name or "en"


def _lang_attribute(edition: str) -> str:
    return {"zh": "zh-CN"}.get(edition, edition)


#: The longest one wait for a kernel's message lasts before it looks again (seconds).
WAIT_SLICE = 1.0


def sliced_wait(get_msg, slice_s: float = WAIT_SLICE):
    """``get_msg(timeout=...)`` of a kernel client's channel, waiting in slices of ``slice_s``
    seconds: it looks again after each slice until a message comes or ``timeout`` (None:
    forever) has passed, then raises ``queue.Empty`` as the channel does.

    Why: now and then (2 cells in about 400 on 2 busy cores, 2026-12-07, with jupyter_client
    8.10 and pyzmq 26.4 or 27.3, ipykernel 6.31 or 7.4 alike) the wake-up for a message that
    had already arrived was missed, and the client slept until the wait timed out: the kernel
    had replied in 0.1 s, the cell "took" its whole timeout (600 s in ``make html``). A new
    wait sees such a message at once, so slicing bounds the stall by one slice."""
    async def get_msg_sliced(timeout=None, **kwargs):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(timeout=slice_s if left is None else min(slice_s, left),
                                     **kwargs)
            except queue.Empty:
                if left is not None and left <= slice_s:
                    raise
    return get_msg_sliced


def _executor(timeout: int):
    """nbconvert's ``ExecutePreprocessor`` for the ``python3`` kernel whose shell and IOPub
    waits are :func:`sliced_wait`."""
    from jupyter_core.utils import run_sync
    from nbconvert.preprocessors import ExecutePreprocessor

    class SlicedWaits(ExecutePreprocessor):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            for channel in (kc.shell_channel, kc.iopub_channel):
                channel.get_msg = sliced_wait(channel.get_msg)
            return kc

        # ExecutePreprocessor.preprocess starts the client through the synchronous name
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    return SlicedWaits(timeout=timeout, kernel_name="python3")


def build_lesson(notebook: str | os.PathLike, out: str | os.PathLike, timeout: int = 600,
                 static: str | os.PathLike | None = None, nav: str = "") -> Path:
    """Execute one lesson in the quick and static modes and write it as HTML to ``out``
    (``render_lesson``)."""
    import nbformat

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    saved = {k: os.environ.get(k) for k in ("SSD_COURSE_QUICK", "SSD_COURSE_STATIC")}
    os.environ.update(SSD_COURSE_QUICK="1", SSD_COURSE_STATIC="1")   # the kernel inherits them
    try:
        _executor(timeout).preprocess(
            nb, {"metadata": {"path": str(notebook.parent)}})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return render_lesson(nb, out, _edition_of(notebook), static=static, nav=nav)


def render_lesson(nb, out: str | os.PathLike, edition: str,
                  static: str | os.PathLike | None = None, nav: str = "") -> Path:
    """Write an executed lesson ``nb`` (an nbformat notebook) of ``edition`` as HTML to ``out``.

    MathJax goes to ``static`` (default: a ``static`` folder beside ``out``) once; the page
    links it relatively. ``nav`` is HTML put at the top and the bottom of the page."""
    out = Path(out)
    static = Path(static) if static is not None else out.parent / STATIC
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = join_cjk_lines(cell.source)
    nb.metadata.pop("widgets", None)     # the explorers' slider states: no page shows a widget
    nb.metadata["title"] = lesson_title(nb)
    script = _copy_mathjax(static)
    resources = {
        "ssd_mathjax_src": html.escape(Path(os.path.relpath(script, out.parent)).as_posix()),
        "ssd_mathjax_config": _MATHJAX_CONFIG,
        "ssd_css": _css(edition),
        "ssd_nav": nav,
    }
    body, _ = _exporter(edition).from_notebook_node(nb, resources=resources)
    body = re.sub(r'<html lang="[^"]*">', f'<html lang="{_lang_attribute(edition)}">', body, count=1)
    # a wide table scrolls sideways in its own box, laid out to its content (at most 44rem)
    # rather than squeezed to a phone's width one character a line
    body = re.sub(r"(<table\b[^>]*>)", r'<div class="ssd-scroll">\1', body)
    body = body.replace("</table>", "</table></div>")
    _write(out, body)
    return out


def _nav(titles: list[tuple[str, str]], i: int, index: str) -> str:
    """Links to the index and to the lessons before and after the ``i``-th (no words to
    translate: the index is named by the edition, the lessons by their titles)."""
    parts = [f'<a href="{html.escape(index)}">☰ {html.escape(titles[i][2])}</a>']
    if i > 0:
        parts.append(f'<a href="{html.escape(titles[i - 1][0])}">← {html.escape(titles[i - 1][1])}</a>')
    if i + 1 < len(titles):
        parts.append(f'<a href="{html.escape(titles[i + 1][0])}">{html.escape(titles[i + 1][1])} →</a>')
    return '<nav class="ssd-nav">' + "".join(parts) + "</nav>"


def build_html(out: str | os.PathLike = "build/html", editions: Sequence[str] | None = None,
               lessons: Iterable[int] | None = None, root: str | os.PathLike | None = None,
               progress: bool = True) -> list[Path]:
    """Every lesson (or those numbered in ``lessons``) of every edition, as HTML under ``out``,
    and ``out/index.html``. Returns the pages written."""
    out = Path(out)
    wanted = set(lessons) if lessons is not None else None
    pages, sections = [], []
    editions = list(editions if editions is not None else available_editions(root))
    for edition in editions:
        files = lesson_files(edition, root)
        name = edition_title(edition)
        titles = [(f"{nb.stem}.html", lesson_title(nb), name) for nb in files]
        items = []
        for i, nb in enumerate(files):
            if wanted is not None and int(nb.name[:2]) not in wanted:
                continue
            page = out / edition / f"{nb.stem}.html"
            if progress:
                print(f"{edition}/{nb.name} -> {page}", flush=True)
            pages.append(build_lesson(nb, page, static=out / STATIC,
                                      nav=_nav(titles, i, "../index.html")))
            summary = lesson_summary(nb)
            items.append(f'<li><a href="{edition}/{page.name}">{html.escape(titles[i][1])}</a>'
                         + (f"<p>{html.escape(summary)}</p>" if summary else "") + "</li>")
        sections.append(f'<section lang="{_lang_attribute(edition)}"><h2>{html.escape(name)}</h2>'
                        f"<ol>{''.join(items)}</ol></section>")
    first = editions[0] if editions else "en"
    _write(out / "index.html",
           f'<!doctype html>\n<html lang="{_lang_attribute(first)}">\n<head>\n<meta charset="utf-8">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>ssd-course</title>\n<style>{_css(first)}</style>\n</head>\n"
           '<body class="ssd-index"><div class="ssd-page">\n'
           '<h1>ssd-course</h1><p class="ssd-subtitle" lang="en">SSD: Single Shot MultiBox Detector · '
           "ECCV 2016 · arXiv 1512.02325v5</p>\n" + "\n".join(sections) + "\n</div></body>\n</html>\n")
    return pages
