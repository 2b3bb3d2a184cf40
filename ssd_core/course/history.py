"""Detectors on PASCAL VOC2007 test, from R-CNN to SSD: mAP, speed, boxes, input.

Five rows are the SSD paper's own comparison of speed and accuracy (Table 7: all measured on
one Titan X with cuDNN v4 and an Intel Xeon E5-2667v3 @ 3.20 GHz, VOC2007 test). R-CNN and
Fast R-CNN are not in Table 7; their rows come from other papers, on other hardware, and are
marked approximate. :data:`SUCCESSORS_VOC` adds the detectors after SSD whose papers give
comparable numbers, and :data:`SUCCESSORS` says what each later detector changed. Lesson 1
prints and draws them (:mod:`ssd_core.viz.history`). SSD's own numbers come from
:data:`ssd_core.course.facts.PAPER_FACTS`.

The words among the numbers (a cell such as ``~2000 proposals``, what a successor changed, a
result worded beyond numbers) and the citations are English messages of the catalog (marked
with ``N_``), translated where they are shown (a citation reads ``Lin 等人 2017，……，表 2`` in
Chinese). Sizes are written with ×, as in 448×448.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _, using_language
from .facts import PAPER_FACTS

__all__ = ["Detector", "DETECTORS", "SUCCESSORS_VOC", "Successor", "SUCCESSORS"]


@dataclass(frozen=True)
class Detector:
    """One method's VOC2007 test result.

    Attributes:
        name: the method (and its base network).
        year: year of publication.
        map: mAP (%) on PASCAL VOC2007 test.
        fps: frames per second at batch size 1 (including proposals where a method needs them).
        boxes: how many boxes it scores per image (text: proposals are approximate; words
            are a message of the catalog).
        input: input resolution (words, too, are a message of the catalog).
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

    def cite(self, lang: str | None = None) -> str:
        """Where the numbers come from, in ``lang`` (default: the current language)."""
        with using_language(lang):
            return _(self.source)


_T7 = N_("SSD paper (arXiv 1512.02325v5), Table 7 (Titan X)")
_F = PAPER_FACTS

#: Detection on PASCAL VOC2007 test, oldest first: the SSD paper's Table 7, and before it.
DETECTORS: tuple[Detector, ...] = (
    Detector("R-CNN (VGG16)", 2014, 66.0, 1 / 47, N_("~2000 proposals"),
             N_("each proposal warped to 224×224"),
             N_("R-CNN paper (VGG16 result); 47 s/image on a K40 per the Fast R-CNN paper; "
                "approximate"),
             False),
    Detector("Fast R-CNN (VGG16)", 2015, 70.0, 0.5, N_("~2000 proposals"), "~1000×600",
             N_("Fast R-CNN paper (07+12 training); 0.5 FPS with Selective Search proposals, "
                "per the YOLO paper; approximate"), False),
    Detector("Faster R-CNN (VGG16)", 2015, _F["faster_rcnn_map07"].value, _F["faster_rcnn_fps"].value,
             "~6000", "~1000×600", _T7, True),
    Detector("Fast YOLO", 2016, _F["fast_yolo_map07"].value, _F["fast_yolo_fps"].value, "98",
             "448×448", _T7, True),
    Detector("YOLO (VGG16)", 2016, _F["yolo_vgg16_map07"].value, _F["yolo_vgg16_fps"].value, "98",
             "448×448", _T7, True),
    Detector("SSD300", 2016, _F["ssd300_map07"].value, _F["ssd300_fps"].value,
             f"{_F['ssd300_boxes'].value}", "300×300", _T7, True,
             fps_batch8=_F["ssd300_fps_b8"].value),
    Detector("SSD512", 2016, _F["ssd512_map07"].value, _F["ssd512_fps"].value,
             f"{_F['ssd512_boxes'].value}", "512×512", _T7, True,
             fps_batch8=_F["ssd512_fps_b8"].value),
)

_Y2 = N_("YOLO9000 paper (Redmon & Farhadi, CVPR 2017, arXiv 1612.08242), Table 3: VOC2007 "
         "test, 07+12 training, a Titan X like Table 7's")

#: After SSD, where the paper gives numbers comparable with Table 7 (VOC2007 test, FPS at
#: batch 1 on a Titan X): drawn as hollow points.
SUCCESSORS_VOC: tuple[Detector, ...] = (
    # boxes: (side / 32)^2 cells × 5 anchors (YOLO9000 paper, "Dimension Clusters", k = 5)
    Detector("YOLOv2 288", 2017, 69.0, 91, "405", "288×288", _Y2, False),
    Detector("YOLOv2 416", 2017, 76.8, 67, "845", "416×416", _Y2, False),
    Detector("YOLOv2 544", 2017, 78.6, 40, "1445", "544×544", _Y2, False),
)


@dataclass(frozen=True)
class Successor:
    """A detector after SSD and what it changed, with the number its paper reports.

    ``idea`` is an English message of the catalog, and so is ``result`` where it has words
    besides numbers, dataset names and backbones (translate both with ``_`` where shown);
    ``source_msgid``, the citation, is one too: :attr:`source` gives it in the current
    language (``Lin et al. 2017`` reads ``Lin 等人 2017`` in Chinese)."""

    name: str
    year: int
    idea: str
    result: str
    source_msgid: str

    @property
    def source(self) -> str:
        """The citation, in the current language."""
        return _(self.source_msgid)


#: After SSD: what each detector changed, and its headline number (COCO unless said).
SUCCESSORS: tuple[Successor, ...] = (
    Successor("DSSD", 2017, N_("SSD + a deconvolution path that brings context from the deep, "
                               "coarse maps back to the fine ones (ResNet-101)"),
              N_("VOC2007 test 81.5 mAP (DSSD513); COCO test-dev 33.2 AP"),
              N_("Fu et al. 2017, arXiv 1701.06659, abstract")),
    Successor("FPN", 2017, N_("a top-down pyramid with lateral connections: every map gets the "
                              "deep maps' semantics; with Faster R-CNN"),
              "COCO test-dev 36.2 AP (ResNet-101)",
              N_("Lin et al. 2017, arXiv 1612.03144, Table 4")),
    Successor("YOLOv2", 2017, N_("anchor boxes from k-means, batch norm, multi-scale training"),
              N_("VOC2007 test 78.6 mAP at 40 FPS (544 px)"),
              _Y2),
    Successor("RetinaNet", 2017, N_("the focal loss: down-weights easy negatives instead of "
                                    "sampling 3 per positive, the successor of hard negative "
                                    "mining"),
              N_("COCO test-dev 39.1 AP (ResNet-101-FPN); the focal loss beats the best online "
                 "hard example mining by 3.2 AP (36.0 against 32.8; SSD's 1:3 ratio at best 31.1)"),
              N_("Lin et al. 2017, arXiv 1708.02002, Table 2, Table 1(d) and §5.1")),
    Successor("YOLOv3", 2018, N_("predictions on three scales of a feature pyramid"),
              N_("COCO test-dev 33.0 AP, 57.9 AP50 in 51 ms (608 px, Titan X)"),
              N_("Redmon & Farhadi 2018, arXiv 1804.02767, abstract and Table 3")),
    Successor("CornerNet", 2018, N_("anchor-free: an object is a pair of corner key points"),
              "COCO 42.2 AP",
              N_("Law & Deng 2018, arXiv 1808.01244, abstract")),
    Successor("FCOS", 2019, N_("anchor-free: every location of the pyramid predicts its "
                               "distances to the box's four sides"),
              "COCO 44.7 AP (ResNeXt-64x4d-101)",
              N_("Tian et al. 2019, arXiv 1904.01355, abstract")),
    Successor("DETR", 2020, N_("a transformer predicts a set of boxes directly: no default "
                               "boxes, no matching by IoU threshold, no NMS"),
              N_("COCO val 42.0 AP at 28 FPS (ResNet-50)"),
              N_("Carion et al., ECCV 2020")),
)
