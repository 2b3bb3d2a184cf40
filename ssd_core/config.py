"""Presets for SSD: which feature maps predict, where their default boxes sit, how big they are.

Section 2.2 of the paper ("Choosing scales and aspect ratios for default boxes") gives a formula
for the box scales; the released Caffe model rounds them to whole pixels. Both live here:

* :meth:`SSDConfig.ssd300` and :meth:`SSDConfig.ssd512` are the original's VOC settings;
* :meth:`SSDConfig.from_paper` evaluates the formula, so lesson 2 can set the two side by side.

A config fixes everything the default boxes depend on (input size, source maps, steps, sizes,
aspect ratios, variances) and names the base network that produces those maps
(``backbone``). :func:`ssd_core.models.build_ssd` builds that network from it and checks that
it makes exactly one prediction per default box. :meth:`SSDConfig.preset` gives the presets
by name (``"ssd300"``, ``"ssd512"``, ``"small"``), as the training settings store them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Sequence

__all__ = ["SSDConfig", "paper_scales", "SSD300_ASPECT_RATIOS"]

#: SSD300's aspect ratios ``r > 1`` per source map, conv4_3 first: 2 (and 1/2) everywhere, 3
#: (and 1/3) on fc7, conv8_2 and conv9_2 only (section 3.1 drops them on conv4_3, conv10_2 and
#: conv11_2). torchvision's ``ssd300_vgg16`` uses the same.
SSD300_ASPECT_RATIOS: tuple[tuple[float, ...], ...] = ((2,), (2, 3), (2, 3), (2, 3), (2,), (2,))


def paper_scales(s_min: float = 0.2, s_max: float = 0.9, m: int = 6) -> list[float]:
    """Scales of equation (4): ``s_k = s_min + (s_max - s_min) / (m - 1) * (k - 1)``, k = 1..m.

    Returns ``m + 1`` values: the extra last one continues the same step past ``s_max``; it is
    only used for the extra square box ``sqrt(s_m * s_{m+1})`` of the last map, which the paper
    leaves undefined.
    """
    if m < 1:
        raise ValueError(f"m: need at least one feature map, got {m}")
    if m == 1:
        return [s_min, s_max]
    step = (s_max - s_min) / (m - 1)
    return [s_min + step * k for k in range(m + 1)]


@dataclass(frozen=True)
class SSDConfig:
    """Everything that fixes the set of default boxes, and the input size.

    Attributes:
        name: a label for printing and checkpoints.
        image_size: side of the square network input, in pixels.
        feature_maps: side of each source feature map, first (largest) to last.
        steps: pixel distance between neighbouring box centres on each map.
        min_sizes: side of the square box ``s_k`` on each map, in pixels.
        max_sizes: ``s_{k+1}`` in pixels; the extra square box has side ``sqrt(min * max)``.
        aspect_ratios: the ratios ``r > 1`` of each map; each gives a wide box (w = s sqrt r)
            and a tall one (h = s sqrt r), i.e. r and 1/r.
        variances: the (centre, size) variances of the box encoding.
        clip: clamp the default boxes' (cx, cy, w, h) to [0, 1]. The original's VOC models
            do not (``clip: false`` in its prototxt); the most-used PyTorch port does. See
            :func:`ssd_core.default_boxes.default_boxes`.
        backbone: the base network :func:`ssd_core.models.build_ssd` puts under the boxes:
            ``"vgg16"`` (SSD300, SSD512) or ``"small"`` (the CPU model).
    """

    name: str
    image_size: int
    feature_maps: tuple[int, ...]
    steps: tuple[float, ...]
    min_sizes: tuple[float, ...]
    max_sizes: tuple[float, ...]
    aspect_ratios: tuple[tuple[float, ...], ...]
    variances: tuple[float, float] = (0.1, 0.2)
    clip: bool = False
    backbone: str = "vgg16"

    def __post_init__(self) -> None:
        # Normalise sequences to tuples so configs compare and hash predictably.
        object.__setattr__(self, "feature_maps", tuple(int(f) for f in self.feature_maps))
        object.__setattr__(self, "steps", tuple(float(s) for s in self.steps))
        object.__setattr__(self, "min_sizes", tuple(float(s) for s in self.min_sizes))
        object.__setattr__(self, "max_sizes", tuple(float(s) for s in self.max_sizes))
        object.__setattr__(
            self, "aspect_ratios", tuple(tuple(float(r) for r in rs) for rs in self.aspect_ratios)
        )
        object.__setattr__(self, "variances", tuple(float(v) for v in self.variances))
        self._validate()

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        def bad(field_name: str, why: str) -> ValueError:
            return ValueError(f"SSDConfig({self.name!r}).{field_name}: {why}")

        if self.image_size <= 0:
            raise bad("image_size", f"must be a positive number of pixels, got {self.image_size}")
        m = len(self.feature_maps)
        if m == 0:
            raise bad("feature_maps", "no feature maps: SSD needs at least one source map")
        for name in ("steps", "min_sizes", "max_sizes", "aspect_ratios"):
            n = len(getattr(self, name))
            if n != m:
                raise bad(name, f"has {n} entries but there are {m} feature maps")
        for k, f in enumerate(self.feature_maps):
            if f <= 0:
                raise bad("feature_maps", f"map {k} has side {f}; sides must be >= 1")
        for k, s in enumerate(self.steps):
            if s <= 0:
                raise bad("steps", f"map {k} has step {s}; steps must be > 0")
        for k, (lo, hi) in enumerate(zip(self.min_sizes, self.max_sizes)):
            if lo <= 0:
                raise bad("min_sizes", f"map {k} has size {lo}; sizes must be > 0")
            if hi < lo:
                raise bad("max_sizes", f"map {k}: max size {hi} is smaller than min size {lo}")
        for k, ratios in enumerate(self.aspect_ratios):
            for r in ratios:
                if not r > 0:
                    raise bad("aspect_ratios", f"map {k} has ratio {r}; ratios must be > 0")
        if len(self.variances) != 2 or not all(v > 0 for v in self.variances):
            raise bad("variances", f"need two positive numbers, got {self.variances}")

    # --------------------------------------------------------------- derived
    @property
    def num_sources(self) -> int:
        return len(self.feature_maps)

    @property
    def boxes_per_location(self) -> tuple[int, ...]:
        """2 squares plus 2 boxes per extra ratio, per map (4 or 6 in SSD300)."""
        return tuple(2 + 2 * len(rs) for rs in self.aspect_ratios)

    @property
    def num_boxes(self) -> int:
        """Total default boxes: 8,732 for SSD300 and 24,564 for SSD512."""
        return sum(f * f * n for f, n in zip(self.feature_maps, self.boxes_per_location))

    @property
    def scales(self) -> tuple[float, ...]:
        """``s_k`` as a fraction of the image side."""
        return tuple(s / self.image_size for s in self.min_sizes)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SSDConfig":
        return cls(**d)

    def replace(self, **changes) -> "SSDConfig":
        """A copy with some fields changed (checked like any new config)."""
        return dataclasses.replace(self, **changes)

    # --------------------------------------------------------------- presets
    @classmethod
    def preset(cls, name: str) -> "SSDConfig":
        """The preset called ``name``: ``"ssd300"``, ``"ssd512"`` or ``"small"``."""
        makers = {"ssd300": cls.ssd300, "ssd512": cls.ssd512, "small": cls.small}
        if name not in makers:
            raise ValueError(f"SSDConfig.preset: unknown preset {name!r}; choose one of "
                             f"{', '.join(sorted(makers))}")
        return makers[name]()

    @classmethod
    def ssd300(cls) -> "SSDConfig":
        """The original SSD300 for PASCAL VOC (Caffe ``ssd_pascal.py``)."""
        return cls(
            name="ssd300",
            image_size=300,
            feature_maps=(38, 19, 10, 5, 3, 1),
            steps=(8, 16, 32, 64, 100, 300),
            min_sizes=(30, 60, 111, 162, 213, 264),
            max_sizes=(60, 111, 162, 213, 264, 315),
            aspect_ratios=SSD300_ASPECT_RATIOS,
        )

    @classmethod
    def ssd512(cls) -> "SSDConfig":
        """The original SSD512 for PASCAL VOC (24,564 default boxes)."""
        return cls(
            name="ssd512",
            image_size=512,
            feature_maps=(64, 32, 16, 8, 4, 2, 1),
            steps=(8, 16, 32, 64, 128, 256, 512),
            min_sizes=(35.84, 76.8, 153.6, 230.4, 307.2, 384.0, 460.8),
            max_sizes=(76.8, 153.6, 230.4, 307.2, 384.0, 460.8, 537.6),
            aspect_ratios=((2,), (2, 3), (2, 3), (2, 3), (2, 3), (2,), (2,)),
        )

    @classmethod
    def small(cls) -> "SSDConfig":
        """A CPU-sized SSD: 192 px input, six maps from 48x48 (stride 4) down to 1x1.

        Built by :mod:`ssd_core.models.small`. The box sides double from map to map
        (8, 16, 32, 62, 104, 146 px, i.e. 4% to 76% of the side, plus the sqrt boxes up to
        96%), like the strides, so every map has boxes about twice its stride: an object of
        any size from 4% to 80% of the image overlaps some default box with IoU >= 0.5 and
        gets about three of them on average. The 48x48 map is there for the smallest objects
        (8 px): on a 24x24 grid most of them would match no box at 0.5. It carries only the two
        squares per location (8,032 boxes in all, 12,640 with the 2 and 1/2 boxes there too):
        small objects with aspect ratios from 1/2 to 2 still find a box at 0.5 as often (94.7 %
        against 95.0 %, 2.4 boxes each instead of 3.0), and the 4,608 boxes saved (two at each
        of its 2,304 locations) make a training step 1.10x as fast and the five-minute run 3.4
        mAP better at equal time (bench/RESULTS.md, 2026-12-07).
        """
        return cls(
            name="small",
            image_size=192,
            feature_maps=(48, 24, 12, 6, 3, 1),
            steps=(4, 8, 16, 32, 64, 192),
            min_sizes=(8, 16, 32, 62, 104, 146),
            max_sizes=(16, 32, 62, 104, 146, 184),
            aspect_ratios=((), (2,), (2, 3), (2, 3), (2,), (2,)),
            backbone="small",
        )

    @classmethod
    def from_paper(
        cls,
        s_min: float = 0.2,
        s_max: float = 0.9,
        image_size: int = 300,
        feature_maps: Sequence[int] = (38, 19, 10, 5, 3, 1),
        aspect_ratios: Sequence[Sequence[float]] | None = None,
        name: str = "paper",
    ) -> "SSDConfig":
        """Default boxes from the formula of section 2.2, without the original's rounding.

        Every map k gets ``s_k`` from :func:`paper_scales`; centres are at
        ``((i + 0.5) / |f_k|, (j + 0.5) / |f_k|)``, so the step is ``image_size / f_k``.
        The aspect ratios default to SSD300's (:data:`SSD300_ASPECT_RATIOS`; section 3.1 drops
        3 and 1/3 on conv4_3, conv10_2 and conv11_2) for six maps, else to 2 and 3 on every map.
        """
        if not s_min > 0:
            raise ValueError(f"SSDConfig.from_paper: s_min must be > 0, got {s_min}")
        if not s_min < s_max:
            raise ValueError(
                f"SSDConfig.from_paper: s_min ({s_min}) must be smaller than s_max ({s_max})"
            )
        feature_maps = tuple(feature_maps)
        if len(feature_maps) == 0:
            raise ValueError("SSDConfig.from_paper: feature_maps is empty; give at least one map")
        if aspect_ratios is None:
            aspect_ratios = (SSD300_ASPECT_RATIOS if len(feature_maps) == 6
                             else tuple((2, 3) for _ in feature_maps))
        s = paper_scales(s_min, s_max, len(feature_maps))
        return cls(
            name=name,
            image_size=image_size,
            feature_maps=feature_maps,
            steps=tuple(image_size / f for f in feature_maps),
            min_sizes=tuple(v * image_size for v in s[:-1]),
            max_sizes=tuple(v * image_size for v in s[1:]),
            aspect_ratios=tuple(tuple(r) for r in aspect_ratios),
        )

    def __repr__(self) -> str:
        return (
            f"SSDConfig({self.name!r}, {self.image_size}px, maps={list(self.feature_maps)}, "
            f"boxes={self.num_boxes})"
        )
