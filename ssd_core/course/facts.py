"""The numbers of the course, each written once with where it comes from.

A fact about SSD names its source: a section, table or figure of the paper (Liu et al., "SSD:
Single Shot MultiBox Detector", ECCV 2016, **arXiv 1512.02325v5**; earlier arXiv versions
report other numbers, e.g. "SSD500" and 72.1 mAP for SSD300), the released Caffe model, or
another paper. The history plot, the quizzes, the lessons and the tests read them from here,
so a number is typed once.

What a number is, its citation (every one, ``Table 7`` too: a Chinese reader reads 表 7) and a
value that is a phrase are English messages of the catalog (marked with ``N_``), shown in the
current language by :attr:`Fact.what`, :meth:`Fact.cite`, :meth:`Fact.value_text` and
:meth:`Fact.line`. A number the paper does not give outright, but that the course infers from
it, says so in its citation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _, using_language

__all__ = ["Fact", "PAPER_FACTS", "fact", "facts_text", "SSD_PAPER", "SSD_PAPER_URL"]

#: The paper, as the course cites it.
SSD_PAPER = "SSD paper (Liu et al., ECCV 2016, arXiv 1512.02325v5)"
SSD_PAPER_URL = "https://arxiv.org/abs/1512.02325v5"


@dataclass(frozen=True)
class Fact:
    """A number and where it is written.

    ``value`` is the number (or, for a schedule, an English phrase), ``source`` the English
    citation (a message of the catalog: 表 7 in Chinese) and ``what_msgid`` what the number is,
    in English. :attr:`what`, :meth:`cite`
    and :meth:`value_text` give them in the current language, for printing.
    """

    value: float | int | str
    source: str
    what_msgid: str

    @property
    def what(self) -> str:
        """What the number is, in the current language (``f"{fact.what}: {fact.value}"``)."""
        return _(self.what_msgid)

    def cite(self, lang: str | None = None) -> str:
        """Where the number is written, in ``lang`` (default: the current language)."""
        with using_language(lang):
            return _(self.source)

    def value_text(self, lang: str | None = None) -> str:
        """The value as printed, in ``lang``: ``str(value)``, or a phrase in that language."""
        if isinstance(self.value, str):
            with using_language(lang):
                return _(self.value)
        return str(self.value)

    def line(self, lang: str | None = None) -> str:
        """``what: value  [source]`` in ``lang``, as the lessons print a fact."""
        with using_language(lang):
            return _("{what}: {value}  [{source}]").format(
                what=self.what, value=self.value_text(), source=self.cite())


PAPER_FACTS: dict[str, Fact] = {
    # -- the model (section 2)
    "ssd300_boxes": Fact(8732, N_("Fig. 2 and Table 7"), N_("default boxes of SSD300")),
    "ssd512_boxes": Fact(24564, N_("Table 7"), N_("default boxes of SSD512")),
    "s_min": Fact(0.2, N_("§2.2, eq. 4"), N_("smallest scale s_min")),
    "s_max": Fact(0.9, N_("§2.2, eq. 4"), N_("largest scale s_max")),
    "conv4_3_scale": Fact(0.1, N_("§3.1"), N_("default-box scale on conv4_3")),
    "l2norm_scale": Fact(20,
                         N_("§3.1 (after ParseNet)"),
                         N_("initial scale of conv4_3's L2 normalisation")),
    "match_iou": Fact(0.5, N_("§2.2"), N_("IoU threshold of the matching strategy")),
    "neg_pos_ratio": Fact(3, N_("§2.2"), N_("negatives per positive after hard negative mining")),
    "alpha": Fact(1, N_("§2.2, eq. 1"), N_("weight alpha of the localisation loss")),
    "nms_iou": Fact(0.45, N_("§3.7"), N_("NMS IoU threshold at test time")),
    "conf_threshold": Fact(0.01, N_("§3.7"), N_("confidence threshold at test time")),
    "top_k": Fact(200, N_("§3.7"), N_("detections kept per image")),
    "params_ssd300": Fact(26_285_486,
                          N_("the released Caffe model (VOC, 21 classes); the paper gives no "
                             "parameter count"),
                          N_("parameters of SSD300 for VOC")),
    # -- training (section 3)
    "lr": Fact(1e-3, N_("§3 (base network)"), N_("initial learning rate")),
    "momentum": Fact(0.9, N_("§3 (base network)"), N_("momentum")),
    "weight_decay": Fact(5e-4, N_("§3 (base network)"), N_("weight decay")),
    "batch_size": Fact(32, N_("§3 (base network)"), N_("batch size")),
    # §3.1: "for 40k iterations, then continue training for 10k iterations with 1e-4 and
    # 1e-5": whether that is 10k at each rate (60k in all) the paper does not say
    "paper_schedule": Fact(N_("40k iterations at 1e-3, then 10k more with 1e-4 and 1e-5"),
                           N_("§3.1; 10k at each of the two rates (60k in all) is an inference, "
                              "the paper does not say"),
                           N_("the schedule of the VOC2007 experiments")),
    "released_schedule": Fact(N_("120k iterations, lr ×0.1 at 80k and 100k"),
                              N_("the released Caffe model (ssd_pascal.py), trained with the "
                                 "zoom-out of §3.6"),
                              N_("the released SSD300's schedule")),
    # -- results
    "ssd300_map07_07": Fact(68.0, N_("Table 1"), N_("SSD300 on VOC2007 test, trained on VOC2007")),
    "ssd300_map07": Fact(74.3, N_("Table 1, Table 7"), N_("SSD300 on VOC2007 test, trained on 07+12")),
    "ssd512_map07": Fact(76.8,
                         N_("Table 1, Table 7 (the abstract says 76.9)"),
                         N_("SSD512 on VOC2007 test, trained on 07+12")),
    "ssd300_zoomout_map07": Fact(77.2,
                                 N_("§3.6, Table 6"),
                                 N_("SSD300 with the zoom-out augmentation")),
    "ssd512_zoomout_map07": Fact(79.8,
                                 N_("§3.6, Table 6"),
                                 N_("SSD512 with the zoom-out augmentation")),
    "ssd300_fps": Fact(46,
                       N_("Table 7 (Titan X, batch 1)"),
                       N_("SSD300 frames per second, batch 1")),
    "ssd300_fps_b8": Fact(59,
                          N_("Table 7 (Titan X, batch 8)"),
                          N_("SSD300 frames per second, batch 8")),
    "ssd512_fps": Fact(19,
                       N_("Table 7 (Titan X, batch 1)"),
                       N_("SSD512 frames per second, batch 1")),
    "ssd512_fps_b8": Fact(22,
                          N_("Table 7 (Titan X, batch 8)"),
                          N_("SSD512 frames per second, batch 8")),
    "faster_rcnn_map07": Fact(73.2, N_("Table 7"), N_("Faster R-CNN (VGG16) on VOC2007 test")),
    "faster_rcnn_fps": Fact(7, N_("Table 7"), N_("Faster R-CNN (VGG16) frames per second")),
    "yolo_map07": Fact(63.4,
                       N_("§1 (introduction) of the SSD paper; YOLO9000 Table 3"),
                       N_("YOLO on VOC2007 test")),
    "yolo_fps": Fact(45,
                     N_("§1 (introduction) of the SSD paper; YOLO9000 Table 3"),
                     N_("YOLO frames per second")),
    "yolo_vgg16_map07": Fact(66.4, N_("Table 7"), N_("YOLO (VGG16) on VOC2007 test")),
    "yolo_vgg16_fps": Fact(21, N_("Table 7"), N_("YOLO (VGG16) frames per second")),
    "fast_yolo_map07": Fact(52.7, N_("Table 7"), N_("Fast YOLO on VOC2007 test")),
    "fast_yolo_fps": Fact(155, N_("Table 7"), N_("Fast YOLO frames per second")),
    # Table 2: SSD300 on VOC2007 test with parts taken away
    "table2_no_sampling": Fact(65.5,
                               N_("Table 2, §3.2 (the horizontal flip stays on)"),
                               N_("without the data augmentation's sampling (crops)")),
    "table2_no_ratios": Fact(71.6, N_("Table 2"), N_("without the {1/2, 2} and {1/3, 3} boxes")),
    "table2_no_thirds": Fact(73.7, N_("Table 2"), N_("without the {1/3, 3} boxes")),
    "table2_no_atrous": Fact(74.2,
                             N_("Table 2; the speed: §3.2 (slower by about 20%)"),
                             N_("without atrous convolution")),
    "table2_full": Fact(74.3, N_("Table 2"), N_("everything on")),
    # Table 3: fewer source maps (boundary boxes kept)
    # the coarse maps go first (conv11_2, then conv10_2 ...), down to conv7 alone
    "table3_maps": Fact((74.3, 74.6, 73.8, 70.7, 64.2, 62.4),
                        N_("Table 3"),
                        N_("mAP as the coarse source maps are taken away (conv11_2 first), "
                           "six maps down to conv7 only")),
    "table3_boxes": Fact((8732, 8764, 8942, 9864, 9025, 8664),
                         N_("Table 3, §3.2"),
                         N_("default boxes of each row of Table 3 (the remaining maps get more "
                            "scales, to keep the total near 8,732)")),
    "ssd300_voc2012": Fact(72.4, N_("Table 4 (07++12)"), N_("SSD300 on VOC2012 test")),
    "ssd512_voc2012": Fact(74.9, N_("Table 4 (07++12)"), N_("SSD512 on VOC2012 test")),
    "ssd300_coco": Fact((23.2, 41.2, 23.4),
                        N_("Table 5 (test-dev2015)"),
                        N_("SSD300 on COCO: AP@[0.5:0.95], AP@0.5, AP@0.75")),
    "ssd512_coco": Fact((26.8, 46.5, 27.8),
                        N_("Table 5 (test-dev2015)"),
                        N_("SSD512 on COCO: AP@[0.5:0.95], AP@0.5, AP@0.75")),
    # the predecessors
    "faster_rcnn_anchors": Fact(20000,
                                N_("Faster R-CNN paper §3.3 (1000×600 image, 60×40×9)"),
                                N_("anchors of Faster R-CNN per image")),
    "faster_rcnn_anchors_inside": Fact(6000,
                                       N_("Faster R-CNN paper §3.3 (cross-boundary anchors "
                                          "ignored); Table 7's ~6000 boxes"),
                                       N_("anchors left when those crossing the border are "
                                          "dropped")),
}


def fact(key: str):
    """The value of ``PAPER_FACTS[key]``."""
    return PAPER_FACTS[key].value


def facts_text(*keys: str, lang: str | None = None) -> str:
    """The facts called ``keys``, one :meth:`Fact.line` each."""
    return "\n".join(PAPER_FACTS[k].line(lang) for k in keys)
