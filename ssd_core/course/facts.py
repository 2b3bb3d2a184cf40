"""The numbers of the course, each written once with where it comes from.

A fact about SSD names its source: a section, table or figure of the paper (Liu et al., "SSD:
Single Shot MultiBox Detector", ECCV 2016, **arXiv 1512.02325v5**; earlier arXiv versions
report other numbers, e.g. "SSD500" and 72.1 mAP for SSD300), the released Caffe model, or
another paper. The history plot, the quizzes, the lessons and the tests read them from here,
so a number is typed once.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text

__all__ = ["Fact", "PAPER_FACTS", "fact", "facts_text", "SSD_PAPER", "SSD_PAPER_URL"]

#: The paper, as the course cites it.
SSD_PAPER = "SSD paper (Liu et al., ECCV 2016, arXiv 1512.02325v5)"
SSD_PAPER_URL = "https://arxiv.org/abs/1512.02325v5"


@dataclass(frozen=True)
class Fact:
    """A number and where it is written.

    ``value`` is the number (or, for a schedule, an English phrase), ``source`` the English
    citation and ``what`` what the number is, in both languages. :meth:`cite` and
    :meth:`value_text` give the citation and the value in the current language, for printing.
    """

    value: float | int | str
    source: str
    what: Text
    #: The citation in Chinese (``Table 2``, ``§3.1`` and arXiv ids stay as the paper writes
    #: them; only the words around them are translated); ``None`` where ``source`` is only those.
    source_zh: str | None = None
    #: A value that is a phrase (a schedule), in Chinese.
    value_zh: str | None = None

    def cite(self, lang: str | None = None) -> str:
        """Where the number is written, in ``lang`` (default: the current language)."""
        return Text(self.source, self.source_zh).get(lang)

    def value_text(self, lang: str | None = None) -> str:
        """The value as printed, in ``lang``: ``str(value)``, or a phrase in that language."""
        if isinstance(self.value, str):
            return Text(self.value, self.value_zh).get(lang)
        return str(self.value)

    def line(self, lang: str | None = None) -> str:
        """``what: value  [source]`` in ``lang``, as the lessons print a fact."""
        return Text("{what}: {value}  [{source}]", "{what}：{value}  [{source}]").get(lang).format(
            what=self.what.get(lang), value=self.value_text(lang), source=self.cite(lang))


#: The Chinese form of each English citation that has words besides table, section and figure
#: numbers; a citation shared by several facts is written once.
_SOURCE_ZH: dict[str, str] = {
    "Fig. 2 and Table 7": "Fig. 2 与 Table 7",
    "§3.1 (after ParseNet)": "§3.1（沿用 ParseNet 的做法）",
    "the released Caffe model (VOC, 21 classes); the paper gives no parameter count":
        "作者发布的 Caffe 模型（VOC，21 类）；论文没有给出参数个数",
    "§3 (base network)": "§3（“Base network”一段）",
    "the released Caffe model (ssd_pascal.py), trained with the zoom-out of §3.6":
        "作者发布的 Caffe 模型（ssd_pascal.py），训练时用了 §3.6 的缩小（zoom out）增强",
    "Table 1, Table 7 (the abstract says 76.9)": "Table 1, Table 7（摘要中写作 76.9）",
    "Table 7 (Titan X, batch 1)": "Table 7（Titan X，批大小 1）",
    "Table 7 (Titan X, batch 8)": "Table 7（Titan X，批大小 8）",
    "§1 (introduction) of the SSD paper; YOLO9000 Table 3":
        "SSD 论文 §1（引言）；YOLO9000 论文 Table 3",
    "Table 2, §3.2 (the horizontal flip stays on)": "Table 2, §3.2（水平翻转仍然保留）",
    "Table 2, §3.2 (about 20% slower)": "Table 2, §3.2（速度慢约 20%）",
    "Faster R-CNN paper §3.3 (1000x600 image, 60 x 40 x 9)":
        "Faster R-CNN 论文 §3.3（1000x600 的图像，60 x 40 x 9）",
    "Faster R-CNN paper §3.3 (cross-boundary anchors ignored); Table 7's ~6000 boxes":
        "Faster R-CNN 论文 §3.3（忽略越过图像边界的锚框）；SSD 论文 Table 7 中的约 6000 个框",
}


def _f(value, source: str, en: str, zh: str, value_zh: str | None = None) -> Fact:
    return Fact(value, source, Text(en, zh), _SOURCE_ZH.get(source), value_zh)


PAPER_FACTS: dict[str, Fact] = {
    # -- the model (section 2)
    "ssd300_boxes": _f(8732, "Fig. 2 and Table 7", "default boxes of SSD300",
                       "SSD300 的默认框个数"),
    "ssd512_boxes": _f(24564, "Table 7", "default boxes of SSD512", "SSD512 的默认框个数"),
    "s_min": _f(0.2, "§2.2, eq. 4", "smallest scale s_min", "最小尺度 s_min"),
    "s_max": _f(0.9, "§2.2, eq. 4", "largest scale s_max", "最大尺度 s_max"),
    "conv4_3_scale": _f(0.1, "§3.1", "default-box scale on conv4_3", "conv4_3 上默认框的尺度"),
    "l2norm_scale": _f(20, "§3.1 (after ParseNet)", "initial scale of conv4_3's L2 normalisation",
                       "conv4_3 的 L2 归一化的初始缩放值"),
    "match_iou": _f(0.5, "§2.2", "IoU threshold of the matching strategy", "匹配策略的交并比阈值"),
    "neg_pos_ratio": _f(3, "§2.2", "negatives per positive after hard negative mining",
                        "难负样本挖掘后负样本与正样本之比"),
    "alpha": _f(1, "§2.2, eq. 1", "weight alpha of the localisation loss", "定位损失的权重 alpha"),
    "nms_iou": _f(0.45, "§3.7", "NMS IoU threshold at test time", "测试时非极大值抑制的交并比阈值"),
    "conf_threshold": _f(0.01, "§3.7", "confidence threshold at test time", "测试时的置信度阈值"),
    "top_k": _f(200, "§3.7", "detections kept per image", "每张图像保留的检测数"),
    "params_ssd300": _f(26_285_486, "the released Caffe model (VOC, 21 classes); the paper "
                        "gives no parameter count", "parameters of SSD300 for VOC",
                        "SSD300（VOC）的参数个数"),
    # -- training (section 3)
    "lr": _f(1e-3, "§3 (base network)", "initial learning rate", "初始学习率"),
    "momentum": _f(0.9, "§3 (base network)", "momentum", "动量"),
    "weight_decay": _f(5e-4, "§3 (base network)", "weight decay", "权重衰减"),
    "batch_size": _f(32, "§3 (base network)", "batch size", "批大小"),
    "paper_schedule": _f("40k iterations at 1e-3, then 10k at 1e-4 and 10k at 1e-5", "§3.1",
                         "the schedule of the VOC2007 experiments", "VOC2007 实验的训练方案",
                         "先以 1e-3 训练 40k 次迭代，再以 1e-4 和 1e-5 各训练 10k 次"),
    "released_schedule": _f("120k iterations, lr x0.1 at 80k and 100k",
                            "the released Caffe model (ssd_pascal.py), trained with the zoom-out "
                            "of §3.6", "the released SSD300's schedule", "发布的 SSD300 的训练方案",
                            "共 120k 次迭代，在第 80k 和 100k 次时学习率乘以 0.1"),
    # -- results
    "ssd300_map07_07": _f(68.0, "Table 1", "SSD300 on VOC2007 test, trained on VOC2007",
                          "SSD300，VOC2007 训练，VOC2007 测试"),
    "ssd300_map07": _f(74.3, "Table 1, Table 7", "SSD300 on VOC2007 test, trained on 07+12",
                       "SSD300，07+12 训练，VOC2007 测试"),
    "ssd512_map07": _f(76.8, "Table 1, Table 7 (the abstract says 76.9)",
                       "SSD512 on VOC2007 test, trained on 07+12", "SSD512，07+12 训练，VOC2007 测试"),
    "ssd300_zoomout_map07": _f(77.2, "§3.6, Table 6", "SSD300 with the zoom-out augmentation",
                               "加入缩小（zoom out）增强的 SSD300"),
    "ssd512_zoomout_map07": _f(79.8, "§3.6, Table 6", "SSD512 with the zoom-out augmentation",
                               "加入缩小（zoom out）增强的 SSD512"),
    "ssd300_fps": _f(46, "Table 7 (Titan X, batch 1)", "SSD300 frames per second, batch 1",
                     "SSD300 每秒帧数（批大小 1）"),
    "ssd300_fps_b8": _f(59, "Table 7 (Titan X, batch 8)", "SSD300 frames per second, batch 8",
                        "SSD300 每秒帧数（批大小 8）"),
    "ssd512_fps": _f(19, "Table 7 (Titan X, batch 1)", "SSD512 frames per second, batch 1",
                     "SSD512 每秒帧数（批大小 1）"),
    "ssd512_fps_b8": _f(22, "Table 7 (Titan X, batch 8)", "SSD512 frames per second, batch 8",
                        "SSD512 每秒帧数（批大小 8）"),
    "faster_rcnn_map07": _f(73.2, "Table 7", "Faster R-CNN (VGG16) on VOC2007 test",
                            "Faster R-CNN（VGG16）在 VOC2007 测试集上"),
    "faster_rcnn_fps": _f(7, "Table 7", "Faster R-CNN (VGG16) frames per second",
                          "Faster R-CNN（VGG16）每秒帧数"),
    "yolo_map07": _f(63.4, "§1 (introduction) of the SSD paper; YOLO9000 Table 3",
                     "YOLO on VOC2007 test", "YOLO 在 VOC2007 测试集上"),
    "yolo_fps": _f(45, "§1 (introduction) of the SSD paper; YOLO9000 Table 3",
                   "YOLO frames per second", "YOLO 每秒帧数"),
    "yolo_vgg16_map07": _f(66.4, "Table 7", "YOLO (VGG16) on VOC2007 test", "YOLO（VGG16）"),
    "yolo_vgg16_fps": _f(21, "Table 7", "YOLO (VGG16) frames per second", "YOLO（VGG16）每秒帧数"),
    "fast_yolo_map07": _f(52.7, "Table 7", "Fast YOLO on VOC2007 test", "Fast YOLO"),
    "fast_yolo_fps": _f(155, "Table 7", "Fast YOLO frames per second", "Fast YOLO 每秒帧数"),
    # Table 2: SSD300 on VOC2007 test with parts taken away
    "table2_no_sampling": _f(65.5, "Table 2, §3.2 (the horizontal flip stays on)",
                             "without the data augmentation's sampling (crops)",
                             "去掉数据增强中的采样（随机裁剪）"),
    "table2_no_ratios": _f(71.6, "Table 2", "without the {1/2, 2} and {1/3, 3} boxes",
                           "去掉宽高比为 {1/2, 2} 和 {1/3, 3} 的默认框"),
    "table2_no_thirds": _f(73.7, "Table 2", "without the {1/3, 3} boxes",
                           "去掉宽高比为 {1/3, 3} 的默认框"),
    "table2_no_atrous": _f(74.2, "Table 2, §3.2 (about 20% slower)", "without atrous convolution",
                           "不用空洞卷积"),
    "table2_full": _f(74.3, "Table 2", "everything on", "各项设计全部保留"),
    # Table 3: fewer source maps (boundary boxes kept)
    "table3_maps": _f((74.3, 74.6, 73.8, 70.7, 64.2, 62.4), "Table 3",
                      "mAP as source maps are taken away, six maps down to conv7 only",
                      "逐步去掉用于预测的特征图（从六张减到只剩 conv7）时的 mAP"),
    "ssd300_voc2012": _f(72.4, "Table 4 (07++12)", "SSD300 on VOC2012 test", "SSD300 在 VOC2012 测试集上"),
    "ssd512_voc2012": _f(74.9, "Table 4 (07++12)", "SSD512 on VOC2012 test", "SSD512 在 VOC2012 测试集上"),
    "ssd300_coco": _f((23.2, 41.2, 23.4), "Table 5 (test-dev2015)",
                      "SSD300 on COCO: AP@[0.5:0.95], AP@0.5, AP@0.75", "SSD300 在 COCO 上"),
    "ssd512_coco": _f((26.8, 46.5, 27.8), "Table 5 (test-dev2015)",
                      "SSD512 on COCO: AP@[0.5:0.95], AP@0.5, AP@0.75", "SSD512 在 COCO 上"),
    # the predecessors
    "faster_rcnn_anchors": _f(20000, "Faster R-CNN paper §3.3 (1000x600 image, 60 x 40 x 9)",
                              "anchors of Faster R-CNN per image", "Faster R-CNN 每张图像的锚框数"),
    "faster_rcnn_anchors_inside": _f(6000, "Faster R-CNN paper §3.3 (cross-boundary anchors "
                                     "ignored); Table 7's ~6000 boxes", "anchors left when those "
                                     "crossing the border are dropped", "去掉越过图像边界的锚框后剩下的锚框数"),
}


def fact(key: str):
    """The value of ``PAPER_FACTS[key]``."""
    return PAPER_FACTS[key].value


def facts_text(*keys: str, lang: str | None = None) -> str:
    """The facts called ``keys``, one :meth:`Fact.line` each."""
    return "\n".join(PAPER_FACTS[k].line(lang) for k in keys)
