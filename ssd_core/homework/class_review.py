"""The teacher's review of a class's packs: who handed in what, and what to look at twice.

    python -m ssd_core homework review submissions/ --out review/

:func:`review` reads every pack (the ``lesson05_pack.zip`` that :func:`~.pack.pack` writes: zip
files, or folders searched with their subfolders) and writes into ``out``:

* ``index.html``: one row per student, with the date, the lessons, each homework kind there or
  missing, the summary's text with its 字数 per part against the minimums, thumbnails of the
  screenshots and the flowchart (a click opens the full picture, copied to ``out/images/``), and
  the flags in colour; in the course's language;
* ``grades.csv``: the same, a row per student and a column per homework kind and flag (UTF-8
  with a byte-order mark, so Excel on a Chinese Windows opens it).

For each pack it checks every file's SHA-256 against the manifest and counts the summary again
with the lessons' own :func:`~.summary.count_characters` (the count written in the file is not
trusted). A student who handed in several packs gets one row: the newest by the manifest's date
counts, the others are listed. **The flags** (:data:`~.review_page.FLAGS`):

* *could not be read*: the pack, or a picture in it, with the reason in plain words;
* *missing homework*: no summary, or nothing of lesson 5's option (a screenshot of a run, or
  the flowchart, as the manifest's ``option`` says; either when it says neither);
* *changed after packing*: a file whose bytes differ from the manifest's SHA-256 or size, a
  file listed but not in the zip, or one in the zip but not listed;
* *same file as another student*: two students' packs hold a file with the same SHA-256;
* *near-identical summary*: two summaries share at least :data:`SIMILARITY` of their
  3-character sequences (Jaccard similarity of character 3-grams, letters and digits only;
  the value and the other student are shown);
* *summary too short*: a part under its minimum, or under 100 words in all;
* *several packs*: the packs of the same student that do not count.

**Packs are untrusted input.** Nothing is extracted: a pack is read in memory, one file at a
time, each within a size limit (:class:`Limits`), and nothing is written but ``index.html``,
``grades.csv`` and pictures named by their SHA-256 in ``out/images/``, each written atomically.
A pack that is not a zip or was cut off, that names a path outside the archive
(``../../x``) or a name that is not UTF-8, would unpack to more than the limits (a zip bomb),
uses a compression ``pack()`` does not, or has no readable manifest becomes a row saying so,
and the review goes on. A picture's size is read before it is decoded: one of more than
:attr:`Limits.pixels` pixels (a decompression bomb) is not decoded.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import io
import json
import os
import re
import struct
import unicodedata
import warnings
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from PIL import Image

from ..i18n import _, languages, pgettext, translation, using_language
from ..paths import write_atomically
from .files import COURSE, homework_kind
from .pack import MANIFEST
from .review_page import FLAGS, KINDS, SCREENSHOTS, grades_csv, index_html, kind_label
from .summary import MIN_CHARACTERS, SUMMARY_PARTS, count_characters

__all__ = ["Limits", "LIMITS", "SIMILARITY", "IMAGES", "Picture", "PackFile", "SummaryReport",
           "PackReport", "StudentRow", "Review", "find_packs", "read_pack", "read_summary",
           "summary_similarity", "review"]

#: Summaries that share at least this fraction of their character 3-grams are flagged.
SIMILARITY = 0.6
#: Summaries with fewer 3-grams than this are too short to compare.
_MIN_GRAMS = 20
#: The folder, inside the review's folder, of the full pictures.
IMAGES = "images"
#: The thumbnails' largest width and height, in pixels (shown at half that).
THUMBNAIL = (272, 200)


@dataclass(frozen=True)
class Limits:
    """What a pack may hold before the review refuses it: sizes in bytes, unpacked."""

    #: the zip file itself
    pack_bytes: int = 100 << 20
    #: its central directory, the list of its files (what ``zipfile`` reads first)
    directory_bytes: int = 256 << 10
    #: files in it
    members: int = 100
    #: one file, unpacked
    member_bytes: int = 20 << 20
    #: all its files together, unpacked
    unpacked_bytes: int = 60 << 20
    #: ``manifest.json``
    manifest_bytes: int = 256 << 10
    #: what is read of the summary's text (a summary of 100 字 is a few kilobytes)
    text_bytes: int = 256 << 10
    #: a picture's width times height
    pixels: int = 40_000_000


LIMITS = Limits()


class _Refused(Exception):
    """A pack (or one of its files) the review does not read further; the message says why,
    in the course's language."""


class _WriteError(OSError):
    """The review's own folder cannot be written: not the pack's fault, the review stops."""


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n < (1 << 30) else f"{n / (1 << 30):.1f} GB"


# ---------------------------------------------------------------------------- what a pack holds


@dataclass
class Picture:
    """A screenshot or flowchart as the page shows it: a thumbnail (a ``data:`` URI), the full
    picture's path relative to the review's folder, and its size in pixels."""

    thumbnail: str
    href: str
    width: int
    height: int


@dataclass
class SummaryReport:
    """The summary of a pack: each part's text (:data:`~.summary.SUMMARY_PARTS`), its word count
    by :func:`~.summary.count_characters`, the total, and a note when the file was odd."""

    texts: dict[str, str]
    counts: dict[str, int]
    total: int
    note: str = ""

    @property
    def short(self) -> list[str]:
        """The parts under their minimum (keys), and ``"total"`` when the whole is short."""
        parts = [p.key for p in SUMMARY_PARTS if self.counts[p.key] < p.minimum]
        return parts + (["total"] if self.total < MIN_CHARACTERS else [])


@dataclass
class PackFile:
    """One file of a pack, as the manifest lists it and as the zip holds it.

    ``status``: ``"ok"``; ``"changed"`` (its SHA-256 or size is not the manifest's);
    ``"damaged"`` (it cannot be read); ``"missing"`` (listed, not in the zip); ``"added"`` (in
    the zip, not listed). ``note`` says what is wrong in words; ``picture`` (or, when a picture
    cannot be shown, ``picture_note``) is set for PNG and JPEG files, ``summary`` for the
    summary's text file.
    """

    name: str
    lesson: int | None
    kind: str | None
    status: str = "ok"
    note: str = ""
    size: int | None = None
    sha256: str | None = None
    picture: Picture | None = None
    picture_note: str = ""
    summary: SummaryReport | None = None


@dataclass
class PackReport:
    """One pack, read: the manifest's student, date, lessons and lesson-5 option, the files,
    the summary; or ``problem``, why the pack could not be read (in words)."""

    path: Path
    student: str = ""
    date: _dt.datetime | None = None
    lessons: tuple[int, ...] = ()
    option: str | None = None
    files: list[PackFile] = field(default_factory=list)
    problem: str | None = None

    @property
    def summary(self) -> SummaryReport | None:
        """The summary that counts (:meth:`file`), read and counted; None without one."""
        f = self.file("summary")
        return f.summary if f is not None else None

    def file(self, kind: str) -> PackFile | None:
        """The file of homework ``kind`` that counts (the last by name: an earlier version of
        the course dated its files), if it is in the zip."""
        found = [f for f in self.files if f.kind == kind and f.status != "missing"]
        return max(found, key=lambda f: f.name) if found else None


@dataclass
class StudentRow:
    """A row of the review: a student, the pack that counts, the others, and the flags
    (:data:`~.review_page.FLAGS` -> what was found, in words)."""

    student: str
    pack: PackReport
    others: list[PackReport] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)

    @property
    def kinds(self) -> dict[str, str]:
        """Each homework kind (:data:`~.review_page.KINDS`): ``"yes"``, ``"changed"`` (there,
        but changed or damaged), ``"missing"`` (the homework asks for it), or ``""``."""
        states = {}
        for kind in KINDS:
            f = self.pack.file(kind)
            states[kind] = "" if f is None else "yes" if f.status == "ok" else "changed"
        if self.pack.problem is None:
            if not states["summary"]:
                states["summary"] = "missing"
            if self.pack.option == "flowchart" and not states["flowchart"]:
                states["flowchart"] = "missing"
        return states


@dataclass
class Review:
    """What :func:`review` found and wrote: the rows (one per student, then one per pack that
    could not be read), the number of packs read, and the two files."""

    rows: list[StudentRow]
    packs: int
    index: Path
    grades: Path
    similarity: float = SIMILARITY

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, student: str) -> StudentRow:
        """The row of ``student`` (as the manifest names them)."""
        key = _student_key(student)
        for r in self.rows:
            if r.pack.problem is None and _student_key(r.student) == key:
                return r
        raise KeyError(student)

    @property
    def flagged(self) -> list[StudentRow]:
        """The rows with a flag other than *several packs*."""
        return [r for r in self.rows if any(r.flags.get(f) for f in FLAGS if f != "several_packs")]

    def __repr__(self) -> str:
        return (f"Review({self.packs} packs, {len(self.rows)} rows, {len(self.flagged)} flagged: "
                f"{self.index})")


# ---------------------------------------------------------------------------- the zip, checked


def _end_record(f) -> tuple[int, int, bool] | None:
    """``(files, central directory bytes, zip64)`` from the zip's end record, or None without
    one (found in the last 64 KiB as ``zipfile`` finds it; ``zip64``: a ZIP64 locator precedes
    it, whose sizes ``zipfile`` would use instead)."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    tail = min(size, 22 + 0xFFFF)
    f.seek(size - tail)
    data = f.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    _sig, _disk, _cd_disk, _here, files, cd_bytes, _offset, _comment = struct.unpack(
        "<4s4H2LH", data[at:at + 22])
    if at >= 20:
        zip64 = data[at - 20:at - 16] == b"PK\x06\x07"
    else:
        f.seek(max(0, size - tail + at - 20))
        zip64 = f.read(4) == b"PK\x06\x07"
    return files, cd_bytes, zip64


def _check_container(f, limits: Limits) -> None:
    """Refuse what is not a zip, was cut off, or lists more than the limits allow, before
    ``zipfile`` reads its list of files."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size == 0:
        raise _Refused(_("the file is empty (0 bytes)."))
    if size > limits.pack_bytes:
        raise _Refused(_("the file is {size}, more than a pack can be ({limit}).").format(
            size=_mb(size), limit=_mb(limits.pack_bytes)))
    f.seek(0)
    start = f.read(4)
    end = _end_record(f)
    if end is None:
        if start == b"PK\x03\x04":
            raise _Refused(_("the zip is cut off (its end is missing): the upload or download "
                             "did not finish; ask for the pack again."))
        raise _Refused(_("not a zip file: ask for the lesson05_pack.zip that pack() writes."))
    files, cd_bytes, zip64 = end
    if zip64 or files == 0xFFFF or cd_bytes == 0xFFFFFFFF or files > limits.members:
        raise _Refused(_("the zip holds more files than a pack ({limit} at most).").format(
            limit=limits.members))
    if cd_bytes > limits.directory_bytes:
        raise _Refused(_("the zip's list of files is {size}, more than a pack's ({limit}).")
                       .format(size=_mb(cd_bytes), limit=_mb(limits.directory_bytes)))


def _open_zip(f) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(f)
    except UnicodeDecodeError:
        raise _Refused(_("a file name in the zip is marked UTF-8 but is not: the zip was not "
                         "made by pack(); ask for the pack again.")) from None
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as e:
        raise _Refused(_("the zip is damaged ({error}); ask for the pack again.")
                       .format(error=e)) from None


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; refused when it is not UTF-8 or points outside the archive."""
    name = info.filename
    if not info.flag_bits & 0x800:          # not marked UTF-8: zipfile read it as cp437
        raw = info.orig_filename.encode("cp437")
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Refused(_("the file name {name!r} in the zip is not UTF-8 (another zip "
                             "program, perhaps in a Chinese Windows); ask for the pack that "
                             "pack() writes.").format(name=raw.decode("gb18030", "replace")
                                                      )) from None
    parts = name.replace("\\", "/").split("/")
    if (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts
            or "\x00" in name):
        raise _Refused(_("the zip holds a path outside its own folder ({name!r}); refused "
                         "unread.").format(name=name))
    return name


def _check_members(z: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The zip's files by name, once every name, compression and declared size is checked."""
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    if len(z.infolist()) > limits.members:
        raise _Refused(_("the zip holds more files than a pack ({limit} at most).").format(
            limit=limits.members))
    for info in z.infolist():
        name = _member_name(info)
        if info.is_dir():
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(_("{name} is compressed in a way pack() never uses (method {method}); "
                             "refused unread.").format(name=name, method=info.compress_type))
        if info.file_size > limits.member_bytes:
            raise _Refused(_("{name} would unpack to {size} (the limit is {limit}): a zip bomb? "
                             "Refused unread.").format(name=name, size=_mb(info.file_size),
                                                       limit=_mb(limits.member_bytes)))
        if name in members:
            raise _Refused(_("the zip holds {name} twice: it was not made by pack(); ask for "
                             "the pack again.").format(name=name))
        total += info.file_size
        members[name] = info
    if total > limits.unpacked_bytes:
        raise _Refused(_("the files would unpack to {size} (the limit is {limit}): a zip bomb? "
                         "Refused unread.").format(size=_mb(total),
                                                   limit=_mb(limits.unpacked_bytes)))
    return members


#: Bytes unpacked at a time: what a file's reading holds in memory beyond the file itself.
_CHUNK = 1 << 18


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A file's bytes, never more than ``limit`` of them, unpacked a chunk at a time. The
    header's size is not trusted: ``zipfile`` cuts a longer stream there, and its CRC fails."""
    data = bytearray()
    with z.open(info) as f:
        while chunk := f.read(_CHUNK):
            data += chunk
            if len(data) > limit:
                raise _Refused(_("it unpacks to more than {limit}.").format(limit=_mb(limit)))
    return bytes(data)


#: What reading one damaged file of a zip can raise.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError,
            ValueError)


# ---------------------------------------------------------------------------- the manifest


def _clean_text(value: str, limit: int = 80) -> str:
    """A string of a manifest as one printable line of at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text).strip()
    return text[:limit]


def _read_manifest(z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                   limits: Limits) -> dict:
    """The manifest, checked field by field: a :class:`_Refused` says what is wrong."""
    if MANIFEST not in members:
        raise _Refused(_("the zip has no {manifest}: it was not made by pack(); ask for the "
                         "lesson05_pack.zip that pack() writes.").format(manifest=MANIFEST))
    try:
        raw = _read_member(z, members[MANIFEST], limits.manifest_bytes)
        data = json.loads(raw.decode("utf-8-sig"))
    except _Refused as e:
        raise _Refused(_("{manifest}: {error}").format(manifest=MANIFEST, error=e)) from None
    except (*_DAMAGED, UnicodeDecodeError) as e:
        raise _Refused(_("{manifest} cannot be read ({error}).").format(
            manifest=MANIFEST, error=e)) from None
    if not isinstance(data, dict):
        raise _Refused(_("{manifest} is not a manifest of pack().").format(manifest=MANIFEST))

    def bad(what: str) -> _Refused:
        return _Refused(_("{manifest} has no valid {field}.").format(manifest=MANIFEST,
                                                                     field=what))

    if data.get("course") != COURSE:
        raise _Refused(_("{manifest} is not of the course {course}.").format(
            manifest=MANIFEST, course=COURSE))
    student = data.get("student")
    if not isinstance(student, str) or not _clean_text(student):
        raise bad("student")
    try:
        _dt.datetime.fromisoformat(data.get("date"))
    except (TypeError, ValueError):
        raise bad("date") from None
    files = data.get("files")
    if not isinstance(files, list):
        raise bad("files")
    for i, entry in enumerate(files):
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)
                and isinstance(entry.get("sha256"), str)
                and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
                and isinstance(entry.get("bytes"), int) and entry["bytes"] >= 0):
            raise bad(f"files[{i}]")
    return data


def _local(date: _dt.datetime) -> _dt.datetime:
    """A date without a time zone (an aware one in local time), so all dates compare."""
    return date.astimezone().replace(tzinfo=None) if date.tzinfo else date


# ---------------------------------------------------------------------------- the files


def _bomb(limits: Limits) -> str:
    return _("more than the {limit:,} pixels a picture may have (a decompression bomb?); not "
             "opened.").format(limit=limits.pixels)


def _picture(data: bytes, sha256: str, images: Path, limits: Limits) -> Picture:
    """The thumbnail of a PNG or JPEG, its full copy written to ``images`` (named by its
    SHA-256); a :class:`_Refused` for what cannot or must not be decoded."""
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as im:
            width, height = im.size
            if width * height > limits.pixels:
                raise _Refused(_about(f"{width}×{height}", _bomb(limits)))
            fmt = im.format
            im.draft("RGB", THUMBNAIL)
            im.thumbnail(THUMBNAIL, reducing_gap=2.0)
            thumb = im.convert("RGB")
    except Image.DecompressionBombError:                  # PIL's own limit, far above ours
        raise _Refused(_bomb(limits)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise _Refused(_("not a picture that can be opened ({error}).").format(error=e)) from None
    buf = io.BytesIO()
    thumb.save(buf, format="JPEG", quality=82)
    suffix = ".png" if fmt == "PNG" else ".jpg"
    full = images / f"{sha256[:24]}{suffix}"
    if not full.exists():
        try:
            write_atomically(full, data)
        except OSError as e:
            raise _WriteError(e.errno, f"{full}: {e.strerror or e}") from e
    return Picture("data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii"),
                   f"{IMAGES}/{full.name}", width, height)


def _entry_file(entry: dict) -> PackFile:
    """A manifest entry as a :class:`PackFile` (lesson and kind from the manifest, else from the
    name, as :func:`~.files.homework_kind` reads it)."""
    name = entry["file"]
    parsed = homework_kind(name)
    lesson = entry.get("lesson") if isinstance(entry.get("lesson"), int) else (
        parsed[0] if parsed else None)
    kind = entry.get("kind") if isinstance(entry.get("kind"), str) else (
        parsed[1] if parsed else None)
    return PackFile(name, lesson, kind)


def _check_file(f: PackFile, data: bytes, entry: dict | None) -> None:
    """Set ``f``'s size, SHA-256 and status against the manifest ``entry``."""
    f.size, f.sha256 = len(data), hashlib.sha256(data).hexdigest()
    if entry is None:
        f.status, f.note = "added", _("in the zip but not in the manifest: added after packing")
    elif f.sha256 != entry["sha256"]:
        f.status, f.note = "changed", _("its SHA-256 is not the manifest's: changed after "
                                        "packing")
    elif f.size != entry["bytes"]:
        f.status, f.note = "changed", _("{size} bytes, the manifest says {bytes}").format(
            size=f"{f.size:,}", bytes=f"{entry['bytes']:,}")


def _read_files(report: PackReport, z: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                entries: list[dict], images: Path, limits: Limits) -> None:
    """Read, check and show every file the manifest lists, then note those it does not."""
    listed = {e["file"] for e in entries}
    added = [{"file": n} for n in members if n != MANIFEST and n not in listed]
    for entry in entries + added:
        f = _entry_file(entry)
        report.files.append(f)
        info = members.get(f.name)
        if info is None:
            f.status, f.note = "missing", _("in the manifest but not in the zip")
            continue
        try:
            data = _read_member(z, info, limits.member_bytes)
        except (*_DAMAGED, _Refused) as e:
            f.status, f.note = "damaged", _("damaged, cannot be read ({error})").format(error=e)
            continue
        _check_file(f, data, entry if f.name in listed else None)
        suffix = Path(f.name).suffix.lower()
        if suffix in (".png", ".jpg", ".jpeg"):
            try:
                f.picture = _picture(data, f.sha256, images, limits)
            except _Refused as e:
                f.picture_note = str(e)
        elif f.kind == "summary" and suffix == ".txt":
            f.summary = read_summary(data[:limits.text_bytes])
            if len(data) > limits.text_bytes:
                f.summary.note = _("the file is {size}; only its first {limit} were read.").format(
                    size=_mb(len(data)), limit=_mb(limits.text_bytes))


def read_pack(path: str | os.PathLike, images: str | os.PathLike,
              limits: Limits = LIMITS) -> PackReport:
    """Read and check the pack at ``path``, copying its pictures into ``images``; never raises
    for what the pack holds: a pack that cannot be read has :attr:`PackReport.problem`. (A
    picture that cannot be written to ``images`` is an error: the review cannot be made.)"""
    report = PackReport(Path(path))
    try:
        with open(path, "rb") as f:
            try:
                _check_container(f, limits)
                with _open_zip(f) as z:
                    _read_contents(report, z, Path(images), limits)
            except _Refused as e:
                report.problem = str(e)
    except _WriteError:
        raise
    except OSError as e:                        # opening or reading the pack
        report.problem = _("cannot read the file ({error}).").format(error=e)
    return report


def _read_contents(report: PackReport, z: zipfile.ZipFile, images: Path, limits: Limits) -> None:
    """Fill ``report`` from the open zip ``z``: the manifest's fields, then every file."""
    members = _check_members(z, limits)
    manifest = _read_manifest(z, members, limits)
    report.student = _clean_text(manifest["student"])
    report.date = _local(_dt.datetime.fromisoformat(manifest["date"]))
    option = manifest.get("option")
    report.option = option if option in ("screenshot", "flowchart") else None
    _read_files(report, z, members, manifest["files"], images, limits)
    lessons = manifest.get("lessons")
    if isinstance(lessons, list):
        report.lessons = tuple(sorted({n for n in lessons if isinstance(n, int)}))
    else:
        report.lessons = tuple(sorted({f.lesson for f in report.files if f.lesson is not None}))


# ---------------------------------------------------------------------------- the summary


def _part_titles() -> tuple[dict[str, str], set[str]]:
    """Each part's title in every language of the course -> the part's key; and "(empty)" in
    every language (what the file says for a part left empty)."""
    titles: dict[str, str] = {}
    empty: set[str] = set()
    for lang in languages():              # not using_language: packs are read in threads
        words = translation(lang)
        titles.update({_title_key(words.gettext(p.title_id)): p.key for p in SUMMARY_PARTS})
        empty.add(words.gettext("(empty)"))
    return titles, empty


def _title_key(title: str) -> str:
    return unicodedata.normalize("NFKC", title).casefold().strip()


#: A part's heading in the summary file: ``## SSD's essence: 45 words`` / ``## SSD 的精髓：45 字``.
_HEADING = re.compile(r"^## (?P<title>.+)[:：]\s*\d+\D*$")


def read_summary(data: bytes | str) -> SummaryReport:
    """The parts of a summary file (:func:`~.summary.summary_file_text`, in any of the course's
    languages), each counted again with :func:`~.summary.count_characters`.

    A part starts at its heading, ``## <title>: N words``, and runs to the next; the N there is
    not read. Lines before the first heading (the caption, the file's own count) are skipped.
    """
    note = ""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, note = data.decode("utf-8", "replace"), _("the file is not UTF-8; read as far "
                                                            "as it could be.")
    else:
        text = data
    titles, empty = _part_titles()
    lines: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = _HEADING.match(line)
        key = titles.get(_title_key(m.group("title"))) if m else None
        if key is not None and key not in lines:
            current = key
            lines[current] = []
        elif current is not None:
            lines[current].append(line)
    if not lines:
        note = note or _("no part headings (## ...) found: not the file the summary box saves.")
    texts = {}
    for p in SUMMARY_PARTS:
        body = "\n".join(lines.get(p.key, [])).strip()
        texts[p.key] = "" if body in empty else body
    counts = {k: count_characters(v) for k, v in texts.items()}
    return SummaryReport(texts, counts, sum(counts.values()), note)


def _grams(summary: SummaryReport) -> frozenset[str]:
    """The summary's character 3-grams: letters and digits only, case and width folded."""
    text = unicodedata.normalize("NFKC", " ".join(summary.texts.values())).casefold()
    text = "".join(c for c in text if c.isalnum())
    return frozenset(text[i:i + 3] for i in range(len(text) - 2))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared 3-grams over all of them; 0 when either summary is too short to compare
    (:data:`_MIN_GRAMS`)."""
    if len(a) < _MIN_GRAMS or len(b) < _MIN_GRAMS:
        return 0.0
    return len(a & b) / len(a | b)


def summary_similarity(a: SummaryReport, b: SummaryReport) -> float:
    """How alike two summaries are: the Jaccard similarity of their character 3-grams (letters
    and digits only), from 0 (nothing shared, or too short to compare) to 1."""
    return _jaccard(_grams(a), _grams(b))


# ---------------------------------------------------------------------------- rows and flags


def find_packs(paths: Iterable[str | os.PathLike], skip: str | os.PathLike | None = None
               ) -> list[Path]:
    """The packs named by ``paths``: files as given, folders searched (with their subfolders,
    not following links) for ``*.zip``; each once, in the order found; none inside ``skip``."""
    found: dict[Path, Path] = {}
    skip_at = Path(skip).resolve() if skip is not None else None
    for given in paths:
        p = Path(given)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    q = Path(root) / name
                    if name.lower().endswith(".zip") and q.is_file():
                        found.setdefault(q.resolve(), q)
        elif p.is_file():
            found.setdefault(p.resolve(), p)
        else:
            raise ValueError(_("{path}: no such file or folder; give the packs (zip files) or "
                               "folders that hold them.").format(path=p))
    packs = [q for real, q in found.items()
             if skip_at is None or not real.is_relative_to(skip_at)]
    if not packs:
        raise ValueError(_("no packs (.zip files) in {paths}.").format(
            paths=", ".join(str(p) for p in paths)))
    return packs


def _student_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _rows(reports: Sequence[PackReport]) -> list[StudentRow]:
    """One row per student (the newest pack by the manifest's date counts), sorted by name;
    then a row per pack that could not be read, by path."""
    by_student: dict[str, list[PackReport]] = {}
    for r in reports:
        if r.problem is None:
            by_student.setdefault(_student_key(r.student), []).append(r)
    rows = []
    for key in sorted(by_student):
        packs = sorted(by_student[key], key=lambda r: (r.date, str(r.path)), reverse=True)
        rows.append(StudentRow(packs[0].student, packs[0], packs[1:]))
    rows += [StudentRow(r.student, r) for r in reports if r.problem is not None]
    return rows


def _missing(row: StudentRow) -> list[str]:
    """What the homework asks for and the counted pack lacks, in words."""
    kinds = row.kinds
    missing = [kind_label("summary")] if kinds["summary"] == "missing" else []
    has_screenshot = any(kinds[k] for k in SCREENSHOTS)
    if row.pack.option == "flowchart" and kinds["flowchart"] == "missing":
        missing.append(_("lesson 5: the flowchart"))
    elif row.pack.option == "screenshot" and not has_screenshot:
        missing.append(_("lesson 5: a screenshot of the training run or the test run"))
    elif row.pack.option is None and not has_screenshot and not kinds["flowchart"]:
        missing.append(_("lesson 5: a screenshot of a run or the flowchart"))
    return missing


def _join(items: Iterable[str]) -> str:
    """The items of one flag, in one cell."""
    # TRANSLATORS: between the items of one flag in the review ("summary; lesson 5: ...")
    return pgettext("between the items of a flag", "; ").join(items)


def _about(name: str, what: str) -> str:
    """``what`` said of the file (or picture) ``name``."""
    return _("{file}: {problem}").format(file=name, problem=what)


def _when(date: _dt.datetime) -> str:
    return f"{date:%Y-%m-%d %H:%M}"


def _file_flags(row: StudentRow) -> None:
    """The flags of one row on its own: could not be read, missing, changed, short, several."""
    pack = row.pack
    problems = [pack.problem] if pack.problem else [_about(f.name, f.picture_note)
                                                    for f in pack.files if f.picture_note]
    if problems:
        row.flags["problem"] = _join(problems)
    if pack.problem is not None:
        return
    missing = _missing(row)
    if missing:
        row.flags["missing"] = _join(missing)
    changed = [_about(f.name, f.note) for f in pack.files if f.status != "ok"]
    if changed:
        row.flags["changed"] = _join(changed)
    if pack.summary is not None and pack.summary.short:
        s = pack.summary
        parts = [_("{part} {n}/{minimum}").format(part=p.title, n=s.counts[p.key],
                                                  minimum=p.minimum)
                 for p in SUMMARY_PARTS if p.key in s.short]
        if "total" in s.short:
            parts.append(_("in all {n}/{minimum}").format(n=s.total, minimum=MIN_CHARACTERS))
        row.flags["short"] = _join(parts)
    if row.others:
        others = _join(_("{path} ({date})").format(path=o.path, date=_when(o.date))
                       for o in row.others)
        row.flags["several_packs"] = _("{n} packs; the newest ({date}) counts; also handed in: "
                                       "{others}").format(n=len(row.others) + 1,
                                                          date=_when(pack.date), others=others)


def _add(row: StudentRow, flag: str, text: str) -> None:
    row.flags[flag] = _join([row.flags[flag], text]) if row.flags.get(flag) else text


def _same_files(rows: Sequence[StudentRow]) -> None:
    """Flag files with the same SHA-256 in the counted packs of different students."""
    holders: dict[str, list[tuple[StudentRow, str]]] = {}
    for row in rows:
        if row.pack.problem is None:
            for f in row.pack.files:
                if f.sha256 is not None and f.size:
                    holders.setdefault(f.sha256, []).append((row, f.name))
    for found in holders.values():
        for row, name in found:
            for other, other_name in found:
                if _student_key(other.student) != _student_key(row.student):
                    _add(row, "same_file", _("{file} is {student}'s {other}").format(
                        file=name, student=other.student, other=other_name))


def _similar_summaries(rows: Sequence[StudentRow], threshold: float) -> None:
    """Flag each pair of summaries at least ``threshold`` alike (:func:`summary_similarity`)."""
    grams = [(row, _grams(row.pack.summary)) for row in rows
             if row.pack.problem is None and row.pack.summary is not None]
    for i, (row, a) in enumerate(grams):
        for other, b in grams[i + 1:]:
            value = _jaccard(a, b)
            if value >= threshold:
                for one, two in ((row, other), (other, row)):
                    _add(one, "similar", _("{similarity:.0%} alike with {student}'s summary "
                                           "(flagged from {threshold:.0%})").format(
                        similarity=value, student=two.student, threshold=threshold))


# ---------------------------------------------------------------------------- the review


def _workers() -> int:
    """Packs read at a time: one per core this process may use, at most 4 (unpacking, hashing
    and decoding pictures let go of the GIL; more packs at once only hold more memory)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, cores or 1))


def review(packs: Iterable[str | os.PathLike] | str | os.PathLike, out: str | os.PathLike, *,
           similarity: float = SIMILARITY, lang: str | None = None,
           limits: Limits = LIMITS) -> Review:
    """Review the packs (zip files, or folders of them) and write ``out/index.html``,
    ``out/grades.csv`` and the pictures in ``out/images/``; returns the :class:`Review`.

    Args:
        packs: pack files and folders (searched with their subfolders for ``*.zip``).
        out: the review's folder (created; nothing is written outside it).
        similarity: summaries at least this alike are flagged (:data:`SIMILARITY`).
        lang: the language of the page and the table (default: the course's).
        limits: what a pack may hold (:class:`Limits`).

    A pack that cannot be read becomes a row with the reason; the packs are only read.
    """
    if isinstance(packs, (str, os.PathLike)):
        packs = [packs]
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(_("{out} is a file; --out names the folder the review is written to.")
                         .format(out=out))
    if not 0 < similarity <= 1:
        raise ValueError(_("similarity must be between 0 and 1 (a fraction of shared "
                           "3-character sequences), got {value}.").format(value=similarity))
    paths = find_packs(list(packs), skip=out)
    with using_language(lang), warnings.catch_warnings(), ThreadPoolExecutor(_workers()) as pool:
        # PIL warns of a picture of over 89 million pixels as it opens it; ours are refused
        # from Limits.pixels on anyway, with the reason in the row
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        reports = list(pool.map(lambda p: read_pack(p, out / IMAGES, limits), paths))
        rows = _rows(reports)
        for row in rows:
            _file_flags(row)
        _same_files(rows)
        _similar_summaries(rows, similarity)
        grades = write_atomically(out / "grades.csv", grades_csv(rows))
        index = write_atomically(out / "index.html", index_html(rows, len(paths), similarity))
    return Review(rows, len(paths), index, grades, similarity)
