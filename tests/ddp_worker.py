"""The worker of test_train.py's DDP test, in a module of its own: each spawned process imports
it, and so imports only what training needs (the test module would bring the command line,
its web pages and pytest's fixtures along, several seconds a process on two cores)."""

import os

import torch
import torch.distributed as dist

from ssd_core.train import train


def train_in_own_group(rank: int, world: int, port: int, settings, out_dir: str) -> None:
    """Set up a gloo group as a caller of ``train`` would, train in it, and save this rank's
    weights and whether the group was still there after ``train`` returned (it is the
    caller's: ``train`` uses it and leaves it alone)."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        result = train(settings)
        kept = dist.is_initialized()
        if kept:
            dist.barrier()                  # and it still works
        flat = torch.cat([p.detach().flatten() for p in result.model.parameters()])
        torch.save({"weights": flat, "group_kept": kept},
                   os.path.join(out_dir, f"rank{rank}.pt"))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
