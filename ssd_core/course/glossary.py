"""The glossary (术语表): each term in English and Chinese, with its name in ``ssd_core`` and in
SSD-Tensorflow, the port the course reads beside it.

Lesson 1 shows it (:func:`ssd_core.viz.walkthrough.glossary_markdown` writes the table) and
every lesson links to it. The Chinese terms are the usual ones; where names compete, the other
names follow in the "also" column (默认框 is also 先验框 in Caffe and many Chinese blogs, and
锚框 in d2l.ai).
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text

__all__ = ["Term", "GLOSSARY", "glossary_markdown"]


@dataclass(frozen=True)
class Term:
    """One term: English, Chinese, other Chinese names, and where the code names it."""

    en: str
    zh: str
    also: str = ""
    ssd_core: str = ""
    tf: str = ""


GLOSSARY: tuple[Term, ...] = (
    Term("object detection", "目标检测"),
    Term("bounding box", "边界框", "", "boxes (xyxy in [0, 1])", "bboxes (ymin, xmin, ymax, xmax)"),
    Term("ground truth (box)", "真实框", "标注框", "target['boxes']", "glabels, gbboxes"),
    Term("default box", "默认框", "先验框 (Caffe: prior box); 锚框 (d2l: anchor box)",
         "default_boxes, priors", "anchors (ssd_anchors_all_layers)"),
    Term("positive / negative (sample)", "正样本 / 负样本", "", "labels > 0 / labels == 0",
         "pmask / nmask (ssd_losses)"),
    Term("receptive field", "感受野", "", "layer_table (receptive_field)", ""),
    Term("backbone (base network)", "骨干网络", "基础网络", "models.vgg.VGG16Base", "ssd_net (blocks 1-7)"),
    Term("multi-scale feature maps", "多尺度特征图", "", "SSD.sources, source_names", "feat_layers"),
    Term("aspect ratio", "宽高比", "纵横比", "SSDConfig.aspect_ratios", "anchor_ratios"),
    Term("scale", "尺度", "", "SSDConfig.scales, paper_scales", "anchor_sizes"),
    Term("intersection over union (IoU)", "交并比", "Jaccard 重叠", "box_iou", "jaccard_with_anchors"),
    Term("matching strategy", "匹配策略", "", "match", "tf_ssd_bboxes_encode_layer"),
    Term("encode / decode", "编码 / 解码", "", "encode / decode", "tf_ssd_bboxes_encode / _decode"),
    Term("variance", "方差", "", "SSDConfig.variances (0.1, 0.2)", "prior_scaling"),
    Term("smooth L1 loss", "平滑 L1 损失", "", "F.smooth_l1_loss (in multibox_loss)", "abs_smooth"),
    Term("confidence loss", "置信度损失", "分类损失", "multibox_loss()['conf']", "ssd_losses (cross_entropy)"),
    Term("localization loss", "定位损失", "回归损失", "multibox_loss()['loc']", "ssd_losses (localization)"),
    Term("cross-entropy", "交叉熵", "", "F.cross_entropy", "sparse_softmax_cross_entropy_with_logits"),
    Term("hard negative mining", "难负样本挖掘", "难例挖掘", "hard_negative_mining",
         "ssd_losses (negative mask)"),
    Term("L2 normalization", "L2 归一化", "", "models.vgg.L2Norm", "custom_layers.l2_normalization"),
    Term("atrous (dilated) convolution", "空洞卷积", "膨胀卷积", "fc6 (dilation=6)", "conv6 (rate=6)"),
    Term("region proposal network (RPN)", "区域建议网络", "候选区域网络"),
    Term("RoI pooling", "RoI 池化", "感兴趣区域池化"),
    Term("one-stage / two-stage detector", "单阶段 / 两阶段检测器", "一阶段 / 二阶段"),
    Term("end-to-end", "端到端"),
    Term("non-maximum suppression (NMS)", "非极大值抑制", "", "postprocess (batched_nms)",
         "tf_extended.bboxes_nms_batch"),
    Term("data augmentation", "数据增强", "", "SSDAugmentation", "preprocess_for_train"),
    Term("precision / recall", "精确率 / 召回率", "查准率 / 查全率", "EvalResult.precision / .recall",
         "tf_extended.metrics"),
    Term("average precision (AP / mAP)", "平均精度 (AP) / 平均精度均值 (mAP)", "", "voc_ap, evaluate_detections",
         "tf_extended.average_precision_voc07"),
    Term("learning rate", "学习率", "", "TrainSettings.lr", "learning_rate"),
    Term("momentum", "动量", "", "TrainSettings.momentum", "momentum"),
    Term("weight decay", "权重衰减", "", "TrainSettings.weight_decay", "weight_decay"),
    Term("frames per second (FPS)", "每秒帧数"),
    Term("epoch / iteration", "轮 (epoch) / 迭代", "", "TrainSettings.epochs / iterations", "max_number_of_steps"),
    Term("detection explorer", "检测结果查看器", "", "viz.detections.detection_explorer"),
)


def glossary_markdown(lang: str | None = None) -> str:
    """The glossary as a Markdown table, headed in ``lang`` (default: the current language)."""
    head = Text("| English | 中文 | also called | ssd_core | SSD-Tensorflow |",
                "| 英文 | 中文 | 其他叫法 | ssd_core 中的名字 | SSD-Tensorflow 中的名字 |").get(lang)
    lines = [head, "| --- | --- | --- | --- | --- |"]
    for t in GLOSSARY:
        code = lambda s: f"`{s}`" if s else ""
        lines.append(f"| {t.en} | {t.zh} | {t.also} | {code(t.ssd_core)} | {code(t.tf)} |")
    return "\n".join(lines)
