"""Course text that is data, in Simplified Chinese and English (:class:`~.text.Text`).

- :mod:`.text`: :class:`Text` and the language a student reads (:func:`set_language`,
  ``$SSD_COURSE_LANG``; Chinese by default);
- :mod:`.facts`: the paper's numbers the lessons and quizzes quote, each with its table;
- :mod:`.quiz`: every lesson's self-check questions, with predictions to make first;
- :mod:`.glossary`: the terms, Chinese and English, and where each lives in the code;
- :mod:`.paper_map`: the paper's sections and the files that implement them;
- :mod:`.tf_port`: balancap/SSD-Tensorflow beside ``ssd_core``, function by function;
- :mod:`.history`: detectors from R-CNN to SSD on VOC2007 test, and SSD's successors;
- :mod:`.notes`: notes shown beside the widgets;
- :mod:`.ui_lessons12`, :mod:`.ui_lesson3`, :mod:`.ui_lessons45`: the labels, titles and
  messages of each lesson's figures and widgets;
- :mod:`.ui_printed12`, :mod:`.ui_printed45`: what the library prints in the lessons (the
  source table, the trace tables, the settings' reasons, a training run's lines);
- :mod:`.messages`: what the command line and the training run say to a student;
- :mod:`.weights`: where the pretrained weights come from and what to do offline.

Nothing here imports the rest of ``ssd_core``: it is text and numbers.
"""

from .text import LANG_ENV, LANGUAGES, Text, language, set_language

__all__ = ["Text", "language", "set_language", "LANG_ENV", "LANGUAGES"]
