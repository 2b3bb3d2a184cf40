"""The TensorFlow port the course reads beside ``ssd_core``: balancap/SSD-Tensorflow.

Lesson 4 reads the two side by side, function by function. Each :class:`PortRow` names the
TensorFlow file, the lines and the function, the ``ssd_core`` name that does the same job (a
dotted name inside ``ssd_core``), and what the two do differently (a sentence marked ``N_``,
translated by :func:`ssd_core.viz.code_maps.tf_port_markdown`). Links are pinned to one
commit of the port (its ``master`` of 2017-04-10), so the line numbers stay right.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_

__all__ = ["PortRow", "TF_PORT", "TF_PORT_URL", "TF_PORT_COMMIT", "tf_link"]


@dataclass(frozen=True)
class PortRow:
    """One row of the TensorFlow-port map."""

    tf_file: str
    lines: str         # "L94-L124": the lines of tf_file at TF_PORT_COMMIT
    tf_name: str
    ours: str          # dotted name inside ssd_core
    note: str          # what differs: an English sentence of the catalog, shown with _()


#: The TensorFlow port the course reads beside ours, and the commit the links point into.
TF_PORT_URL = "https://github.com/balancap/SSD-Tensorflow"
TF_PORT_COMMIT = "e0e3104d3a2cc5d830fad041d4e56ebcf84caac3"


def tf_link(path: str, lines: str = "") -> str:
    """A link to ``path`` (and ``#L<a>-L<b>``) at :data:`TF_PORT_COMMIT`."""
    return f"{TF_PORT_URL}/blob/{TF_PORT_COMMIT}/{path}" + (f"#{lines}" if lines else "")


#: balancap/SSD-Tensorflow at TF_PORT_COMMIT against ssd_core: where each piece went, and what
#: differs. Read in the port's code at that commit (network, label preparation, loss, data).
TF_PORT: tuple[PortRow, ...] = (
    PortRow('nets/ssd_vgg_300.py', 'L94-L124', 'SSDNet.default_params', 'config.SSDConfig.ssd300',
            N_("feat_shapes, anchor_ratios, anchor_steps and offsets as ours; prior_scaling [0.1, 0.1, 0.2, 0.2] is our variances. The anchor sizes in force (21, 45, 99, ...) are the paper's COCO setting (conv4_3 at 0.07, s_min 0.15); the Caffe VOC sizes (30, 60, 111, ...), which we use, are commented out beside them. anchor_size_bounds = [0.15, 0.90] is never read.")),
    PortRow('nets/ssd_vgg_300.py', 'L306-L378', 'ssd_anchor_one_layer, ssd_anchors_all_layers', 'default_boxes.default_boxes',
            N_("the same 8,732 boxes in the same order (small square, the sqrt(s s') square, then 2, 1/2, 3, 1/3), centres at (i + 0.5) x step; it returns per-layer (y, x, h, w) grids, we one [P, 4] cxcywh tensor.")),
    PortRow('nets/ssd_vgg_300.py', 'L432-L522', 'ssd_net (blocks 1-7: VGG16, pool5 3x3/1, conv6 rate=6, conv7)', 'models.vgg.VGG16Base',
            N_("conv6 with rate=6 is our atrous fc6 (dilation 6), conv7 our fc7. It adds dropout (rate 0.5, training only) after conv6 and conv7 (L473-L480); the paper and we have none. Both start fc6/fc7 from fresh weights, not from VGG's subsampled fc layers.")),
    PortRow('nets/ssd_vgg_300.py', 'L482-L504', 'ssd_net (blocks 8-11)', 'models.ssd.extra_block',
            N_("custom_layers.pad2d reproduces Caffe's padding before the stride-2 convolutions; we give the convolution padding=1.")),
    PortRow('nets/ssd_vgg_300.py', 'L401-L429', 'ssd_multibox_layer', 'models.ssd.MultiBoxHead',
            N_('one 3x3 convolution for the offsets and one for the class scores per source map; on conv4_3 it first applies the L2 normalisation (normalizations[0] > 0), which we do in VGG16Base.')),
    PortRow('nets/custom_layers.py', 'L46-L115', 'l2_normalization', 'models.vgg.L2Norm',
            N_('normalises each location over the channels, as the paper (after ParseNet) and we do; only its docstring says "spatial". The difference is the learned scale\'s start: 1 (ones_initializer), against 20 in the paper (§3.1) and in ssd_core.')),
    PortRow('nets/ssd_common.py', 'L25-L156', 'tf_ssd_bboxes_encode_layer, tf_ssd_bboxes_encode', 'matching.match',
            N_('each anchor takes its best-overlapping object; the threshold is applied later, in ssd_losses, as IoU > 0.5 (we use >= 0.5). There is no first step: an object whose best anchor overlaps 0.5 or less gets no positive. Matching runs per image in the input pipeline; boxes are (ymin, xmin, ymax, xmax), ours xyxy.')),
    PortRow('nets/ssd_common.py', 'L144-L155', 'tf_ssd_bboxes_encode_layer (end)', 'boxes.encode',
            N_('the same encoding: centre offsets / (size x 0.1), log size ratios / 0.2.')),
    PortRow('nets/ssd_common.py', 'L199-L225', 'tf_ssd_bboxes_decode_layer', 'boxes.decode',
            N_('the inverse; ours also caps the exponent so a wild prediction cannot overflow.')),
    PortRow('nets/ssd_vgg_300.py', 'L578-L656', 'ssd_losses', 'loss.multibox_loss',
            N_('smooth L1 (custom_layers.abs_smooth) on the positives plus cross-entropy, alpha = 1; it divides each term by the batch size, the paper and we by N, the number of positives.')),
    PortRow('nets/ssd_vgg_300.py', 'L619-L634', 'ssd_losses (negative mask)', 'loss.hard_negative_mining',
            N_('it ranks the negatives of the whole batch by p(background), lowest first, and keeps 3 N + batch size of them; we keep at most 3 per positive in each image, ranked by their loss. For a negative the two rankings are the same order (-log p(background)); what differs is the batch-wide selection and the count.')),
    PortRow('nets/ssd_vgg_300.py', 'L212-L214', 'SSDNet.detected_bboxes', 'postprocess.postprocess',
            N_("score threshold, sort, NMS per class and top 200, but with NMS at 0.5 by default (the evaluation script passes 0.45, as the paper's §3.7) and the top 200 counted per class, ours per image.")),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L235-L297', 'preprocess_for_train', 'data.transforms.SSDAugmentation',
            N_('crop -> resize -> flip -> colour, and no zoom-out; ours follows the paper: colour -> zoom out -> crop -> resize -> flip.')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L123-L173', 'distort_color', 'data.transforms.photometric_distort',
            N_('brightness, saturation, hue and contrast, all four every time, in one of 4 fixed orders; ours draws each with p = 1/2 as the released Caffe code does.')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L176-L232', 'distorted_bounding_box_crop', 'data.transforms.sample_iou_crop',
            N_("one tf.image.sample_distorted_bounding_box with min_object_covered 0.25 (a share of an object's area, not an IoU); the paper draws among 7 options (whole image, minimum IoU 0.1 ... 0.9, any patch).")),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L350-L354', 'preprocess_for_eval', 'data.transforms.SSDEvalTransform',
            N_('warp-resize to 300 x 300.')),
    PortRow('train_ssd_network.py', 'L73-L123', 'flags: optimizer, learning rate', 'train.make_optimizer',
            N_("RMSProp by default (Adam in the README's commands), lr 0.01 with an exponential decay of 0.94 every 2 epochs, weight decay 4e-5; the paper: SGD, momentum 0.9, lr 1e-3 with steps of x0.1, weight decay 5e-4 (§3), which is our ssd300-voc preset.")),
    PortRow('train_ssd_network.py', 'L223-L258', 'main (training loop)', 'train.train',
            N_("TF-Slim's training loop and queues with flags; ours is one function, train_step, in a loop with a settings object.")),
    PortRow('eval_ssd_network.py', 'L45-L60', 'main (evaluation)', 'inference.evaluate',
            N_('VOC07 and VOC12 AP through tf_extended.metrics; ours through metrics.py. Its TFRecords conversion writes every object as not difficult (datasets/pascalvoc_to_tfrecords.py L106-L113), so its evaluation counts difficult objects.')),
)
