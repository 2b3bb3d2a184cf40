"""Checkpoints that are never left half-written, and that refuse the wrong model.

A checkpoint is a plain ``torch.save`` dict. :func:`save_checkpoint` writes it to a temporary
file in the same folder and renames it into place, so a crash (or Ctrl-C) during the write
leaves the previous checkpoint intact. :func:`load_checkpoint` checks that the file is one of
ours and, if asked, that it was made for the same config and class list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import torch

from .config import SSDConfig
from .paths import write_atomically

__all__ = ["save_checkpoint", "load_checkpoint", "CheckpointError", "FORMAT"]

FORMAT = "ssd_core-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used here, with the reason and what to do."""


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Write ``state`` to ``path`` atomically (temporary file + rename)."""
    state = {"format": FORMAT, **state}
    return write_atomically(path, lambda f: torch.save(state, f))


def load_checkpoint(
    path: str | Path,
    config: SSDConfig | None = None,
    classes: Sequence[str] | None = None,
    map_location="cpu",
) -> dict[str, Any]:
    """Read a checkpoint; with ``config``/``classes`` given, refuse one made for others."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file. Train one with "
                              "`python -m ssd_core train`, or check the path.")
    try:
        state = torch.load(path, map_location=map_location, weights_only=False)
    except Exception as e:  # truncated or not a torch file
        raise CheckpointError(f"{path}: cannot be read as a checkpoint ({type(e).__name__}: {e}). "
                              "It may be truncated or not a checkpoint at all; use another "
                              "file, e.g. the run's last.pt or best.pt.") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an ssd_core checkpoint (no '{FORMAT}' marker). "
                              "For torchvision's ssd300_vgg16 weights use "
                              "ssd_core.from_torchvision instead.")
    if config is not None and state["config"] != config.to_dict():
        theirs = SSDConfig.from_dict(state["config"])
        raise CheckpointError(f"{path}: made for config {theirs!r}, not {config!r}. "
                              "Pick the matching --preset, or start a new run.")
    if classes is not None and list(state["classes"]) != list(classes):
        raise CheckpointError(f"{path}: made for classes {list(state['classes'])}, not "
                              f"{list(classes)}. Use the dataset it was trained on, or start "
                              "a new run.")
    return state
