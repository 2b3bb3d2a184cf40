"""Size and CPU speed of the networks: parameters, multiply-accumulates, milliseconds per image.

    python -m bench.bench_models [--threads 2] [--repeats 3] [--skip-ssd512]

Forward times are the median of a few eval-mode, no-grad passes at batch 1 after a warm-up.
torchvision's ``ssd300_vgg16`` (backbone + head only, randomly initialised, no download) runs
in the same process as a reference: the ``vs tv`` column is our time over its time. The small
model is also timed the way it trains: forward + backward at batch 32, per image.
Takes well under two minutes on a 2-core CPU.
"""

from __future__ import annotations

import argparse
from typing import Callable

import torch

from ssd_core import SSDConfig
from ssd_core.models import build_ssd, count_macs

from .common import machine, timeit


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` in milliseconds, after one warm-up call."""
    return 1000 * timeit(fn, repeat=repeats, warmup=1)


def forward_ms(model: torch.nn.Module, size: int, repeats: int) -> float:
    """Eval-mode forward time of one ``size`` x ``size`` image, in ms."""
    model.eval()
    x = torch.rand(1, 3, size, size)
    with torch.no_grad():
        return median_ms(lambda: model(x), repeats)


def forward_ms_batch(model: torch.nn.Module, size: int, batch: int, repeats: int) -> float:
    """Eval-mode forward time of a batch, in ms per image."""
    model.eval()
    x = torch.rand(batch, 3, size, size)
    with torch.no_grad():
        return median_ms(lambda: model(x), repeats) / batch


def train_step_ms_per_image(model: torch.nn.Module, size: int, batch: int, repeats: int) -> float:
    """Forward + backward of a batch in training mode, in ms per image."""
    model.train()
    x = torch.rand(batch, 3, size, size)

    def step():
        loc, conf = model(x)
        (loc.square().mean() + conf.logsumexp(dim=-1).mean()).backward()
        model.zero_grad(set_to_none=True)

    return median_ms(step, repeats) / batch


class _TorchvisionCore(torch.nn.Module):
    """torchvision's SSD300 without its transform and post-processing: backbone + head."""

    def __init__(self, num_classes: int):
        super().__init__()
        from torchvision.models.detection import ssd300_vgg16

        tv = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=num_classes)
        self.backbone, self.head = tv.backbone, tv.head

    def forward(self, x: torch.Tensor):
        out = self.head(list(self.backbone(x).values()))
        return out["bbox_regression"], out["cls_logits"]


def _macs_of(module: torch.nn.Module, size: int) -> int:
    """MACs of one image through ``module`` (counted on meta tensors)."""
    from torch.utils.flop_counter import FlopCounterMode

    tensors = [*module.named_parameters(), *module.named_buffers()]
    meta = {n: torch.empty_like(t, device="meta") for n, t in tensors}
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        torch.func.functional_call(module, meta, (torch.zeros(1, 3, size, size, device="meta"),))
    return counter.get_total_flops() // 2


def main(argv: list[str] | None = None) -> list[str]:
    """Build each network, count it, time it, print one table (and return its lines)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per model")
    parser.add_argument("--num-classes", type=int, default=21)
    parser.add_argument("--skip-ssd512", action="store_true", help="skip the slowest model")
    parser.add_argument(
        "--small-classes", type=int, default=6, help="classes of the small model's batch-32 timing"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    k = args.num_classes

    rows = []
    tv = _TorchvisionCore(k)
    tv_ms = forward_ms(tv, 300, args.repeats)
    tv_params = sum(p.numel() for p in tv.parameters())
    rows.append(("torchvision ssd300_vgg16", 300, tv_params, _macs_of(tv, 300), tv_ms))
    presets = [SSDConfig.small(), SSDConfig.ssd300()] + ([] if args.skip_ssd512 else [SSDConfig.ssd512()])
    small_train = small_fwd32 = None
    for config in presets:
        model = build_ssd(config, k)
        ms = forward_ms(model, config.image_size, args.repeats)
        params = sum(p.numel() for p in model.parameters())
        rows.append((config.name, config.image_size, params, count_macs(model), ms))
        if config.backbone == "small":
            trainee = build_ssd(config, args.small_classes)
            small_train = train_step_ms_per_image(trainee, config.image_size, 32, args.repeats)
            small_fwd32 = forward_ms_batch(trainee, config.image_size, 32, args.repeats)

    head = f"{'model':26s} {'input':>5s} {'params':>12s} {'MACs':>9s} {'fwd ms/img':>11s} {'vs tv':>6s}"
    lines = [f"{machine()}; {k} classes", head, "-" * len(head)]
    for name, size, params, macs, ms in rows:
        lines.append(f"{name:26s} {size:5d} {params:12,d} {macs / 1e9:8.2f}G {ms:11.1f} {ms / tv_ms:6.2f}")
    if small_train is not None:
        lines.append(
            f"small with {args.small_classes} classes, batch 32: forward {small_fwd32:.1f} ms/img "
            f"(eval), forward+backward {small_train:.1f} ms/img (train)"
        )
    print("\n".join(lines), flush=True)
    return lines


if __name__ == "__main__":
    main()
