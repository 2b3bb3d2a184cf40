"""What ``ssd_core`` prints in lessons 1 and 2, in both languages.

- :data:`DESCRIBE`: :mod:`ssd_core.models.describe`, the table of an SSD's source maps that
  ``print(describe(model))`` shows at the start of lesson 2.

(Lesson 1's history tables take their heads from :data:`.ui_lessons12.HISTORY` and their rows
from :mod:`.history`; the lessons' own printed sentences are written in the lessons as
``Text(en, zh)``.)

The texts are read with ``str()`` / ``.format()`` when a table is printed, so a table shows the
language chosen at that moment. Placeholders are the same in both versions.
"""

from __future__ import annotations

from .text import Text

__all__ = ["DESCRIBE"]

T = Text

# ================================================================== models.describe (lesson 2)

DESCRIBE: dict = dict(
    # the first line: the config and its input size
    title=T("{name}: {size}x{size} input", "{name}：输入 {size}x{size}"),
    # the column heads, in the order of SourceInfo's fields (lesson 2 explains stride and step:
    # 步幅 is the network's, 中心间距 the spacing of the default boxes' centres)
    head=(T("source", "源特征图"), T("channels", "通道数"), T("map", "尺寸"),
          T("stride", "步幅"), T("step", "中心间距"), T("receptive field", "感受野"),
          T("boxes/loc", "每位置框数"), T("boxes", "默认框数")),
    total=T("total", "合计"),
)
