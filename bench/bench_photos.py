"""SSD300 on photos, end to end, the way lesson 1 and ``detect --pretrained`` run it.

    python -m bench.bench_photos [--threads 2] [--repeats 3] [--device cpu]

One photo at a time, the six sample photos at their own sizes: ours is
:func:`ssd_core.inference.detect_images` (warp to 300x300, the network, decoding, NMS), the
reference is torchvision's ``ssd300_vgg16`` in eval mode (its own resize, network and
post-processing) in the same process, with the same weights (ours converted from its state
dict by ``from_torchvision``). Nothing downloads: the weights are random, the classification
head's weights shrunk and its background bias raised so that, as with trained weights, at most
a few hundred class scores pass the 0.01 threshold before NMS (a plain random head sends over
100,000 through NMS, 3-4 s a photo here, and would time that instead). The ``vs tv`` column is
our time over its time.
"""

from __future__ import annotations

import argparse

import torch
from torchvision.models.detection import ssd300_vgg16

from ssd_core.data import sample_dataset
from ssd_core.inference import detect_images, time_detection
from ssd_core.models import from_torchvision

from .common import machine, timeit_pair

#: The classification head's weight scale and background bias that leave 0 to about 500
#: candidates per sample photo (the bench prints how many).
HEAD_SCALE, BACKGROUND_BIAS = 0.05, 5.0


def coco_like_pair(seed: int = 0, scale: float = HEAD_SCALE, bias: float = BACKGROUND_BIAS):
    """torchvision's SSD300 with COCO's 91 classes and random weights, and ours from it."""
    torch.manual_seed(seed)
    tv = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=91).eval()
    with torch.no_grad():
        for conv in tv.head.classification_head.module_list:
            conv.weight.mul_(scale)
            conv.bias.view(-1, 91)[:, 0] += bias          # per default box: class 0 first
    ours = from_torchvision(tv.state_dict()).eval()
    return tv, ours


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the photos")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    tv, ours = coco_like_pair()
    tv.to(device)
    ours.to(device)
    photos = [image.as_subclass(torch.Tensor) for image, _ in sample_dataset()]
    floats = [p.float().div(255).to(device) for p in photos]
    sync = device.type == "cuda"

    with torch.no_grad():
        candidates = [int((torch.softmax(ours(torch.nn.functional.interpolate(
            f[None], size=(300, 300), mode="bilinear"))[1][0], -1)[:, 1:] > 0.01).sum())
            for f in floats]
        kept = [len(d["scores"]) for d in detect_images(ours, photos)]

        def run_ours():
            for p in photos:
                detect_images(ours, [p])

        def run_tv():
            for f in floats:
                tv([f])

        ours_s, tv_s = timeit_pair(run_ours, run_tv, repeat=args.repeats, warmup=1, sync=sync)
    timing = time_detection(ours, photos, repeats=args.repeats)
    n = len(photos)
    lines = [
        machine(),
        f"six sample photos, one at a time; candidates above 0.01 per photo: "
        f"{min(candidates)}-{max(candidates)}; detections kept: {min(kept)}-{max(kept)}",
        f"ours (detect_images)        {1000 * ours_s / n:8.1f} ms/photo",
        f"torchvision ssd300_vgg16    {1000 * tv_s / n:8.1f} ms/photo",
        f"vs tv                       {ours_s / tv_s:8.2f}",
        f"time_detection (lesson 1):  {timing.seconds_per_image * 1000:8.1f} ms/photo (best pass)",
    ]
    print("\n".join(lines), flush=True)
    return lines


if __name__ == "__main__":
    main()
