"""Where each idea of the paper lives in ``ssd_core``: the students' map from a section of
"SSD: Single Shot MultiBox Detector" (arXiv 1512.02325v5) to the file that implements it.

The README's module table and lesson 4 show it (lesson 4 through
:func:`ssd_core.viz.code_maps.paper_map_markdown`, which shows each idea, marked ``N_`` here,
in the course's language); a test checks that every file and name here exists and that no
module below the lessons' own code (``viz/``, ``homework/``, ``course/``) is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_

__all__ = ["MapRow", "PAPER_MAP"]


@dataclass(frozen=True)
class MapRow:
    """One row of the map: the paper's section (marked ``N_`` where its Chinese differs by
    more than a §: ``'2.1, Fig. 2'``, ``'2.2, 3.6'``), the idea (an English sentence of the
    catalog, shown with :func:`ssd_core.i18n._`), the file and its key names."""

    section: str
    idea: str
    module: str
    names: tuple[str, ...] = ()


#: Paper section -> module, in the order the paper and the data flow go.
PAPER_MAP: tuple[MapRow, ...] = (
    MapRow('2.1', N_('base network: VGG16, pool5 3x3/1, atrous fc6, fc7, L2Norm on conv4_3'),
           'ssd_core/models/vgg.py', ('VGG16Base', 'L2Norm', 'load_vgg16_imagenet')),
    MapRow('2.1', N_('extra feature layers, multibox heads, the SSD module'),
           'ssd_core/models/ssd.py', ('extra_block', 'MultiBoxHead', 'SSD')),
    MapRow('2.1', N_('building the network a config asks for, checked against its boxes'),
           'ssd_core/models/build.py', ('build_ssd', 'check_predictions')),
    MapRow('2.1', N_('a small SSD that trains on a laptop CPU (ours)'),
           'ssd_core/models/small.py', ('SmallBase', 'build_small_ssd')),
    MapRow('-', N_("torchvision's SSD300 weights as an ssd_core model"),
           'ssd_core/models/torchvision_port.py', ('from_torchvision',)),
    MapRow(N_('2.1, Fig. 2'),
           N_('the table of source maps: channels, size, receptive field, boxes'),
           'ssd_core/models/describe.py', ('describe', 'count_macs')),
    MapRow('2.2', N_('choosing scales and aspect ratios (eq. 4); the presets'),
           'ssd_core/config.py', ('SSDConfig', 'paper_scales')),
    MapRow('2.2', N_('default boxes tiled over the source maps'),
           'ssd_core/default_boxes.py', ('default_boxes', 'clipping_report')),
    MapRow('2.2', N_('box formats, IoU, encoding with variances (eq. 2)'),
           'ssd_core/boxes.py', ('box_iou', 'encode', 'decode')),
    MapRow('2.2', N_('matching strategy'),
           'ssd_core/matching.py', ('match', 'match_and_encode', 'batch_targets')),
    MapRow('2.2', N_('training objective (eq. 1-3), hard negative mining'),
           'ssd_core/loss.py', ('multibox_loss', 'hard_negative_mining')),
    MapRow(N_('2.2, 3.6'), N_('data augmentation, with the zoom-out of 3.6'),
           'ssd_core/data/transforms.py', ('SSDAugmentation', 'zoom_out', 'sample_iou_crop')),
    MapRow('2.2', N_('batching: one tensor of images, a list of targets'),
           'ssd_core/data/collate.py', ('collate',)),
    MapRow('3.1', N_("PASCAL VOC's annotation files (XML)"),
           'ssd_core/data/voc_xml.py', ('parse_voc_xml', 'write_voc_xml')),
    MapRow('-', N_('images: decoding, checking, any mode to RGB'),
           'ssd_core/data/images.py', ('load_rgb', 'decode_image_bytes', 'to_float_image')),
    MapRow('-', N_('the errors bad data raises: which file, what is wrong, how to fix it'),
           'ssd_core/data/errors.py', ('DatasetError', 'DataWarning')),
    MapRow('3.1', N_("PASCAL VOC's folder layout and split names; the class list beside the "
                     "data"),
           'ssd_core/data/voc_layout.py', ('list_splits', 'split_parts', 'read_classes')),
    MapRow('3.1', N_("the PASCAL VOC dataset: any folder in that layout, read as images and "
                     "boxes"),
           'ssd_core/data/voc.py', ('VOCDataset',)),
    MapRow('3.1', N_('downloading VOC2007 + VOC2012'),
           'ssd_core/data/download.py', ('download_voc',)),
    MapRow('-', N_('the embedded dataset (synthetic shapes)'),
           'ssd_core/data/shapes.py', ('make_shapes', 'ensure_shapes')),
    MapRow('3', N_('inference: decode, per-class NMS, top-k'),
           'ssd_core/postprocess.py', ('postprocess',)),
    MapRow('3', N_('evaluation: VOC07 11-point and area AP, COCO AP'),
           'ssd_core/metrics.py', ('evaluate_detections', 'voc_ap')),
    MapRow('3', N_('running a trained model on a dataset or on images'),
           'ssd_core/inference.py', ('evaluate', 'load_trained', 'detect_images')),
    MapRow('-', N_('presets, and which data a run uses'),
           'ssd_core/recipes.py', ('TrainSettings', 'make_settings', 'resolve_data')),
    MapRow('-', N_('device, mixed precision (bf16), evaluation mode'),
           'ssd_core/device.py', ('resolve_device', 'autocast', 'eval_mode')),
    MapRow('3', N_('training: the step, the schedule, the run (resume, DDP)'),
           'ssd_core/train.py', ('train_step', 'train')),
    MapRow('3', N_('checkpoints, written atomically'),
           'ssd_core/checkpoint.py', ('save_checkpoint', 'load_checkpoint')),
    MapRow('-', N_('command line: train, evaluate, detect, data'),
           'ssd_core/cli.py', ('main',)),
    MapRow('-', N_('where files live: the repository, the data folder, the sample photos, '
                   'scratch folders'),
           'ssd_core/paths.py', ('repo_root', 'data_dir', 'samples_root', 'scratch_dir')),
    MapRow('-', N_('Chinese in figures: a CJK font, or English labels'),
           'ssd_core/fonts.py', ('cjk_font', 'fig')),
    MapRow('-', N_("the course's language: every sentence marked for gettext, its translations "
                   "in a catalog"),
           'ssd_core/i18n.py', ('set_language', 'using_language', '_')),
    MapRow('-', N_('the lessons as static web pages (make html)'),
           'ssd_core/html.py', ('build_html',)),
    MapRow('-', N_('figures that need only matplotlib'),
           'ssd_core/draw.py', ('show_detections', 'plot_training_curves', 'plot_pr_curves')),
)
