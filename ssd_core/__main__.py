"""``python -m ssd_core``: see :mod:`ssd_core.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
