"""Where and how a model runs: the device, mixed precision, evaluation mode, threads.

Nothing here is SSD; it is the plumbing every part that runs a model shares, so that the
training step, inference and the lessons' explorers say it once:

* :func:`resolve_device`: ``"auto"`` is CUDA when there is a GPU, else the CPU;
* :func:`resolve_amp` and :func:`autocast`: bf16 (or fp16) convolutions where that is fast,
  float32 elsewhere; :func:`cpu_has_bf16` reads whether this CPU computes bf16 in hardware;
* :func:`eval_mode`: run a model in evaluation mode and put its mode back afterwards;
* :func:`num_threads`: run a block on a given number of CPU threads;
* :func:`describe_device`: one line naming the device, for logs and homework captions;
* :func:`process_group`: the processes a training run works in: one, or under ``torchrun``
  the group this process joins (NCCL on CUDA, gloo on the CPU) and leaves at the end.

``device`` is always an argument, never a global.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import threading
from typing import Any, Callable, Iterator, TypeVar

import torch
import torch.distributed as dist
from torch import nn

from .i18n import _

__all__ = ["resolve_device", "dist_info", "launch_info", "is_main_process", "ProcessGroup",
           "process_group", "cpu_has_bf16", "resolve_amp", "autocast", "eval_mode",
           "num_threads", "describe_device", "AMP_CHOICES"]

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


def launch_info() -> tuple[int, int, int] | None:
    """``(rank, world size, local rank)`` as ``torchrun`` gives them to this process in
    ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; ``None`` when it was not started that way."""
    try:
        return (int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]),
                int(os.environ.get("LOCAL_RANK", 0)))
    except (KeyError, ValueError):
        return None


def is_main_process() -> bool:
    """Whether this process is the one that prints and writes: rank 0 of the process group,
    or of the ``torchrun`` launch before the group is joined; True for a run of one process."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    launched = launch_info()
    return launched is None or launched[0] == 0


T = TypeVar("T")


class ProcessGroup:
    """The processes one training run works in, seen from this one.

    ``rank`` (0 .. ``world`` - 1) is this process's number; ``local_rank`` its number on its
    machine; ``device`` its device (``cuda:LOCAL_RANK`` on CUDA). ``main`` (rank 0) alone
    prints, evaluates and writes. ``owned``: :func:`process_group` joined the group (and
    leaves it); a group the caller set up stays the caller's.

    Methods with several processes are collectives: every process of the group calls them, at
    the same point of the run.
    """

    def __init__(self, rank: int = 0, world: int = 1, local_rank: int = 0,
                 device: torch.device | None = None, owned: bool = False):
        self.rank, self.world, self.local_rank = rank, world, local_rank
        self.device = device if device is not None else torch.device("cpu")
        self.owned = owned
        self.stop_requested = False     # set by SIGTERM / SIGINT while the group is joined

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def backend(self) -> str:
        """``"nccl"``, ``"gloo"`` ..., or ``"none"`` for one process without a group."""
        return str(dist.get_backend()) if dist.is_available() and dist.is_initialized() else "none"

    def __repr__(self) -> str:
        return (f"ProcessGroup(rank={self.rank}, world={self.world}, local_rank="
                f"{self.local_rank}, device={self.device}, owned={self.owned})")

    def barrier(self) -> None:
        """Wait until every process gets here (nothing to wait for alone)."""
        if self.world > 1:
            dist.barrier()

    def any(self, flag: bool) -> bool:
        """Whether ``flag`` is true in any process of the group."""
        if self.world == 1:
            return bool(flag)
        t = torch.tensor([int(bool(flag))], dtype=torch.int32, device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def should_stop(self) -> bool:
        """Whether any process was asked to stop (``torchrun`` passes Ctrl-C on to each):
        every process then stops after the same step, and rank 0 can save a checkpoint that
        all of them agree with."""
        return self.any(self.stop_requested)

    def in_turns(self, make: Callable[[], T]) -> T:
        """``make()`` in every process, first in rank 0, then in the first process of each
        other machine, then in the rest: what it writes to disk (the shapes dataset made on
        first use) is made once per machine, and the others read it.

        When ``make`` fails in one turn, the processes whose turn has not come try it at once
        (they usually meet the same error and report it themselves) instead of waiting.
        """
        mine = 0 if self.rank == 0 else (1 if self.local_rank == 0 else 2)
        result: Any = None
        done = False
        for turn in range(3):
            error = None
            if turn == mine:
                done = True
                try:
                    result = make()
                except BaseException as e:      # every process must reach the vote below
                    error = e
            if self.any(error is not None):
                if error is not None:
                    raise error
                if not done:
                    return make()
                raise RuntimeError(_("process {rank}: another process of this run failed (its "
                                     "error is printed above), so this one stops too")
                                   .format(rank=self.rank))
        return result

    def leave(self) -> None:
        """Tear the group down if this object joined it (a caller's group stays)."""
        if self.owned and dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
        self.owned = False


@contextlib.contextmanager
def _stop_on_signals(group: ProcessGroup) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT set ``group.stop_requested`` instead of
    killing the process (which would lose the last steps and leave the others waiting); a
    second one stops this process at once (``KeyboardInterrupt``)."""
    if group.world == 1 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum, frame):
        if group.stop_requested:
            raise KeyboardInterrupt
        group.stop_requested = True

    before = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def process_group(device: str | torch.device = "auto") -> Iterator[ProcessGroup]:
    """The processes a training run works in, for the length of the block.

    * a group the caller set up before (``torch.distributed.init_process_group``): used as it
      is, and left to the caller;
    * started by ``torchrun`` with more than one process (``RANK``, ``WORLD_SIZE``,
      ``LOCAL_RANK`` and the rendezvous address in the environment): the group is joined here,
      NCCL on CUDA (this process's GPU is ``cuda:LOCAL_RANK``), gloo on the CPU, and torn down
      when the block ends, also after an error or Ctrl-C. Several machines are ``torchrun``'s
      own rendezvous (``--nnodes``, ``--rdzv-endpoint``): nothing changes here;
    * otherwise one process and no group.

    While a group of several processes is joined, SIGINT and SIGTERM (``torchrun`` passes
    Ctrl-C on to every process, and stops them with SIGTERM) set
    :attr:`ProcessGroup.stop_requested`;
    :meth:`ProcessGroup.should_stop` tells every process at once.
    """
    device = resolve_device(device)
    launched = launch_info()
    owned = False
    if dist.is_available() and dist.is_initialized():
        rank, world = dist.get_rank(), dist.get_world_size()
        local = launched[2] if launched else (
            torch.cuda.current_device() if device.type == "cuda" else rank)
    elif launched is not None and launched[1] > 1:
        rank, world, local = launched
        if device.type == "cuda":
            if local >= torch.cuda.device_count():
                raise ValueError(_(
                    "process {local} of this machine has no GPU of its own: torch sees {n} GPU(s) "
                    "here. Start at most {n} processes a machine (torchrun --nproc_per_node {n}), "
                    "or train on the CPU (--device cpu).").format(
                        local=local, n=torch.cuda.device_count()))
            device = torch.device("cuda", local)
            torch.cuda.set_device(device)
            dist.init_process_group("nccl", device_id=device)
        else:
            dist.init_process_group("gloo")
        owned = True
    else:
        rank, world, local = 0, 1, 0
    if world > 1 and device.type == "cuda":
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    group = ProcessGroup(rank, world, local, device, owned)
    try:
        with _stop_on_signals(group):
            yield group
    finally:
        group.leave()


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
