"""Is the GPU starved? The data loader's images/s against the training step's, for SSD300.

    python -m bench.bench_gpu_feed [--device cuda] [--batch 32] [--workers 8]

(1) the DataLoader alone: the shapes dataset at 300 px with the paper's full augmentation
    (photometric, zoom-out, IoU crop, flip), ``--workers`` processes, images per second;
(2) the training step alone (``ssd_core.train_step``: matching on the device, forward, loss,
    backward, SGD) on one batch kept on the device, bf16 autocast and channels_last on CUDA;
(3) the two together, as ``train`` runs them.
If (1) is below (2), the loader is the limit: more workers, or cheaper decoding, would pay.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.data import DataLoader

import ssd_core as ssd
from ssd_core.data import SSDAugmentation, VOCDataset, collate, ensure_shapes
from ssd_core.device import resolve_amp

from .common import machine


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main(argv=None) -> list[str]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--batches", type=int, default=20)
    args = p.parse_args(argv)
    device = torch.device(args.device)
    amp = resolve_amp("auto", device)
    lines = [machine(), f"SSD300, batch {args.batch}, {args.workers} workers, amp {amp}"]
    print("\n".join(lines), flush=True)
    data = VOCDataset(ensure_shapes(), "train", transforms=SSDAugmentation(300), seed=0)
    loader = DataLoader(data, batch_size=args.batch, shuffle=True, num_workers=args.workers,
                        collate_fn=collate, pin_memory=device.type == "cuda",
                        persistent_workers=args.workers > 0)
    # (1) the loader alone
    it = iter(loader)
    next(it)                                           # workers started
    t0 = time.perf_counter()
    n = 0
    for _ in range(args.batches):
        images, _ = next(it)
        n += len(images)
    load = n / (time.perf_counter() - t0)
    lines.append(f"(1) data loader alone: {load:.1f} images/s")
    print(lines[-1], flush=True)
    # (2) the step alone
    torch.manual_seed(0)
    model = ssd.build_ssd(ssd.SSDConfig.ssd300(), 6).to(device)
    channels_last = device.type == "cuda"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9, weight_decay=5e-4)
    images, targets = next(it)
    images = images.to(device)
    targets = [{k: v.to(device) for k, v in t.items() if torch.is_tensor(v)} for t in targets]

    def step(x, t):
        return ssd.train_step(model, opt, x, t, priors=model.priors, amp=amp,
                              channels_last=channels_last)

    step(images, targets)
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(args.batches):
        step(images, targets)
    _sync(device)
    compute = args.batches * len(images) / (time.perf_counter() - t0)
    lines.append(f"(2) training step alone: {compute:.1f} images/s")
    print(lines[-1], flush=True)
    # (3) both, as a run does
    t0, n = time.perf_counter(), 0
    for _ in range(args.batches):
        x, t = next(it)
        step(x, [{k: v.to(device) for k, v in d.items() if torch.is_tensor(v)} for d in t])
        n += len(x)
    _sync(device)
    both = n / (time.perf_counter() - t0)
    verdict = "the loader is the limit" if load < compute else "the GPU step is the limit"
    lines.append(f"(3) together: {both:.1f} images/s ({verdict}; loader/step = {load / compute:.2f})")
    print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    main()
