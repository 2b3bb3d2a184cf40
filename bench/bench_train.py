"""Training and inference speed, each as a ratio against a reference run in the same process.

    python -m bench.bench_train [--device cuda] [--batch 8] [--skip-ssd300]

(a) one SSD300 training step (forward, matching, loss, backward, SGD) of ``ssd_core`` against
    torchvision's ``ssd300_vgg16`` on the same batch and device (its own transform, matcher
    and loss; randomly initialised, nothing downloads);
(c) inference images/s, post-processing included, against torchvision's ``ssd300_vgg16``;
(d) the small model's training images/s on the CPU (the laptop case), against torchvision's
    ``ssdlite320_mobilenet_v3_large`` trained on the same shapes batch;
(e) the small model's training step at batch 8 (the ``small`` preset) under bf16 autocast with
    channels_last, against float32, on a CPU with bf16 hardware (``amp="auto"`` turns it on);
(f) the same step in float32 with channels_last against the plain layout (the layout alone).
Ratios above 1 mean ssd_core is faster.
"""

from __future__ import annotations

import argparse

import torch
from torchvision.models.detection import ssd300_vgg16, ssdlite320_mobilenet_v3_large

from ssd_core import SSDConfig, train_step
from ssd_core.device import cpu_has_bf16
from ssd_core.models import build_ssd

from .common import machine, report, timeit_pair


def fake_batch(n: int, size: int, gen: torch.Generator, num_classes: int = 21):
    images = torch.rand(n, 3, size, size, generator=gen)
    targets = []
    for _ in range(n):
        k = int(torch.randint(1, 6, (1,), generator=gen))
        wh = 0.1 + 0.6 * torch.rand(k, 2, generator=gen)
        xy = torch.rand(k, 2, generator=gen) * (1 - wh)
        targets.append({"boxes": torch.cat([xy, xy + wh], 1),
                        "labels": torch.randint(1, num_classes, (k,), generator=gen)})
    return images, targets


def our_step(model, optimizer, images, targets, amp="off"):
    """The training iteration every ssd_core run uses (matching included)."""
    train_step(model, optimizer, images, targets, priors=model.priors, amp=amp,
               channels_last=images.is_contiguous(memory_format=torch.channels_last))


def tv_step(model, optimizer, images, targets, size):
    px = [{"boxes": t["boxes"] * size, "labels": t["labels"]} for t in targets]
    losses = model(list(images), px)
    loss = sum(losses.values())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


def main(argv=None) -> list[str]:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch", type=int, default=None, help="default: 32 on GPU, 2 on CPU")
    p.add_argument("--skip-ssd300", action="store_true")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    sync = device.type == "cuda"
    batch = args.batch or (32 if sync else 2)
    gen = torch.Generator().manual_seed(0)
    lines = [machine()]
    print(lines[0])

    if not args.skip_ssd300:
        images, targets = fake_batch(batch, 300, gen)
        images = images.to(device)
        targets = [{k: v.to(device) for k, v in t.items()} for t in targets]
        ours = build_ssd(SSDConfig.ssd300(), 21).to(device).train()
        theirs = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=21).to(device).train()
        opt_o = torch.optim.SGD(ours.parameters(), lr=1e-5, momentum=0.9)
        opt_t = torch.optim.SGD(theirs.parameters(), lr=1e-5, momentum=0.9)
        reps = 5 if sync else 3
        t_o, t_t = timeit_pair(lambda: our_step(ours, opt_o, images, targets),
                               lambda: tv_step(theirs, opt_t, images, targets, 300), reps, sync=sync)
        lines.append(report(f"(a) SSD300 training step, batch {batch}, {device.type}",
                            t_o / batch * 1e3, t_t / batch * 1e3, "ms/image", "torchvision ssd300_vgg16"))
        ours.eval()
        theirs.eval()
        with torch.no_grad():
            t_o, t_t = timeit_pair(lambda: ours.detect(images), lambda: theirs(list(images)),
                                   reps, sync=sync)
        lines.append(report(f"(c) SSD300 inference + post-processing, batch {batch}, {device.type}",
                            t_o / batch * 1e3, t_t / batch * 1e3, "ms/image", "torchvision ssd300_vgg16"))
        del ours, theirs

    # (d) the small model on the CPU, the laptop case
    n = 32
    images, targets = fake_batch(n, 192, gen, num_classes=6)
    small = build_ssd(SSDConfig.small(), 6).train()
    lite = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=6).train()
    opt_s = torch.optim.AdamW(small.parameters(), lr=1e-4)
    opt_l = torch.optim.AdamW(lite.parameters(), lr=1e-4)
    t_s, t_l = timeit_pair(lambda: our_step(small, opt_s, images, targets),
                           lambda: tv_step(lite, opt_l, images, targets, 192), 3)
    lines.append(report(f"(d) small SSD training on CPU, batch {n}, 192 px", n / t_s, n / t_l,
                        "images/s", "torchvision ssdlite320_mobilenet_v3_large",
                        higher_is_better=True))

    # (e) mixed precision for the small preset on the CPU
    if cpu_has_bf16():
        n = 8
        images, targets = fake_batch(n, 192, gen, num_classes=6)
        steps = []
        for amp in ("bf16", "off"):
            torch.manual_seed(0)
            model = build_ssd(SSDConfig.small(), 6).train()
            x = images
            if amp == "bf16":
                model = model.to(memory_format=torch.channels_last)
                x = images.contiguous(memory_format=torch.channels_last)
            opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
            steps.append(lambda m=model, o=opt, x=x, amp=amp: our_step(m, o, x, targets, amp))
        t_b, t_f = timeit_pair(steps[0], steps[1], 5)
        lines.append(report(f"(e) small SSD training on CPU, batch {n}: bf16 + channels_last",
                            n / t_b, n / t_f, "images/s", "float32", higher_is_better=True))
    else:
        lines.append("(e) not run: this CPU has no bf16 hardware (amp='auto' stays float32)")
        print(lines[-1])
    lines.append(channels_last_in_float32())
    return lines


def channels_last_in_float32(n: int = 8, repeat: int = 7) -> str:
    """(f) the small preset's step in float32 with channels_last, against the plain layout: what
    the memory layout alone is worth on this CPU (with bf16 hardware or not)."""
    gen = torch.Generator().manual_seed(0)
    images, targets = fake_batch(n, 192, gen, num_classes=6)
    steps = []
    for layout in (torch.channels_last, torch.contiguous_format):
        torch.manual_seed(0)
        model = build_ssd(SSDConfig.small(), 6).train().to(memory_format=layout)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        x = images.contiguous(memory_format=layout)
        steps.append(lambda m=model, o=opt, x=x: our_step(m, o, x, targets, "off"))
    t_cl, t_plain = timeit_pair(steps[0], steps[1], repeat)
    return report(f"(f) small SSD training on CPU, batch {n}, float32: channels_last "
                  f"(bf16 hardware: {'yes' if cpu_has_bf16() else 'no'})", n / t_cl, n / t_plain,
                  "images/s", "plain layout", higher_is_better=True)


if __name__ == "__main__":
    main()
