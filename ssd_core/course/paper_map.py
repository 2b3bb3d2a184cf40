"""Where each idea of the paper lives in ``ssd_core``: the students' map from a section of
"SSD: Single Shot MultiBox Detector" (arXiv 1512.02325v5) to the file that implements it.

The README's module table and lesson 4 show it; a test checks that every file and name here
exists and that no module below the lessons' own code (``viz/``, ``homework/``, ``course/``)
is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text

__all__ = ["MapRow", "PAPER_MAP"]


@dataclass(frozen=True)
class MapRow:
    """One row of the map: the paper's section, the idea, the file and its key names."""

    section: str
    idea: Text
    module: str
    names: tuple[str, ...] = ()


#: Paper section -> module, in the order the paper and the data flow go.
PAPER_MAP: tuple[MapRow, ...] = (
    MapRow('2.1', Text('base network: VGG16, pool5 3x3/1, atrous fc6, fc7, L2Norm on conv4_3',
                       '骨干网络：VGG16，pool5 改为 3x3/1，空洞卷积 fc6，fc7，conv4_3 上的 L2Norm'),
           'ssd_core/models/vgg.py', ('VGG16Base', 'L2Norm', 'load_vgg16_imagenet')),
    MapRow('2.1', Text('extra feature layers, multibox heads, the SSD module',
                       '额外特征层、multibox 预测头、SSD 模块'),
           'ssd_core/models/ssd.py', ('extra_block', 'MultiBoxHead', 'SSD')),
    MapRow('2.1', Text('building the network a config asks for, checked against its boxes',
                       '按配置搭建网络，并核对它的输出与默认框一一对应'),
           'ssd_core/models/build.py', ('build_ssd', 'check_predictions')),
    MapRow('2.1', Text('a small SSD that trains on a laptop CPU (ours)',
                       '能在笔记本电脑 CPU 上训练的小型 SSD（本课程自己的）'),
           'ssd_core/models/small.py', ('SmallBase', 'build_small_ssd')),
    MapRow('-', Text("torchvision's SSD300 weights as an ssd_core model",
                     '把 torchvision 的 SSD300 权重转换成 ssd_core 模型'),
           'ssd_core/models/torchvision_port.py', ('from_torchvision',)),
    MapRow('2.1, Fig. 2', Text('the table of source maps: channels, size, receptive field, boxes',
                               '源特征图一览表：通道数、尺寸、感受野、默认框数'),
           'ssd_core/models/describe.py', ('describe', 'count_macs')),
    MapRow('2.2', Text('choosing scales and aspect ratios (eq. 4); the presets',
                       '选择尺度和宽高比（公式 4）；预设配置'),
           'ssd_core/config.py', ('SSDConfig', 'paper_scales')),
    MapRow('2.2', Text('default boxes tiled over the source maps',
                       '在源特征图上平铺默认框'),
           'ssd_core/default_boxes.py', ('default_boxes', 'clipping_report')),
    MapRow('2.2', Text('box formats, IoU, encoding with variances (eq. 2)',
                       '框的格式、IoU、带方差的编码（公式 2）'),
           'ssd_core/boxes.py', ('box_iou', 'encode', 'decode')),
    MapRow('2.2', Text('matching strategy',
                       '匹配策略'),
           'ssd_core/matching.py', ('match', 'match_and_encode')),
    MapRow('2.2', Text('training objective (eq. 1-3), hard negative mining',
                       '训练目标（公式 1-3）、难负样本挖掘'),
           'ssd_core/loss.py', ('multibox_loss', 'hard_negative_mining')),
    MapRow('2.2, 3.6', Text('data augmentation, with the zoom-out of 3.6',
                            '数据增强，包括 3.6 节的缩小（zoom out）'),
           'ssd_core/data/transforms.py', ('SSDAugmentation', 'zoom_out', 'sample_iou_crop')),
    MapRow('2.2', Text('batching; matching and encoding once per batch',
                       '组批；每个批次做一次匹配和编码'),
           'ssd_core/data/collate.py', ('collate', 'batch_targets')),
    MapRow('3.1', Text("PASCAL VOC's annotation files (XML)",
                       'PASCAL VOC 的标注文件（XML）'),
           'ssd_core/data/voc_xml.py', ('parse_voc_xml', 'write_voc_xml')),
    MapRow('-', Text('images: decoding, checking, any mode to RGB',
                     '图像：解码、检查，把任意颜色模式转成 RGB'),
           'ssd_core/data/images.py', ('load_rgb', 'decode_image_bytes')),
    MapRow('-', Text('the errors bad data raises: which file, what is wrong, how to fix it',
                     '数据有问题时报的错：哪个文件、哪里不对、怎样修复'),
           'ssd_core/data/errors.py', ('DatasetError', 'DataWarning')),
    MapRow('3.1', Text("PASCAL VOC's layout and splits; any folder in that layout",
                       'PASCAL VOC 的目录结构和数据划分；任何按这种结构组织的文件夹'),
           'ssd_core/data/voc.py', ('VOCDataset', 'list_splits')),
    MapRow('3.1', Text('downloading VOC2007 + VOC2012',
                       '下载 VOC2007 + VOC2012'),
           'ssd_core/data/download.py', ('download_voc',)),
    MapRow('-', Text('where the data lives; the sample photos',
                     '数据存放的位置；示例照片'),
           'ssd_core/data/paths.py', ('data_dir', 'sample_dataset')),
    MapRow('-', Text('the embedded dataset (synthetic shapes)',
                     '内置数据集（合成的几何图形 shapes）'),
           'ssd_core/data/shapes.py', ('make_shapes', 'ensure_shapes')),
    MapRow('3', Text('inference: decode, per-class NMS, top-k',
                     '推理：解码、逐类非极大值抑制、保留前 k 个'),
           'ssd_core/postprocess.py', ('postprocess',)),
    MapRow('3', Text('evaluation: VOC07 11-point and area AP, COCO AP',
                     '评估：VOC07 的 11 点 AP 和曲线下面积 AP、COCO AP'),
           'ssd_core/metrics.py', ('evaluate_detections', 'voc_ap')),
    MapRow('3', Text('running a trained model on a dataset or on images',
                     '在数据集或图像上运行训练好的模型'),
           'ssd_core/inference.py', ('evaluate', 'load_trained', 'detect_images')),
    MapRow('-', Text('presets, and which data a run uses',
                     '预设，以及一次训练使用哪些数据'),
           'ssd_core/recipes.py', ('TrainSettings', 'make_settings', 'resolve_data')),
    MapRow('-', Text('device, mixed precision (bf16), evaluation mode',
                     '设备、混合精度（bf16）、评估模式'),
           'ssd_core/device.py', ('resolve_device', 'autocast', 'eval_mode')),
    MapRow('3', Text('training: the step, the schedule, the run (resume, DDP)',
                     '训练：单步更新、学习率计划、完整的训练过程（恢复训练、DDP）'),
           'ssd_core/train.py', ('train_step', 'train')),
    MapRow('3', Text('checkpoints, written atomically',
                     '检查点，以原子方式写入'),
           'ssd_core/checkpoint.py', ('save_checkpoint', 'load_checkpoint')),
    MapRow('-', Text('command line: train, evaluate, detect, data',
                     '命令行：训练、评估、检测、准备数据'),
           'ssd_core/cli.py', ('main',)),
    MapRow('-', Text('where files live: the repository, scratch folders',
                     '文件的位置：仓库目录、临时文件夹'),
           'ssd_core/paths.py', ('repo_root', 'scratch_dir')),
    MapRow('-', Text('Chinese in figures: a CJK font, or English labels',
                     '图中的中文：使用 CJK 字体，没有时改用英文标注'),
           'ssd_core/fonts.py', ('cjk_font', 'fig')),
    MapRow('-', Text('the lessons as static web pages (make html)',
                     '把课程导出为静态网页（make html）'),
           'ssd_core/html.py', ('build_html',)),
    MapRow('-', Text('figures that need only matplotlib',
                     '只需要 matplotlib 的绘图函数'),
           'ssd_core/draw.py', ('show_detections', 'plot_training_curves', 'plot_pr_curves')),
)
