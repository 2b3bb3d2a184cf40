"""Shared helpers for the benchmarks: timing, the machine's description, result lines."""

from __future__ import annotations

import platform
import statistics
import time
from typing import Callable

import torch


def machine() -> str:
    """One line naming the machine: CPU or GPU, thread count, library versions."""
    if torch.cuda.is_available():
        where = torch.cuda.get_device_name(0)
    else:
        where = f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} threads"
    return f"{where}; torch {torch.__version__}; Python {platform.python_version()}"


def timeit(fn: Callable[[], object], repeat: int = 5, warmup: int = 1, sync: bool = False) -> float:
    """Median seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    def run():
        if sync:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if sync:
            torch.cuda.synchronize()
        return time.perf_counter() - t0

    for _ in range(warmup):
        run()
    return statistics.median(run() for _ in range(repeat))


def timeit_pair(fa: Callable[[], object], fb: Callable[[], object], repeat: int = 5,
                warmup: int = 1, sync: bool = False) -> tuple[float, float]:
    """Median seconds of ``fa()`` and of ``fb()``, run alternately so that load from anything
    else on the machine falls on both alike."""
    ta, tb = [], []
    for i in range(warmup + repeat):
        a = timeit(fa, repeat=1, warmup=0, sync=sync)
        b = timeit(fb, repeat=1, warmup=0, sync=sync)
        if i >= warmup:
            ta.append(a)
            tb.append(b)
    return statistics.median(ta), statistics.median(tb)


def report(title: str, ours: float, reference: float, unit: str, ref_name: str,
           higher_is_better: bool = False) -> str:
    """``title: ours X unit, reference Y unit, speed ratio R`` (R > 1: ours is faster).

    Times (lower is better) give ``reference / ours``; rates (``higher_is_better``) give
    ``ours / reference``.
    """
    ratio = ours / reference if higher_is_better else reference / ours
    line = (f"{title}: ssd_core {ours:.4g} {unit}, {ref_name} {reference:.4g} {unit}, "
            f"speed ratio {ratio:.2f}x")
    print(line, flush=True)
    return line
