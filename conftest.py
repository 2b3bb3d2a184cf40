"""Settings for every test run, the lessons' notebooks included.

``SSD_COURSE_QUICK=1`` shrinks data and epochs so each lesson runs in seconds on a CPU; it is
set here, before nbval starts any kernel, so the kernels inherit it.
"""

import os

os.environ.setdefault("SSD_COURSE_QUICK", "1")
# Tests read figure and widget text in English unless they switch to Chinese themselves (the
# `language` fixture of tests/conftest.py); the lessons set their language in their first cell.
os.environ.setdefault("SSD_COURSE_LANG", "en")
# Idle OpenMP threads spin by default; on a shared 2-core machine that slows small ops 10x.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
