"""Maintainers' tools (not part of the ``ssd_core`` package)."""
