"""Where should matching and encoding run: in the DataLoader workers, or batched on the device?

Two placements for SSD300's 8,732 default boxes at batch 32:

* **workers**: each worker matches and encodes its own images one at a time
  (``match_and_encode`` on one image) and sends ``[P, 4]`` float offsets and ``[P]`` labels
  per image through shared memory;
* **batched**: the workers send only the boxes; the training step calls
  ``ssd_core.data.batch_targets`` once for the whole batch (vectorised ``match``).

It measures (1) the compute alone, per image vs batched, and (2) a real DataLoader over the
shapes dataset with the paper's augmentation, both ways, counting the main-process time the
batched matching adds. Run from the repository root:

    python -m bench.bench_data [--batches 30] [--workers 2]

It prints a table and returns its result lines; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from ssd_core import SSDConfig, default_boxes, match_and_encode, multibox_loss
from ssd_core.data import SSDAugmentation, VOCDataset, batch_targets, collate, ensure_shapes

from .common import machine, timeit


class EncodeInWorkers:
    """A transform wrapper that also matches and encodes the one image (the "workers" way)."""

    def __init__(self, transform, priors: torch.Tensor) -> None:
        self.transform = transform
        self.priors = priors

    def __call__(self, image, target, **kwargs):
        """Transform, then ``match_and_encode`` this image alone."""
        image, target = self.transform(image, target, **kwargs)
        loc, labels = match_and_encode(target["boxes"], target["labels"], self.priors)
        return image, dict(target, loc_target=loc, prior_labels=labels)


def collate_encoded(batch):
    """:func:`collate`, plus the stacked per-image targets ``[B, P, 4]`` and ``[B, P]``."""
    images, targets = collate(batch)
    loc = torch.stack([t.pop("loc_target") for t in targets])
    labels = torch.stack([t.pop("prior_labels") for t in targets])
    return images, targets, loc, labels


def bench_compute(dataset: VOCDataset, priors: torch.Tensor, batch_size: int, threads: int):
    """Per-image vs batched ``match_and_encode`` on one batch of real targets (ms)."""
    torch.set_num_threads(threads)
    targets = [dataset[i][1] for i in range(batch_size)]
    boxes = [t["boxes"] for t in targets]
    labels = [t["labels"] for t in targets]
    per_image = timeit(lambda: [match_and_encode(b, l, priors) for b, l in zip(boxes, labels)])
    batched = timeit(lambda: match_and_encode(boxes, labels, priors))
    return per_image * 1e3, batched * 1e3


class StandInModel(torch.nn.Module):
    """A small conv net with SSD300's outputs ``loc [B, P, 4]``, ``conf [B, P, C]``: a
    stand-in for the training step's compute (the real models live in ``ssd_core.models``)."""

    def __init__(self, num_priors: int, num_classes: int) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, stride=4, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 32, 3, stride=4, padding=1), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten(),
        )
        self.num_priors, self.num_classes = num_priors, num_classes
        self.head = torch.nn.Linear(32 * 16, 8)
        self.spread = torch.nn.Parameter(torch.randn(8, num_priors * (4 + num_classes)) * 0.01)

    def forward(self, x):
        """``[B, 3, S, S]`` -> ``loc [B, P, 4]``, ``conf [B, P, C]``."""
        out = self.head(self.body(x)) @ self.spread                           # [B, P * (4 + C)]
        out = out.view(x.shape[0], self.num_priors, 4 + self.num_classes)
        return out[..., :4], out[..., 4:]


def bench_loader(dataset: VOCDataset, priors: torch.Tensor, placement: str, batch_size: int,
                 workers: int, batches: int, train_step: bool = False) -> dict:
    """Batches per second of a DataLoader, with matching in the workers or batched after;
    with ``train_step`` each batch also goes through a stand-in model, the loss and SGD."""
    base = dataset.transforms
    if placement == "workers":
        dataset.transforms = EncodeInWorkers(base, priors)
        collate_fn = collate_encoded
    else:
        collate_fn = collate
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True,
                                         num_workers=workers, collate_fn=collate_fn,
                                         persistent_workers=False,
                                         generator=torch.Generator().manual_seed(0))
    model = StandInModel(len(priors), dataset.num_classes)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    main_ms = []
    it = iter(loader)
    next(it)  # start-up of the workers is not counted
    start = time.perf_counter()
    for _ in range(batches):
        batch = next(it)
        if placement == "batched":
            t0 = time.perf_counter()
            loc_t, labels = batch_targets(batch[1], priors)
            main_ms.append((time.perf_counter() - t0) * 1e3)
        else:
            loc_t, labels = batch[2], batch[3]
        if train_step:
            loc, conf = model(batch[0])
            loss = multibox_loss(loc, conf, loc_t, labels)["loss"]
            opt.zero_grad()
            loss.backward()
            opt.step()
    elapsed = time.perf_counter() - start
    del it
    dataset.transforms = base
    return {"batches_per_s": batches / elapsed,
            "main_ms": statistics.median(main_ms) if main_ms else 0.0}


def main(argv=None) -> list[str]:
    """Run the measurements, print them, and return the result lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", default=None, help="shapes dataset (default: generated)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads of the main process in parts 2-3 (default 1: with "
                        "2 workers on 2 cores, more threads oversubscribe the CPU)")
    args = parser.parse_args(argv)

    root = ensure_shapes(args.root, progress=False)
    priors = default_boxes(SSDConfig.ssd300())                                # [8732, 4]
    dataset = VOCDataset(root, "train", transforms=SSDAugmentation(300), seed=0)
    lines = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    print(machine())
    print(f"{dataset}; SSD300 priors {tuple(priors.shape)}; batch {args.batch_size}; "
          f"{os.cpu_count()} CPUs")
    print(f"1. match + encode, compute only (ms per batch of {args.batch_size}, median of 5)")
    for threads in sorted({1, os.cpu_count() or 1}):
        per_image, batched = bench_compute(dataset, priors, args.batch_size, threads)
        say(f"(data) match+encode, {threads} thread(s): one image at a time {per_image:.1f} "
            f"ms/batch, batched {batched:.1f} ms/batch ({per_image / batched:.1f}x)")
    P = len(priors)
    mb = args.batch_size * P * (4 * 4 + 8) / 1e6
    print(f"   the workers way also ships {mb:.1f} MB of encoded targets per batch "
          f"([{args.batch_size}, {P}, 4] float32 + [{args.batch_size}, {P}] int64)")
    torch.set_num_threads(args.threads)

    for step in (False, True):
        what = "loading + a stand-in training step" if step else "loading only"
        print(f"{2 + step}. DataLoader, {args.workers} workers, SSDAugmentation(300), "
              f"{args.batches} batches, {what}, main process {args.threads} thread(s)")
        for placement in ("workers", "batched"):
            r = bench_loader(dataset, priors, placement, args.batch_size, args.workers,
                             args.batches, train_step=step)
            extra = (f" (matching: {r['main_ms']:.1f} ms/batch in the main process)"
                     if r["main_ms"] else "")
            say(f"(data) {what}, matching {placement}: {r['batches_per_s']:.2f} batches/s{extra}")
    return lines


if __name__ == "__main__":
    main()
