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
from .i18n import _
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
        raise CheckpointError(_("{path}: no such checkpoint file. Train one with "
                                "`python -m ssd_core train`, or check the path.").format(path=path))
    try:
        state = torch.load(path, map_location=map_location, weights_only=False)
    except Exception as e:  # truncated or not a torch file
        raise CheckpointError(_(
            "{path}: cannot be read as a checkpoint ({error}). It may be truncated or not a "
            "checkpoint at all; use another file, e.g. the run's last.pt or best.pt.").format(
            path=path, error=f"{type(e).__name__}: {e}")) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(_(
            "{path}: not an ssd_core checkpoint (no '{marker}' marker). For torchvision's "
            "ssd300_vgg16 weights use ssd_core.from_torchvision instead.").format(
            path=path, marker=FORMAT))
    if config is not None and state["config"] != config.to_dict():
        saved, now = state["config"], config.to_dict()
        differences = "; ".join(f"{k} {saved.get(k)!r} / {now.get(k)!r}"
                                for k in sorted(set(saved) | set(now))
                                if saved.get(k) != now.get(k))
        # e.g. a small SSD saved before 2026-12-07 had four default boxes per place on its
        # 48x48 map: it still loads for detection (load_trained), but continues only as it was
        raise CheckpointError(_(
            "{path}: made for config '{saved}'; this run's config '{now}' differs from it in "
            "{differences} (the checkpoint's value, then this run's). Pick the matching "
            "--preset, or start a new run.").format(
            path=path, saved=saved.get("name"), now=now.get("name"), differences=differences))
    if classes is not None and list(state["classes"]) != list(classes):
        raise CheckpointError(_(
            "{path}: made for classes {saved}, not {now}. Use the dataset it was trained on, or "
            "start a new run.").format(path=path, saved=", ".join(state["classes"]),
                                       now=", ".join(classes)))
    return state
