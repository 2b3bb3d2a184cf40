"""(b) Batched matching against a per-image loop, on SSD300's 8,732 default boxes.

    python -m bench.bench_matching [--batch 32] [--device cpu]
"""

from __future__ import annotations

import argparse

import torch

from ssd_core import SSDConfig, default_boxes, match

from .common import machine, report, timeit_pair


def random_targets(batch: int, gen: torch.Generator, max_objects: int = 12):
    boxes, labels = [], []
    for _ in range(batch):
        n = int(torch.randint(0, max_objects + 1, (1,), generator=gen))
        wh = 0.04 + 0.7 * torch.rand(n, 2, generator=gen)
        xy = torch.rand(n, 2, generator=gen) * (1 - wh)
        boxes.append(torch.cat([xy, xy + wh], 1))
        labels.append(torch.randint(1, 21, (n,), generator=gen))
    return boxes, labels


def main(argv=None) -> list[str]:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    priors = default_boxes(SSDConfig.ssd300()).to(device)
    boxes, labels = random_targets(args.batch, torch.Generator().manual_seed(0))
    boxes = [b.to(device) for b in boxes]
    labels = [l.to(device) for l in labels]
    sync = device.type == "cuda"

    batched, loop = timeit_pair(lambda: match(boxes, labels, priors),
                                lambda: [match(b, l, priors) for b, l in zip(boxes, labels)],
                                repeat=15, sync=sync)
    print(machine())
    return [report(f"(b) matching, batch {args.batch}, {device.type}", batched * 1e3, loop * 1e3,
                   "ms/batch", "per-image loop")]


if __name__ == "__main__":
    main()
