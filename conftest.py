"""Settings for every test run, the lessons' notebooks included.

``SSD_COURSE_QUICK=1`` shrinks data and epochs so each lesson runs in seconds on a CPU; it is
set here, before nbval starts any kernel, so the kernels inherit it.
"""

import os

os.environ.setdefault("SSD_COURSE_QUICK", "1")
# Idle OpenMP threads spin by default; on a shared 2-core machine that slows small ops 10x.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
