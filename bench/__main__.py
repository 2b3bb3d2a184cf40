"""Run every benchmark in one process: ``python -m bench`` (or ``make bench``).

Each prints its lines as it goes; copy them, with the machine and the date, into
``bench/RESULTS.md``. Pass ``--device cuda`` on a GPU machine.
"""

from __future__ import annotations

import sys
import time

from . import bench_data, bench_explorers, bench_matching, bench_models, bench_review, bench_train


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    device = ["--device", argv[argv.index("--device") + 1]] if "--device" in argv else []
    print(time.strftime("%Y-%m-%d"))
    bench_matching.main(device)
    bench_train.main(device)
    bench_models.main([])
    bench_data.main([])
    bench_explorers.main([])
    bench_review.main([])


if __name__ == "__main__":
    main()
