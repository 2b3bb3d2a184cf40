"""Keeping explorer redraws fast.

An explorer's arithmetic is small (one image, at most some ten thousand boxes). Spread over
several threads, each small PyTorch operation pays for starting the other threads, and on a
busy machine (a shared course server, a laptop running JupyterLab and a browser) a thread that
has to wait for a core turns a 1 ms match into 80 ms. So explorers compute on one thread and
put the previous setting back afterwards.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

from .explorer import Explorer

__all__ = ["single_thread", "OneThreadExplorer"]


@contextmanager
def single_thread():
    """Run the block with ``torch.set_num_threads(1)``, then restore the previous count."""
    n = torch.get_num_threads()
    if n == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


class OneThreadExplorer(Explorer):
    """An :class:`~ssd_core.viz.explorer.Explorer` whose redraws run in :func:`single_thread`."""

    def redraw(self) -> None:
        with single_thread():
            super().redraw()
