"""The embedded dataset: coloured shapes on textured backgrounds, made on this machine.

The course must train without downloading anything, so it brings its own detection task. Every
image is drawn from a seed, the same on every machine and in any number of processes, and is
written in PASCAL VOC's layout, so :class:`~ssd_core.data.VOCDataset` reads it like VOC::

    root/
        JPEGImages/train00000.jpg ...   Annotations/train00000.xml ...
        ImageSets/Main/train.txt, val.txt, trainval.txt
        classes.txt                     circle, square, triangle, star, cross
        shapes.json                     how it was made; written last, so it marks a
                                        complete dataset

What is in a picture:

- 0 to 6 objects (``empty_fraction`` of the images, 5 %, have none: training must cope);
- sizes from 4 % to 80 % of the image side (the square root of the box area), mostly 10 %
  to 60 %, with small ones (under 10 %) in about one object of seven;
- aspect ratios from 1/2 to 2 and rotations up to 30 degrees: a "circle" may be an ellipse, a
  "square" a tilted rectangle;
- colours chosen to stand out from the background, shaded by a soft light gradient;
- backgrounds: smooth colour blotches, stripes, checkerboards or gradients, plus sensor noise
  and JPEG compression;
- partial occlusion: later shapes may cover earlier ones, but never more than 65 % of one;
- objects cut by the image border (``truncated``).

Boxes are the extent of the *visible* pixels, as VOC's annotation guidelines ask. An object
is marked ``difficult`` when less than half of it is visible or its box is under 8 pixels on
its short side: evaluation ignores those, as VOC does.

:func:`make_shapes` writes into a temporary folder and renames it at the end, so an
interrupted run never leaves a half-written dataset that looks complete.
:func:`ensure_shapes` makes the dataset on first use and reuses it afterwards.
"""

from __future__ import annotations

import colorsys
import json
import math
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from tqdm.auto import tqdm

from ..i18n import pgettext
from ..paths import data_dir
from .voc_xml import VOCObject, write_voc_xml

__all__ = [
    "SHAPE_CLASSES",
    "shape_class_labels",
    "ShapesSpec",
    "make_shapes",
    "ensure_shapes",
    "draw_shapes_image",
    "default_shapes_root",
]

#: The default classes, visually distinct even at 20 pixels.
SHAPE_CLASSES: tuple[str, ...] = ("circle", "square", "triangle", "star", "cross")

#: Every shape the generator can draw (``classes=`` may pick any of these).
ALL_SHAPES: tuple[str, ...] = SHAPE_CLASSES + ("ring", "hexagon")


def shape_class_labels() -> dict[str, str]:
    """Each shape's name as a student reads it (in figures, tables and titles), in the course's
    language: the catalog's translation in the context ``"class name"``, which
    :func:`ssd_core.draw.class_label` looks up. The data, the files and the checkpoints keep
    the English names of :data:`ALL_SHAPES`."""
    return {
        "circle": pgettext("class name", "circle"),
        "square": pgettext("class name", "square"),
        "triangle": pgettext("class name", "triangle"),
        "star": pgettext("class name", "star"),
        "cross": pgettext("class name", "cross"),
        "ring": pgettext("class name", "ring"),
        "hexagon": pgettext("class name", "hexagon"),
    }

#: Bump when the pictures change, so :func:`ensure_shapes` regenerates old copies.
GENERATOR_VERSION = 1

_SPLIT_CODES = {"train": 0, "val": 1}


@dataclass(frozen=True)
class ShapesSpec:
    """Everything that decides the dataset's pixels; saved as ``shapes.json``.

    Sizes (``min_side``, ``max_side``) are fractions of the image side; ``small_fraction`` of
    the objects are drawn under 10 % of it. A placement that would leave an earlier object
    less than ``min_visible`` visible is tried again; objects less than half visible or
    narrower than ``difficult_px`` pixels are marked difficult. ``noise_sigma`` is the range of the
    Gaussian noise's standard deviation (grey levels); ``blur_fraction`` of the images are
    slightly blurred.
    """

    num_train: int = 2000
    num_val: int = 500
    image_size: int = 256
    seed: int = 0
    classes: tuple[str, ...] = SHAPE_CLASSES
    max_objects: int = 6
    empty_fraction: float = 0.05
    min_side: float = 0.04
    max_side: float = 0.8
    small_fraction: float = 0.15
    min_visible: float = 0.35
    difficult_px: float = 8.0
    noise_sigma: tuple[float, float] = (2.0, 8.0)
    blur_fraction: float = 0.3
    jpeg_quality: int = 90
    version: int = GENERATOR_VERSION

    def __post_init__(self) -> None:
        """Normalise sequences to tuples and check the settings."""
        object.__setattr__(self, "classes", tuple(self.classes))
        object.__setattr__(self, "noise_sigma", tuple(float(v) for v in self.noise_sigma))
        unknown = [c for c in self.classes if c not in ALL_SHAPES]
        if unknown:
            raise ValueError(f"make_shapes: cannot draw {unknown}; choose from {list(ALL_SHAPES)}")
        if self.num_train < 0 or self.num_val < 0:
            raise ValueError("make_shapes: num_train and num_val must be >= 0")
        if self.image_size < 32:
            raise ValueError(f"make_shapes: image_size {self.image_size} is too small (>= 32)")
        if not 0 < self.min_side < self.max_side <= 1:
            raise ValueError("make_shapes: need 0 < min_side < max_side <= 1")

    def to_json(self) -> str:
        """The spec as JSON (lists for tuples)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)


# ---------------------------------------------------------------------------- outlines


def _unit_outline(shape: str) -> list[np.ndarray]:
    """Polygons of a shape in [-1, 1]^2 (y down); a second polygon is a hole."""
    if shape in ("circle", "ring"):
        t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
        outer = np.stack([np.cos(t), np.sin(t)], 1)
        return [outer, outer * 0.55] if shape == "ring" else [outer]
    if shape == "square":
        return [np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)]
    if shape == "triangle":
        return [np.array([[0, -1], [1, 1], [-1, 1]], dtype=float)]
    if shape == "hexagon":
        t = np.arange(6) * np.pi / 3
        return [np.stack([np.cos(t), np.sin(t)], 1)]
    if shape == "star":
        t = -np.pi / 2 + np.arange(10) * np.pi / 5
        r = np.where(np.arange(10) % 2 == 0, 1.0, 0.42)
        pts = np.stack([r * np.cos(t), r * np.sin(t)], 1)
        pts[:, 1] += 0.1  # centre the star's extent vertically
        return [pts]
    if shape == "cross":
        a = 0.34
        return [np.array([[-a, -1], [a, -1], [a, -a], [1, -a], [1, a], [a, a], [a, 1], [-a, 1],
                          [-a, a], [-1, a], [-1, -a], [-a, -a]], dtype=float)]
    raise ValueError(f"unknown shape {shape!r}")


def _shape_mask(shape: str, size: int, cx: float, cy: float, w: float, h: float,
                angle: float) -> np.ndarray:
    """Boolean ``[size, size]`` mask of a shape scaled to ``w x h`` pixels, rotated by
    ``angle`` radians and centred on ``(cx, cy)``."""
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    c, s = math.cos(angle), math.sin(angle)
    for k, poly in enumerate(_unit_outline(shape)):
        x, y = poly[:, 0] * w / 2, poly[:, 1] * h / 2
        pts = np.stack([cx + c * x - s * y, cy + s * x + c * y], 1)
        draw.polygon([tuple(p) for p in pts.tolist()], fill=0 if k else 255)
    return np.asarray(img) > 127


# ---------------------------------------------------------------------------- backgrounds


def _muted_colour(rng: np.random.Generator) -> np.ndarray:
    """A random RGB colour, pulled towards grey."""
    c = rng.uniform(0, 255, 3)
    grey = rng.uniform(60, 200)
    return grey + (c - grey) * rng.uniform(0.2, 0.6)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A textured ``float [size, size, 3]`` background: blotches, stripes, checks or a
    gradient."""
    kind = rng.integers(4)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    if kind == 0:  # smooth colour blotches: a coarse random grid, upsampled
        n = int(rng.integers(3, 8))
        grid = np.stack([_muted_colour(rng) for _ in range(n * n)]).reshape(n, n, 3)
        small = Image.fromarray(np.clip(grid, 0, 255).astype(np.uint8))
        return np.asarray(small.resize((size, size), Image.BICUBIC), dtype=np.float32)
    a, b = _muted_colour(rng), _muted_colour(rng)
    theta = rng.uniform(0, np.pi)
    u = xx * np.cos(theta) + yy * np.sin(theta)
    if kind == 1:  # soft stripes
        period = rng.uniform(0.03, 0.2)
        t = 0.5 + 0.5 * np.sin(2 * np.pi * u / period)
    elif kind == 2:  # checkerboard
        cell = rng.uniform(0.04, 0.2)
        t = ((np.floor(xx / cell) + np.floor(yy / cell)) % 2).astype(np.float32)
        b = a + (b - a) * 0.5  # low contrast
    else:  # linear gradient
        t = (u - u.min()) / max(float(u.max() - u.min()), 1e-6)
    return (a + (b - a) * t[..., None]).astype(np.float32)


def _object_colour(rng: np.random.Generator, against: list[np.ndarray]) -> np.ndarray:
    """A saturated colour at least some distance from every colour in ``against``."""
    best, best_d = None, -1.0
    for _ in range(12):
        hue = rng.uniform(0, 1)
        sat, val = rng.uniform(0.55, 1.0), rng.uniform(0.45, 1.0)
        rgb = np.array(colorsys.hsv_to_rgb(hue, sat, val), dtype=np.float32) * 255
        if rng.uniform() < 0.15:  # some near-black or near-white objects
            rgb = np.full(3, 25.0 if rng.uniform() < 0.5 else 235.0, dtype=np.float32)
        d = min((float(np.linalg.norm(rgb - c)) for c in against), default=1e9)
        if d > 110:
            return rgb
        if d > best_d:
            best, best_d = rgb, d
    return best


# ---------------------------------------------------------------------------- one image


@dataclass
class _Placed:
    """An object drawn so far."""

    name: str
    mask: np.ndarray
    area: int
    colour: np.ndarray
    truncated: bool = False


def _object_count(rng: np.random.Generator, spec: ShapesSpec) -> int:
    """0 with probability ``empty_fraction``, else 1..max_objects, fewer more likely."""
    if rng.uniform() < spec.empty_fraction or spec.max_objects == 0:
        return 0
    weights = np.linspace(1.5, 0.7, spec.max_objects)
    return int(rng.choice(np.arange(1, spec.max_objects + 1), p=weights / weights.sum()))


def _object_side(rng: np.random.Generator, spec: ShapesSpec) -> float:
    """Square root of the box area as a fraction of the image side (log-uniform, in two
    ranges: small ones are rarer)."""
    split = min(max(0.1, spec.min_side), spec.max_side)
    if rng.uniform() < spec.small_fraction and spec.min_side < split:
        lo, hi = spec.min_side, split
    else:
        lo, hi = split, spec.max_side
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def draw_shapes_image(
    spec: ShapesSpec, split: str, index: int
) -> tuple[Image.Image, list[VOCObject]]:
    """Draw image ``index`` of ``split``: the same ``(spec, split, index)`` always gives the
    same picture. Returns the RGB image and its objects (visible boxes in pixel corners)."""
    rng = np.random.default_rng([spec.seed, _SPLIT_CODES[split], index, spec.version])
    S = spec.image_size
    img = _background(rng, S)                                                 # [S, S, 3]
    owner = np.full((S, S), -1, dtype=np.int16)                               # who shows where
    placed: list[_Placed] = []

    for _ in range(_object_count(rng, spec)):
        name = spec.classes[int(rng.integers(len(spec.classes)))]
        for _attempt in range(15):
            side = _object_side(rng, spec) * S
            ratio = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
            w, h = side * math.sqrt(ratio), side / math.sqrt(ratio)
            w, h = min(w, spec.max_side * S * 1.25), min(h, spec.max_side * S * 1.25)
            angle = 0.0 if name == "circle" and abs(ratio - 1) < 0.1 else rng.uniform(-0.52, 0.52)
            # centre: mostly inside, sometimes cut by the border
            margin = 0.5 if rng.uniform() < 0.8 else 0.15
            cx = rng.uniform(w * margin, S - w * margin) if S > w * 2 * margin else S / 2
            cy = rng.uniform(h * margin, S - h * margin) if S > h * 2 * margin else S / 2
            mask = _shape_mask(name, S, cx, cy, w, h, angle)
            area = int(mask.sum())
            if area < 30:
                continue
            new_owner = np.where(mask, len(placed), owner)
            if any((new_owner == k).sum() < spec.min_visible * p.area for k, p in enumerate(placed)):
                continue  # would hide too much of an earlier object
            under = [img[mask].mean(0)] + [p.colour for k, p in enumerate(placed)
                                           if (mask & p.mask).any()]
            colour = _object_colour(rng, under)
            # shade with a soft linear light across the object
            theta = rng.uniform(0, 2 * np.pi)
            ys, xs = np.nonzero(mask)
            u = ((xs - cx) * math.cos(theta) + (ys - cy) * math.sin(theta)) / max(w, h)
            shade = 1.0 + 0.25 * np.clip(u, -1, 1)
            img[ys, xs] = np.clip(colour[None, :] * shade[:, None], 0, 255)
            owner = new_owner
            full_w_in = (cx - w / 2 >= 0) and (cx + w / 2 <= S)
            full_h_in = (cy - h / 2 >= 0) and (cy + h / 2 <= S)
            placed.append(_Placed(name, mask, area, colour, not (full_w_in and full_h_in)))
            break

    # sensor noise, sometimes a little blur
    img += rng.normal(0, rng.uniform(*spec.noise_sigma), img.shape).astype(np.float32)
    picture = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if rng.uniform() < spec.blur_fraction:
        picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))

    objects = []
    for k, p in enumerate(placed):
        visible = owner == k
        ys, xs = np.nonzero(visible)
        box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
        short = min(box[2] - box[0], box[3] - box[1])
        difficult = visible.sum() < 0.5 * p.area or short < spec.difficult_px
        objects.append(VOCObject(p.name, box, bool(difficult), p.truncated))
    return picture, objects


# ---------------------------------------------------------------------------- writing


def _write_one(args: tuple[ShapesSpec, str, int, str]) -> str:
    """Draw and save one image and its XML into ``folder``; returns the image id."""
    spec, split, index, folder = args
    image_id = f"{split}{index:05d}"
    picture, objects = draw_shapes_image(spec, split, index)
    out = Path(folder)
    picture.save(out / "JPEGImages" / f"{image_id}.jpg", quality=spec.jpeg_quality)
    write_voc_xml(out / "Annotations" / f"{image_id}.xml", f"{image_id}.jpg",
                  spec.image_size, spec.image_size, objects, folder="shapes")
    return image_id


def _read_spec(root: Path) -> dict | None:
    """The saved spec of a complete dataset at ``root``, or None."""
    try:
        return json.loads((root / "shapes.json").read_text())
    except (OSError, ValueError):
        return None


def make_shapes(
    root: str | os.PathLike,
    num_train: int = 2000,
    num_val: int = 500,
    image_size: int = 256,
    seed: int = 0,
    classes: Sequence[str] = SHAPE_CLASSES,
    *,
    workers: int | None = None,
    overwrite: bool = False,
    progress: bool = False,
    **options,
) -> Path:
    """Write the shapes dataset to ``root`` in VOC layout and return ``root``.

    Args:
        root: the dataset folder (created; must not exist unless ``overwrite``).
        num_train, num_val: images in ``train.txt`` and ``val.txt`` (``trainval.txt`` has
            both).
        image_size: side of the square images in pixels.
        seed: every picture follows from ``(seed, split, index)``.
        classes: which shapes, from ``ALL_SHAPES``.
        workers: processes to draw with (default: the CPU count, one for small sets); the
            pictures do not depend on it.
        overwrite: replace an existing dataset at ``root``.
        progress: show a progress bar.
        **options: other :class:`ShapesSpec` fields (``max_objects``, ``empty_fraction``, ...).
    """
    spec = ShapesSpec(num_train=num_train, num_val=num_val, image_size=image_size, seed=seed,
                      classes=tuple(classes), **options)
    root = Path(root)
    if root.exists() and not overwrite:
        raise FileExistsError(
            f"{root} already exists; pass overwrite=True (--force on the command line) to "
            "replace it, or use ensure_shapes() to reuse it."
        )
    wanted = json.loads(spec.to_json())
    had = _read_spec(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.partial-", dir=root.parent))
    try:
        (tmp / "JPEGImages").mkdir()
        (tmp / "Annotations").mkdir()
        (tmp / "ImageSets" / "Main").mkdir(parents=True)
        jobs = [(spec, split, i, str(tmp)) for split, n in (("train", num_train), ("val", num_val))
                for i in range(n)]
        if workers is None:
            workers = min(os.cpu_count() or 1, 8) if len(jobs) >= 200 else 1
        ids = _run_jobs(jobs, workers, progress)
        train_ids, val_ids = ids[:num_train], ids[num_train:]
        main = tmp / "ImageSets" / "Main"
        for name, lst in (("train", train_ids), ("val", val_ids), ("trainval", ids)):
            (main / f"{name}.txt").write_text("".join(f"{i}\n" for i in lst))
        (tmp / "classes.txt").write_text("".join(f"{c}\n" for c in spec.classes))
        (tmp / "shapes.json").write_text(spec.to_json())  # last: marks the set complete
        # Another process (a second notebook, a test worker) may have made the same set
        # meanwhile: the pictures follow from the spec alone, so keep its copy, which may be
        # in use, and drop ours. (The same set that was there before is replaced: --force.)
        if had != wanted and _read_spec(root) == wanted:
            shutil.rmtree(tmp, ignore_errors=True)
            return root
        if root.exists():
            old = root.parent / f".{root.name}.old-{os.getpid()}-{time.time_ns()}"
            os.replace(root, old)
            os.replace(tmp, root)
            shutil.rmtree(old, ignore_errors=True)
        else:
            try:
                os.replace(tmp, root)
            except OSError:           # it appeared after the check: the same set, or an error
                if _read_spec(root) != wanted:
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return root


def _run_jobs(jobs: list, workers: int, progress: bool) -> list[str]:
    """Run :func:`_write_one` over ``jobs``, in ``workers`` processes, keeping the order."""
    bar = None
    if progress:
        bar = tqdm(total=len(jobs), desc="shapes", unit="img")
    ids = []
    try:
        if workers <= 1:
            for job in jobs:
                ids.append(_write_one(job))
                if bar is not None:
                    bar.update()
        else:
            with ProcessPoolExecutor(workers) as pool:
                for image_id in pool.map(_write_one, jobs, chunksize=32):
                    ids.append(image_id)
                    if bar is not None:
                        bar.update()
    finally:
        if bar is not None:
            bar.close()
    return ids


def default_shapes_root() -> Path:
    """Where the shapes dataset lives by default: ``$SSD_COURSE_DATA/generated/shapes``, else
    ``data/generated/shapes`` in the repository."""
    return data_dir() / "generated" / "shapes"


def ensure_shapes(root: str | os.PathLike | None = None, **kwargs) -> Path:
    """The shapes dataset at ``root``, generated on first use.

    Takes :func:`make_shapes`' arguments. An existing complete dataset made with the same
    settings is reused; one made with other settings is regenerated; a folder that is not a
    complete shapes dataset is left alone (an error says so).
    """
    root = Path(root) if root is not None else default_shapes_root()
    make_kwargs = {k: kwargs.pop(k) for k in ("workers", "progress") if k in kwargs}
    spec = ShapesSpec(**kwargs)
    saved = _read_spec(root)
    wanted = json.loads(spec.to_json())
    if saved == wanted:
        return root
    if root.exists() and saved is None and any(root.iterdir()):
        raise FileExistsError(
            f"{root} exists but is not a complete shapes dataset (no shapes.json); delete it "
            "or choose another root."
        )
    fields = {k: v for k, v in asdict(spec).items() if k != "version"}
    return make_shapes(root, overwrite=True, **fields, **make_kwargs)
