"""The TensorFlow port the course reads beside ``ssd_core``: balancap/SSD-Tensorflow.

Lesson 4 reads the two side by side, function by function. Each :class:`PortRow` names the
TensorFlow file and function, the ``ssd_core`` name that does the same job (a dotted name
inside ``ssd_core``), and what the two do differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text

__all__ = ["PortRow", "TF_PORT", "TF_PORT_URL"]


@dataclass(frozen=True)
class PortRow:
    """One row of the TensorFlow-port map."""

    tf_file: str
    tf_name: str
    ours: str          # dotted name inside ssd_core
    note: Text


#: The TensorFlow port the course reads beside ours.
TF_PORT_URL = 'https://github.com/balancap/SSD-Tensorflow'

#: balancap/SSD-Tensorflow (master) against ssd_core: where each piece went, and what differs.
TF_PORT: tuple[PortRow, ...] = (
    PortRow('nets/ssd_vgg_300.py', 'SSDNet.default_params', 'config.SSDConfig.ssd300',
            Text("feat_shapes, anchor_sizes, anchor_ratios, anchor_steps; prior_scaling [0.1, 0.1, 0.2, 0.2] is our variances. Its box sizes (21, 45, 99, ...) are its own; ours are the Caffe release's (30, 60, 111, ...).")),
    PortRow('nets/ssd_vgg_300.py', 'ssd_anchor_one_layer, ssd_anchors_all_layers', 'default_boxes.default_boxes',
            Text('it returns per-layer (y, x, h, w) grids; we return one [P, 4] cxcywh tensor in the same order (map, row, column, box).')),
    PortRow('nets/ssd_vgg_300.py', 'ssd_net (blocks 1-7: VGG16, pool5 3x3/1, conv6 rate=6, conv7)', 'models.vgg.VGG16Base',
            Text('conv6 with rate=6 is our atrous fc6 (dilation 6); conv7 our fc7.')),
    PortRow('nets/ssd_vgg_300.py', 'ssd_net (blocks 8-11)', 'models.ssd.extra_block',
            Text("custom_layers.pad2d reproduces Caffe's padding; we give the convolution padding=1.")),
    PortRow('nets/ssd_vgg_300.py', 'ssd_multibox_layer', 'models.ssd.MultiBoxHead',
            Text('one 3x3 conv for locations, one for classes, per source map; it also applies the L2 normalisation when normalizations[i] > 0.')),
    PortRow('nets/custom_layers.py', 'l2_normalization', 'models.vgg.L2Norm',
            Text('it normalises over the spatial axes (H, W) with a scale starting at 1 unless Caffe weights are loaded; the paper (ParseNet) and we normalise each location over the channels, scale starting at 20.')),
    PortRow('nets/ssd_common.py', 'tf_ssd_bboxes_encode_layer, tf_ssd_bboxes_encode', 'matching.match',
            Text('each anchor takes its best-overlapping object, positive if IoU > 0.5; there is no step 1 (an object whose best anchor overlaps < 0.5 gets no positive). Boxes are (ymin, xmin, ymax, xmax); ours xyxy.')),
    PortRow('nets/ssd_common.py', 'tf_ssd_bboxes_encode_layer (end)', 'boxes.encode',
            Text('the same encoding: centre offsets / (size x 0.1), log size ratios / 0.2.')),
    PortRow('nets/ssd_common.py', 'tf_ssd_bboxes_decode', 'boxes.decode',
            Text('the inverse.')),
    PortRow('nets/ssd_vgg_300.py', 'ssd_losses', 'loss.multibox_loss',
            Text('smooth L1 (custom_layers.abs_smooth) + cross-entropy; it divides by the batch size, the paper and we by N, the number of positives.')),
    PortRow('nets/ssd_vgg_300.py', 'ssd_losses (negative mask)', 'loss.hard_negative_mining',
            Text('it ranks negatives by p(background) over the whole batch and keeps 3 N + batch size of them; we keep 3 per positive in each image, ranked by their loss.')),
    PortRow('nets/ssd_common.py', 'tf_ssd_bboxes_select, SSDNet.detected_bboxes', 'postprocess.postprocess',
            Text('score threshold, sort, NMS per class (tf_extended.bboxes_nms_batch), top 200.')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'preprocess_for_train', 'data.transforms.SSDAugmentation',
            Text('crop -> resize -> flip -> colour, and no zoom-out; ours follows the paper: colour -> zoom out -> crop -> resize -> flip.')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'distort_color', 'data.transforms.photometric_distort',
            Text('brightness, saturation, hue, contrast in one of 4 fixed orders.')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'distorted_bounding_box_crop', 'data.transforms.sample_iou_crop',
            Text('one tf.image.sample_distorted_bounding_box with min_object_covered 0.25; the paper draws among 7 options (whole image, min IoU 0.1 ... 0.9, any patch).')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'preprocess_for_eval', 'data.transforms.SSDEvalTransform',
            Text('warp-resize to 300 x 300.')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'tf_image_whitened', 'models.ssd.Normalize',
            Text('subtract the mean (123, 117, 104); our model does it itself.')),
    PortRow('train_ssd_network.py', 'main (training loop)', 'train.train',
            Text("TF-Slim's training loop with flags; ours is one function with a settings object.")),
    PortRow('eval_ssd_network.py', 'main (evaluation)', 'inference.evaluate',
            Text('VOC07 and VOC12 AP through tf_extended.metrics; ours through metrics.py.')),
)
