"""Homework of sessions 2-3: a summary of SSD, 100 words or more, in three parts.

The course asks for SSD's essence (精髓), its weaknesses (缺点) and your ideas to improve it
(改进想法), at least 100 words (字) in all. Lesson 2 starts it (the essence needs only the
model); lesson 3 finishes it (weaknesses and improvements need the loss, mining and augmentation).

**How the word count (字数) is counted** (:func:`count_characters`), as Chinese word
processors count it:

* every CJK character (汉字, and kana or hangul) counts one;
* every Latin word counts one: a run of letters and digits, with ``_`` or ``:`` inside it
  ("conv4_3", "3:1"), a hyphen or an apostrophe inside it ("multi-scale", "SSD's") and a point
  or comma between digits ("74.3", "8,732"), as Word and WPS count such a token;
* punctuation, symbols and whitespace count zero (a full-width "：" too: "3：1" is 2).

So ``"SSD 很快"`` is 3, and an English sentence of twelve words is 12, not its 55 letters.

**Nothing typed is lost.** Each box saves a draft as the student types
(``homework/drafts/summary.json``, written atomically by :mod:`.drafts`); :func:`summary_box`
reads it back, in lesson 3, after a kernel restart, or on another day. The homework file itself,
``homework/lesson03_summary.txt``, is written only when the student asks (the box's save button,
or :func:`export_summary` in a cell that says it writes): running the lesson never writes it.
Saving again replaces it; the version it replaces is kept in ``homework/old/``.
"""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Mapping, Sequence

import ipywidgets as widgets
from IPython.display import display

from ..i18n import N_, _, ngettext, pgettext
from ..viz.explorer import show_static, static_mode
from .buttons import saved_note
from .drafts import load_draft, save_draft
from .files import caption_lines, homework_path, require_student, write_homework_file

__all__ = ["count_characters", "SummaryPart", "SUMMARY_PARTS", "MIN_CHARACTERS", "DRAFT",
           "saved_texts", "save_texts", "summary_file_text", "export_summary", "SummaryBox",
           "summary_box"]

#: The course asks for at least this many words in all (:func:`count_characters`).
MIN_CHARACTERS = 100


@dataclass(frozen=True)
class SummaryPart:
    """One part of the summary: its key, title and prompt (English sentences of the catalog,
    ``title_id`` and ``prompt_id``; :attr:`title` and :attr:`prompt` give them in the current
    language) and the words it needs at least."""

    key: str
    title_id: str
    prompt_id: str
    minimum: int

    @property
    def title(self) -> str:
        """The part's title in the current language."""
        return _(self.title_id)

    @property
    def prompt(self) -> str:
        """The question the part answers, in the current language."""
        return _(self.prompt_id)


SUMMARY_PARTS: tuple[SummaryPart, ...] = (
    SummaryPart("essence", N_("SSD's essence"), N_(
        "What makes SSD a single-shot detector? How do default boxes on several feature maps "
        "replace region proposals, and why does that make it fast?"), 40),
    SummaryPart("weaknesses", N_("Its weaknesses"), N_(
        "Where does SSD fall short? Which figure or table of the paper shows it, and how does the "
        "paper explain it?"), 30),
    SummaryPart("improvements", N_("Your ideas to improve it"), N_(
        "At least one idea to improve SSD, and why you expect it to help."), 30),
)
_PARTS = {p.key: p for p in SUMMARY_PARTS}

_WORD_JOINERS = "-'\u2019\u2010\u2011"      # one hyphen or apostrophe inside a word: SSD's
_TOKEN_JOINERS = "_:"                       # a run of them inside a token: conv4_3, 3:1
_NUMBER_JOINERS = ".,"                      # one between two digits: 74.3, 8,732


def _is_cjk(ch: str) -> bool:
    """A character Chinese word processors count one by one: CJK ideographs (all blocks),
    kana and hangul."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F or 0x3040 <= o <= 0x30FF or 0xAC00 <= o <= 0xD7AF
            or 0x3005 <= o <= 0x3007)


def _is_word_char(ch: str) -> bool:
    return (ch.isalnum() or unicodedata.category(ch).startswith("M")) and not _is_cjk(ch)


def _joins(text: str, i: int) -> bool:
    """Whether ``text[i]``, right after a word character, joins it to the word character
    that follows (see :data:`_WORD_JOINERS`, :data:`_TOKEN_JOINERS`, :data:`_NUMBER_JOINERS`)."""
    ch, before = text[i], text[i - 1]
    if ch in _TOKEN_JOINERS:
        j = i + 1
        while j < len(text) and text[j] in _TOKEN_JOINERS:
            j += 1
        return j < len(text) and _is_word_char(text[j])
    after = text[i + 1] if i + 1 < len(text) else ""
    if ch in _WORD_JOINERS:
        return bool(after) and _is_word_char(after)
    return ch in _NUMBER_JOINERS and before.isdigit() and after.isdigit()


def count_characters(text: str) -> int:
    """The word count (字数) of ``text``: one per CJK character, one per Latin word, nothing
    for punctuation and whitespace (the module docstring gives the rules).

    >>> count_characters("SSD 很快")
    3
    >>> count_characters("SSD的精髓是multi-scale feature maps上的default boxes")
    12
    >>> count_characters("conv4_3 上正负样本 3:1")                  # conv4_3, 上正负样本, 3:1
    7
    """
    text = unicodedata.normalize("NFC", text)
    count, in_word = 0, False
    for i, ch in enumerate(text):
        if _is_cjk(ch):
            count, in_word = count + 1, False
        elif _is_word_char(ch):
            if not in_word:
                count += 1
            in_word = True
        elif in_word and _joins(text, i):
            continue                                   # inside a word: still the same word
        else:
            in_word = False
    return count


# ---------------------------------------------------------------------------- drafts


#: The name of the summary's draft (:mod:`.drafts`): ``homework/drafts/summary.json``.
DRAFT = "summary"


def _texts(data: dict) -> dict[str, str]:
    return {k: str(v) for k, v in data["texts"].items() if k in _PARTS}


def saved_texts(folder: str | os.PathLike | None = None) -> dict[str, str]:
    """The saved draft, ``{part key: text}`` (empty when there is none; one that cannot be read
    is kept aside, :func:`~ssd_core.homework.drafts.load_draft`)."""
    return load_draft(DRAFT, _texts, folder) or {}


def save_texts(texts: Mapping[str, str], folder: str | os.PathLike | None = None) -> Path:
    """Save the draft (atomically: a crash leaves the previous one whole); parts not in
    ``texts`` keep their saved text. Returns its path."""
    merged = {**saved_texts(folder), **{k: v for k, v in texts.items() if k in _PARTS}}
    return save_draft(DRAFT, {"texts": merged}, folder)


# ---------------------------------------------------------------------------- the file


def _verdict(n: int, minimum: int) -> str:
    # TRANSLATORS: the count has reached the minimum; else "{n} short": that many words missing
    return _("enough") if n >= minimum else _("{n} short").format(n=minimum - n)


def _short_name(key: str) -> str:
    """A part's name in the file's count line (English: its key; Chinese: its title)."""
    names = {"essence": pgettext("summary part, in the count line", "essence"),
             "weaknesses": pgettext("summary part, in the count line", "weaknesses"),
             "improvements": pgettext("summary part, in the count line", "improvements")}
    return names.get(key, key)


def summary_file_text(texts: Mapping[str, str], student: str | None = None,
                      when: _dt.datetime | None = None, lesson: int = 3) -> str:
    """What :func:`export_summary` writes: the caption lines (course, lesson, student, date,
    versions), the word count of each part and in all, then each part under its title; in the
    course's language."""
    counts = {p.key: count_characters(texts.get(p.key, "")) for p in SUMMARY_PARTS}
    total = sum(counts.values())
    lines = caption_lines(lesson, student, when, with_device=False)
    # TRANSLATORS: between the parts' counts in the count line
    parts = pgettext("between the parts' counts", ", ").join(
        _("{part} {n}/{minimum}").format(part=_short_name(p.key), n=counts[p.key],
                                         minimum=p.minimum)
        for p in SUMMARY_PARTS)
    # TRANSLATORS: a word is a Chinese character or an English word (count_characters)
    lines.append(_("word count: {total} of {minimum} ({verdict}); {parts}").format(
        total=total, minimum=MIN_CHARACTERS, verdict=_verdict(total, MIN_CHARACTERS),
        parts=parts))
    lines.append("-" * 60)
    for p in SUMMARY_PARTS:
        n = counts[p.key]
        lines += ["", ngettext("## {title}: {n} word", "## {title}: {n} words", n)
                  .format(title=p.title, n=n), "",
                  texts.get(p.key, "").strip() or _("(empty)")]
    return "\n".join(lines) + "\n"


def export_summary(texts, student: str | None = None, *, lesson: int = 3,
                   name: str = "summary", folder: str | os.PathLike | None = None,
                   when: _dt.datetime | None = None, quiet: bool = False) -> Path:
    """Save the summary (``{part: text}``, a :class:`SummaryBox`, or one string for the
    essence) as ``homework/lesson03_summary.txt`` (UTF-8); returns the path.

    An empty summary is refused, and so is a summary without the student's name
    (:func:`~ssd_core.homework.files.require_student`); a short one is saved with its counts.
    A summary saved before is replaced and kept in ``homework/old/``.
    """
    if isinstance(texts, SummaryBox):
        texts = texts.texts
    elif isinstance(texts, str):
        texts = {"essence": texts}
    if not isinstance(texts, Mapping):
        raise TypeError(f"export_summary: give {{part: text}} or the summary box, not a "
                        f"{type(texts).__name__}")
    total = sum(count_characters(texts.get(p.key, "")) for p in SUMMARY_PARTS)
    if total == 0:
        raise ValueError(_("the summary is empty: write it in the boxes first (at least {minimum} "
                           "words in all), then save.").format(minimum=MIN_CHARACTERS))
    who = require_student(student, folder)
    when = when or _dt.datetime.now()
    body = summary_file_text(texts, who, when, lesson)
    path = write_homework_file(body.encode("utf-8"), lesson, name, ".txt", when, folder)
    if not quiet:
        note = "" if total >= MIN_CHARACTERS else _(
            "; note: the homework asks for at least {minimum} words").format(minimum=MIN_CHARACTERS)
        print(ngettext("saved {path} ({n} word)", "saved {path} ({n} words)", total)
              .format(path=path, n=total) + note)
    return path


# ---------------------------------------------------------------------------- the widget


def _saved_html(path: Path, just_now: bool = True) -> str:
    """The save button's note: the file saved (or saved before) and where the version it
    replaces goes (:func:`~ssd_core.homework.buttons.saved_note`)."""
    note = saved_note(path, just_now)
    return f"<span style='color:green'>{escape(note)}</span>" if just_now else \
        f"<small>{escape(note)}</small>"


def _at_least(part: SummaryPart) -> str:
    return ngettext("at least {minimum} word", "at least {minimum} words",
                    part.minimum).format(minimum=part.minimum)


def _heading(part: SummaryPart) -> str:
    """A part's heading in HTML: its title in bold and the words it needs."""
    # TRANSLATORS: a part of the summary and the words it needs: "SSD's essence (at least 40 words)"
    return escape(_("{title} ({at_least})")).format(title=f"<b>{escape(part.title)}</b>",
                                                   at_least=escape(_at_least(part)))


class SummaryBox:
    """Labelled text boxes for the parts of the summary, each with its live word count, a draft
    saved as you type, and (all three parts: lesson 3) the total and a button that writes the
    homework file. A box for some parts (lesson 2's essence) shows only their counts."""

    def __init__(self, parts: Sequence[str] | None = None, student: str | None = None,
                 folder: str | os.PathLike | None = None, lesson: int = 3,
                 autosave: bool = True):
        keys = list(parts) if parts is not None else [p.key for p in SUMMARY_PARTS]
        unknown = [k for k in keys if k not in _PARTS]
        if unknown:
            raise ValueError(f"summary parts are {list(_PARTS)}; got {unknown}")
        self.parts = [_PARTS[k] for k in keys]
        self.student, self.folder, self.lesson, self.autosave = student, folder, lesson, autosave
        self.saved: list[Path] = []
        self.draft = saved_texts(folder)
        self.boxes: dict[str, widgets.Textarea] = {}
        self.counts: dict[str, widgets.HTML] = {}
        rows = []
        for p in self.parts:
            box = widgets.Textarea(value=self.draft.get(p.key, ""), placeholder="SSD ...",
                                   layout=widgets.Layout(width="95%", height="140px"))
            box.observe(lambda _change: self._changed(), names="value")
            self.boxes[p.key], self.counts[p.key] = box, widgets.HTML()
            rows += [widgets.HTML(f"{_heading(p)}<br>"
                                  f"<small>{escape(p.prompt)}</small>"),
                     box, self.counts[p.key]]
        self.total_html = widgets.HTML()
        self.draft_html = widgets.HTML()
        self.save_button = widgets.Button(description=_("Save homework"), icon="save",
                                          layout=widgets.Layout(width="auto"))
        self.save_status = widgets.HTML()
        self.save_button.on_click(lambda _b: self._save_clicked())
        self.file = homework_path(lesson, "summary", ".txt", folder)
        rule = widgets.HTML("<small>{}</small>".format(escape(_(
            "Word count: each Chinese character counts one, each English word counts one "
            "(conv4_3, 3:1 and 74.3 are one word each); "
            "punctuation and spaces count zero."))))
        # Only the whole summary is homework: a box for some parts (lesson 2's start on the
        # essence) keeps the draft and says where the summary is handed in.
        self.hands_in = {p.key for p in self.parts} == set(_PARTS)
        if self.hands_in:
            last = widgets.VBox([widgets.HBox([self.save_button]), self.save_status])
            self.save_status.value = _saved_html(self.file, just_now=False)
        else:
            last = widgets.HTML("<small>{}</small>".format(escape(_(
                "A start: this box keeps a draft only. Lesson 3 hands in the whole summary "
                "(essence, weaknesses, improvements) and finds what you wrote here."))))
        total = [self.total_html] if self.hands_in else []
        self.widget = widgets.VBox(rows + total + [rule, self.draft_html, last])
        self._update()

    @property
    def texts(self) -> dict[str, str]:
        """Every part's text: the boxes shown here, the draft for the others."""
        return {**self.draft, **{k: b.value for k, b in self.boxes.items()}}

    @property
    def count(self) -> int:
        """The word count of the whole summary (all three parts)."""
        return sum(count_characters(self.texts.get(p.key, "")) for p in SUMMARY_PARTS)

    @property
    def enough(self) -> bool:
        """Every part has its minimum and the whole has 100 words."""
        texts = self.texts
        return self.count >= MIN_CHARACTERS and all(
            count_characters(texts.get(p.key, "")) >= p.minimum for p in SUMMARY_PARTS)

    def _changed(self) -> None:
        if self.autosave:
            try:
                path = save_texts({k: b.value for k, b in self.boxes.items()}, self.folder)
                self.draft = saved_texts(self.folder)
                saved = _("draft saved: {path} ({time})").format(
                    path=path, time=f"{_dt.datetime.now():%H:%M:%S}")
                self.draft_html.value = f"<small>{escape(saved)}</small>"
            except OSError as e:               # a full disk must not lose what is in the boxes
                failed = _("draft not saved: {error}").format(error=e)
                self.draft_html.value = f"<small style='color:#b00'>{escape(failed)}</small>"
        self._update()

    def _update(self) -> None:
        for p in self.parts:
            n = count_characters(self.boxes[p.key].value)
            color = "green" if n >= p.minimum else "#b00"
            shown = _("{n} / {minimum} words ({verdict})").format(
                n=n, minimum=p.minimum, verdict=_verdict(n, p.minimum))
            self.counts[p.key].value = f"<span style='color:{color}'>{escape(shown)}</span>"
        if not self.hands_in:                # the parts asked for, not the whole summary
            self.total_html.value = ""
            return
        total = self.count
        color = "green" if self.enough else "#b00"
        shown = _("in all: {n} / {minimum} words ({verdict})").format(
            n=total, minimum=MIN_CHARACTERS, verdict=_verdict(total, MIN_CHARACTERS))
        self.total_html.value = f"<b style='color:{color}'>{escape(shown)}</b>"

    def export(self, student: str | None = None, **kwargs) -> Path:
        """Write the homework file now (:func:`export_summary`); returns its path."""
        kwargs.setdefault("folder", self.folder)
        kwargs.setdefault("lesson", self.lesson)
        path = export_summary(self.texts, student if student is not None else self.student,
                              **kwargs)
        self.saved.append(path)
        self.save_status.value = _saved_html(path)
        return path

    def _save_clicked(self) -> None:
        try:
            self.export(quiet=True)
        except (ValueError, OSError) as e:       # empty text, a folder we cannot write to
            self.save_status.value = f"<span style='color:#b00'>{escape(str(e))}</span>"

    def _ipython_display_(self):
        if static_mode():
            show_static("".join(f"<p>{_heading(p)}<br>{escape(p.prompt)}</p>"
                                for p in self.parts))
        else:
            display(self.widget)


def summary_box(parts: Sequence[str] | None = None, student: str | None = None,
                folder: str | os.PathLike | None = None, lesson: int = 3) -> SummaryBox:
    """The summary's boxes (all three parts, or those named in ``parts``), filled from the
    saved draft; lesson 2 shows ``parts=["essence"]``, lesson 3 all of them."""
    return SummaryBox(parts, student, folder, lesson)
