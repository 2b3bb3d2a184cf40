"""Lesson 4: reading the code. From paper section to module, and one batch from file to loss.

* :func:`paper_map_markdown`: where each idea of the paper lives
  (:data:`ssd_core.course.paper_map.PAPER_MAP`);
* :func:`tf_port_markdown`: the TensorFlow port the course reads next to ours
  (balancap/SSD-Tensorflow), function by function, with what each does differently
  (:data:`ssd_core.course.tf_port.TF_PORT`);
* :func:`show_source`: a function's source, shown in the notebook (``inspect``);
* :func:`trace_network`, :func:`trace_labels`, :func:`trace_loss`: the three keys of an SSD
  code base (network, label preparation, loss), each run on one batch with the shape of
  every intermediate printed;
* :func:`trace_batch` and :func:`plot_batch`: one batch end to end, from the files on disk to
  the loss, through the same functions training calls. Its stages carry the keys of
  :func:`ssd_core.homework.training_stages`, the flowchart of the homework.

Every trace is a :class:`ShapeTrace`: rows of (stage, step, shape, note) that print as a table,
in the course's language (:mod:`ssd_core.i18n`); code names stay as they are.
"""

from __future__ import annotations

import importlib
import inspect
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from ..boxes import box_iou, cxcywh_to_xyxy, encode
from ..course.paper_map import PAPER_MAP
from ..course.tf_port import TF_PORT, tf_link
from ..data import SSDAugmentation, collate, parse_voc_xml
from ..draw import add_boxes
from ..fonts import fig, new_figure
from ..i18n import N_, _, ngettext, pgettext
from ..loss import hard_negative_mining, multibox_loss
from ..matching import match
from ..paths import SOURCE_ROOT as _ROOT
from ..train import train_step

__all__ = [
    "paper_map_markdown",
    "tf_port_markdown",
    "resolve",
    "SourceView",
    "show_source",
    "ShapeTrace",
    "shape_of",
    "trace_network",
    "trace_labels",
    "trace_loss",
    "BatchTrace",
    "trace_batch",
    "plot_batch",
    "folder_tree",
    "plot_pictures",
]


# ---------------------------------------------------------------------------- the maps


def paper_map_markdown(link_prefix: str = "../../") -> str:
    """:data:`~ssd_core.course.paper_map.PAPER_MAP` as a Markdown table, each idea in the
    course's language; links are relative to the lesson's folder (``link_prefix`` leads from
    there to the repository)."""
    # TRANSLATORS: the column heads of lesson 4's map from the paper to the code: the paper's
    # section, the idea, the module (a file), the names to look for in it
    heads = (pgettext("paper map", "paper"), pgettext("paper map", "idea"),
             pgettext("paper map", "module"), pgettext("paper map", "key names"))
    lines = ["| " + " | ".join(heads) + " |", "| --- | --- | --- | --- |"]
    for r in PAPER_MAP:
        names = ", ".join(f"`{n}`" for n in r.names)
        lines.append(f"| {_(r.section)} | {_(r.idea)} | [`{r.module}`]({link_prefix}{r.module}) | "
                     f"{names} |")
    return "\n".join(lines)


def resolve(dotted: str) -> Any:
    """The object a dotted name inside ``ssd_core`` names (``"loss.multibox_loss"``)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module("ssd_core." + ".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(f"ssd_core.{dotted}: no such module or name")


def _module_file(dotted: str) -> str:
    obj = resolve(dotted)
    target = inspect.unwrap(obj)
    if isinstance(target, (classmethod, staticmethod)):
        target = target.__func__
    path = Path(inspect.getsourcefile(target)).resolve()
    return path.relative_to(_ROOT).as_posix()


def tf_port_markdown(link_prefix: str = "../../") -> str:
    """:data:`~ssd_core.course.tf_port.TF_PORT` as a Markdown table: the port's file and lines
    (pinned to one commit), its function, our name (a link relative to the lesson) and what
    differs, in the course's language."""
    # TRANSLATORS: the column heads of lesson 4's function-by-function map of SSD-Tensorflow
    # (the port's file and lines, its function, ours, what differs)
    heads = (pgettext("port map", "SSD-Tensorflow file"), pgettext("port map", "function"),
             "ssd_core", pgettext("port map", "what differs"))
    lines = ["| " + " | ".join(heads) + " |", "| --- | --- | --- | --- |"]
    for r in TF_PORT:
        path = _module_file(r.ours)
        lines.append(f"| [`{r.tf_file}` {r.lines}]({tf_link(r.tf_file, r.lines)}) | `{r.tf_name}` | "
                     f"[`{r.ours}`]({link_prefix}{path}) | {_(r.note)} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- source


@dataclass
class SourceView:
    """The source of one function or class; shows as highlighted code in a notebook."""

    name: str
    path: str
    first_line: int
    source: str

    @property
    def last_line(self) -> int:
        return self.first_line + self.source.count("\n") - (1 if self.source.endswith("\n") else 0)

    def header(self) -> str:
        return f"{self.name}  ({self.path}, lines {self.first_line}-{self.last_line})"

    def _repr_markdown_(self) -> str:
        # TRANSLATORS: the head of a function's source shown in a notebook (lesson 4); keep the
        # Markdown marks (** and `) around the name and the path
        head = _("**`{name}`** in `{path}`, lines {first}-{last}").format(
            name=self.name, path=self.path, first=self.first_line, last=self.last_line)
        return f"{head}\n\n```python\n{self.source.rstrip()}\n```"

    def __str__(self) -> str:
        return f"# {self.header()}\n{self.source}"

    def __repr__(self) -> str:
        return str(self)


def show_source(obj, docstring: bool = True) -> SourceView:
    """The source of ``obj`` (a function, class or method of ``ssd_core``), via ``inspect``.

    ``docstring=False`` leaves out the docstring, so that the code itself fits on a screen.
    """
    if isinstance(obj, str):
        obj = resolve(obj)
    target = inspect.unwrap(obj)
    lines, first = inspect.getsourcelines(target)
    source = "".join(lines)
    if not docstring:
        doc = inspect.getdoc(target)
        if doc:
            for quote in ('"""', "'''"):
                start = source.find(quote)
                if start != -1:
                    end = source.find(quote, start + 3)
                    if end != -1:
                        cut_end = source.find("\n", end) + 1
                        cut_start = source.rfind("\n", 0, start) + 1
                        source = source[:cut_start] + source[cut_end:]
                        break
    path = Path(inspect.getsourcefile(target)).resolve()
    try:
        rel = path.relative_to(_ROOT).as_posix()
    except ValueError:
        rel = str(path)
    name = getattr(target, "__qualname__", getattr(target, "__name__", str(target)))
    return SourceView(name, rel, first, source)


# ---------------------------------------------------------------------------- traces


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


def _both(message: str, shown: str | None = None, **kwargs) -> tuple[str, str]:
    """A step label given as an English sentence of the catalog (marked ``N_``), with its
    placeholders filled: ``(English, as shown)``. The English is the language-independent key
    of the step; ``shown`` is its translation when it needs a context (``pgettext``), by
    default ``_(message)``."""
    shown = _(message) if shown is None else shown
    return message.format(**kwargs), shown.format(**kwargs)


#: The photometric distortions of the augmentation, by the option's name.
_PHOTOMETRIC = {"brightness": N_("brightness"), "contrast": N_("contrast"),
                "saturation": N_("saturation"), "hue": N_("hue")}


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


def _tally(items) -> str:
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
    trace.add("input", _both(N_("images")), images, _("RGB in [0, 1]"))
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
    trace.add("head", _both(N_("loc (concatenated)")), loc, _("4 offsets per default box"))
    trace.add("head", _both(N_("conf (concatenated)")), conf,
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
    trace.add("match", _both(N_("default boxes (priors)")), priors, _("cxcywh in [0, 1]"))
    boxes = [t["boxes"].as_subclass(torch.Tensor).float() for t in targets]
    labels = [t["labels"] for t in targets]
    for i, (b, l) in enumerate(zip(boxes, labels)):
        trace.add("match", _both(N_("ground truth {i}: boxes"), i=i), b,
                  _("labels {tally}").format(tally=_tally(l.tolist())))
    priors_xyxy = cxcywh_to_xyxy(priors)
    for i, b in enumerate(boxes):
        iou = box_iou(b, priors_xyxy)                                        # [N_i, P]
        best = iou.max(dim=1).values.tolist() if len(b) else []
        shown = ", ".join(f"{v:.2f}" for v in best[:6]) + (", ..." if len(best) > 6 else "")
        trace.add("match", _both(N_("IoU {i}: objects x priors"), i=i), iou,
                  _("best IoU per object {shown}").format(shown=shown))
    m = match(boxes, labels, priors, iou_threshold)
    pos = m.labels > 0
    trace.add("match", _both(N_("matched labels")), m.labels,
              _("positives per image {pos}, by step 1 only {forced}")
              .format(pos=pos.sum(dim=1).tolist(), forced=m.forced.sum(dim=1).tolist()))
    trace.add("match", _both(N_("matched boxes")), m.boxes,
              _("each prior's object (background: nearest)"))
    loc_t = encode(m.boxes, priors, variances)                               # [B, P, 4]
    trace.add("encode", _both(N_("loc targets")), loc_t,
              _("variances {v}").format(v=tuple(variances)))
    if pos.any():
        b, p = pos.nonzero()[0].tolist()
        trace.add("encode", _both(N_("e.g. image {b}, prior {p}"), b=b, p=p), loc_t[b, p],
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
    trace.add("loss", _both(N_("positives")), positive,
              _("N = {n} matched default boxes").format(n=n))
    pred, target = loc[positive], loc_t[positive]                            # [N, 4]
    trace.add("loss", _both(N_("loc of positives")), pred, _("predicted offsets"))
    loc_sum = F.smooth_l1_loss(pred, target, reduction="sum")
    trace.add("loss", _both(N_("smooth L1, summed")), loc_sum, _("L_loc (positives only)"))
    C = conf.shape[-1]
    ce = F.cross_entropy(conf.reshape(-1, C), labels.reshape(-1), reduction="none").reshape(labels.shape)
    trace.add("loss", _both(N_("cross-entropy per box")), ce,
              _("-log p(true class); background for negatives"))
    negatives = hard_negative_mining(ce, labels, neg_pos_ratio)              # [B, P]
    trace.add("mining", _both(N_("mined negatives")), negatives,
              _("per image {per_image} = min({r} x positives, negatives)")
              .format(per_image=negatives.sum(dim=1).tolist(), r=f"{neg_pos_ratio:g}"))
    conf_sum = ce[positive | negatives].sum()
    trace.add("mining", _both(N_("cross-entropy, summed")), conf_sum,
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


# ---------------------------------------------------------------------------- one batch


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
                      w=ann.width, h=ann.height, tally=_tally(o.name for o in ann.objects)))
        image = dataset.load_image(i)
        target = dataset.annotation(i)
        trace.add("read", f"{record.image_path.parent.name}/{record.image_path.name}", image,
                  "uint8 RGB")
        trace.add("read", _both(N_("boxes in pixels")), target["boxes"].as_subclass(torch.Tensor),
                  _("labels {tally}").format(tally=_tally(target["labels"].tolist())))
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
            trace.add(step.name, _both(N_("image {k}"), k=k), step.image.as_subclass(torch.Tensor),
                      _("{boxes}; {what}").format(boxes=shown, what=what) if what else shown)
            last = step
        samples.append((last.image.as_subclass(torch.Tensor), last.target))
        ids.append(target["image_id"])
    images, targets = collate(samples)
    trace.add("collate", _both(N_("images")), images, _("float in [0, 1]"))
    trace.add("collate", _both(N_("targets")), [t["boxes"] for t in targets],
              _("one [N_i, 4] per image, xyxy in [0, 1]"))
    if optimizer is None:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
    before = [p.detach().clone() for p in model.parameters()]
    tensors: dict = {}
    out = train_step(model, optimizer, images, targets, priors=model.priors,
                     variances=model.config.variances, record=tensors)
    labels, loc_t = tensors["labels"], tensors["loc_target"]
    trace.add("match", _both(N_("labels")), labels,
              _("positives per image {pos}").format(pos=(labels > 0).sum(dim=1).tolist()))
    trace.add("encode", _both(N_("loc targets")), loc_t, _("what the network should predict"))
    trace.add("forward", "loc", tensors["loc"], "")
    trace.add("forward", "conf", tensors["conf"], "")
    trace.add("loss", _both("loss", pgettext("trace", "loss")), torch.tensor(out["loss"]),
              _("loc {loc:.3f} + conf {conf:.3f}").format(loc=out["loc"], conf=out["conf"]))
    trace.add("mining", _both(N_("mined negatives")), tensors["negatives"],
              _("per image {per_image}").format(per_image=tensors["negatives"].sum(dim=1).tolist()))
    moved = sum(float((p.detach() - q).norm() ** 2) for p, q in zip(model.parameters(), before)) ** 0.5
    n_params = sum(p.numel() for p in before)
    trace.add("backward", _both(N_("gradients")), None,
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


# ---------------------------------------------------------------------------- data pictures


def folder_tree(root: str | Path, show: int = 3) -> str:
    """A dataset folder as an indented tree: each folder with its number of files and the
    first ``show`` names (VOC's layout at a glance)."""
    root = Path(root)
    lines = [f"{root.name}/"]

    def walk(folder: Path, depth: int) -> None:
        entries = sorted(folder.iterdir(), key=lambda p: (p.is_file(), p.name))
        files = [p for p in entries if p.is_file()]
        for sub in (p for p in entries if p.is_dir()):
            n = sum(1 for p in sub.iterdir() if p.is_file())
            count = ngettext("({n} file)", "({n} files)", n).format(n=n)
            lines.append("    " * (depth + 1) + f"{sub.name}/" + (f"  {count}" if n else ""))
            walk(sub, depth + 1)
        if files and depth >= 0:
            names = ", ".join(p.name for p in files[:show]) + (", ..." if len(files) > show else "")
            if depth == 0:
                for p in files:
                    lines.append("    " + p.name)
            else:
                lines.append("    " * (depth + 1) + names)

    walk(root, 0)
    return "\n".join(lines)


def plot_pictures(panels: Sequence[tuple], size: float = 3.6) -> Figure:
    """Images side by side with their boxes: each panel is ``(image [3, H, W], boxes_px [N, 4],
    title)``; images are uint8 or float in [0, 1]. A title is shown as it is given (the
    caller writes it in the course's language)."""
    figure = new_figure(figsize=(size * len(panels), size * 0.95))
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for k, (ax, (image, boxes_px, title)) in enumerate(zip(axes, panels)):
        arr = image.as_subclass(torch.Tensor) if isinstance(image, torch.Tensor) else torch.as_tensor(image)
        arr = arr.float() / 255 if arr.dtype == torch.uint8 else arr.float()
        H, W = arr.shape[-2:]
        ax.imshow(arr.clamp(0, 1).permute(1, 2, 0).numpy(), extent=(0, W, H, 0))
        b = torch.as_tensor(boxes_px.as_subclass(torch.Tensor) if isinstance(boxes_px, torch.Tensor)
                            else boxes_px, dtype=torch.float32).reshape(-1, 4)
        add_boxes(ax, b.numpy(), edgecolors="yellow", linewidth=1.5).set_gid(f"boxes{k}")
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(fig("{title}\n{w} x {h} px, {n} box(es)", title=title, w=W, h=H, n=len(b)),
                     fontsize=9)
    figure.tight_layout()
    return figure
