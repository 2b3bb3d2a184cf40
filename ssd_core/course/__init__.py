"""The course's data that is not code: numbers, sources, section ids, module names.

Its sentences are English ``msgid``s marked with :func:`~ssd_core.i18n.N_` and translated
where they are shown; their Chinese is in the catalog (``ssd_core/locale/``).

- :mod:`.facts`: the paper's numbers the lessons and quizzes quote, each with its source;
- :mod:`.quiz`: every lesson's self-check questions, with predictions to make first;
- :mod:`.glossary`: the terms, and where each lives in the code and in SSD-Tensorflow;
- :mod:`.paper_map`: the paper's sections and the files that implement them;
- :mod:`.tf_port`: balancap/SSD-Tensorflow beside ``ssd_core``, function by function;
- :mod:`.history`: detectors from R-CNN to SSD on VOC2007 test, and SSD's successors.

Nothing here imports the rest of ``ssd_core`` but :mod:`ssd_core.i18n`.
"""
