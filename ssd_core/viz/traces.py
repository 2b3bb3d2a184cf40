"""Lesson 4: the three keys of an SSD code base (network, label preparation, loss), each
run on one batch with the shape of every intermediate printed.

* :class:`ShapeTrace`: rows of (stage, step, shape, note) that print as a table in the
  course's language (:mod:`ssd_core.i18n`); code names stay as they are;
* :func:`trace_network`, :func:`trace_labels`, :func:`trace_loss`: the network, the matching
  and encoding, and the multibox loss, unrolled; each returns its :class:`ShapeTrace`.

One batch end to end, through training's own code, is :mod:`ssd_core.viz.batch_trace`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..boxes import box_iou, cxcywh_to_xyxy, encode
from ..i18n import N_, _, pgettext
from ..loss import hard_negative_mining, multibox_loss
from ..matching import match

__all__ = ["ShapeTrace", "shape_of", "step_label", "tally", "trace_network", "trace_labels",
           "trace_loss"]


def shape_of(value) -> str:
    """``[2, 3, 300, 300]`` for a tensor, ``[3, 4] + [1, 4]`` for a list of tensors, the
    value itself for a number."""
    if isinstance(value, torch.Tensor):
        return "[" + ", ".join(str(d) for d in value.shape) + "]" if value.dim() else f"{value.item():.4g}"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, torch.Tensor) for v in value):
        return " + ".join(shape_of(v) for v in value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _width(text: str) -> int:
    """Display columns of ``text`` in a monospaced font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces on the right to ``width`` display columns."""
    return text + " " * max(0, width - _width(text))


def step_label(message: str, shown: str | None = None, **kwargs) -> tuple[str, str]:
    """A step label given as an English sentence of the catalog (marked ``N_``), with its
    placeholders filled: ``(English, as shown)``. The English is the language-independent key
    of the step; ``shown`` is its translation when it needs a context (``pgettext``), by
    default ``_(message)``."""
    shown = _(message) if shown is None else shown
    return message.format(**kwargs), shown.format(**kwargs)


def _stage_names() -> dict[str, str]:
    """The stage column, by stage key, in the course's language (the keys stay:
    ``trace.stages``, the homework flowchart). The augmentation's steps (photometric,
    zoom_out, iou_crop, resize, flip, sanitize) are shown by their code names, the options of
    ``SSDAugmentation``."""
    # TRANSLATORS: the stages of a trace table (its first column)
    return {"input": _("input"), "network": _("network"), "head": _("head"), "read": _("read"),
            "collate": _("collate"), "match": _("match"), "encode": _("encode"),
            "forward": _("forward"), "loss": pgettext("trace", "loss"),
            "mining": _("mining"), "backward": _("backward"),
            # TRANSLATORS: the optimizer's step, the last stage of a training iteration
            "step": pgettext("trace stage", "step")}


@dataclass
class ShapeTrace:
    """Rows of ``(stage, step, shape, note)``; prints as an aligned table in the course's
    language (the columns line up in a monospaced font, Chinese characters two wide).

    ``rows`` hold the stage's key (``"match"``; :attr:`stages`) and the step and note as shown;
    :attr:`shapes` and :attr:`tensors` are keyed by the step's English label in every language
    (``trace.shapes["head.loc on conv4_3"]``, ``"default boxes (priors)"``). The title is
    shown as it is given.
    """

    title: str = ""
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    shapes: dict[str, tuple] = field(default_factory=dict)
    keep: bool = False
    tensors: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)
    labels: dict[str, str] = field(default_factory=dict, repr=False)

    def add(self, stage: str, step: str | tuple[str, str], value=None, note: str = "") -> None:
        """Add a row; a tensor's shape is also kept in :attr:`shapes` under ``step`` (and, with
        ``keep``, the tensor itself in :attr:`tensors`). A step given as a pair ``(English,
        shown)`` (a label in the course's language) is shown as the second and keyed by the
        first; ``note`` is shown as it is given."""
        key, shown = step if isinstance(step, tuple) else (step, step)
        self.labels[key] = shown
        if isinstance(value, torch.Tensor):
            self.shapes[key] = tuple(value.shape)
            if self.keep:
                self.tensors[key] = value.detach()
        self.rows.append((stage, shown, "" if value is None else shape_of(value), str(note)))

    def find(self, text: str) -> torch.Tensor:
        """The first kept tensor whose step contains ``text`` (``trace.find("l2norm")``), in
        the step's key or in its label as shown."""
        for step, value in self.tensors.items():
            if text in step or text in self.labels.get(step, step):
                return value
        raise KeyError(f"no kept step contains {text!r}; steps: {list(self.tensors)} "
                       "(trace with keep=True to keep the tensors)")

    @property
    def stages(self) -> list[str]:
        """The stages in the order they first appear."""
        return list(dict.fromkeys(r[0] for r in self.rows))

    def __str__(self) -> str:
        names = _stage_names()
        rows = [(names.get(stage, stage), step, shape, note) for stage, step, shape, note in self.rows]
        # TRANSLATORS: the column heads of a trace table; the columns are aligned (a Chinese
        # character is two columns wide)
        heads = [_("stage"), pgettext("trace column", "step"), _("shape"), _("note")]
        w = [max([_width(r[i]) for r in rows] + [_width(heads[i])]) for i in range(3)]

        def line(cells) -> str:
            return "  ".join(_pad(c, w[i]) for i, c in enumerate(cells[:3])) + f"  {cells[3]}"

        head = line(heads)
        out = ([self.title] if self.title else []) + [head, "-" * _width(head)]
        out += [line(r).rstrip() for r in rows]
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def tally(items) -> str:
    """``cat, eye x2``: each distinct item once, in order of appearance, with its count."""
    items = [str(i) for i in items]
    counts = {i: items.count(i) for i in dict.fromkeys(items)}
    return ", ".join(f"{k} x{n}" if n > 1 else k for k, n in counts.items()) or _("none")


def _span(seq: nn.Module) -> str:
    """``conv1_1 ... conv4_3``: the first and last named layers of a Sequential (ReLUs skipped)."""
    names = [n for n, m in seq.named_children() if not isinstance(m, nn.ReLU)]
    if not names:
        return type(seq).__name__
    return names[0] if len(names) == 1 else f"{names[0]} ... {names[-1]}"


@torch.no_grad()
def trace_network(model, images: torch.Tensor, detail: bool = False, keep: bool = False):
    """Run ``model`` on ``images`` and record the shape after every stage of the network.

    Stages: the input normalisation, the base network's chains (and L2Norm), each extra
    layer, each head convolution (and what it becomes once flattened), the concatenation.
    ``detail=True`` records every convolution and pooling layer of the base as well;
    ``keep=True`` keeps every output (``trace.find("l2norm")``). Returns ``(trace, loc, conf)``.
    """
    trace = ShapeTrace(_("network: {name}, input {shape}").format(name=model.config.name,
                                                                   shape=shape_of(images)),
                       keep=keep)
    trace.add("input", step_label(N_("images")), images, _("RGB in [0, 1]"))
    handles = []

    def hook(stage, step, note=""):
        def fn(_module, _inputs, output):
            trace.add(stage, step, output, note)
        return fn

    try:
        handles.append(model.normalize.register_forward_hook(hook("network", "normalize", _("(x - mean) / std"))))
        stages = list(model.base.stages()) if hasattr(model.base, "stages") else []
        base_sources = list(model.base.source_names)
        for i, chain in enumerate(stages):
            if detail:
                for name, layer in chain.named_children():
                    if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.Sequential)):
                        extra = ""
                        if isinstance(layer, nn.Conv2d) and layer.dilation[0] > 1:
                            extra = _("atrous: dilation {d}").format(d=layer.dilation[0])
                        handles.append(layer.register_forward_hook(hook("network", f"base.{name}", extra)))
            src = base_sources[i] if i < len(base_sources) else ""
            handles.append(chain.register_forward_hook(
                hook("network", f"base: {_span(chain)}",
                     _("source map {name}").format(name=src) if src else "")))
        l2 = getattr(model.base, "l2norm", None)
        if l2 is not None:
            handles.append(l2.register_forward_hook(
                hook("network", "base: l2norm(conv4_3)", _("L2Norm: what the head sees"))))
        for block in model.extras:
            handles.append(block.register_forward_hook(
                hook("network", f"extras: {_span(block)}",
                     _("source map {name}").format(name=getattr(block, "source_name", "")))))
        head = model.head
        for k, name in enumerate(model.source_names):
            A = head.boxes_per_location[k]
            for kind, convs, cols in (("loc", head.loc, 4), ("conf", head.conf, head.num_classes)):
                def fn(_m, _i, out, kind=kind, name=name, A=A, cols=cols):
                    B, _channels, H, W = out.shape
                    trace.add("head", f"head.{kind} on {name}", out,
                              _("-> [{b}, {n}, {cols}] ({h}x{w} cells x {a} boxes)")
                              .format(b=B, n=H * W * A, cols=cols, h=H, w=W, a=A))
                handles.append(convs[k].register_forward_hook(fn))
        loc, conf = model(images)
    finally:
        for h in handles:
            h.remove()
    trace.add("head", step_label(N_("loc (concatenated)")), loc, _("4 offsets per default box"))
    trace.add("head", step_label(N_("conf (concatenated)")), conf,
              _("{c} class logits per default box").format(c=conf.shape[-1]))
    return trace, loc, conf


def trace_labels(targets: Sequence[dict], priors: torch.Tensor,
                 variances: tuple[float, float] = (0.1, 0.2), iou_threshold: float = 0.5):
    """Label preparation for a batch, step by step: IoU, matching, encoding.

    ``targets``: one dict per image with ``boxes`` ``[N, 4]`` xyxy in [0, 1] and ``labels``.
    Returns ``(trace, loc_target [B, P, 4], labels [B, P], match_result)``; the targets are
    exactly what :func:`ssd_core.data.batch_targets` gives training.
    """
    trace = ShapeTrace(_("label preparation: {n} image(s), {p:,} default boxes")
                       .format(n=len(targets), p=len(priors)))
    trace.add("match", step_label(N_("default boxes (priors)")), priors, _("cxcywh in [0, 1]"))
    boxes = [t["boxes"].as_subclass(torch.Tensor).float() for t in targets]
    labels = [t["labels"] for t in targets]
    for i, (b, l) in enumerate(zip(boxes, labels)):
        trace.add("match", step_label(N_("ground truth {i}: boxes"), i=i), b,
                  _("labels {tally}").format(tally=tally(l.tolist())))
    priors_xyxy = cxcywh_to_xyxy(priors)
    for i, b in enumerate(boxes):
        iou = box_iou(b, priors_xyxy)                                        # [N_i, P]
        best = iou.max(dim=1).values.tolist() if len(b) else []
        shown = ", ".join(f"{v:.2f}" for v in best[:6]) + (", ..." if len(best) > 6 else "")
        trace.add("match", step_label(N_("IoU {i}: objects x priors"), i=i), iou,
                  _("best IoU per object {shown}").format(shown=shown))
    m = match(boxes, labels, priors, iou_threshold)
    pos = m.labels > 0
    trace.add("match", step_label(N_("matched labels")), m.labels,
              _("positives per image {pos}, by step 1 only {forced}")
              .format(pos=pos.sum(dim=1).tolist(), forced=m.forced.sum(dim=1).tolist()))
    trace.add("match", step_label(N_("matched boxes")), m.boxes,
              _("each prior's object (background: nearest)"))
    loc_t = encode(m.boxes, priors, variances)                               # [B, P, 4]
    trace.add("encode", step_label(N_("loc targets")), loc_t,
              _("variances {v}").format(v=tuple(variances)))
    if pos.any():
        b, p = pos.nonzero()[0].tolist()
        trace.add("encode", step_label(N_("e.g. image {b}, prior {p}"), b=b, p=p), loc_t[b, p],
                  "(dcx, dcy, dw, dh) = " + ", ".join(f"{v:.2f}" for v in loc_t[b, p].tolist()))
    return trace, loc_t, m.labels, m


def trace_loss(loc: torch.Tensor, conf: torch.Tensor, loc_t: torch.Tensor, labels: torch.Tensor,
               neg_pos_ratio: float = 3, check: bool = True):
    """The multibox loss of section 2.2, unrolled, with the shape of every intermediate.

    Computes the same numbers as :func:`ssd_core.multibox_loss`, one step at a time, and (with
    ``check``) verifies that they agree. Returns ``(trace, parts)``, where ``parts`` has
    ``loss``, ``loc``, ``conf``, ``num_pos`` and ``negatives`` like ``multibox_loss``.
    """
    trace = ShapeTrace(_("loss: {n} image(s), {p:,} default boxes").format(n=loc.shape[0],
                                                                            p=loc.shape[1]))
    positive = labels > 0                                                    # [B, P]
    n = int(positive.sum())
    trace.add("loss", step_label(N_("positives")), positive,
              _("N = {n} matched default boxes").format(n=n))
    pred, target = loc[positive], loc_t[positive]                            # [N, 4]
    trace.add("loss", step_label(N_("loc of positives")), pred, _("predicted offsets"))
    loc_sum = F.smooth_l1_loss(pred, target, reduction="sum")
    trace.add("loss", step_label(N_("smooth L1, summed")), loc_sum, _("L_loc (positives only)"))
    C = conf.shape[-1]
    ce = F.cross_entropy(conf.reshape(-1, C), labels.reshape(-1), reduction="none").reshape(labels.shape)
    trace.add("loss", step_label(N_("cross-entropy per box")), ce,
              _("-log p(true class); background for negatives"))
    negatives = hard_negative_mining(ce, labels, neg_pos_ratio)              # [B, P]
    trace.add("mining", step_label(N_("mined negatives")), negatives,
              _("per image {per_image} = min({r} x positives, negatives)")
              .format(per_image=negatives.sum(dim=1).tolist(), r=f"{neg_pos_ratio:g}"))
    conf_sum = ce[positive | negatives].sum()
    trace.add("mining", step_label(N_("cross-entropy, summed")), conf_sum,
              _("L_conf (positives + mined negatives)"))
    d = max(1, n)
    parts = {"loss": (conf_sum + loc_sum) / d, "loc": loc_sum / d, "conf": conf_sum / d,
             "num_pos": positive.sum(), "negatives": negatives}
    trace.add("loss", "(L_conf + L_loc) / N", parts["loss"],
              _("loc {loc:.4f} + conf {conf:.4f}, N = {n}")
              .format(loc=float(parts["loc"]), conf=float(parts["conf"]), n=d))
    if check:
        ref = multibox_loss(loc, conf, loc_t, labels, neg_pos_ratio)
        same = torch.allclose(ref["loss"], parts["loss"], rtol=1e-5, atol=1e-6) and \
            torch.equal(ref["negatives"], negatives)
        if not same:
            raise AssertionError(f"trace_loss disagrees with multibox_loss: {float(parts['loss'])} "
                                 f"vs {float(ref['loss'])}")
        trace.add("loss", "ssd_core.multibox_loss", ref["loss"], _("the same number, in one call"))
    return trace, parts
