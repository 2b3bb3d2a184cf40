"""Side by side with the peers: each trains for S seconds of wall time on this machine, on the
same shapes data and splits, and is evaluated with the same VOC07 code.

    python -m bench.bench_peers --seconds 300

1. **ours**: the run ``python -m ssd_core train`` does with no arguments (the ``small`` preset,
   about five minutes here), stopped if it has not finished when the time is up.
2. **torchvision's SSDlite**: ``ssdlite320_mobilenet_v3_large(weights=None,
   weights_backbone=None)`` (what a user would pick instead), with torchvision's own loss and
   matcher; AdamW 3e-3, batch 8, a 30-step warm-up and a cosine over the time, the flip; it
   resizes the 192-pixel images to 320 itself.
3. **TinySSD** as d2l.ai's chapter on SSD describes it, written here from that description:
   a base of three down-sampling blocks (16, 32, 64 channels), then blocks of 128 channels
   down to a global max-pool: five scales (32, 16, 8, 4, 1 for a 256-pixel input), four
   anchors per cell (sizes 0.2/0.272, 0.37/0.447, 0.54/0.619, 0.71/0.79, 0.88/0.961; ratios
   1, 2, 0.5), cross-entropy over *all* anchors (no hard negative mining) plus L1 on the
   positives' offsets; SGD with lr 0.2 and weight decay 5e-4 as the chapter trains it.

Every contender is evaluated on the same 500 validation images with ``ssd_core.metrics``
(VOC07 11-point mAP at IoU 0.5). It prints one line per contender and last
``ratio ours/best-peer: X``.
"""

from __future__ import annotations

import argparse
import math
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader
from torchvision.models.detection import ssdlite320_mobilenet_v3_large
from torchvision.ops import batched_nms

import ssd_core as ssd
from ssd_core.data import SSDAugmentation, SSDEvalTransform, VOCDataset, collate, ensure_shapes
from ssd_core.metrics import evaluate_detections

from .common import machine


class TimeUp(KeyboardInterrupt):
    """Raised from a step callback when the contender's seconds are spent."""


def shapes(size: int, augment: bool):
    root = ensure_shapes()
    transform = (SSDAugmentation(size, photometric=False, zoom_out=False, iou_crop=False)
                 if augment else SSDEvalTransform(size))
    return VOCDataset(root, "train" if augment else "val", transforms=transform,
                      seed=0 if augment else None)


def voc07(detections, truths) -> float:
    return evaluate_detections(detections, truths, use_07_metric=True, num_classes=6).map


# --------------------------------------------------------------------------- ours


def run_ours(seconds: float) -> tuple[float, int, float]:
    """The default run, stopped when the time is up; returns (mAP, images seen, seconds)."""
    t0 = time.perf_counter()
    seen = {"n": 0}

    def step(row):
        seen["n"] = row["iteration"] * 8
        if time.perf_counter() - t0 > seconds:
            raise TimeUp

    run = ssd.train(ssd.make_settings("small", run_dir="/tmp/bench-peers", name="ours",
                                      progress=False), on_step=step)
    val = shapes(192, augment=False)
    result = ssd.evaluate(run.model, val, "cpu", batch_size=32, amp="auto")
    return result["map07"], seen["n"], time.perf_counter() - t0


# --------------------------------------------------------------------------- torchvision


def run_ssdlite(seconds: float) -> tuple[float, int, float]:
    torch.manual_seed(0)
    model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=6)
    data = shapes(192, augment=True)
    loader = DataLoader(data, batch_size=8, shuffle=True, collate_fn=collate, drop_last=True)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    t0, step, seen, planned = time.perf_counter(), 0, 0, None
    model.train()
    while time.perf_counter() - t0 < seconds:
        for images, targets in loader:
            px = [{"boxes": t["boxes"] * 192, "labels": t["labels"]} for t in targets]
            losses = model(list(images), px)
            loss = sum(losses.values())
            if planned is None and step == 20:            # plan the cosine for the time at hand
                planned = int(step * seconds / (time.perf_counter() - t0))
            total = planned or 10**9
            lr = 3e-3 * min(1.0, (step + 1) / 30) * (0.02 + 0.49 * (1 + math.cos(math.pi * min(1, step / total))))
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad()
            loss.backward()
            opt.step()
            step, seen = step + 1, seen + len(images)
            if time.perf_counter() - t0 > seconds:
                break
    model.eval()
    val = shapes(192, augment=False)
    dets, truths = [], []
    with torch.no_grad():
        for images, targets in DataLoader(val, batch_size=16, collate_fn=collate):
            for out, t in zip(model(list(images)), targets):
                dets.append({"boxes": out["boxes"] / 192, "scores": out["scores"],
                             "labels": out["labels"]})
                truths.append(t)
    return voc07(dets, truths), seen, time.perf_counter() - t0


# --------------------------------------------------------------------------- TinySSD (d2l)


def _down(cin: int, cout: int) -> nn.Sequential:
    """Two 3x3 conv-BN-ReLU, then a 2x2 max-pool: halves the map."""
    layers = []
    for c in (cin, cout):
        layers += [nn.Conv2d(c, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*layers, nn.MaxPool2d(2))


class TinySSD(nn.Module):
    """d2l.ai's TinySSD: five blocks, a class and a box predictor (3x3 conv) on each."""

    SIZES = ((0.2, 0.272), (0.37, 0.447), (0.54, 0.619), (0.71, 0.79), (0.88, 0.961))
    RATIOS = (1.0, 2.0, 0.5)

    def __init__(self, num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        a = len(self.SIZES[0]) + len(self.RATIOS) - 1
        self.blocks = nn.ModuleList([
            nn.Sequential(_down(3, 16), _down(16, 32), _down(32, 64)),
            _down(64, 128), _down(128, 128), _down(128, 128), nn.AdaptiveMaxPool2d(1)])
        chans = (64, 128, 128, 128, 128)
        self.cls = nn.ModuleList(nn.Conv2d(c, a * (num_classes + 1), 3, padding=1) for c in chans)
        self.box = nn.ModuleList(nn.Conv2d(c, a * 4, 3, padding=1) for c in chans)

    def forward(self, x):
        cls, box, shapes_ = [], [], []
        for block, c, b in zip(self.blocks, self.cls, self.box):
            x = block(x)
            shapes_.append(x.shape[-1])
            cls.append(c(x).permute(0, 2, 3, 1).flatten(1))
            box.append(b(x).permute(0, 2, 3, 1).flatten(1))
        B = x.shape[0]
        return (torch.cat(box, 1).reshape(B, -1, 4),
                torch.cat(cls, 1).reshape(B, -1, self.num_classes + 1), shapes_)

    @classmethod
    def anchors(cls, shapes_) -> torch.Tensor:
        """cxcywh anchors, cell by cell: (s1, r1), (s2, r1), (s1, r2), (s1, r3) at each cell."""
        out = []
        for f, (s1, s2) in zip(shapes_, cls.SIZES):
            wh = [(s1, s1), (s2, s2)] + [(s1 * math.sqrt(r), s1 / math.sqrt(r)) for r in cls.RATIOS[1:]]
            c = (torch.arange(f) + 0.5) / f
            cy, cx = torch.meshgrid(c, c, indexing="ij")
            for y, x in zip(cy.flatten().tolist(), cx.flatten().tolist()):
                out += [(x, y, w, h) for w, h in wh]
        return torch.tensor(out)


def run_tinyssd(seconds: float) -> tuple[float, int, float]:
    torch.manual_seed(0)
    model = TinySSD(5)
    data = shapes(256, augment=True)
    loader = DataLoader(data, batch_size=32, shuffle=True, collate_fn=collate, drop_last=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.2, weight_decay=5e-4)
    with torch.no_grad():
        _, _, shapes_ = model(torch.zeros(2, 3, 256, 256))
    priors = TinySSD.anchors(shapes_)
    t0, seen = time.perf_counter(), 0
    model.train()
    while time.perf_counter() - t0 < seconds:
        for images, targets in loader:
            loc_t, labels = ssd.match_and_encode([t["boxes"] for t in targets],
                                                 [t["labels"] for t in targets], priors)
            loc, conf, _ = model(images)
            pos = (labels > 0).unsqueeze(-1).float()
            loss = (F.cross_entropy(conf.reshape(-1, conf.shape[-1]), labels.reshape(-1))
                    + (F.l1_loss(loc * pos, loc_t * pos, reduction="sum") / max(1.0, float(pos.sum()) * 4)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += len(images)
            if time.perf_counter() - t0 > seconds:
                break
    model.eval()
    val = shapes(256, augment=False)
    dets, truths = [], []
    with torch.no_grad():
        for images, targets in DataLoader(val, batch_size=32, collate_fn=collate):
            loc, conf, _ = model(images)
            boxes = ssd.decode(loc, priors)           # (B, N, 4) xyxy; priors broadcast
            probs = conf.softmax(-1)[..., 1:]
            for b, p, t in zip(boxes, probs, targets):
                score, label = p.max(-1)
                keep = score > 0.01
                b, score, label = b[keep], score[keep], label[keep] + 1
                k = batched_nms(b, score, label, 0.5)[:200]
                dets.append({"boxes": b[k], "scores": score[k], "labels": label[k]})
                truths.append(t)
    return voc07(dets, truths), seen, time.perf_counter() - t0


def main(argv=None) -> list[str]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--only", nargs="+", default=["ours", "ssdlite", "tinyssd"])
    args = p.parse_args(argv)
    ssd.set_language("en")          # a benchmark's lines are for engineers
    lines = [machine(), f"each contender: {args.seconds:g} s of wall time on the shapes, "
             "VOC07 mAP@0.5 on the 500 validation images"]
    print("\n".join(lines), flush=True)
    runs = {"ours": ("ssd_core small preset (python -m ssd_core train)", run_ours),
            "ssdlite": ("torchvision ssdlite320_mobilenet_v3_large", run_ssdlite),
            "tinyssd": ("TinySSD (d2l.ai's description)", run_tinyssd)}
    maps = {}
    for key in args.only:
        name, fn = runs[key]
        m, seen, took = fn(args.seconds)
        maps[key] = m
        lines.append(f"{name}: mAP07 {m:.3f} after {seen:,} training images in {took:.0f} s")
        print(lines[-1], flush=True)
    peers = {k: v for k, v in maps.items() if k != "ours"}
    if "ours" in maps and peers:
        best = max(peers.values())
        lines.append(f"ratio ours/best-peer: {maps['ours'] / max(best, 1e-9):.2f}")
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
