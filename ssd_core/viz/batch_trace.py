"""Lesson 4: one batch end to end, from the files on disk to the optimizer step, through the
same functions training calls.

* :func:`trace_batch`: read, augment, collate, then :func:`ssd_core.train_step` (match,
  encode, forward, loss, mining, backward, step), every stage a row of a
  :class:`~ssd_core.viz.traces.ShapeTrace`; its stages carry the keys of
  :func:`ssd_core.homework.training_stages`, the flowchart of the homework;
* :class:`BatchTrace`: the table and every tensor on the way;
* :func:`plot_batch`: the augmented images with their positives and mined negatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from matplotlib.figure import Figure

from ..boxes import cxcywh_to_xyxy
from ..data import SSDAugmentation, collate, parse_voc_xml
from ..draw import add_boxes
from ..fonts import fig, new_figure
from ..i18n import N_, _, pgettext
from ..train import train_step
from .traces import ShapeTrace, shape_of, step_label, tally

__all__ = ["BatchTrace", "trace_batch", "plot_batch"]

#: The photometric distortions of the augmentation, by the option's name.
_PHOTOMETRIC = {"brightness": N_("brightness"), "contrast": N_("contrast"),
                "saturation": N_("saturation"), "hue": N_("hue")}


@dataclass
class BatchTrace:
    """What :func:`trace_batch` returns: the table, and every tensor on the way."""

    trace: ShapeTrace
    image_ids: list[str]
    images: torch.Tensor                  # [B, 3, S, S]
    targets: list[dict]
    loc_target: torch.Tensor              # [B, P, 4]
    labels: torch.Tensor                  # [B, P]
    loc: torch.Tensor                     # [B, P, 4]
    conf: torch.Tensor                    # [B, P, C]
    loss: dict                            # train_step's numbers, and the mined negatives
    priors: torch.Tensor
    class_names: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.trace)

    def __repr__(self) -> str:
        return str(self.trace)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self.trace))


def trace_batch(dataset, indices: Sequence[int], model, augmentation=None, seed: int = 0,
                optimizer: torch.optim.Optimizer | None = None) -> BatchTrace:
    """One batch from the files on disk to the optimizer step, through training's own code.

    ``dataset`` is a :class:`ssd_core.VOCDataset` (its transforms are not used);
    ``augmentation`` defaults to :class:`ssd_core.SSDAugmentation` at the model's input size.
    Image ``k`` of the batch is augmented with seed ``seed + k``. The batch then goes through
    :func:`ssd_core.train_step` (match, encode, forward, loss, mining, backward, step) with
    ``optimizer``, by default the paper's SGD (lr 1e-3, momentum 0.9, weight decay 5e-4):
    **the model's weights change** by one step. The stages are ``read``, the augmentation
    steps, ``collate``, ``match``, ``encode``, ``forward``, ``loss``, ``mining``,
    ``backward`` and ``step``: the keys of :func:`ssd_core.homework.training_stages`.
    """
    size = model.config.image_size
    aug = augmentation if augmentation is not None else SSDAugmentation(size)
    trace = ShapeTrace(_("one batch of {n} image(s), from file to optimizer step")
                       .format(n=len(indices)))
    samples, ids = [], []
    for k, i in enumerate(indices):
        record = dataset.records[i]
        ann = parse_voc_xml(record.annotation_path)
        trace.add("read", f"{record.annotation_path.parent.name}/{record.annotation_path.name}",
                  None, _("{w} x {h}, objects: {tally}").format(
                      w=ann.width, h=ann.height, tally=tally(o.name for o in ann.objects)))
        image = dataset.load_image(i)
        target = dataset.annotation(i)
        trace.add("read", f"{record.image_path.parent.name}/{record.image_path.name}", image,
                  "uint8 RGB")
        trace.add("read", step_label(N_("boxes in pixels")), target["boxes"].as_subclass(torch.Tensor),
                  _("labels {tally}").format(tally=tally(target["labels"].tolist())))
        for step in aug.trace(image, target, seed=seed + k):
            if step.name == "input":
                continue
            boxes = step.target["boxes"]
            what = ""
            if step.name == "photometric":
                # TRANSLATORS: joins the names of the photometric distortions drawn
                what = pgettext("enumeration", ", ").join(
                    _(t) for k2, t in _PHOTOMETRIC.items() if k2 in step.params)
            elif step.name == "zoom_out":
                what = (_("scale {s:.2f}").format(s=step.params.get("scale", 1.0)) if step.params
                        else _("not drawn"))
            elif step.name == "iou_crop":
                what = _("option {o}").format(o=step.params.get("option"))
            elif step.name == "flip":
                what = _("flipped {f}").format(f=step.params.get("flipped"))
            shown = _("boxes {shape}").format(shape=shape_of(boxes.as_subclass(torch.Tensor)))
            trace.add(step.name, step_label(N_("image {k}"), k=k), step.image.as_subclass(torch.Tensor),
                      _("{boxes}; {what}").format(boxes=shown, what=what) if what else shown)
            last = step
        samples.append((last.image.as_subclass(torch.Tensor), last.target))
        ids.append(target["image_id"])
    images, targets = collate(samples)
    trace.add("collate", step_label(N_("images")), images, _("float in [0, 1]"))
    trace.add("collate", step_label(N_("targets")), [t["boxes"] for t in targets],
              _("one [N_i, 4] per image, xyxy in [0, 1]"))
    if optimizer is None:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
    before = [p.detach().clone() for p in model.parameters()]
    tensors: dict = {}
    out = train_step(model, optimizer, images, targets, priors=model.priors,
                     variances=model.config.variances, record=tensors)
    labels, loc_t = tensors["labels"], tensors["loc_target"]
    trace.add("match", step_label(N_("labels")), labels,
              _("positives per image {pos}").format(pos=(labels > 0).sum(dim=1).tolist()))
    trace.add("encode", step_label(N_("loc targets")), loc_t, _("what the network should predict"))
    trace.add("forward", "loc", tensors["loc"], "")
    trace.add("forward", "conf", tensors["conf"], "")
    trace.add("loss", step_label("loss", pgettext("trace", "loss")), torch.tensor(out["loss"]),
              _("loc {loc:.3f} + conf {conf:.3f}").format(loc=out["loc"], conf=out["conf"]))
    trace.add("mining", step_label(N_("mined negatives")), tensors["negatives"],
              _("per image {per_image}").format(per_image=tensors["negatives"].sum(dim=1).tolist()))
    moved = sum(float((p.detach() - q).norm() ** 2) for p, q in zip(model.parameters(), before)) ** 0.5
    n_params = sum(p.numel() for p in before)
    trace.add("backward", step_label(N_("gradients")), None,
              _("one per weight, {n:,} weights").format(n=n_params))
    trace.add("step", type(optimizer).__name__, None,
              _("lr {lr:g}: the weights moved by {moved:.3g} (L2)")
              .format(lr=optimizer.param_groups[0]["lr"], moved=moved))
    loss = {**out, "negatives": tensors["negatives"]}
    return BatchTrace(trace, ids, images, list(targets), loc_t, labels, tensors["loc"],
                      tensors["conf"], loss, model.priors, tuple(dataset.classes))


def plot_batch(bt: BatchTrace, max_images: int = 4) -> Figure:
    """The augmented images of a traced batch with their ground truth (white, dashed), the
    positive default boxes (green) and the mined negatives (red)."""
    n = min(max_images, bt.images.shape[0])
    figure = new_figure(figsize=(3.4 * n, 3.7))
    axes = figure.subplots(1, n, squeeze=False)[0]
    S = bt.images.shape[-1]
    priors = cxcywh_to_xyxy(bt.priors).numpy() * S
    for k, ax in enumerate(axes):
        ax.imshow(bt.images[k].permute(1, 2, 0).clamp(0, 1).numpy(), extent=(0, S, S, 0))
        pos = (bt.labels[k] > 0).numpy()
        neg = bt.loss["negatives"][k].numpy()
        add_boxes(ax, priors[neg], edgecolors="red", linewidth=0.6, alpha=0.6).set_gid(f"mined{k}")
        add_boxes(ax, priors[pos], edgecolors="lime", linewidth=1.0).set_gid(f"positives{k}")
        gt = bt.targets[k]["boxes"].as_subclass(torch.Tensor).numpy() * S
        add_boxes(ax, gt, edgecolors="white", linewidth=1.5, linestyle="--").set_gid(f"truth{k}")
        ax.set_xlim(0, S)
        ax.set_ylim(S, 0)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(fig("{id}: {positives} positives, {mined} mined", id=bt.image_ids[k],
                         positives=int(pos.sum()), mined=int(neg.sum())), fontsize=8.5)
    figure.tight_layout()
    return figure
