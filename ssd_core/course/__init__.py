"""Course text that is data, in Simplified Chinese and English (:class:`~.text.Text`).

- :mod:`.text`: :class:`Text` and the language a student reads (:func:`set_language`,
  ``$SSD_COURSE_LANG``; Chinese by default);
- :mod:`.quiz`: lesson 1's self-check questions;
- :mod:`.paper_map`: the paper's sections and the files that implement them;
- :mod:`.tf_port`: balancap/SSD-Tensorflow beside ``ssd_core``, function by function;
- :mod:`.history`: detectors from R-CNN to SSD on VOC2007 test;
- :mod:`.notes`: notes shown beside the widgets.

Nothing here imports the rest of ``ssd_core``: it is text and numbers.
"""

from .text import LANG_ENV, LANGUAGES, Text, language, set_language

__all__ = ["Text", "language", "set_language", "LANG_ENV", "LANGUAGES"]
