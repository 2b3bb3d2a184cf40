"""How long does one redraw of each lesson explorer take? The course asks for at most 150 ms.

A redraw is what a student waits for after moving a slider: compute the state, draw a fresh
matplotlib figure, encode it as PNG, print the ``state:`` line. For each explorer the script
moves its controls through several values (the expensive ones included: all 8,732 default
boxes, a 4x zoom-out canvas, 24 objects) and reports the median and the worst redraw, in ms,
after a first pass that loads every picture once (its slowest redraw is reported apart).

Timings on a shared machine are noisy, so every line also gives a ratio to a reference measured
in the same process, alternately with the redraws so that outside load falls on both: saving an
empty 6 x 4.5 inch figure as PNG at the explorers' 80 dpi, the least any redraw can cost.

    python -m bench.bench_explorers [--repeat 3]

It prints a table and returns its result lines; nothing is written.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import torch
from matplotlib.figure import Figure

from .common import machine


def _empty_savefig() -> None:
    fig = Figure(figsize=(6.0, 4.5))
    fig.savefig(io.BytesIO(), format="png", dpi=80)


def reference_ms(repeat: int = 15) -> float:
    """Median ms of saving an empty figure (after one warm-up)."""
    _empty_savefig()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        _empty_savefig()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def cases():
    """``(name, make_explorer, [settings, ...])`` for every explorer of lessons 1 to 3."""
    from ssd_core.viz.augmentation import augmentation_explorer
    from ssd_core.viz.default_boxes import default_box_explorer
    from ssd_core.viz.iou_nms import iou_explorer, nms_explorer
    from ssd_core.viz.network import atrous_explorer
    from ssd_core.viz.matching import match_explorer
    from ssd_core.viz.mining import mining_explorer

    return [
        ("iou_explorer", iou_explorer,
         [dict(a_x=(0.1, 0.5)), dict(b_x=(0.2, 0.9)), dict(a_y=(0.3, 0.4)), dict(b_y=(0.0, 1.0))]),
        ("nms_explorer", nms_explorer,
         [dict(nms_threshold=t) for t in (0.1, 0.45, 0.9)] + [dict(seed=4), dict(score_threshold=0.0)]),
        ("default_box_explorer: one location", default_box_explorer,
         [dict(source=k, show="one location") for k in range(6)] + [dict(scales=(0.1, 0.6)), dict(x=0.1)]),
        ("default_box_explorer: all centres", default_box_explorer,
         [dict(source=k, show="all centres") for k in (0, 1, 3)]),
        ("default_box_explorer: all 8,732 boxes", default_box_explorer,
         [dict(show="every box, all maps", scales=s) for s in ((0.2, 0.9), (0.15, 0.8), (0.3, 0.95))]),
        ("atrous_explorer", atrous_explorer,
         [dict(dilation=d, layers=l) for d, l in ((1, 1), (6, 1), (2, 3), (4, 3))]),
        ("match_explorer", match_explorer,
         [dict(picture=p, threshold=t) for p in ("chelsea", "coins", "shapes val 29") for t in (0.3, 0.5)]
         + [dict(sources=(0,)), dict(threshold=0.9)]),
        ("mining_explorer (untrained small model)", mining_explorer,
         [dict(ratio=r) for r in (1.0, 3.0, 10.0)] + [dict(picture="shapes val 2"), dict(positives=False)]),
        ("augmentation_explorer", augmentation_explorer,
         [dict(seed=s) for s in range(5)] + [dict(picture="astronaut", seed=s) for s in range(3)]
         + [dict(picture="coins", crop=0.9)]),
    ]


def _time_reference() -> float:
    t0 = time.perf_counter()
    _empty_savefig()
    return time.perf_counter() - t0


def measure(make, settings, repeat: int) -> tuple[list[float], list[float], float]:
    """Redraw seconds of every setting, ``repeat`` times, each followed by one reference
    timing, after one pass that is not counted (it loads each picture once, as a student's
    first visit does). Returns the redraw times, the reference times and the slowest redraw of
    the first pass."""
    explorer = make()
    first = 0.0
    for s in settings:
        explorer.set(**s)
        first = max(first, explorer.seconds)
    times, refs = [], []
    for _ in range(repeat):
        for s in settings:
            explorer.set(**s)
            if "error" in explorer.state:
                raise RuntimeError(f"{type(explorer).__name__} {s}: {explorer.state['error']}")
            times.append(explorer.seconds)
            refs.append(_time_reference())
    return times, refs, first


def main(argv=None) -> list[str]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3, help="passes over each explorer's settings")
    args = p.parse_args(argv)
    print(machine())
    ref = reference_ms()
    print(f"reference: empty 6x4.5 in figure saved as PNG at 80 dpi: {ref:.1f} ms")
    lines = []
    header = (f"{'explorer':<42}{'redraws':>8}{'median ms':>11}{'max ms':>9}{'x reference':>13}"
              f"{'first visit max':>17}")
    print(header)
    for name, make, settings in cases():
        times, refs, first = measure(make, settings, args.repeat)
        med, worst = statistics.median(times) * 1e3, max(times) * 1e3
        r = statistics.median(refs) * 1e3
        line = (f"{name:<42}{len(times):>8}{med:>11.0f}{worst:>9.0f}{med / r:>13.1f}"
                f"{first * 1e3:>17.0f}")
        print(line, flush=True)
        lines.append(f"{name}: median {med:.0f} ms, max {worst:.0f} ms, {med / r:.1f}x reference "
                     f"({r:.1f} ms); first visit up to {first * 1e3:.0f} ms")
    return lines


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
