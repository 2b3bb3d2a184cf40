"""The glossary: each term in English and Chinese, with its name in ``ssd_core`` and in
SSD-Tensorflow, the port the course reads beside it.

Lesson 1 shows it (:func:`glossary_markdown` writes the table) and every lesson links to it.
The English term is a message of the catalog; the Chinese term is its Chinese translation, the
usual one. Where names compete, the other Chinese names follow in the "also called" column,
translated in the context ``"glossary: other names"`` (the catalog's check lets them name the
variants it rules out elsewhere: the default box is also a prior box in Caffe and many Chinese
blogs, and an anchor box in d2l.ai).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _, pgettext, using_language

__all__ = ["Term", "GLOSSARY", "glossary_markdown"]

#: The language of the glossary's second column: the term as a Chinese reader knows it, in
#: both editions.
_CHINESE = "zh"


@dataclass(frozen=True)
class Term:
    """One term: its English (a message of the catalog) and where the code names it;
    :attr:`zh` and :attr:`also` are its Chinese name and other Chinese names."""

    en: str
    ssd_core: str = ""
    tf: str = ""

    @property
    def zh(self) -> str:
        """The Chinese term."""
        with using_language(_CHINESE):
            return _(self.en)

    @property
    def also(self) -> str:
        """Other Chinese names of the term ("" when it has none)."""
        with using_language(_CHINESE):
            return _other_names().get(self.en, "")


def _other_names() -> dict[str, str]:
    """The "also called" column, in the current language: English term -> its other names."""
    return {
        "ground truth (box)": pgettext("glossary: other names", "ground truth (box)"),
        "default box": pgettext("glossary: other names", "default box"),
        "backbone (base network)": pgettext("glossary: other names", "backbone (base network)"),
        "aspect ratio": pgettext("glossary: other names", "aspect ratio"),
        "intersection over union (IoU)": pgettext("glossary: other names",
                                                  "intersection over union (IoU)"),
        "confidence loss": pgettext("glossary: other names", "confidence loss"),
        "localization loss": pgettext("glossary: other names", "localization loss"),
        "hard negative mining": pgettext("glossary: other names", "hard negative mining"),
        "atrous (dilated) convolution": pgettext("glossary: other names",
                                                 "atrous (dilated) convolution"),
        "region proposal network (RPN)": pgettext("glossary: other names",
                                                  "region proposal network (RPN)"),
        "RoI pooling": pgettext("glossary: other names", "RoI pooling"),
        "one-stage / two-stage detector": pgettext("glossary: other names",
                                                   "one-stage / two-stage detector"),
        "precision / recall": pgettext("glossary: other names", "precision / recall"),
    }


GLOSSARY: tuple[Term, ...] = (
    Term(N_("object detection")),
    Term(N_("bounding box"), "boxes (xyxy in [0, 1])", "bboxes (ymin, xmin, ymax, xmax)"),
    Term(N_("ground truth (box)"), "target['boxes']", "glabels, gbboxes"),
    Term(N_("default box"), "default_boxes, priors", "anchors (ssd_anchors_all_layers)"),
    Term(N_("positive / negative (sample)"), "labels > 0 / labels == 0",
         "pmask / nmask (ssd_losses)"),
    Term(N_("receptive field"), "layer_table (receptive_field)"),
    Term(N_("backbone (base network)"), "models.vgg.VGG16Base", "ssd_net (blocks 1-7)"),
    Term(N_("multi-scale feature maps"), "SSD.sources, source_names", "feat_layers"),
    Term(N_("aspect ratio"), "SSDConfig.aspect_ratios", "anchor_ratios"),
    Term(N_("scale"), "SSDConfig.scales, paper_scales", "anchor_sizes"),
    Term(N_("intersection over union (IoU)"), "box_iou", "jaccard_with_anchors"),
    Term(N_("matching strategy"), "match", "tf_ssd_bboxes_encode_layer"),
    Term(N_("encode / decode"), "encode / decode", "tf_ssd_bboxes_encode / _decode"),
    Term(N_("variance"), "SSDConfig.variances (0.1, 0.2)", "prior_scaling"),
    Term(N_("smooth L1 loss"), "F.smooth_l1_loss (in multibox_loss)", "abs_smooth"),
    Term(N_("confidence loss"), "multibox_loss()['conf']", "ssd_losses (cross_entropy)"),
    Term(N_("localization loss"), "multibox_loss()['loc']", "ssd_losses (localization)"),
    Term(N_("cross-entropy"), "F.cross_entropy", "sparse_softmax_cross_entropy_with_logits"),
    Term(N_("hard negative mining"), "hard_negative_mining", "ssd_losses (negative mask)"),
    Term(N_("L2 normalization"), "models.vgg.L2Norm", "custom_layers.l2_normalization"),
    Term(N_("atrous (dilated) convolution"), "fc6 (dilation=6)", "conv6 (rate=6)"),
    Term(N_("region proposal network (RPN)")),
    Term(N_("RoI pooling")),
    Term(N_("one-stage / two-stage detector")),
    Term(N_("end-to-end")),
    Term(N_("non-maximum suppression (NMS)"), "postprocess (batched_nms)",
         "tf_extended.bboxes_nms_batch"),
    Term(N_("data augmentation"), "SSDAugmentation", "preprocess_for_train"),
    Term(N_("precision / recall"), "EvalResult.precision / .recall", "tf_extended.metrics"),
    Term(N_("average precision (AP / mAP)"), "voc_ap, evaluate_detections",
         "tf_extended.average_precision_voc07"),
    Term(N_("learning rate"), "TrainSettings.lr", "learning_rate"),
    Term(N_("momentum"), "TrainSettings.momentum", "momentum"),
    Term(N_("weight decay"), "TrainSettings.weight_decay", "weight_decay"),
    Term(N_("frames per second (FPS)")),
    Term(N_("epoch / iteration"), "TrainSettings.epochs / iterations", "max_number_of_steps"),
    Term(N_("detection explorer"), "viz.detections.detection_explorer"),
)


def glossary_markdown(lang: str | None = None) -> str:
    """The glossary as a Markdown table, headed in ``lang`` (default: the current language).
    The Chinese columns are Chinese in every edition."""
    with using_language(_CHINESE):
        chinese = pgettext("glossary: column header", "Chinese")
    with using_language(lang):
        # TRANSLATORS: the glossary table's header row; {chinese} is the column of the Chinese
        # terms, named in Chinese in every edition
        head = _("| English | {chinese} | also called | ssd_core | SSD-Tensorflow |").format(
            chinese=chinese)
    lines = [head, "| --- | --- | --- | --- | --- |"]
    for t in GLOSSARY:
        code = lambda s: f"`{s}`" if s else ""
        lines.append(f"| {t.en} | {t.zh} | {t.also} | {code(t.ssd_core)} | {code(t.tf)} |")
    return "\n".join(lines)
