"""Lesson 3: pictures of the training objective (section 2.2, eq. 1-3).

* :func:`plot_encoding`: a default box, a ground-truth box and the four numbers the network
  regresses, with and without the variances (0.1, 0.2);
* :func:`plot_smooth_l1`: smooth L1 against L2 (and L1), and their gradients;
* :func:`plot_confidence_loss`: the softmax cross-entropy as a function of the probability
  given to the right class.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..boxes import cxcywh_to_xyxy, encode
from ..fonts import fig, new_figure, pfig

__all__ = ["smooth_l1", "plot_encoding", "plot_smooth_l1", "plot_confidence_loss"]


def smooth_l1(x):
    """Smooth L1 of eq. 2 (Fast R-CNN's): ``0.5 x^2`` for ``|x| < 1``, else ``|x| - 0.5``."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    return np.where(a < 1, 0.5 * x * x, a - 0.5)


def plot_encoding(prior_cxcywh, gt_xyxy, variances=(0.1, 0.2)) -> Figure:
    """Left: the default box d (dashed) and the ground truth g. Right: the regression targets
    ``(g_cx - d_cx) / d_w``, ..., ``log(g_h / d_h)`` as they are, and divided by the variances
    (what :func:`ssd_core.encode` returns)."""
    prior = torch.as_tensor(prior_cxcywh, dtype=torch.float32).reshape(1, 4)
    gt = torch.as_tensor(gt_xyxy, dtype=torch.float32).reshape(1, 4)
    scaled = encode(gt, prior, variances)[0].numpy()                          # [4]
    raw = scaled * np.array([variances[0], variances[0], variances[1], variances[1]])
    # the text first: it readies the CJK font before the axes (and their labels) exist
    default_box, ground_truth = fig("default box d"), fig("ground truth g")
    boxes_title, offsets = fig("boxes in [0, 1] image units"), fig("offsets")
    regresses = fig("what the network regresses")
    divided = fig("divided by variances {variances}", variances=variances)
    figure = new_figure(figsize=(9, 3.6))
    ax, bx = figure.subplots(1, 2, gridspec_kw=dict(width_ratios=(1, 1.3)))
    d = cxcywh_to_xyxy(prior)[0].numpy()
    g = gt[0].numpy()
    ax.add_patch(Rectangle(d[:2], d[2] - d[0], d[3] - d[1], fill=False, ls="--", lw=2,
                           ec="tab:blue", label=default_box))
    ax.add_patch(Rectangle(g[:2], g[2] - g[0], g[3] - g[1], fill=False, lw=2, ec="tab:green",
                           label=ground_truth))
    ax.plot(*prior[0, :2].numpy(), "o", color="tab:blue")
    ax.plot((g[0] + g[2]) / 2, (g[1] + g[3]) / 2, "o", color="tab:green")
    ax.set_xlim(0, 1)
    ax.set_ylim(1, 0)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(boxes_title, fontsize=9)
    names = ["cx: Δx / d_w", "cy: Δy / d_h", "w: log(g_w/d_w)", "h: log(g_h/d_h)"]
    x = np.arange(4)
    bx.bar(x - 0.2, raw, 0.4, label=offsets, color="tab:gray", gid="raw")
    bx.bar(x + 0.2, scaled, 0.4, label=divided, color="tab:orange",
           gid="encoded")
    for i, (r, s) in enumerate(zip(raw, scaled)):
        bx.text(i + 0.2, s, f"{s:.2f}", ha="center", va="bottom" if s >= 0 else "top", fontsize=8)
    bx.axhline(0, color="black", lw=0.8)
    bx.set_xticks(x, names, fontsize=8)
    bx.legend(fontsize=8)
    bx.set_title(regresses, fontsize=9)
    figure.tight_layout()
    return figure


def plot_smooth_l1(limit: float = 3.0) -> Figure:
    """Smooth L1, L2 (``x^2 / 2``) and L1 against the error, and their gradients: smooth L1's
    gradient never exceeds 1, so one badly placed box cannot dominate the update."""
    x = np.linspace(-limit, limit, 601)
    # the text first: it readies the CJK font before the axes (and their labels) exist
    smooth, smooth_grad = fig("smooth L1"), fig("smooth L1: clip(x, -1, 1)")
    error, error_short = fig("error x = prediction - target"), fig("error x")
    loss = pfig("smooth L1 figure", "loss")
    gradient = fig("gradient")
    figure = new_figure(figsize=(9, 3.4))
    ax, gx = figure.subplots(1, 2)
    ax.plot(x, 0.5 * x * x, label="L2: x²/2", color="tab:red", gid="l2")
    ax.plot(x, np.abs(x), label="L1: |x|", color="tab:gray", ls=":", gid="l1")
    ax.plot(x, smooth_l1(x), label=smooth, color="tab:blue", lw=2.5, gid="smooth_l1")
    ax.set_ylim(0, limit * 1.2)
    ax.set_xlabel(error)
    ax.set_title(loss, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    gx.plot(x, x, color="tab:red", label="L2: x", gid="l2_grad")
    gx.plot(x, np.sign(x), color="tab:gray", ls=":", label="L1: sign(x)", gid="l1_grad")
    gx.plot(x, np.clip(x, -1, 1), color="tab:blue", lw=2.5, label=smooth_grad,
            gid="smooth_l1_grad")
    gx.set_xlabel(error_short)
    gx.set_title(gradient, fontsize=10)
    gx.legend(fontsize=8)
    gx.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def plot_confidence_loss() -> Figure:
    """``-log p`` against the softmax probability p of the right class (object or background)."""
    p = np.linspace(0.001, 1, 500)
    # the text first: it readies the CJK font before the axes (and their labels) exist
    points = {q: fig("p = {p}: loss {loss:.2f}", p=q, loss=-np.log(q))
              for q in (0.05, 0.5, 0.95)}
    xlabel = fig("softmax probability of the correct class")
    ylabel = fig("cross-entropy  -log p")
    figure = new_figure(figsize=(5.5, 3.4))
    ax = figure.add_subplot()
    ax.plot(p, -np.log(p), lw=2, gid="ce")
    for q, text in points.items():
        ax.plot(q, -np.log(q), "o", color="tab:red")
        ax.annotate(text, (q, -np.log(q)), xytext=(8, 6),
                    textcoords="offset points", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 7)
    ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure
