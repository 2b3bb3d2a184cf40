"""The TensorFlow port the course reads beside ``ssd_core``: balancap/SSD-Tensorflow.

Lesson 4 reads the two side by side, function by function. Each :class:`PortRow` names the
TensorFlow file, the lines and the function, the ``ssd_core`` name that does the same job (a
dotted name inside ``ssd_core``), and what the two do differently. Links are pinned to one
commit of the port (its ``master`` of 2017-04-10), so the line numbers stay right.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text

__all__ = ["PortRow", "TF_PORT", "TF_PORT_URL", "TF_PORT_COMMIT", "tf_link"]


@dataclass(frozen=True)
class PortRow:
    """One row of the TensorFlow-port map."""

    tf_file: str
    lines: str         # "L94-L124": the lines of tf_file at TF_PORT_COMMIT
    tf_name: str
    ours: str          # dotted name inside ssd_core
    note: Text


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
            Text("feat_shapes, anchor_ratios, anchor_steps and offsets as ours; prior_scaling [0.1, 0.1, 0.2, 0.2] is our variances. The anchor sizes in force (21, 45, 99, ...) are the paper's COCO setting (conv4_3 at 0.07, s_min 0.15); the Caffe VOC sizes (30, 60, 111, ...), which we use, are commented out beside them. anchor_size_bounds = [0.15, 0.90] is never read.",
                 '特征图大小、宽高比、中心间距（step）和偏移与我们相同；prior_scaling [0.1, 0.1, 0.2, 0.2] 就是我们的方差。实际生效的框尺寸（21, 45, 99, ...）是论文的 COCO 设置（conv4_3 取 0.07，s_min 取 0.15）；我们使用的 Caffe VOC 尺寸（30, 60, 111, ...）在它旁边被注释掉了。anchor_size_bounds = [0.15, 0.90] 从未被读取。')),
    PortRow('nets/ssd_vgg_300.py', 'L306-L378', 'ssd_anchor_one_layer, ssd_anchors_all_layers', 'default_boxes.default_boxes',
            Text("the same 8,732 boxes in the same order (small square, the sqrt(s s') square, then 2, 1/2, 3, 1/3), centres at (i + 0.5) x step; it returns per-layer (y, x, h, w) grids, we one [P, 4] cxcywh tensor.",
                 "同样的 8,732 个框，顺序也相同（小正方形、sqrt(s s') 正方形，然后是 2、1/2、3、1/3），中心在 (i + 0.5) x 中心间距（step）；它按层返回 (y, x, h, w) 网格，我们返回一个 [P, 4] 的 cxcywh 张量。")),
    PortRow('nets/ssd_vgg_300.py', 'L432-L522', 'ssd_net (blocks 1-7: VGG16, pool5 3x3/1, conv6 rate=6, conv7)', 'models.vgg.VGG16Base',
            Text("conv6 with rate=6 is our atrous fc6 (dilation 6), conv7 our fc7. It adds dropout (rate 0.5, training only) after conv6 and conv7 (L473-L480); the paper and we have none. Both start fc6/fc7 from fresh weights, not from VGG's subsampled fc layers.",
                 'rate=6 的 conv6 就是我们的空洞卷积 fc6（膨胀率 6），conv7 就是 fc7。它在 conv6 和 conv7 之后加了 dropout（比例 0.5，只在训练时）（L473-L480），论文和我们都没有。两者的 fc6/fc7 都从新初始化的权重开始，而不是从 VGG 全连接层抽样得到的权重。')),
    PortRow('nets/ssd_vgg_300.py', 'L482-L504', 'ssd_net (blocks 8-11)', 'models.ssd.extra_block',
            Text("custom_layers.pad2d reproduces Caffe's padding before the stride-2 convolutions; we give the convolution padding=1.",
                 'custom_layers.pad2d 在步幅为 2 的卷积前复现 Caffe 的填充；我们直接给卷积 padding=1。')),
    PortRow('nets/ssd_vgg_300.py', 'L401-L429', 'ssd_multibox_layer', 'models.ssd.MultiBoxHead',
            Text('one 3x3 convolution for the offsets and one for the class scores per source map; on conv4_3 it first applies the L2 normalisation (normalizations[0] > 0), which we do in VGG16Base.',
                 '每个源特征图上一个 3x3 卷积预测偏移、一个预测类别分数；在 conv4_3 上它先做 L2 归一化（normalizations[0] > 0），我们在 VGG16Base 里做。')),
    PortRow('nets/custom_layers.py', 'L46-L115', 'l2_normalization', 'models.vgg.L2Norm',
            Text('normalises each location over the channels, as the paper (after ParseNet) and we do; only its docstring says "spatial". The difference is the learned scale\'s start: 1 (ones_initializer), against 20 in the paper (§3.1) and in ssd_core.',
                 '和论文（沿用 ParseNet）以及我们一样，在每个位置上沿通道做归一化；只有它的文档字符串写着 "spatial"。真正的差别在于可学习缩放的初始值：它是 1（ones_initializer），论文（§3.1）和 ssd_core 是 20。')),
    PortRow('nets/ssd_common.py', 'L25-L156', 'tf_ssd_bboxes_encode_layer, tf_ssd_bboxes_encode', 'matching.match',
            Text('each anchor takes its best-overlapping object; the threshold is applied later, in ssd_losses, as IoU > 0.5 (we use >= 0.5). There is no first step: an object whose best anchor overlaps 0.5 or less gets no positive. Matching runs per image in the input pipeline; boxes are (ymin, xmin, ymax, xmax), ours xyxy.',
                 '每个锚框取与它重叠最大的物体；阈值在之后的 ssd_losses 里才用，条件是 IoU > 0.5（我们用 >= 0.5）。它没有第一步：如果一个物体的最佳锚框重叠不超过 0.5，这个物体就没有正样本。匹配在输入流水线里逐张图像进行；框的格式是 (ymin, xmin, ymax, xmax)，我们用 xyxy。')),
    PortRow('nets/ssd_common.py', 'L144-L155', 'tf_ssd_bboxes_encode_layer (end)', 'boxes.encode',
            Text('the same encoding: centre offsets / (size x 0.1), log size ratios / 0.2.',
                 '编码方式相同：中心偏移除以（尺寸 x 0.1），尺寸的对数比除以 0.2。')),
    PortRow('nets/ssd_common.py', 'L199-L225', 'tf_ssd_bboxes_decode_layer', 'boxes.decode',
            Text('the inverse; ours also caps the exponent so a wild prediction cannot overflow.',
                 '逆运算；我们还限制了指数的大小，离谱的预测不会溢出。')),
    PortRow('nets/ssd_vgg_300.py', 'L578-L656', 'ssd_losses', 'loss.multibox_loss',
            Text('smooth L1 (custom_layers.abs_smooth) on the positives plus cross-entropy, alpha = 1; it divides each term by the batch size, the paper and we by N, the number of positives.',
                 '正样本上的平滑 L1 损失（custom_layers.abs_smooth）加交叉熵，alpha = 1；它把每一项除以批大小，论文和我们除以 N（正样本个数）。')),
    PortRow('nets/ssd_vgg_300.py', 'L619-L634', 'ssd_losses (negative mask)', 'loss.hard_negative_mining',
            Text('it ranks the negatives of the whole batch by p(background), lowest first, and keeps 3 N + batch size of them; we keep at most 3 per positive in each image, ranked by their loss. For a negative the two rankings are the same order (-log p(background)); what differs is the batch-wide selection and the count.',
                 '它把整个批次的负样本按 p(背景) 从低到高排序，保留 3 N + 批大小 个；我们在每张图像中最多保留正样本数 3 倍的负样本，按损失排序。对负样本来说两种排序是同一个顺序（-log p(背景)）；不同的是在整个批次里选，以及选多少个。')),
    PortRow('nets/ssd_vgg_300.py', 'L212-L214', 'SSDNet.detected_bboxes', 'postprocess.postprocess',
            Text("score threshold, sort, NMS per class and top 200, but with NMS at 0.5 by default (the evaluation script passes 0.45, as the paper's §3.7) and the top 200 counted per class, ours per image.",
                 '分数阈值、排序、逐类非极大值抑制、保留前 200 个；但它默认的 NMS 阈值是 0.5（评估脚本传入 0.45，与论文 §3.7 相同），而且前 200 个是按类别计，我们按图像计。')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L235-L297', 'preprocess_for_train', 'data.transforms.SSDAugmentation',
            Text('crop -> resize -> flip -> colour, and no zoom-out; ours follows the paper: colour -> zoom out -> crop -> resize -> flip.',
                 '裁剪 -> 缩放 -> 翻转 -> 颜色，没有缩小（zoom out）；我们按论文的顺序：颜色 -> 缩小 -> 裁剪 -> 缩放 -> 翻转。')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L123-L173', 'distort_color', 'data.transforms.photometric_distort',
            Text('brightness, saturation, hue and contrast, all four every time, in one of 4 fixed orders; ours draws each with p = 1/2 as the released Caffe code does.',
                 '亮度、饱和度、色调和对比度每次都做，四种固定顺序之一；我们像发布的 Caffe 代码那样，每一项以 1/2 的概率进行。')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L176-L232', 'distorted_bounding_box_crop', 'data.transforms.sample_iou_crop',
            Text("one tf.image.sample_distorted_bounding_box with min_object_covered 0.25 (a share of an object's area, not an IoU); the paper draws among 7 options (whole image, minimum IoU 0.1 ... 0.9, any patch).",
                 '一次 tf.image.sample_distorted_bounding_box，min_object_covered 为 0.25（物体面积的比例，不是交并比）；论文在 7 种选项中抽取（整张图、最小交并比 0.1 ... 0.9、任意区域）。')),
    PortRow('preprocessing/ssd_vgg_preprocessing.py', 'L350-L354', 'preprocess_for_eval', 'data.transforms.SSDEvalTransform',
            Text('warp-resize to 300 x 300.',
                 '直接拉伸缩放到 300 x 300。')),
    PortRow('train_ssd_network.py', 'L73-L123', 'flags: optimizer, learning rate', 'train.make_optimizer',
            Text("RMSProp by default (Adam in the README's commands), lr 0.01 with an exponential decay of 0.94 every 2 epochs, weight decay 4e-5; the paper: SGD, momentum 0.9, lr 1e-3 with steps of x0.1, weight decay 5e-4 (§3), which is our ssd300-voc preset.",
                 '默认用 RMSProp（README 的命令用 Adam），学习率 0.01，每 2 个 epoch 指数衰减 0.94，权重衰减 4e-5；论文是 SGD，动量 0.9，学习率 1e-3 按步乘 0.1，权重衰减 5e-4（§3），即我们的 ssd300-voc 预设。')),
    PortRow('train_ssd_network.py', 'L223-L258', 'main (training loop)', 'train.train',
            Text("TF-Slim's training loop and queues with flags; ours is one function, train_step, in a loop with a settings object.",
                 'TF-Slim 的训练循环和队列，用命令行参数配置；我们是一个函数 train_step 加上一个设置对象的循环。')),
    PortRow('eval_ssd_network.py', 'L45-L60', 'main (evaluation)', 'inference.evaluate',
            Text('VOC07 and VOC12 AP through tf_extended.metrics; ours through metrics.py. Its TFRecords conversion writes every object as not difficult (datasets/pascalvoc_to_tfrecords.py L106-L113), so its evaluation counts difficult objects.',
                 '通过 tf_extended.metrics 计算 VOC07 和 VOC12 的 AP；我们通过 metrics.py。它的 TFRecords 转换把每个物体都写成非 difficult（datasets/pascalvoc_to_tfrecords.py L106-L113），所以它的评估会把 difficult 物体也算进去。')),
)
