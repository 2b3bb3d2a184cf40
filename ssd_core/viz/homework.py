"""Homework tools: captioned screenshots, the training flowchart, and where homework files go.

Sessions 4 and 5 are handed in as pictures: a screenshot of a test or training run, or a
flowchart of SSD's training process. :func:`save_screenshot` turns any figure of the course
(a matplotlib ``Figure``, an explorer, a PNG the training run wrote) into a PNG under
``homework/`` with a **caption strip** below it::

    +--------------------------------------------------+
    |                   the figure                     |
    +--------------------------------------------------+
    | ssd-course · lesson 5: training run · student: …  |   <- the caption strip
    | 2025-11-24 14:03 · ssd_core 0.1.0 · device: cpu … |
    +--------------------------------------------------+

The caption says which course, which lesson, who, when, with which version of the package and
on which device, so a screenshot can be checked against the run it claims to show. The same
text is stored in the PNG's metadata (key ``Caption``), exactly, even where a font cannot draw
a character.

Files are never overwritten: the name carries the date and time, and a counter when that is
taken too. They are written atomically (a temporary file, then a rename), so an interrupted
save leaves nothing half-written.

:func:`training_stages` lists the stages of one training iteration in the order the real
pipeline runs them (the data steps come from :class:`ssd_core.data.SSDAugmentation` itself),
and :func:`plot_training_flowchart` draws them with matplotlib alone. ``tests/`` runs a real
training step and checks the drawn order against the order the functions were called in.

Where homework goes: ``$SSD_COURSE_HOMEWORK`` if set; else, under ``SSD_COURSE_QUICK=1`` (the
test run), a scratch folder (:func:`scratch_dir`, removed once its process is gone), so tests
never write into the repository; else ``homework/``
at the top of the repository (ignored by git), or in the current folder when ``ssd_core`` is
installed elsewhere.

A saved notebook shows "Error displaying widget" in place of every explorer until its cells
run again: run all cells (*Run > Run All Cells*), move the sliders, then take the screenshot.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import platform
import re
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath
from PIL import Image, PngImagePlugin

__all__ = [
    "COURSE",
    "LESSON_TITLES",
    "HOMEWORK_ENV",
    "STUDENT_ENV",
    "STRIP_COLOR",
    "homework_dir",
    "scratch_dir",
    "set_student",
    "student_name",
    "describe_device",
    "caption_lines",
    "strip_height",
    "homework_path",
    "write_homework_file",
    "render_png",
    "save_screenshot",
    "Stage",
    "training_stages",
    "plot_training_flowchart",
    "save_flowchart",
    "WIDGET_NOTE_EN",
    "WIDGET_NOTE_ZH",
]

COURSE = "ssd-course"

#: The five sessions, as the captions name them.
LESSON_TITLES: dict[int, str] = {
    1: "detection basics",
    2: "the SSD architecture",
    3: "matching and the loss",
    4: "code walkthrough",
    5: "training run",
}

#: Environment variables: the homework folder, and the student's name for the captions.
HOMEWORK_ENV = "SSD_COURSE_HOMEWORK"
STUDENT_ENV = "SSD_COURSE_STUDENT"

#: Background of the caption strip (a dark blue that no course figure uses), and its text.
STRIP_COLOR: tuple[int, int, int] = (24, 44, 84)
STRIP_TEXT_COLOR = "white"
#: Caption font size in points, and the line height as a multiple of it.
CAPTION_POINTS = 9.0
LINE_SPACING = 1.45
#: Fonts tried for characters DejaVu Sans lacks (a Chinese name, say), where installed.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
             "Arial Unicode MS")

WIDGET_NOTE_EN = (
    'A saved notebook shows "Error displaying widget" in place of each explorer until its '
    "cells run again: run all cells first (Run > Run All Cells), set the sliders, then take "
    "the screenshot."
)
WIDGET_NOTE_ZH = (
    "保存后重新打开的 notebook 会在每个交互控件处显示 “Error displaying widget”，直到重新运行单元格："
    "请先运行全部单元格（Run > Run All Cells），调好滑块，再截图。"
)

_student: str | None = None
_quick_homework: Path | None = None


# ---------------------------------------------------------------------------- names and places


def _repo_root() -> Path | None:
    """The repository this package sits in, if it is one (it has ``lessons/``)."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "lessons").is_dir() and (root / "ssd_core").is_dir() else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def scratch_dir(tag: str) -> Path:
    """A new temporary folder for throwaway files of this Python process (a quick training
    run, a tiny dataset): ``<tmp>/ssd-course-scratch/<tag>-<pid>-<random>``.

    Kernels are often stopped without running any clean-up code, so each call first deletes
    the scratch folders of processes that no longer exist.
    """
    import shutil

    parent = Path(tempfile.gettempdir()) / "ssd-course-scratch"
    parent.mkdir(parents=True, exist_ok=True)
    for old in parent.iterdir():
        m = re.match(r"^.+-(\d+)-[^-]+$", old.name)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{tag}-{os.getpid()}-", dir=parent))


def homework_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder homework files go to (created). See the module docstring for the rule."""
    global _quick_homework
    if folder is not None:
        path = Path(folder).expanduser()
    elif os.environ.get(HOMEWORK_ENV):
        path = Path(os.environ[HOMEWORK_ENV]).expanduser()
    elif os.environ.get("SSD_COURSE_QUICK") == "1":
        if _quick_homework is None or not _quick_homework.is_dir():
            _quick_homework = scratch_dir("homework")
        path = _quick_homework
    else:
        root = _repo_root()
        path = (root if root is not None else Path.cwd()) / "homework"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_student(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name)).strip()
    if not name:
        raise ValueError("student name is empty; write your name, e.g. set_student('Li Lei') "
                         "or set_student('李雷').")
    bad = [c for c in name if unicodedata.category(c).startswith("C")]
    if bad:
        raise ValueError(f"student name {name!r} contains control characters ({bad!r}); "
                         "write it on one line, without tabs or line breaks.")
    if len(name) > 60:
        raise ValueError(f"student name is {len(name)} characters long; keep it under 60.")
    return name


def set_student(name: str) -> str:
    """Remember the student's name for every caption of this session (returns it, cleaned)."""
    global _student
    _student = _check_student(name)
    return _student


def student_name(name: str | None = None) -> str | None:
    """``name`` if given, else :func:`set_student`'s, else ``$SSD_COURSE_STUDENT``, else None."""
    if name is not None:
        return _check_student(name)
    if _student is not None:
        return _student
    env = os.environ.get(STUDENT_ENV)
    return _check_student(env) if env else None


def describe_device(device: Any = None) -> str:
    """One line naming the compute device: ``cuda:0 (NVIDIA H100 80GB HBM3)`` or
    ``cpu (x86_64, 2 cores)``. ``None`` and ``"auto"`` mean what training would pick."""
    import torch

    from ..train import resolve_device

    try:
        dev = resolve_device("auto" if device is None else device)
    except (RuntimeError, ValueError):          # not a torch device: a description already
        return str(device)
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            return str(dev)
        index = dev.index if dev.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if dev.type == "cpu":
        return f"cpu ({platform.machine() or 'unknown'}, {os.cpu_count()} cores)"
    return str(dev)


def _lesson_number(lesson) -> int:
    try:
        n = int(str(lesson).lower().removeprefix("lesson").strip())
    except ValueError:
        n = -1
    if n not in LESSON_TITLES:
        raise ValueError(f"lesson must be one of {sorted(LESSON_TITLES)} (the session number), "
                         f"got {lesson!r}; e.g. lesson=5.")
    return n


_NAME_OK = re.compile(r"^[^\W][\w\-.]*$")


def _check_name(name: str) -> str:
    """A file-name part: letters (any script), digits, ``-``, ``_``, ``.``; no separators."""
    name = unicodedata.normalize("NFC", str(name))
    example = "e.g. name='loss_curve'"
    if not name:
        raise ValueError(f"name is empty; give the homework file a short name, {example}.")
    if "/" in name or "\\" in name or ".." in name:
        raise ValueError(f"name {name!r} contains a path ('/', '\\' or '..'); give only a short "
                         f"name, the folder is chosen for you (homework/), {example}.")
    if len(name) > 60:
        raise ValueError(f"name {name!r} is {len(name)} characters long; keep it under 60.")
    if not _NAME_OK.match(name):
        raise ValueError(f"name {name!r} has characters a file name should not have (spaces, "
                         f"punctuation); use letters, digits, '-', '_' and '.', {example}.")
    return name


def caption_lines(lesson, student: str | None = None, when: _dt.datetime | None = None,
                  device: Any = None, extra: str | None = None,
                  with_device: bool = True) -> list[str]:
    """The caption of a homework file, line by line (no wrapping yet).

    Line 1: course, lesson and student; line 2: date, package versions and (unless
    ``with_device=False``) the device; line 3, if given: ``extra`` (an explorer's ``state:``
    line, say).
    """
    import torch

    from .. import __version__

    n = _lesson_number(lesson)
    who = student_name(student)
    when = when or _dt.datetime.now()
    lines = [
        f"{COURSE} · lesson {n}: {LESSON_TITLES[n]} · student: "
        + (who if who else "(name not set: set_student('your name'))"),
        f"{when:%Y-%m-%d %H:%M} · ssd_core {__version__} · torch {torch.__version__}"
        + (f" · device: {describe_device(device)}" if with_device else ""),
    ]
    if extra:
        lines.append(str(extra).strip().replace("\n", " "))
    return lines


def homework_path(lesson, name: str, suffix: str, when: _dt.datetime | None = None,
                  folder: str | os.PathLike | None = None) -> Path:
    """The first free ``lessonNN_<name>_<YYYYmmdd-HHMMSS>[-k]<suffix>`` in the homework folder."""
    n = _lesson_number(lesson)
    name = _check_name(name)
    when = when or _dt.datetime.now()
    base = homework_dir(folder) / f"lesson{n:02d}_{name}_{when:%Y%m%d-%H%M%S}"
    k = 1
    while True:
        path = base.with_name(base.name + (f"-{k}" if k > 1 else "") + suffix)
        if not path.exists():
            return path
        k += 1


def write_homework_file(data: bytes, lesson, name: str, suffix: str,
                        when: _dt.datetime | None = None,
                        folder: str | os.PathLike | None = None) -> Path:
    """Write ``data`` to a new homework file, atomically, never replacing an existing one.

    The bytes go to a temporary file in the same folder first; it is then *linked* to the
    first free name, which fails rather than overwrite if another save took that name in the
    meantime (the next counter is tried). Returns the path.
    """
    n = _lesson_number(lesson)
    name = _check_name(name)
    when = when or _dt.datetime.now()
    folder_path = homework_dir(folder)
    fd, tmp = tempfile.mkstemp(prefix=".homework-", suffix=".tmp", dir=folder_path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        for _ in range(1000):
            path = homework_path(n, name, suffix, when, folder_path)
            try:
                os.link(tmp, path)           # atomic, and refuses an existing name
                return path
            except FileExistsError:
                continue
            except OSError:                  # a file system without hard links
                if path.exists():
                    continue
                os.replace(tmp, path)
                return path
        raise FileExistsError(f"{folder_path}: no free file name for lesson {n}, {name!r}; "
                              "clear out old homework files.")
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------------------- pictures


def _font_families() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans"] + [f for f in CJK_FONTS if f in installed]


def _missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that none of the caption fonts can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    fonts = []
    for family in _font_families():
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family),
                                         fallback_to_default=False)
            fonts.append(FT2Font(path))
        except Exception:
            continue
    return sorted({c for c in text if not c.isspace()
                   and not any(f.get_char_index(ord(c)) for f in fonts)})


def _wrap(lines: Sequence[str], width_px: int, dpi: float) -> list[str]:
    """Wrap caption lines, word by word, to the strip's width as the font measures them."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(width_px, 100, dpi)
    prop = FontProperties(family=_font_families(), size=CAPTION_POINTS)
    room = width_px - 2 * _pad_px(dpi)

    def fits(text: str) -> bool:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
            w, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w <= room

    out: list[str] = []
    for line in lines:
        current = ""
        for word in line.split(" "):
            trial = f"{current} {word}" if current else word
            if fits(trial) or not current:
                current = trial
            else:
                out.append(current)
                current = word
        out.append(current)
    return out


def _pad_px(dpi: float) -> int:
    return max(2, round(6 * dpi / 72))


def strip_height(n_lines: int, dpi: float) -> int:
    """Height in pixels of a caption strip of ``n_lines`` lines at ``dpi``."""
    line_px = CAPTION_POINTS * LINE_SPACING * dpi / 72
    return int(round(n_lines * line_px + 2 * _pad_px(dpi)))


def _render_strip(lines: Sequence[str], width_px: int, dpi: float) -> Image.Image:
    height = strip_height(len(lines), dpi)
    fig = Figure(figsize=(width_px / dpi, height / dpi), dpi=dpi,
                 facecolor=tuple(c / 255 for c in STRIP_COLOR))
    pad = _pad_px(dpi)
    line_px = CAPTION_POINTS * LINE_SPACING * dpi / 72
    families = _font_families()
    for i, line in enumerate(lines):
        y = 1 - (pad + (i + 0.5) * line_px) / height
        fig.text(pad / width_px, y, line, color=STRIP_TEXT_COLOR, fontsize=CAPTION_POINTS,
                 family=families, va="center", ha="left", gid=f"caption{i}")
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format="png", dpi=dpi, facecolor=fig.get_facecolor())
    strip = Image.open(buf).convert("RGB")
    if strip.size != (width_px, height):        # float rounding of figsize * dpi
        canvas = Image.new("RGB", (width_px, height), STRIP_COLOR)
        canvas.paste(strip.crop((0, 0, min(width_px, strip.width), min(height, strip.height))))
        strip = canvas
    return strip


def _figure_of(obj) -> Figure | None:
    if isinstance(obj, Figure):
        return obj
    fig = getattr(obj, "figure", None)
    return fig if isinstance(fig, Figure) else None


def render_png(obj, dpi: float = 100) -> Image.Image:
    """What :func:`save_screenshot` puts above the caption, as an RGB image.

    ``obj``: a matplotlib ``Figure`` (pyplot's too), an explorer or anything with a
    ``.figure``, a PIL image, or the path of an image file (``runs/<name>/curves.png``).
    """
    fig = _figure_of(obj)
    if fig is not None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return Image.open(buf).convert("RGB")
    if isinstance(obj, Image.Image):
        return obj.convert("RGB")
    if isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such image file; give a figure, an explorer, "
                                    "or the path of a PNG/JPEG (e.g. runs/<name>/curves.png).")
        try:
            with Image.open(path) as im:
                return im.convert("RGB")
        except Exception as e:
            raise ValueError(f"{path}: not an image PIL can read ({e}); give a PNG or JPEG.") from None
    if getattr(obj, "figure", None) is not None and not isinstance(obj.figure, Figure):
        raise TypeError(f"{type(obj).__name__}.figure is {type(obj.figure).__name__}, not a "
                        "matplotlib Figure; redraw the explorer first.")
    raise TypeError(f"save_screenshot: cannot take a picture of a {type(obj).__name__}; give a "
                    "matplotlib Figure, an explorer, a PIL image, or an image file path.")


def save_screenshot(figure_or_explorer, lesson, name: str, student: str | None = None, *,
                    folder: str | os.PathLike | None = None, dpi: float = 100,
                    when: _dt.datetime | None = None, device: Any = None,
                    quiet: bool = False) -> Path:
    """Save a figure or an explorer as ``homework/lessonNN_<name>_<date-time>.png`` with a
    caption strip below it (course, lesson, student, date, versions, device), and return the
    path.

    Args:
        figure_or_explorer: what to save (see :func:`render_png`). An explorer's current
            ``state:`` line goes into the caption too.
        lesson: the session, 1 to 5.
        name: a short file-name part (``"loss_curve"``): letters, digits, ``-``, ``_``.
        student: your name; default :func:`set_student`'s or ``$SSD_COURSE_STUDENT``.
        folder: where to write (default :func:`homework_dir`).
        dpi: resolution of the figure and the caption.
        when, device: what the caption says (default: now, and the training device).
        quiet: do not print where the file went.

    The file never replaces an earlier one and is written atomically.
    """
    n = _lesson_number(lesson)
    name = _check_name(name)
    when = when or _dt.datetime.now()
    picture = render_png(figure_or_explorer, dpi)
    extra = getattr(figure_or_explorer, "state_line", None) or None
    lines = caption_lines(n, student, when, device, extra)
    text = "\n".join(lines)
    wrapped = _wrap(lines, picture.width, dpi)
    strip = _render_strip(wrapped, picture.width, dpi)
    out = Image.new("RGB", (picture.width, picture.height + strip.height), "white")
    out.paste(picture, (0, 0))
    out.paste(strip, (0, picture.height))
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Caption", text)
    info.add_itxt("Software", f"{COURSE} ssd_core.viz.homework")
    buf = io.BytesIO()
    out.save(buf, format="PNG", pnginfo=info, dpi=(dpi, dpi))
    path = write_homework_file(buf.getvalue(), n, name, ".png", when, folder)
    if not quiet:
        print(f"saved {path} ({out.width} x {out.height} px)")
        missing = _missing_glyphs(text)
        if missing:
            print(f"note: no installed font draws {''.join(missing)!r}, so the caption image shows "
                  "boxes there (the PNG's 'Caption' metadata keeps the exact text). Install a "
                  "CJK font (Noto Sans CJK SC) or also write your name in Latin letters.")
    return path


# ---------------------------------------------------------------------------- the flowchart


@dataclass(frozen=True)
class Stage:
    """One stage of SSD's training process.

    key: a short id (the names :class:`ssd_core.data.SSDAugmentation` uses for its steps);
    title: what the box says; detail: a second line (shapes, numbers of the paper);
    where: the module (and name) that does it; group: ``"image"`` (once per image, in the
    DataLoader), ``"batch"`` (once per iteration) or ``"epoch"`` (after each epoch).
    """

    key: str
    title: str
    detail: str
    where: str
    group: str


_AUGMENT_TEXT = {
    "photometric": ("photometric distortion", "brightness, contrast, saturation, hue (p = 1/2 each)"),
    "zoom_out": ("zoom out", "canvas up to 4x the side, mean colour (section 3.6)"),
    "iou_crop": ("IoU crop", "whole / min IoU 0.1 ... 0.9 / any patch"),
    "resize": ("resize", "to S x S, aspect ratio ignored"),
    "flip": ("horizontal flip", "p = 1/2"),
    "sanitize": ("sanitise boxes", "drop tiny boxes; xyxy in [0, 1]"),
}


def training_stages() -> list[Stage]:
    """The stages of SSD training, in the order one iteration runs them.

    The per-image steps are :attr:`ssd_core.data.SSDAugmentation.STEPS`, in its order; the
    rest follows :func:`ssd_core.train.train`'s loop.
    """
    from ..data import SSDAugmentation

    stages = [Stage("read", "read image + annotation", "JPEG -> uint8 [3, H, W]; XML -> boxes, labels",
                    "data/voc.py  VOCDataset", "image")]
    for step in SSDAugmentation.STEPS:
        title, detail = _AUGMENT_TEXT.get(step, (step.replace("_", " "), ""))
        stages.append(Stage(step, title, detail, "data/transforms.py  SSDAugmentation", "image"))
    stages += [
        Stage("collate", "collate a batch", "images [B, 3, S, S] + list of targets",
              "data/collate.py  collate", "batch"),
        Stage("match", "match default boxes", "best match + IoU >= 0.5 -> labels [B, P]",
              "matching.py  match", "batch"),
        Stage("encode", "encode offsets", "(g - d) / d with variances 0.1, 0.2 -> [B, P, 4]",
              "boxes.py  encode", "batch"),
        Stage("forward", "forward pass", "base -> extras -> heads: loc [B, P, 4], conf [B, P, C]",
              "models/ssd.py  SSD.forward", "batch"),
        Stage("loss", "multibox loss", "cross-entropy of every box; smooth L1 of the positives",
              "loss.py  multibox_loss", "batch"),
        Stage("mining", "hard negative mining", "hardest negatives, 3 per positive; sum / N",
              "loss.py  hard_negative_mining", "batch"),
        Stage("backward", "backward", "gradients of the loss", "torch  loss.backward()", "batch"),
        Stage("step", "optimizer step", "SGD (paper) or AdamW; lr warm-up + decay",
              "train.py  optimizer.step()", "batch"),
        Stage("evaluate", "evaluate", "decode + NMS 0.45 -> VOC07 mAP",
              "train.py  evaluate", "epoch"),
        Stage("checkpoint", "checkpoint", "last.pt, best.pt, metrics.csv, curves.png",
              "checkpoint.py  save_checkpoint", "epoch"),
    ]
    return stages


_GROUP_TEXT = {
    "image": "for every image (DataLoader)",
    "batch": "for every batch (one iteration)",
    "epoch": "after every epoch",
}
_GROUP_COLOR = {"image": "#e3eefc", "batch": "#fdf0d8", "epoch": "#e2f4e4"}


def plot_training_flowchart(stages: Sequence[Stage] | None = None,
                            title: str = "SSD training, one iteration after another") -> Figure:
    """A flowchart of :func:`training_stages`: one column per group (image, batch, epoch),
    arrows in the order they run, and the two loops (next batch, next epoch).

    Every stage box is a ``FancyBboxPatch`` with ``gid="stage:<key>"``.
    """
    stages = list(stages if stages is not None else training_stages())
    groups = list(dict.fromkeys(s.group for s in stages))
    rows = max(sum(s.group == g for s in stages) for g in groups)
    fig = Figure(figsize=(4.1 * len(groups), 0.78 * rows + 1.6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, len(groups))
    ax.set_ylim(-(rows + 0.55), 1.35)
    ax.set_axis_off()
    ax.text(len(groups) / 2, 1.1, title, ha="center", va="center", fontsize=12, weight="bold")
    box_w, box_h = 0.86, 0.78
    centres: dict[str, tuple[float, float]] = {}
    for gi, g in enumerate(groups):
        members = [s for s in stages if s.group == g]
        ax.text(gi + 0.5, 0.55, _GROUP_TEXT.get(g, g), ha="center", va="center", fontsize=9.5,
                style="italic", color="#333333")
        for ri, s in enumerate(members):
            cx, cy = gi + 0.5, -ri - 0.1
            centres[s.key] = (cx, cy)
            patch = FancyBboxPatch((cx - box_w / 2, cy - box_h / 2), box_w, box_h,
                                   boxstyle="round,pad=0.0,rounding_size=0.08",
                                   facecolor=_GROUP_COLOR.get(g, "#eeeeee"), edgecolor="#445566",
                                   linewidth=1.0)
            patch.set_gid(f"stage:{s.key}")
            ax.add_patch(patch)
            ax.text(cx, cy + 0.2, s.title, ha="center", va="center", fontsize=9.5, weight="bold",
                    gid=f"title:{s.key}")
            ax.text(cx, cy - 0.04, s.detail, ha="center", va="center", fontsize=7.2)
            ax.text(cx, cy - 0.25, s.where, ha="center", va="center", fontsize=6.8,
                    family="DejaVu Sans Mono", color="#335")

    def arrow(a, b, **kw):
        style = dict(arrowstyle="-|>", mutation_scale=11, color="#223344", lw=1.1)
        style.update(kw)
        ax.add_patch(FancyArrowPatch(a, b, **style))

    for prev, nxt in zip(stages, stages[1:]):
        (x0, y0), (x1, y1) = centres[prev.key], centres[nxt.key]
        if prev.group == nxt.group:
            arrow((x0, y0 - box_h / 2), (x1, y1 + box_h / 2))
        else:                                                   # to the top of the next column
            arrow((x0 + box_w / 2, y0), (x1 - box_w / 2, y1), connectionstyle="arc3,rad=0.0")
    by_group = {g: [s for s in stages if s.group == g] for g in groups}
    red, green = "#aa3322", "#226633"
    if "batch" in by_group and "image" in by_group:
        # next batch: from the last batch stage down, left under the columns, up to "read"
        last, first = by_group["batch"][-1], by_group["image"][0]
        (x0, y0), (x1, y1) = centres[last.key], centres[first.key]
        bottom = -(rows - 1) - 0.1 - box_h / 2 - 0.2
        left = x1 - box_w / 2 - 0.045
        path = MplPath([(x0, y0 - box_h / 2), (x0, bottom), (left, bottom), (left, y1),
                        (x1 - box_w / 2, y1)],
                       [MplPath.MOVETO] + [MplPath.LINETO] * 4)
        loop = FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=11, color=red,
                               lw=1.1, linestyle="--")
        loop.set_gid("loop:next_batch")
        ax.add_patch(loop)
        ax.text((x0 + left) / 2, bottom - 0.05, "next batch", color=red, fontsize=8.5,
                ha="center", va="top")
    if "epoch" in by_group and "batch" in by_group:
        first = by_group["epoch"][0]
        x1, y1 = centres[first.key]
        ax.text(x1 - box_w / 2 - 0.02, y1 + box_h / 2 + 0.02, "after the last batch\nof the epoch",
                ha="right", va="bottom", fontsize=7, color=green)
    if "epoch" in by_group:
        last = by_group["epoch"][-1]
        x0, y0 = centres[last.key]
        ax.text(x0, y0 - box_h / 2 - 0.25, "then the next epoch: back to 'read',\nwith a new order "
                "and new random draws,\nuntil the last iteration", ha="center", va="top",
                fontsize=8, color=green)
    return fig


def save_flowchart(lesson=4, name: str = "flowchart", student: str | None = None,
                   **kwargs) -> Path:
    """:func:`plot_training_flowchart` saved with :func:`save_screenshot`."""
    return save_screenshot(plot_training_flowchart(), lesson, name, student, **kwargs)
