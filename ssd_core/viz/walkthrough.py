"""Lesson 4: reading the code. From paper section to module, and one batch from file to loss.

* :data:`PAPER_MAP` and :func:`paper_map_markdown`: where each idea of the paper lives;
* :data:`TF_PORT` and :func:`tf_port_markdown`: the TensorFlow port the course reads next to
  ours (balancap/SSD-Tensorflow), function by function, with what each does differently;
* :func:`show_source`: a function's source, shown in the notebook (``inspect``);
* :func:`trace_network`, :func:`trace_labels`, :func:`trace_loss`: the three keys of an SSD
  code base (network, label preparation, loss), each run on one batch with the shape of
  every intermediate printed;
* :func:`trace_batch` and :func:`plot_batch`: one batch end to end, from the files on disk to
  the loss, through the same functions training calls. Its stages carry the keys of
  :func:`ssd_core.viz.homework.training_stages`, the flowchart of the homework.

Every trace is a :class:`ShapeTrace`: rows of (stage, step, shape, note) that print as a table.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

__all__ = [
    "MapRow",
    "PAPER_MAP",
    "paper_map_markdown",
    "PortRow",
    "TF_PORT",
    "TF_PORT_URL",
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


@dataclass(frozen=True)
class MapRow:
    """One row of the paper-to-module map: section, idea, file, and its key names."""

    section: str
    idea: str
    module: str
    names: tuple[str, ...] = ()


#: Where each idea of the paper lives (DESIGN.md's map, with the key names of each file).
PAPER_MAP: tuple[MapRow, ...] = (
    MapRow("2.1", "base network: VGG16, pool5 3x3/1, atrous fc6, fc7, L2Norm on conv4_3",
           "ssd_core/models/vgg.py", ("VGG16Base", "L2Norm", "load_vgg16_imagenet")),
    MapRow("2.1", "extra feature layers, multibox heads, the SSD module", "ssd_core/models/ssd.py",
           ("extra_block", "MultiBoxHead", "SSD", "build_ssd")),
    MapRow("2.1", "a small SSD that trains on a laptop CPU (ours)", "ssd_core/models/small.py",
           ("SmallBase", "build_small_ssd")),
    MapRow("2.1, Fig. 2", "the table of source maps: channels, size, receptive field, boxes",
           "ssd_core/models/describe.py", ("describe", "count_macs")),
    MapRow("2.2", "choosing scales and aspect ratios (eq. 4); the presets",
           "ssd_core/config.py", ("SSDConfig", "paper_scales")),
    MapRow("2.2", "default boxes tiled over the source maps", "ssd_core/default_boxes.py",
           ("default_boxes", "clipping_report")),
    MapRow("2.2", "box formats, IoU, encoding with variances (eq. 2)", "ssd_core/boxes.py",
           ("box_iou", "encode", "decode")),
    MapRow("2.2", "matching strategy", "ssd_core/matching.py", ("match", "match_and_encode")),
    MapRow("2.2", "training objective (eq. 1-3), hard negative mining", "ssd_core/loss.py",
           ("multibox_loss", "hard_negative_mining")),
    MapRow("2.2, 3.6", "data augmentation, with the zoom-out of 3.6",
           "ssd_core/data/transforms.py", ("SSDAugmentation", "zoom_out", "sample_iou_crop")),
    MapRow("2.2", "batching; matching and encoding once per batch", "ssd_core/data/collate.py",
           ("collate", "batch_targets")),
    MapRow("3.1", "PASCAL VOC data, and any folder in its layout", "ssd_core/data/voc.py",
           ("VOCDataset", "parse_voc_xml")),
    MapRow("3.1", "downloading VOC2007 + VOC2012", "ssd_core/data/download.py", ("download_voc",)),
    MapRow("-", "where the data lives; the sample photos", "ssd_core/data/paths.py",
           ("data_dir", "sample_dataset")),
    MapRow("-", "the embedded dataset (synthetic shapes)", "ssd_core/data/shapes.py",
           ("make_shapes", "ensure_shapes")),
    MapRow("3", "inference: decode, per-class NMS, top-k", "ssd_core/postprocess.py",
           ("postprocess",)),
    MapRow("3", "evaluation: VOC07 11-point and area AP", "ssd_core/evaluate.py",
           ("evaluate_detections", "voc_ap")),
    MapRow("3", "training schedule, evaluation runs, AMP, DDP", "ssd_core/train.py",
           ("make_settings", "train", "evaluate")),
    MapRow("3", "checkpoints, written atomically", "ssd_core/checkpoint.py",
           ("save_checkpoint", "load_checkpoint")),
    MapRow("-", "command line: train, evaluate, detect, data", "ssd_core/cli.py", ("main",)),
    MapRow("-", "drawing and the lessons' explorers", "ssd_core/viz/draw.py",
           ("show_detections", "plot_pr_curves")),
    MapRow("-", "homework: captioned screenshots, the training flowchart",
           "ssd_core/viz/homework.py", ("save_screenshot", "plot_training_flowchart")),
)


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def paper_map_markdown(link_prefix: str = "../") -> str:
    """:data:`PAPER_MAP` as a Markdown table; links are relative to ``lessons/``."""
    lines = ["| paper | idea | module | key names |", "| --- | --- | --- | --- |"]
    for r in PAPER_MAP:
        names = ", ".join(f"`{n}`" for n in r.names)
        lines.append(f"| {r.section} | {r.idea} | [`{r.module}`]({link_prefix}{r.module}) | {names} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class PortRow:
    """One row of the TensorFlow-port map."""

    tf_file: str
    tf_name: str
    ours: str          # dotted name inside ssd_core
    note: str


#: The TensorFlow port the course reads beside ours.
TF_PORT_URL = "https://github.com/balancap/SSD-Tensorflow"

#: balancap/SSD-Tensorflow (master) against ssd_core: where each piece went, and what differs.
TF_PORT: tuple[PortRow, ...] = (
    PortRow("nets/ssd_vgg_300.py", "SSDNet.default_params", "config.SSDConfig.ssd300",
            "feat_shapes, anchor_sizes, anchor_ratios, anchor_steps; prior_scaling "
            "[0.1, 0.1, 0.2, 0.2] is our variances. Its box sizes (21, 45, 99, ...) are its "
            "own; ours are the Caffe release's (30, 60, 111, ...)."),
    PortRow("nets/ssd_vgg_300.py", "ssd_anchor_one_layer, ssd_anchors_all_layers",
            "default_boxes.default_boxes",
            "it returns per-layer (y, x, h, w) grids; we return one [P, 4] cxcywh tensor in the "
            "same order (map, row, column, box)."),
    PortRow("nets/ssd_vgg_300.py", "ssd_net (blocks 1-7: VGG16, pool5 3x3/1, conv6 rate=6, conv7)",
            "models.vgg.VGG16Base",
            "conv6 with rate=6 is our atrous fc6 (dilation 6); conv7 our fc7."),
    PortRow("nets/ssd_vgg_300.py", "ssd_net (blocks 8-11)", "models.ssd.extra_block",
            "custom_layers.pad2d reproduces Caffe's padding; we give the convolution padding=1."),
    PortRow("nets/ssd_vgg_300.py", "ssd_multibox_layer", "models.ssd.MultiBoxHead",
            "one 3x3 conv for locations, one for classes, per source map; it also applies the "
            "L2 normalisation when normalizations[i] > 0."),
    PortRow("nets/custom_layers.py", "l2_normalization", "models.vgg.L2Norm",
            "it normalises over the spatial axes (H, W) with a scale starting at 1 unless Caffe "
            "weights are loaded; the paper (ParseNet) and we normalise each location over the "
            "channels, scale starting at 20."),
    PortRow("nets/ssd_common.py", "tf_ssd_bboxes_encode_layer, tf_ssd_bboxes_encode",
            "matching.match",
            "each anchor takes its best-overlapping object, positive if IoU > 0.5; there is no "
            "step 1 (an object whose best anchor overlaps < 0.5 gets no positive). Boxes are "
            "(ymin, xmin, ymax, xmax); ours xyxy."),
    PortRow("nets/ssd_common.py", "tf_ssd_bboxes_encode_layer (end)", "boxes.encode",
            "the same encoding: centre offsets / (size x 0.1), log size ratios / 0.2."),
    PortRow("nets/ssd_common.py", "tf_ssd_bboxes_decode", "boxes.decode", "the inverse."),
    PortRow("nets/ssd_vgg_300.py", "ssd_losses", "loss.multibox_loss",
            "smooth L1 (custom_layers.abs_smooth) + cross-entropy; it divides by the batch size, "
            "the paper and we by N, the number of positives."),
    PortRow("nets/ssd_vgg_300.py", "ssd_losses (negative mask)", "loss.hard_negative_mining",
            "it ranks negatives by p(background) over the whole batch and keeps 3 N + batch "
            "size of them; we keep 3 per positive in each image, ranked by their loss."),
    PortRow("nets/ssd_common.py", "tf_ssd_bboxes_select, SSDNet.detected_bboxes",
            "postprocess.postprocess",
            "score threshold, sort, NMS per class (tf_extended.bboxes_nms_batch), top 200."),
    PortRow("preprocessing/ssd_vgg_preprocessing.py", "preprocess_for_train",
            "data.transforms.SSDAugmentation",
            "crop -> resize -> flip -> colour, and no zoom-out; ours follows the paper: colour "
            "-> zoom out -> crop -> resize -> flip."),
    PortRow("preprocessing/ssd_vgg_preprocessing.py", "distort_color",
            "data.transforms.photometric_distort",
            "brightness, saturation, hue, contrast in one of 4 fixed orders."),
    PortRow("preprocessing/ssd_vgg_preprocessing.py", "distorted_bounding_box_crop",
            "data.transforms.sample_iou_crop",
            "one tf.image.sample_distorted_bounding_box with min_object_covered 0.25; the paper "
            "draws among 7 options (whole image, min IoU 0.1 ... 0.9, any patch)."),
    PortRow("preprocessing/ssd_vgg_preprocessing.py", "preprocess_for_eval",
            "data.transforms.SSDEvalTransform", "warp-resize to 300 x 300."),
    PortRow("preprocessing/ssd_vgg_preprocessing.py", "tf_image_whitened", "models.ssd.Normalize",
            "subtract the mean (123, 117, 104); our model does it itself."),
    PortRow("train_ssd_network.py", "main (training loop)", "train.train",
            "TF-Slim's training loop with flags; ours is one function with a settings object."),
    PortRow("eval_ssd_network.py", "main (evaluation)", "train.evaluate",
            "VOC07 and VOC12 AP through tf_extended.metrics; ours through evaluate.py."),
)


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
    root = Path(__file__).resolve().parents[2]
    return path.relative_to(root).as_posix()


def tf_port_markdown(link_prefix: str = "../") -> str:
    """:data:`TF_PORT` as a Markdown table (links to our files relative to ``lessons/``)."""
    lines = ["| SSD-Tensorflow file | function | ssd_core | what differs |",
             "| --- | --- | --- | --- |"]
    for r in TF_PORT:
        path = _module_file(r.ours)
        lines.append(f"| [`{r.tf_file}`]({TF_PORT_URL}/blob/master/{r.tf_file}) | `{r.tf_name}` | "
                     f"[`{r.ours}`]({link_prefix}{path}) | {r.note} |")
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
        return f"**`{self.name}`** in `{self.path}`, lines {self.first_line}-{self.last_line}\n\n" \
               f"```python\n{self.source.rstrip()}\n```"

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
        rel = path.relative_to(Path(__file__).resolve().parents[2]).as_posix()
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


@dataclass
class ShapeTrace:
    """Rows of ``(stage, step, shape, note)``; prints as an aligned table."""

    title: str = ""
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    shapes: dict[str, tuple] = field(default_factory=dict)
    keep: bool = False
    tensors: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)

    def add(self, stage: str, step: str, value=None, note: str = "") -> None:
        """Add a row; a tensor's shape is also kept in :attr:`shapes` under ``step`` (and, with
        ``keep``, the tensor itself in :attr:`tensors`)."""
        if isinstance(value, torch.Tensor):
            self.shapes[step] = tuple(value.shape)
            if self.keep:
                self.tensors[step] = value.detach()
        self.rows.append((stage, step, "" if value is None else shape_of(value), note))

    def find(self, text: str) -> torch.Tensor:
        """The first kept tensor whose step contains ``text`` (``trace.find("l2norm")``)."""
        for step, value in self.tensors.items():
            if text in step:
                return value
        raise KeyError(f"no kept step contains {text!r}; steps: {list(self.tensors)} "
                       "(trace with keep=True to keep the tensors)")

    @property
    def stages(self) -> list[str]:
        """The stages in the order they first appear."""
        return list(dict.fromkeys(r[0] for r in self.rows))

    def __str__(self) -> str:
        w = [max([len(r[i]) for r in self.rows] + [len(h)]) for i, h in enumerate(("stage", "step", "shape"))]
        head = f"{'stage':<{w[0]}}  {'step':<{w[1]}}  {'shape':<{w[2]}}  note"
        out = ([self.title] if self.title else []) + [head, "-" * len(head)]
        for stage, step, shape, note in self.rows:
            out.append(f"{stage:<{w[0]}}  {step:<{w[1]}}  {shape:<{w[2]}}  {note}".rstrip())
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))


def _tally(items) -> str:
    """``cat, eye x2``: each distinct item once, in order of appearance, with its count."""
    items = [str(i) for i in items]
    counts = {i: items.count(i) for i in dict.fromkeys(items)}
    return ", ".join(f"{k} x{n}" if n > 1 else k for k, n in counts.items()) or "none"


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
    trace = ShapeTrace(f"network: {model.config.name}, input {shape_of(images)}", keep=keep)
    trace.add("input", "images", images, "RGB in [0, 1]")
    handles = []

    def hook(stage, step, note=""):
        def fn(_module, _inputs, output):
            trace.add(stage, step, output, note)
        return fn

    try:
        handles.append(model.normalize.register_forward_hook(hook("network", "normalize", "(x - mean) / std")))
        stages = list(model.base.stages()) if hasattr(model.base, "stages") else []
        base_sources = list(model.base.source_names)
        for i, chain in enumerate(stages):
            if detail:
                for name, layer in chain.named_children():
                    if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.Sequential)):
                        extra = ""
                        if isinstance(layer, nn.Conv2d) and layer.dilation[0] > 1:
                            extra = f"atrous: dilation {layer.dilation[0]}"
                        handles.append(layer.register_forward_hook(hook("network", f"base.{name}", extra)))
            src = base_sources[i] if i < len(base_sources) else ""
            handles.append(chain.register_forward_hook(
                hook("network", f"base: {_span(chain)}", f"source map {src}" if src else "")))
        l2 = getattr(model.base, "l2norm", None)
        if l2 is not None:
            handles.append(l2.register_forward_hook(
                hook("network", "base: l2norm(conv4_3)", "L2Norm: what the head sees")))
        for block in model.extras:
            handles.append(block.register_forward_hook(
                hook("network", f"extras: {_span(block)}", f"source map {getattr(block, 'source_name', '')}")))
        head = model.head
        for k, name in enumerate(model.source_names):
            A = head.boxes_per_location[k]
            for kind, convs, cols in (("loc", head.loc, 4), ("conf", head.conf, head.num_classes)):
                def fn(_m, _i, out, kind=kind, name=name, A=A, cols=cols):
                    B, _, H, W = out.shape
                    trace.add("head", f"head.{kind} on {name}", out,
                              f"-> [{B}, {H * W * A}, {cols}] ({H}x{W} cells x {A} boxes)")
                handles.append(convs[k].register_forward_hook(fn))
        loc, conf = model(images)
    finally:
        for h in handles:
            h.remove()
    trace.add("head", "loc (concatenated)", loc, "4 offsets per default box")
    trace.add("head", "conf (concatenated)", conf, f"{conf.shape[-1]} class logits per default box")
    return trace, loc, conf


def trace_labels(targets: Sequence[dict], priors: torch.Tensor,
                 variances: tuple[float, float] = (0.1, 0.2), iou_threshold: float = 0.5):
    """Label preparation for a batch, step by step: IoU, matching, encoding.

    ``targets``: one dict per image with ``boxes`` ``[N, 4]`` xyxy in [0, 1] and ``labels``.
    Returns ``(trace, loc_target [B, P, 4], labels [B, P], match_result)``; the targets are
    exactly what :func:`ssd_core.data.batch_targets` gives training.
    """
    from ..boxes import box_iou, cxcywh_to_xyxy, encode
    from ..matching import match

    trace = ShapeTrace(f"label preparation: {len(targets)} image(s), {len(priors):,} default boxes")
    trace.add("match", "default boxes (priors)", priors, "cxcywh in [0, 1]")
    boxes = [t["boxes"].as_subclass(torch.Tensor).float() for t in targets]
    labels = [t["labels"] for t in targets]
    for i, (b, l) in enumerate(zip(boxes, labels)):
        trace.add("match", f"ground truth {i}: boxes", b, f"labels {_tally(l.tolist())}")
    priors_xyxy = cxcywh_to_xyxy(priors)
    for i, b in enumerate(boxes):
        iou = box_iou(b, priors_xyxy)                                        # [N_i, P]
        best = iou.max(dim=1).values.tolist() if len(b) else []
        shown = ", ".join(f"{v:.2f}" for v in best[:6]) + (", ..." if len(best) > 6 else "")
        trace.add("match", f"IoU {i}: objects x priors", iou, f"best IoU per object {shown}")
    m = match(boxes, labels, priors, iou_threshold)
    pos = m.labels > 0
    trace.add("match", "matched labels", m.labels,
              f"positives per image {pos.sum(dim=1).tolist()}, by step 1 only "
              f"{m.forced.sum(dim=1).tolist()}")
    trace.add("match", "matched boxes", m.boxes, "each prior's object (background: nearest)")
    loc_t = encode(m.boxes, priors, variances)                               # [B, P, 4]
    trace.add("encode", "loc targets", loc_t, f"variances {tuple(variances)}")
    if pos.any():
        b, p = pos.nonzero()[0].tolist()
        trace.add("encode", f"e.g. image {b}, prior {p}", loc_t[b, p],
                  "(dcx, dcy, dw, dh) = " + ", ".join(f"{v:.2f}" for v in loc_t[b, p].tolist()))
    return trace, loc_t, m.labels, m


def trace_loss(loc: torch.Tensor, conf: torch.Tensor, loc_t: torch.Tensor, labels: torch.Tensor,
               neg_pos_ratio: float = 3, check: bool = True):
    """The multibox loss of section 2.2, unrolled, with the shape of every intermediate.

    Computes the same numbers as :func:`ssd_core.multibox_loss`, one step at a time, and (with
    ``check``) verifies that they agree. Returns ``(trace, parts)``, where ``parts`` has
    ``loss``, ``loc``, ``conf``, ``num_pos`` and ``negatives`` like ``multibox_loss``.
    """
    from ..loss import hard_negative_mining, multibox_loss

    trace = ShapeTrace(f"loss: {loc.shape[0]} image(s), {loc.shape[1]:,} default boxes")
    positive = labels > 0                                                    # [B, P]
    n = int(positive.sum())
    trace.add("loss", "positives", positive, f"N = {n} matched default boxes")
    pred, target = loc[positive], loc_t[positive]                            # [N, 4]
    trace.add("loss", "loc of positives", pred, "predicted offsets")
    loc_sum = F.smooth_l1_loss(pred, target, reduction="sum")
    trace.add("loss", "smooth L1, summed", loc_sum, "L_loc (positives only)")
    C = conf.shape[-1]
    ce = F.cross_entropy(conf.reshape(-1, C), labels.reshape(-1), reduction="none").reshape(labels.shape)
    trace.add("loss", "cross-entropy per box", ce, "-log p(true class); background for negatives")
    negatives = hard_negative_mining(ce, labels, neg_pos_ratio)              # [B, P]
    trace.add("mining", "mined negatives", negatives,
              f"per image {negatives.sum(dim=1).tolist()} = min({neg_pos_ratio:g} x positives, negatives)")
    conf_sum = ce[positive | negatives].sum()
    trace.add("mining", "cross-entropy, summed", conf_sum, "L_conf (positives + mined negatives)")
    d = max(1, n)
    parts = {"loss": (conf_sum + loc_sum) / d, "loc": loc_sum / d, "conf": conf_sum / d,
             "num_pos": positive.sum(), "negatives": negatives}
    trace.add("loss", "(L_conf + L_loc) / N", parts["loss"],
              f"loc {float(parts['loc']):.4f} + conf {float(parts['conf']):.4f}, N = {d}")
    if check:
        ref = multibox_loss(loc, conf, loc_t, labels, neg_pos_ratio)
        same = torch.allclose(ref["loss"], parts["loss"], rtol=1e-5, atol=1e-6) and \
            torch.equal(ref["negatives"], negatives)
        if not same:
            raise AssertionError(f"trace_loss disagrees with multibox_loss: {float(parts['loss'])} "
                                 f"vs {float(ref['loss'])}")
        trace.add("loss", "ssd_core.multibox_loss", ref["loss"], "the same number, in one call")
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
    loss: dict
    priors: torch.Tensor
    class_names: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.trace)

    def __repr__(self) -> str:
        return str(self.trace)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self.trace))


def trace_batch(dataset, indices: Sequence[int], model, augmentation=None, seed: int = 0) -> BatchTrace:
    """One batch from the files on disk to the loss, through training's own functions.

    ``dataset`` is a :class:`ssd_core.VOCDataset` (its transforms are not used);
    ``augmentation`` defaults to :class:`ssd_core.SSDAugmentation` at the model's input size.
    Image ``k`` of the batch is augmented with seed ``seed + k``. The stages are
    ``read``, the augmentation steps, ``collate``, ``match``, ``encode``, ``forward``,
    ``loss`` and ``mining``: the keys of :func:`ssd_core.viz.homework.training_stages`.
    """
    from ..data import SSDAugmentation, batch_targets, collate
    from ..data.voc import parse_voc_xml
    from ..loss import multibox_loss

    size = model.config.image_size
    aug = augmentation if augmentation is not None else SSDAugmentation(size)
    trace = ShapeTrace(f"one batch of {len(indices)} image(s), from file to loss")
    samples, ids = [], []
    for k, i in enumerate(indices):
        record = dataset.records[i]
        ann = parse_voc_xml(record.annotation_path)
        trace.add("read", f"{record.annotation_path.parent.name}/{record.annotation_path.name}",
                  None, f"{ann.width} x {ann.height}, objects: {_tally(o.name for o in ann.objects)}")
        image = dataset.load_image(i)
        target = dataset.annotation(i)
        trace.add("read", f"{record.image_path.parent.name}/{record.image_path.name}", image,
                  "uint8 RGB")
        trace.add("read", "boxes in pixels", target["boxes"].as_subclass(torch.Tensor),
                  f"labels {_tally(target['labels'].tolist())}")
        for step in aug.trace(image, target, seed=seed + k):
            if step.name == "input":
                continue
            boxes = step.target["boxes"]
            what = {"photometric": ", ".join(k2 for k2 in ("brightness", "contrast", "saturation", "hue")
                                             if k2 in step.params),
                    "zoom_out": f"scale {step.params.get('scale', 1.0):.2f}" if step.params else "not drawn",
                    "iou_crop": f"option {step.params.get('option')}",
                    "flip": f"flipped {step.params.get('flipped')}"}.get(step.name, "")
            trace.add(step.name, f"image {k}", step.image.as_subclass(torch.Tensor),
                      f"boxes {shape_of(boxes.as_subclass(torch.Tensor))}" + (f"; {what}" if what else ""))
            last = step
        samples.append((last.image.as_subclass(torch.Tensor), last.target))
        ids.append(target["image_id"])
    images, targets = collate(samples)
    trace.add("collate", "images", images, "float in [0, 1]")
    trace.add("collate", "targets", [t["boxes"] for t in targets], "one [N_i, 4] per image, xyxy in [0, 1]")
    priors = model.priors
    loc_t, labels = batch_targets(targets, priors, model.config.variances)   # [B, P, 4], [B, P]
    trace.add("match", "labels", labels, f"positives per image {(labels > 0).sum(dim=1).tolist()}")
    trace.add("encode", "loc targets", loc_t, "what the network should predict")
    with torch.no_grad():
        loc, conf = model(images)                                            # [B, P, 4], [B, P, C]
    trace.add("forward", "loc", loc, "")
    trace.add("forward", "conf", conf, "")
    with torch.no_grad():
        out = multibox_loss(loc, conf, loc_t, labels)
    trace.add("loss", "loss", out["loss"], f"loc {float(out['loc']):.3f} + conf {float(out['conf']):.3f}")
    trace.add("mining", "mined negatives", out["negatives"],
              f"per image {out['negatives'].sum(dim=1).tolist()}")
    return BatchTrace(trace, ids, images, list(targets), loc_t, labels, loc, conf, out, priors,
                      tuple(dataset.classes))


def plot_batch(bt: BatchTrace, max_images: int = 4) -> Figure:
    """The augmented images of a traced batch with their ground truth (white, dashed), the
    positive default boxes (green) and the mined negatives (red)."""
    from ..boxes import cxcywh_to_xyxy
    from .pictures import add_boxes

    n = min(max_images, bt.images.shape[0])
    fig = Figure(figsize=(3.4 * n, 3.7))
    axes = fig.subplots(1, n, squeeze=False)[0]
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
        ax.set_title(f"{bt.image_ids[k]}: {int(pos.sum())} positives, {int(neg.sum())} mined",
                     fontsize=8.5)
    fig.tight_layout()
    return fig


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
            lines.append("    " * (depth + 1) + f"{sub.name}/" + (f"  ({n} file{'s' if n != 1 else ''})" if n else ""))
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
    title)``; images are uint8 or float in [0, 1]."""
    from .pictures import add_boxes

    fig = Figure(figsize=(size * len(panels), size * 0.95))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
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
        ax.set_title(f"{title}\n{W} x {H} px, {len(b)} box(es)", fontsize=9)
    fig.tight_layout()
    return fig
