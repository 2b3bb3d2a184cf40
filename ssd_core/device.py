"""Where and how a model runs: the device, mixed precision, evaluation mode, threads.

Nothing here is SSD; it is the plumbing every part that runs a model shares, so that the
training step, inference and the lessons' explorers say it once:

* :func:`resolve_device`: ``"auto"`` is CUDA when there is a GPU, else the CPU;
* :func:`resolve_amp` and :func:`autocast`: bf16 (or fp16) convolutions where that is fast,
  float32 elsewhere; :func:`cpu_has_bf16` reads whether this CPU computes bf16 in hardware;
* :func:`eval_mode`: run a model in evaluation mode and put its mode back afterwards;
* :func:`num_threads`: run a block on a given number of CPU threads;
* :func:`describe_device`: one line naming the device, for logs and homework captions.

``device`` is always an argument, never a global.
"""

from __future__ import annotations

import contextlib
import os
import platform
from typing import Any, Iterator

import torch
import torch.distributed as dist
from torch import nn

__all__ = ["resolve_device", "dist_info", "cpu_has_bf16", "resolve_amp", "autocast",
           "eval_mode", "num_threads", "describe_device", "AMP_CHOICES"]

#: The mixed-precision settings a run accepts.
AMP_CHOICES = ("auto", "bf16", "fp16", "off")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"``: CUDA if available, else CPU; anything else as ``torch.device`` reads it."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def dist_info() -> tuple[int, int]:
    """``(rank, world size)`` under ``torch.distributed`` (``torchrun``), else ``(0, 1)``."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def cpu_has_bf16(cpuinfo: str | os.PathLike = "/proc/cpuinfo") -> bool:
    """Whether this CPU computes bfloat16 in hardware (x86 AVX512-BF16 or AMX), read from
    the ``flags`` line of ``cpuinfo`` (Linux; False where there is no such file).

    There, oneDNN trains the small model about 1.6x faster in bf16 than in float32
    (``bench/bench_train.py``, (e)); elsewhere bf16 is emulated and slower, so
    ``amp="auto"`` keeps float32.
    """
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def resolve_amp(amp: str, device: torch.device) -> str:
    """``"auto"`` -> ``"bf16"`` on CUDA and on CPUs with bf16 hardware, else ``"off"``.

    ``"fp16"`` needs CUDA (it also needs a gradient scaler, which the training run makes).
    """
    if amp not in AMP_CHOICES:
        raise ValueError(f"amp must be 'auto', 'bf16', 'fp16' or 'off', got {amp!r}")
    if amp == "auto":
        return "bf16" if device.type == "cuda" or (device.type == "cpu" and cpu_has_bf16()) else "off"
    if amp == "fp16" and device.type != "cuda":
        raise ValueError("amp='fp16' needs CUDA; use amp='bf16' or 'off' on the CPU")
    return amp


def autocast(device: torch.device, amp: str = "off"):
    """Mixed precision for a forward pass: bf16 or fp16 convolutions, float32 elsewhere.

    ``amp`` is a resolved setting (``"bf16"``, ``"fp16"`` or ``"off"``); the loss and the box
    decoding are computed in float32 outside this block.
    """
    if amp == "off" or device.type not in ("cuda", "cpu"):
        return torch.autocast(device.type, enabled=False)
    dtype = torch.float16 if amp == "fp16" else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype)


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Run the block with ``model.eval()`` (BatchNorm uses its running statistics), then put
    back the mode the model had: a lesson may look at a model halfway through training."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@contextlib.contextmanager
def num_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)`` (``None``: leave it), then restore it.

    The lessons' explorers and brief runs use one thread: their operations are small, and on a
    busy machine (a laptop running JupyterLab and a browser) a thread that waits for a core
    turns a 1 ms match into 80 ms.
    """
    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def describe_device(device: Any = None) -> str:
    """One line naming the compute device: ``cuda:0 (NVIDIA H100 80GB HBM3)`` or
    ``cpu (x86_64, 2 cores)``. ``None`` and ``"auto"`` mean what training would pick; anything
    that is not a device is returned as text (it is a description already)."""
    try:
        dev = resolve_device("auto" if device is None else device)
    except (RuntimeError, ValueError, TypeError):
        return str(device)
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            return str(dev)
        index = dev.index if dev.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if dev.type == "cpu":
        return f"cpu ({platform.machine() or 'unknown'}, {os.cpu_count()} cores)"
    return str(dev)
