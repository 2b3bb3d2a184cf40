"""The glossary: each term in English and Chinese, with its name in ``ssd_core`` and in
SSD-Tensorflow, the port the course reads beside it.

Lesson 1 shows it (:func:`glossary_markdown` writes the table) and every lesson links to it.
The English term is a message of the catalog; the Chinese term is its Chinese translation, the
usual one, and the one the course uses everywhere (one term per idea). Where names compete, the
other Chinese names follow in the "also called" column, translated in the context
``"glossary: other names"``: the catalog's check (``tools/catalog.py``, ``FORBIDDEN``) rules
them out everywhere else, and lets this column name them. The default box is also a prior box
in Caffe and many Chinese blogs, and an anchor box in d2l.ai; an anchor box proper is Faster
R-CNN's and YOLOv2's, a neighbouring idea with its own row.
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
    """The "also called" column, in the current language: English term -> its other names.
    The course uses the glossary's term everywhere else; ``tools/catalog.py`` (``FORBIDDEN``)
    holds the catalog to it."""
    return {
        "object": pgettext("glossary: other names", "object"),
        "ground truth (box)": pgettext("glossary: other names", "ground truth (box)"),
        "default box": pgettext("glossary: other names", "default box"),
        "anchor box": pgettext("glossary: other names", "anchor box"),
        "backbone (base network)": pgettext("glossary: other names", "backbone (base network)"),
        "prediction head": pgettext("glossary: other names", "prediction head"),
        "aspect ratio": pgettext("glossary: other names", "aspect ratio"),
        "stride": pgettext("glossary: other names", "stride"),
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
        "photometric distortion": pgettext("glossary: other names", "photometric distortion"),
        "precision / recall": pgettext("glossary: other names", "precision / recall"),
        "training schedule": pgettext("glossary: other names", "training schedule"),
    }


GLOSSARY: tuple[Term, ...] = (
    Term(N_("object detection")),
    Term(N_("object"), "target['labels'] (one per object)", "glabels"),
    Term(N_("bounding box"), "boxes (xyxy in [0, 1])", "bboxes (ymin, xmin, ymax, xmax)"),
    Term(N_("ground truth (box)"), "target['boxes']", "glabels, gbboxes"),
    Term(N_("default box"), "default_boxes, priors", "anchors (ssd_anchors_all_layers)"),
    Term(N_("anchor box")),
    Term(N_("positive / negative (sample)"), "labels > 0 / labels == 0",
         "pmask / nmask (ssd_losses)"),
    Term(N_("receptive field"), "layer_table (receptive_field)"),
    Term(N_("backbone (base network)"), "models.vgg.VGG16Base", "ssd_net (blocks 1-7)"),
    Term(N_("feature map")),
    Term(N_("source feature map"), "SSD.sources, source_names", "feat_layers"),
    Term(N_("multi-scale feature maps"), "SSDConfig.feature_maps", "feat_shapes"),
    Term(N_("prediction head"), "models.ssd.MultiBoxHead", "ssd_multibox_layer"),
    Term(N_("aspect ratio"), "SSDConfig.aspect_ratios", "anchor_ratios"),
    Term(N_("scale"), "SSDConfig.scales, paper_scales", "anchor_sizes"),
    Term(N_("stride"), "layer_table (stride)"),
    Term(N_("step between box centres"), "SSDConfig.steps", "anchor_steps"),
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
    Term(N_("photometric distortion"), "photometric_distort", "distort_color"),
    Term(N_("zoom out"), "zoom_out"),
    Term(N_("precision / recall"), "EvalResult.precision / .recall", "tf_extended.metrics"),
    Term(N_("average precision (AP / mAP)"), "voc_ap, evaluate_detections",
         "tf_extended.average_precision_voc07"),
    Term(N_("learning rate"), "TrainSettings.lr", "learning_rate"),
    Term(N_("training schedule"), "TrainSettings.milestones, lr_factor",
         "learning_rate_decay_type"),
    Term(N_("momentum"), "TrainSettings.momentum", "momentum"),
    Term(N_("weight decay"), "TrainSettings.weight_decay", "weight_decay"),
    Term(N_("batch size"), "TrainSettings.batch_size", "batch_size"),
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
