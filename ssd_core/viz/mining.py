"""Lesson 3: hard negative mining on a real model's predictions.

After matching, almost every default box is background. The loss keeps, per image, only the
negatives the model gets most wrong (highest confidence loss), at most ``ratio`` of them for
every positive (3 in the paper). :func:`mining_explorer` shows which those are, over the image
and on the histogram of all background losses, with the cut where the k-th hardest negative
sits.

The losses come from a real model. :func:`train_briefly` trains the small CPU model of
:mod:`ssd_core.models.small` for about a hundred steps of :func:`ssd_core.train_step` on shapes
images drawn in memory (a minute on a CPU; the quick test run takes a dozen steps, seconds):
enough for its scores to stop being random, so that the mined negatives are the places that
*look* like objects. It is not a good detector; lesson 5 trains one with
:func:`ssd_core.train.train`, the same step in a run that also evaluates, checkpoints and
resumes. We do not ship a
checkpoint: the lesson trains its own, and the same seed gives the same model. An untrained
model works too; its losses are just flatter.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator
from torch.utils.data import DataLoader, Dataset, RandomSampler

from ..boxes import cxcywh_to_xyxy
from ..config import SSDConfig
from ..data import SSDAugmentation, collate, to_float_image
from ..device import eval_mode, num_threads
from ..draw import add_boxes, plot_training_curves
from ..fonts import fig
from ..i18n import _
from ..loss import hard_negative_mining
from ..matching import match
from ..models import build_ssd
from ..recipes import make_settings
from ..train import lr_factor, make_optimizer, train_step
from .explorer import Explorer, Impossible
from .pictures import Picture, picture_axes, shapes_picture

__all__ = [
    "BriefRun",
    "shapes_batch",
    "train_briefly",
    "plot_brief_run",
    "small_model",
    "MINING_PICTURES",
    "MiningExplorer",
    "mining_explorer",
]

#: Shapes validation images the explorer offers by default (24 has no objects at all).
MINING_PICTURES: tuple[int, ...] = (0, 1, 2, 5, 9, 24)


def small_model(num_classes: int = 6, seed: int = 0):
    """An untrained small SSD (:meth:`SSDConfig.small`), its weights drawn from ``seed``.

    The global random state is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build_ssd(SSDConfig.small(), num_classes)


def shapes_batch(indices: Sequence[int], split: str = "train", size: int = 192, seed: int = 0):
    """Shapes images drawn in memory at ``size`` px: ``(images [B, 3, S, S], targets)``.

    Each target has ``boxes`` ``[N, 4]`` xyxy in [0, 1] and ``labels`` ``[N]``.
    """
    pics = [shapes_picture(int(i), split, image_size=size, seed=seed) for i in indices]
    images = to_float_image(torch.stack([p.image for p in pics]))              # [B, 3, S, S]
    targets = [{"boxes": p.boxes, "labels": p.labels} for p in pics]
    return images, targets


class _Augmented(Dataset):
    """Pictures through a transform that draws from one ``generator``, as the DataLoader asks
    for them (in this process: ``num_workers=0``)."""

    def __init__(self, pictures: Sequence[Picture], transform, generator: torch.Generator):
        self.pictures, self.transform, self.generator = pictures, transform, generator

    def __len__(self) -> int:
        return len(self.pictures)

    def __getitem__(self, i: int):
        p = self.pictures[i]
        return self.transform(p.image, p.target_px(), generator=self.generator)


@dataclass
class BriefRun:
    """What :func:`train_briefly` returns: the model (in eval mode) and each step's losses."""

    model: torch.nn.Module
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.history)


def train_briefly(
    steps: int = 60,
    batch_size: int = 16,
    num_images: int = 64,
    lr: float = 3e-3,
    seed: int = 0,
    model: torch.nn.Module | None = None,
    callback: Callable[[dict], None] | None = None,
    threads: int | None = 1,
) -> BriefRun:
    """Train the small SSD for ``steps`` steps on ``num_images`` shapes images; seconds on a CPU.

    Each step is :func:`ssd_core.train_step`, the training iteration of the real run
    (section 2.2): match and encode the batch's ground truth, predict, the multibox loss with
    hard negative mining (3 negatives per positive), one optimizer step. The recipe is the
    ``small`` preset's (AdamW, a linear warm-up over the first tenth, then a cosine decay) and
    so is the augmentation (only the horizontal flip), so that a few dozen steps already change
    the scores. The images are drawn in memory and served by a ``DataLoader``, as in the real
    run: a sampler seeded by ``seed`` shuffles them anew every ``num_images`` images, and the
    same ``seed`` gives the same model.
    ``callback`` gets each step's row (``step``, ``loss``, ``loc``, ``conf``, ``num_pos``).

    ``threads`` sets PyTorch's thread count for the run and puts the old one back afterwards
    (``None`` keeps the current one). One thread is the default: this small model gains little
    from more at these batch sizes (0.29 s against 0.26 s per step of 8 images with one and two
    threads on the course's two-core machine), while on a machine whose cores are busy the extra
    threads wait for them and a step takes ten times longer.
    """
    with num_threads(threads):
        if model is None:
            model = small_model(seed=seed)
        size = model.config.image_size
        pictures = [shapes_picture(i, "train", image_size=size, seed=seed) for i in range(num_images)]
        settings = make_settings("small", lr=lr, warmup_iters=max(1, steps // 10))
        flip_only = SSDAugmentation(size, **settings.augmentation)
        optimizer = make_optimizer(model, settings)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda it: lr_factor(it, steps, settings))
        g = torch.Generator().manual_seed(seed)            # the order, then each flip
        sampler = RandomSampler(pictures, num_samples=steps * batch_size, generator=g)
        loader = DataLoader(_Augmented(pictures, flip_only, g), batch_size=batch_size,
                            sampler=sampler, collate_fn=collate,
                            generator=torch.Generator().manual_seed(seed))
        model.train()
        history: list[dict] = []
        t0 = time.perf_counter()
        for step, (images, targets) in enumerate(loader):                     # [B, 3, S, S]
            out = train_step(model, optimizer, images, targets, priors=model.priors,
                             variances=model.config.variances)
            scheduler.step()
            row = {"step": step + 1, **{k: out[k] for k in ("loss", "loc", "conf", "num_pos")}}
            history.append(row)
            if callback is not None:
                callback(row)
        model.eval()
        return BriefRun(model, history, time.perf_counter() - t0)


def plot_brief_run(run: BriefRun) -> Figure:
    """The loss and its two terms, step by step, of :func:`train_briefly`."""
    return plot_training_curves(run.history, x="step",
                                title=fig("{steps} steps in {seconds:.1f} s", steps=run.steps,
                                          seconds=run.seconds))


class MiningExplorer(Explorer):
    """The mined negatives of one image for a negative-to-positive ratio."""

    figsize = (8.2, 4.0)

    @property
    def title(self) -> str:
        return _("Hard negative mining")

    def __init__(self, model: torch.nn.Module | None = None,
                 pictures: Sequence[Picture] | None = None, ratio: float = 3.0):
        self.model = model if model is not None else small_model()
        S = self.model.config.image_size
        if pictures is None:
            pictures = [shapes_picture(i, "val", image_size=S) for i in MINING_PICTURES]
        self.pictures = {p.name: p for p in pictures}
        self._cache: dict[str, tuple] = {}
        super().__init__({
            "ratio": widgets.FloatSlider(value=ratio, min=0.0, max=10.0, step=0.5,
                                         description=_("neg : pos"), continuous_update=False),
            "picture": widgets.Dropdown(options=list(self.pictures),
                                        description=_("picture")),
            "positives": widgets.Checkbox(value=True, description=_("show positives")),
        }, note=_("negatives ranked by their background confidence loss, -log p(background)"))

    @torch.no_grad()
    def losses(self, name: str):
        """``(conf_loss [P], labels [P])`` of a picture: the model's cross-entropy against the
        matched labels (the background loss for negatives). Computed once per picture."""
        if name not in self._cache:
            pic = self.pictures[name]
            S = self.model.config.image_size
            x = pic.square(S)[None]                                            # [1, 3, S, S]
            with eval_mode(self.model):
                _locs, conf = self.model(x)                                    # [1, P, C]
            m = match(pic.boxes, pic.labels, self.model.priors)
            ce = F.cross_entropy(conf[0], m.labels, reduction="none")          # [P]
            self._cache[name] = (ce, m.labels)
        return self._cache[name]

    def compute(self, ratio, picture, positives):
        pic = self.pictures[picture]
        ce, labels = self.losses(picture)
        pos = labels > 0
        n_pos = int(pos.sum())
        if n_pos == 0:
            raise Impossible(fig("{picture} has no objects: N = 0 positives, so the loss is 0 "
                                 "(section 2.2) and no negative is mined. Pick another picture.",
                                 picture=picture))
        mined = hard_negative_mining(ce[None], labels[None], ratio)[0]        # [P]
        neg = ~pos
        k = int(mined.sum())
        neg_loss = ce[neg]
        cut = float(ce[mined].min()) if k else float("nan")
        self._pic, self._ce, self._pos, self._mined, self._show_pos = pic, ce, pos, mined, positives
        wanted = math.floor(ratio * n_pos)
        return {
            "picture": picture, "ratio": float(ratio), "positives": n_pos,
            "negatives": int(neg.sum()), "mined": k, "capped": k < wanted,
            "cut_loss": cut,
            "mined_share": float(ce[mined].sum() / neg_loss.sum()) if k else 0.0,
            "mean_mined": float(ce[mined].mean()) if k else float("nan"),
            "mean_negative": float(neg_loss.mean()),
            "conf_loss": float((ce[pos].sum() + ce[mined].sum()) / n_pos),
        }

    def draw(self, figure, s):
        S = self.model.config.image_size
        pic = self._pic
        priors = cxcywh_to_xyxy(self.model.priors)
        # the text first: it readies the CJK font before the axes (and their labels) exist
        title = fig("{positives} positives (green), {mined} mined negatives (red)",
                    positives=s["positives"], mined=s["mined"])
        all_label = fig("all {n:,} negatives", n=s["negatives"])
        mined_label = fig("mined: {n}", n=s["mined"])
        xlabel = fig("log10 of the background loss  -log p(background)  (floor: 1e-8)")
        ylabel = fig("default boxes")
        hist_title = fig("cut at loss {cut:.3g}: keeps {share:.1f}% of the background loss",
                         cut=s["cut_loss"], share=100 * s["mined_share"])
        ax = picture_axes(figure, (0.01, 0.03, 0.44, 0.86), pic, S)
        if self._show_pos:
            add_boxes(ax, priors[self._pos].numpy() * S, edgecolors="lime", linewidth=1.0).set_gid("positives")
        add_boxes(ax, priors[self._mined].numpy() * S, edgecolors="red", linewidth=1.0).set_gid("mined")
        add_boxes(ax, pic.boxes.numpy() * S, edgecolors="white", linewidth=1.5, linestyle=":").set_gid("ground_truth")
        ax.set_title(title, fontsize=9)
        hx = figure.add_axes((0.53, 0.14, 0.45, 0.72))
        logs = np.log10(self._ce.clamp(min=1e-8).numpy())
        neg = (~self._pos).numpy()
        lo, hi = logs[neg].min(), logs[neg].max()
        bins = np.linspace(lo, hi + 1e-6, 41)
        all_counts, _edges = np.histogram(logs[neg], bins=bins)
        hx.stairs(np.maximum(all_counts, 0.5), bins, baseline=0.5, fill=True, color="tab:gray",
                  label=all_label).set_gid("all_negatives")
        if s["mined"]:
            mined_counts, _edges = np.histogram(logs[self._mined.numpy()], bins=bins)
            hx.stairs(np.maximum(mined_counts, 0.5), bins, baseline=0.5, fill=True, color="red",
                      label=mined_label).set_gid("mined_hist")
            line = hx.axvline(math.log10(max(s["cut_loss"], 1e-8)), color="black", ls="--", lw=1.2)
            line.set_gid("cut")
        hx.set_yscale("log")
        hx.set_ylim(0.7, max(2.0, all_counts.max() * 2.0))
        hx.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        hx.yaxis.set_minor_locator(NullLocator())          # minor log ticks cost ~40 ms a redraw
        hx.set_xlabel(xlabel, fontsize=8)
        hx.set_ylabel(ylabel, fontsize=8)
        hx.tick_params(labelsize=7)
        hx.legend(fontsize=7, loc="upper right")
        hx.set_title(hist_title, fontsize=9)


def mining_explorer(model: torch.nn.Module | None = None, **kwargs) -> MiningExplorer:
    """Change the negative : positive ratio and see which negatives the loss keeps (lesson 3).

    ``model``: any SSD (the one :func:`train_briefly` returns; an untrained one by default).
    """
    return MiningExplorer(model, **kwargs)
