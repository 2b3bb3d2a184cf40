"""What the teacher sees of a review (:mod:`.review`): the homework kinds and flags by name,
``index.html`` and ``grades.csv``.

* :data:`KINDS` and :func:`kind_label`: the homework kinds a pack holds, in the order the page
  and the table show them; :data:`FLAGS`, :func:`flag_label` and :data:`FLAG_COLORS`: the
  flags, what they are called and their colour;
* :func:`index_html`: the page, one row per student (who and when, the summary with its
  字数 per part, thumbnails that open the full picture, the flags in colour), in the course's
  language, self-contained but for the full pictures in ``images/`` beside it;
* :func:`grades_csv`: the table, one row per student and a column per homework kind and flag,
  UTF-8 with a byte-order mark: Excel on a Chinese Windows reads a CSV without one as GBK.

Both take the review's rows (:class:`~ssd_core.homework.class_review.StudentRow`) and read only their
attributes; every string from a pack is escaped here (HTML), and a cell that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``) is quoted (CSV).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from html import escape
from typing import Iterable, Sequence

from ..html import FONT_STACK
from ..i18n import _, language, ngettext, pgettext
from .files import COURSE
from .summary import MIN_CHARACTERS, SUMMARY_PARTS

__all__ = ["KINDS", "SCREENSHOTS", "FLAGS", "FLAG_COLORS", "kind_label", "flag_label",
           "index_html", "grades_csv", "csv_cell"]

#: The homework kinds of the course, as a pack's manifest names them: lesson 3's summary, lesson
#: 5's screenshots of a run (option "screenshot") and its flowchart (option "flowchart").
KINDS: tuple[str, ...] = ("summary", "training_run", "test_run", "test_run_ssd300", "flowchart")
#: The kinds of lesson 5's option "screenshot": any one of them is that option's homework.
SCREENSHOTS: tuple[str, ...] = ("training_run", "test_run", "test_run_ssd300")

#: The flags, in the order the page and the table show them.
FLAGS: tuple[str, ...] = ("problem", "missing", "changed", "same_file", "similar", "short",
                          "several_packs")
#: Each flag's colour on the page: red for what a grade depends on, orange for what the teacher
#: looks at twice, blue for what is only worth knowing.
FLAG_COLORS: dict[str, str] = {"problem": "#b71c1c", "missing": "#c62828", "changed": "#c62828",
                               "same_file": "#e65100", "similar": "#e65100",
                               "short": "#b26a00", "several_packs": "#1565c0"}


#: Each name below is looked up when asked for (in the current language), one at a time.
_KIND_LABELS = {
    "summary": lambda: pgettext("homework kind", "summary"),
    "training_run": lambda: pgettext("homework kind", "training run"),
    "test_run": lambda: pgettext("homework kind", "test run"),
    "test_run_ssd300": lambda: pgettext("homework kind", "test run (SSD300)"),
    "flowchart": lambda: pgettext("homework kind", "flowchart"),
}
_FLAG_LABELS = {
    "problem": lambda: pgettext("review flag", "could not be read"),
    "missing": lambda: pgettext("review flag", "missing homework"),
    "changed": lambda: pgettext("review flag", "changed after packing"),
    "same_file": lambda: pgettext("review flag", "same file as another student"),
    "similar": lambda: pgettext("review flag", "near-identical summary"),
    "short": lambda: pgettext("review flag", "summary too short"),
    "several_packs": lambda: pgettext("review flag", "several packs"),
}
_OPTION_LABELS = {
    "screenshot": lambda: pgettext("lesson 5 option", "screenshots"),
    "flowchart": lambda: pgettext("lesson 5 option", "flowchart"),
}
#: A homework kind's cell: handed in, handed in but changed or damaged, missing (else empty).
_STATE_LABELS = {
    "yes": lambda: pgettext("homework handed in", "yes"),
    "changed": lambda: pgettext("homework handed in", "changed"),
    "missing": lambda: pgettext("homework handed in", "missing"),
}


def kind_label(kind: str) -> str:
    """A homework kind's name in the current language (an unknown kind: as it is)."""
    return _KIND_LABELS[kind]() if kind in _KIND_LABELS else kind


def flag_label(flag: str) -> str:
    """A flag's name in the current language."""
    return _FLAG_LABELS[flag]()


def _words() -> dict[str, str]:
    """Every name and sentence of the page and the table in the current language, looked up
    once per page rather than once per row."""
    return {
        **{f"kind:{k}": kind_label(k) for k in KINDS},
        **{f"flag:{f}": flag_label(f) for f in FLAGS},
        **{f"option:{o}": label() for o, label in _OPTION_LABELS.items()},
        **{f"state:{s}": label() for s, label in _STATE_LABELS.items()},
        "count": _("{n}/{minimum} words"),
        "total": _("in all: {n}/{minimum} words"),
        "lessons": _("lessons {lessons}"),
        "option": _("lesson 5: {option}"),
        "unknown": _("(unknown)"),
        # TRANSLATORS: between the lessons' numbers on the page: "lessons 3, 5"
        "comma": pgettext("between numbers", ", "),
        # TRANSLATORS: between a homework kind and whether it was handed in: "summary: yes"
        "colon": pgettext("between a name and its value", ": "),
        **{f"part:{p.key}": p.title for p in SUMMARY_PARTS},
    }


def _date(when: _dt.datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M}" if when else ""


def _lessons(lessons: Sequence[int], comma: str = ", ") -> str:
    return comma.join(str(n) for n in lessons)


# ---------------------------------------------------------------------------- grades.csv


def csv_cell(value) -> object:
    """A value as a spreadsheet should read it: numbers as they are, text that a spreadsheet
    would run as a formula (``=HYPERLINK(...)`` as a student's name) quoted with ``'``."""
    if isinstance(value, (int, float)) or value is None:
        return "" if value is None else value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _header(w: dict[str, str]) -> list[str]:
    parts = [_("{part} (at least {minimum})").format(part=p.title, minimum=p.minimum)
             for p in SUMMARY_PARTS]
    return ([_("student"), _("pack"), _("date"), _("lessons"), _("lesson 5 option")]
            + [w[f"kind:{k}"] for k in KINDS] + parts
            + [_("word count (at least {minimum})").format(minimum=MIN_CHARACTERS)]
            + [w[f"flag:{f}"] for f in FLAGS])


def _csv_row(row, w: dict[str, str]) -> list:
    summary = row.pack.summary
    counts = ([summary.counts[p.key] for p in SUMMARY_PARTS] + [summary.total] if summary
              else [None] * (len(SUMMARY_PARTS) + 1))
    kinds = row.kinds
    return ([row.student, str(row.pack.path), _date(row.pack.date), _lessons(row.pack.lessons),
             w.get(f"option:{row.pack.option}", "")]
            + [w.get(f"state:{kinds.get(k)}", "") for k in KINDS] + counts
            + [row.flags.get(f, "") for f in FLAGS])


def grades_csv(rows: Iterable) -> bytes:
    """``grades.csv``: a header, then a row per student (:func:`_csv_row`), UTF-8 with a BOM and
    Windows line ends; each flag's cell says what was found, empty when nothing was."""
    w = _words()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(_header(w))
    for row in rows:
        writer.writerow([csv_cell(v) for v in _csv_row(row, w)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------- index.html

_CSS = """
body { font-family: %(font)s; font-size: 14px; line-height: 1.5; color: #1f2328;
       margin: 0; padding: 12px 16px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta { color: #555; margin: 0 0 6px; }
.legend span { display: inline-block; margin: 0 10px 4px 0; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #d0d7de;
         overflow-wrap: anywhere; }
thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; }
col.who { width: 200px; } col.pics { width: 300px; } col.flags { width: 270px; }
tr.flagged td.who { border-left: 4px solid #c62828; }
.name { font-weight: 600; font-size: 15px; }
.small { color: #555; font-size: 12px; }
ul.kinds { list-style: none; padding: 0; margin: 4px 0 0; font-size: 12px; }
.yes { color: #2e7d32; } .missing, .changed, .short-count { color: #c62828; }
.part { margin-bottom: 4px; }
.part b { font-weight: 600; }
.text { white-space: pre-wrap; max-height: 6.2em; overflow: auto; background: #f6f8fa;
        border-radius: 4px; padding: 2px 6px; margin: 2px 0 0; font-size: 13px; }
figure { display: inline-block; margin: 0 6px 6px 0; width: 136px; vertical-align: top; }
figure img { width: 136px; height: auto; border: 1px solid #d0d7de; display: block; }
figcaption { font-size: 11px; color: #555; }
.flag { border-left: 4px solid; padding: 2px 6px; margin: 0 0 4px; font-size: 12px;
        background: #fafafa; }
.flag b { display: block; font-size: 13px; }
.note { font-size: 12px; color: #b71c1c; }
"""


def _kinds_html(row, w: dict[str, str]) -> str:
    """The homework kinds handed in or missing, one a line (those neither are left out)."""
    items = []
    for kind, state in row.kinds.items():
        if state:
            mark = {"yes": "✓", "changed": "!", "missing": "✗"}[state]
            items.append(f"<li class='{state}'>{mark} {escape(w[f'kind:{kind}'])}"
                         f"{escape(w['colon'])}{escape(w[f'state:{state}'])}</li>")
    return f"<ul class='kinds'>{''.join(items)}</ul>"


def _who_html(row, w: dict[str, str]) -> str:
    pack = row.pack
    lines = [f"<div class='name'>{escape(row.student or w['unknown'])}</div>",
             f"<div class='small'>{escape(_date(pack.date))}</div>"]
    if pack.lessons:
        lines.append("<div class='small'>{}</div>".format(escape(
            w["lessons"].format(lessons=_lessons(pack.lessons, w["comma"])))))
    if pack.option:
        lines.append("<div class='small'>{}</div>".format(escape(
            w["option"].format(option=w[f"option:{pack.option}"]))))
    shown = "/".join(pack.path.parts[-2:])               # the full path in the tooltip
    lines.append(f"<div class='small' title='{escape(str(pack.path))}'>{escape(shown)}</div>")
    if pack.problem is None:
        lines.append(_kinds_html(row, w))
    return "".join(lines)


def _summary_html(row, w: dict[str, str]) -> str:
    summary = row.pack.summary
    if summary is None:
        return ""
    out = []
    for p in SUMMARY_PARTS:
        n = summary.counts[p.key]
        cls = "yes" if n >= p.minimum else "short-count"
        count = w["count"].format(n=n, minimum=p.minimum)
        text = summary.texts.get(p.key, "")
        out.append(f"<div class='part'><b>{escape(w[f'part:{p.key}'])}</b> <span class='{cls}'>"
                   f"{escape(count)}</span><div class='text'>{escape(text)}</div></div>")
    cls = "yes" if summary.total >= MIN_CHARACTERS else "short-count"
    total = w["total"].format(n=summary.total, minimum=MIN_CHARACTERS)
    out.append(f"<div class='small {cls}'>{escape(total)}</div>")
    if summary.note:
        out.append(f"<div class='note'>{escape(summary.note)}</div>")
    return "".join(out)


def _pictures_html(row, w: dict[str, str]) -> str:
    out = []
    for f in row.pack.files:
        if f.picture is not None:
            label = w.get(f"kind:{f.kind}", f.name)
            out.append(f"<figure><a href='{escape(f.picture.href)}' target='_blank'>"
                       f"<img src='{f.picture.thumbnail}' alt='{escape(label)}' "
                       f"title='{escape(f.name)} ({f.picture.width}×{f.picture.height})'></a>"
                       f"<figcaption>{escape(label)}</figcaption></figure>")
        elif f.picture_note:
            note = _("{file}: {problem}").format(file=f.name, problem=f.picture_note)
            out.append(f"<div class='note'>{escape(note)}</div>")
    return "".join(out)


def _flags_html(row, w: dict[str, str]) -> str:
    return "".join(f"<div class='flag' style='border-color:{FLAG_COLORS[flag]}'>"
                   f"<b style='color:{FLAG_COLORS[flag]}'>{escape(w[f'flag:{flag}'])}</b>"
                   f"{escape(row.flags[flag])}</div>" for flag in FLAGS if row.flags.get(flag))


def _row_html(row, w: dict[str, str]) -> str:
    flagged = " class='flagged'" if any(row.flags.get(f) for f in FLAGS if f != "several_packs") \
        else ""
    return (f"<tr{flagged}><td class='who'>{_who_html(row, w)}</td>"
            f"<td>{_summary_html(row, w)}</td><td>{_pictures_html(row, w)}</td>"
            f"<td>{_flags_html(row, w)}</td></tr>")


def index_html(rows: Sequence, packs: int, similarity: float,
               when: _dt.datetime | None = None) -> str:
    """``index.html``: the review's page in the current language, for ``rows`` (one per
    student) read from ``packs`` packs, with near-identical summaries flagged from
    ``similarity``."""
    when = when or _dt.datetime.now()
    w = _words()
    flagged = sum(1 for r in rows if any(r.flags.get(f) for f in FLAGS if f != "several_packs"))
    title = _("Homework review · {course}").format(course=COURSE)
    meta = ngettext(
        "{packs} pack, {rows} rows, {flagged} flagged; reviewed {date}. Summaries are flagged "
        "as near-identical from {similarity:.0%} shared 3-character sequences. Click a picture "
        "for its full size.",
        "{packs} packs, {rows} rows, {flagged} flagged; reviewed {date}. Summaries are flagged "
        "as near-identical from {similarity:.0%} shared 3-character sequences. Click a picture "
        "for its full size.", packs).format(
        packs=packs, rows=len(rows), flagged=flagged, date=_date(when), similarity=similarity)
    legend = "".join(f"<span><i class='dot' style='background:{FLAG_COLORS[f]}'></i>"
                     f"{escape(w[f'flag:{f}'])}</span>" for f in FLAGS)
    head = "".join(f"<th>{escape(h)}</th>" for h in (
        _("student"), _("summary (words / minimum)"), _("screenshots and flowchart"),
        _("flags")))
    lang = {"zh": "zh-CN"}.get(language(), language())
    return (f"<!DOCTYPE html>\n<html lang='{escape(lang)}'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{_CSS % {'font': FONT_STACK}}</style></head>"
            f"<body><h1>{escape(title)}</h1><p class='meta'>{escape(meta)}</p>"
            f"<p class='legend small'>{legend}</p><table><colgroup><col class='who'><col>"
            f"<col class='pics'><col class='flags'></colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(_row_html(r, w) for r in rows)}</tbody></table></body></html>\n")
