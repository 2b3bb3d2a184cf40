"""Run a lesson's code cells in this Python process, without Jupyter: for a machine that has
PyTorch but no Jupyter server (the lent GPU machine). ``%`` magics are skipped, ``display``
comes from IPython. Prints each cell's number and its time; stops at the first error.

    python -m bench.run_notebook lessons/zh/05_training_run.ipynb
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    path = Path(argv[0])
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    import matplotlib

    matplotlib.use("Agg")
    from IPython.display import display

    namespace = {"__name__": "__lesson__", "display": display}
    for k, cell in enumerate(cells):
        source = "\n".join(line for line in "".join(cell["source"]).splitlines()
                           if not line.lstrip().startswith("%"))
        t0 = time.perf_counter()
        exec(compile(source, f"{path.name} cell {k}", "exec"), namespace)
        print(f"[{path.name}] cell {k} ran in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
