"""Detectors on PASCAL VOC2007 test, from R-CNN to SSD: mAP, speed, boxes, input.

Five rows are the SSD paper's own comparison of speed and accuracy (Table 7: all measured on
one Titan X with cuDNN v4 and an Intel Xeon E5-2667v3 @ 3.20 GHz, VOC2007 test). R-CNN and
Fast R-CNN are not in Table 7; their rows come from other papers, on other hardware, and are
marked approximate. Lesson 1 prints and draws them (:mod:`ssd_core.viz.history`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Detector", "DETECTORS"]


@dataclass(frozen=True)
class Detector:
    """One method's VOC2007 test result.

    Attributes:
        name: the method (and its base network).
        year: year of publication.
        map: mAP (%) on PASCAL VOC2007 test.
        fps: frames per second at batch size 1 (including proposals where a method needs them).
        boxes: how many boxes it scores per image (text: proposals are approximate).
        input: input resolution.
        source: where the numbers come from.
        in_table7: True for the rows of the SSD paper's Table 7, False for other sources.
        fps_batch8: frames per second at batch size 8 (Table 7 gives it for SSD only).
    """

    name: str
    year: int
    map: float
    fps: float
    boxes: str
    input: str
    source: str
    in_table7: bool
    fps_batch8: float | None = None

    @property
    def approximate(self) -> bool:
        """Numbers from outside Table 7: other hardware, other papers."""
        return not self.in_table7


_T7 = "SSD paper, Table 7 (Titan X)"

#: Detection on PASCAL VOC2007 test, oldest first.
DETECTORS: tuple[Detector, ...] = (
    Detector("R-CNN (VGG16)", 2014, 66.0, 1 / 47, "~2000 proposals", "each proposal warped to 224x224",
             "R-CNN paper (VGG16 result); 47 s/image on a K40 per the Fast R-CNN paper; approximate",
             False),
    Detector("Fast R-CNN (VGG16)", 2015, 70.0, 0.5, "~2000 proposals", "~1000x600",
             "Fast R-CNN paper (07+12 training); 0.5 FPS with Selective Search proposals, "
             "per the YOLO paper; approximate", False),
    Detector("Faster R-CNN (VGG16)", 2015, 73.2, 7, "~6000", "~1000x600", _T7, True),
    Detector("Fast YOLO", 2016, 52.7, 155, "98", "448x448", _T7, True),
    Detector("YOLO (VGG16)", 2016, 66.4, 21, "98", "448x448", _T7, True),
    Detector("SSD300", 2016, 74.3, 46, "8732", "300x300", _T7, True, fps_batch8=59),
    Detector("SSD512", 2016, 76.8, 19, "24564", "512x512", _T7, True, fps_batch8=22),
)
