"""Checks for understanding: three to five questions per lesson, as data in two languages.

Each :class:`Question` has its prompt, its choices (exactly one right) and, for every choice,
the sentence a student sees after picking it; the section of the paper it tests. A question
with ``then`` asks for a prediction: answer first, then run the cell it names and compare.
Numbers come from :data:`~ssd_core.course.facts.PAPER_FACTS`. The widget that asks them is
:mod:`ssd_core.viz.quiz`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts import PAPER_FACTS
from .text import Text

__all__ = ["Choice", "Question", "QUIZZES", "QUESTIONS"]

_F = {k: f.value for k, f in PAPER_FACTS.items()}


@dataclass(frozen=True)
class Choice:
    """One answer: its text, whether it is right, and why (shown after it is picked)."""

    text: Text
    correct: bool
    why: Text


@dataclass(frozen=True)
class Question:
    """A prompt and its choices (exactly one correct), the paper's section it tests, and for a
    prediction, what to run afterwards (``then``)."""

    prompt: Text
    choices: tuple[Choice, ...]
    section: str = ""
    then: Text | None = None

    @property
    def answer(self) -> int:
        """Index of the correct choice."""
        right = [i for i, c in enumerate(self.choices) if c.correct]
        if len(right) != 1:
            raise ValueError(f"question {self.prompt.en!r} has {len(right)} correct choices, needs 1")
        return right[0]


def _c(correct: bool, en: str, zh: str, why_en: str, why_zh: str) -> Choice:
    return Choice(Text(en, zh), correct, Text(why_en, why_zh))


_LESSON1 = (
    Question(
        Text("For one 300x300 image, how many default boxes does SSD300 score?",
             "对一张 300x300 的图像，SSD300 一共给多少个默认框（default box）打分？"),
        (
            _c(False, "98", "98", "98 = 7 x 7 x 2 is YOLO's number of boxes.",
               "98 = 7 x 7 x 2 是 YOLO 的框数。"),
            _c(False, "about 2,000", "约 2,000", "About 2,000 is what Selective Search proposes for R-CNN.",
               "约 2,000 是选择性搜索为 R-CNN 给出的候选区域数。"),
            _c(True, f"{_F['ssd300_boxes']:,}", f"{_F['ssd300_boxes']:,}",
               f"Right: 38x38x4 + 19x19x6 + 10x10x6 + 5x5x6 + 3x3x4 + 1x1x4 = {_F['ssd300_boxes']:,} (Table 7).",
               f"正确：38x38x4 + 19x19x6 + 10x10x6 + 5x5x6 + 3x3x4 + 1x1x4 = {_F['ssd300_boxes']:,}（表 7）。"),
            _c(False, f"{_F['ssd512_boxes']:,}", f"{_F['ssd512_boxes']:,}",
               f"{_F['ssd512_boxes']:,} is SSD512, which adds a seventh map and a bigger input.",
               f"{_F['ssd512_boxes']:,} 是 SSD512：多了第七个特征图，输入也更大。"),
        ),
        "2.2, Table 7",
    ),
    Question(
        Text("What makes SSD a single-stage (one-stage) detector?",
             "SSD 为什么是单阶段（one-stage）检测器？"),
        (
            _c(False, "It uses a single feature map", "它只用一个特征图",
               "The opposite: it predicts from six maps. Single-stage is about proposals.",
               "恰恰相反：它在六个特征图上预测。单阶段说的是候选区域。"),
            _c(True, "It predicts classes and box offsets for fixed default boxes in one network pass, with no region proposals and no resampling of features",
               "它在一次前向计算中直接为固定的默认框预测类别和框偏移，不需要候选区域，也不对特征重新采样",
               "Right: Faster R-CNN first proposes regions (RPN), then pools features for each (RoI pooling): two stages.",
               "正确：Faster R-CNN 先用区域建议网络（RPN）给出候选区域，再为每个区域池化特征（RoI 池化），分两个阶段。"),
            _c(False, "It trains in a single epoch", "它只训练一个 epoch",
               "Training takes tens of thousands of iterations (§3.1).", "训练需要几万次迭代（§3.1）。"),
            _c(False, "It detects a single object per image", "每张图像只检测一个目标",
               "It detects many: up to 200 per image after NMS (§3.7).",
               "它检测多个目标：非极大值抑制后每张图像最多保留 200 个（§3.7）。"),
        ),
        "1, 2",
    ),
    Question(
        Text("Predict: how much faster than Faster R-CNN (VGG16) is SSD300 on the paper's Titan X, at batch 1?",
             "先预测：在论文的 Titan X 上，批大小为 1 时，SSD300 比 Faster R-CNN（VGG16）快多少？"),
        (
            _c(False, "about as fast", "差不多快",
               f"Table 7: {_F['ssd300_fps']} FPS against {_F['faster_rcnn_fps']}.",
               f"表 7：{_F['ssd300_fps']} FPS 对 {_F['faster_rcnn_fps']} FPS。"),
            _c(True, "about 6.6 times", "约 6.6 倍",
               f"Right: {_F['ssd300_fps']} FPS against {_F['faster_rcnn_fps']} (Table 7), and more accurate ({_F['ssd300_map07']} against {_F['faster_rcnn_map07']} mAP).",
               f"正确：{_F['ssd300_fps']} FPS 对 {_F['faster_rcnn_fps']} FPS（表 7），而且更准（mAP {_F['ssd300_map07']} 对 {_F['faster_rcnn_map07']}）。"),
            _c(False, "about 100 times", "约 100 倍",
               "That would be faster than Fast YOLO (155 FPS).", "那会比 Fast YOLO（155 FPS）还快。"),
            _c(False, "it is slower", "它更慢",
               "It is faster: no proposals, no per-region computation.", "它更快：没有候选区域，也没有逐区域计算。"),
        ),
        "Table 7",
        Text("Run the cell below that prints Table 7 and compare.", "运行下面打印表 7 的单元格，对照一下。"),
    ),
    Question(
        Text("Which weakness of SSD does the paper itself show?",
             "论文自己指出了 SSD 的哪个弱点？"),
        (
            _c(True, "It does much worse on small objects (Fig. 4), and confuses similar categories such as animals (Fig. 3)",
               "它在小目标上表现差得多（图 4），并且容易混淆相近的类别，例如动物（图 3）",
               "Right: small objects may have no information left on the coarse top maps; the zoom-out augmentation of §3.6 helps (+2-3 mAP).",
               "正确：小目标在粗糙的高层特征图上可能已经没有信息了；§3.6 的缩小（zoom out）增强有所帮助（mAP 提高 2-3）。"),
            _c(False, "It cannot run in real time", "它无法实时运行",
               f"SSD300 runs at {_F['ssd300_fps_b8']} FPS at batch 8 (Table 7).",
               f"SSD300 在批大小 8 时达到 {_F['ssd300_fps_b8']} FPS（表 7）。"),
            _c(False, "It needs region proposals", "它需要候选区域", "It needs none.", "它不需要。"),
            _c(False, "It works only on VOC", "它只能用于 VOC",
               "The paper also reports COCO and ILSVRC (§3.4, §3.5).", "论文还报告了 COCO 和 ILSVRC 的结果（§3.4、§3.5）。"),
        ),
        "3.1, Fig. 3, Fig. 4",
    ),
)

_LESSON2 = (
    Question(
        Text("Which source feature map of SSD300 is responsible for the smallest objects?",
             "SSD300 的哪个特征图负责检测最小的目标？"),
        (
            _c(True, "conv4_3, the 38x38 map", "conv4_3，38x38 的特征图",
               f"Right: its cells are 8 px apart and its default boxes are the smallest, scale {_F['conv4_3_scale']} of the image (§3.1).",
               f"正确：它的单元相距 8 像素，默认框最小，尺度为图像的 {_F['conv4_3_scale']}（§3.1）。"),
            _c(False, "fc7, the 19x19 map", "fc7，19x19 的特征图", "fc7 comes second; its boxes are twice as big.",
               "fc7 排第二，它的框大一倍。"),
            _c(False, "conv11_2, the 1x1 map", "conv11_2，1x1 的特征图",
               "The 1x1 map holds the boxes for objects that fill the image.", "1x1 的特征图负责占满整张图的目标。"),
            _c(False, "All maps alike: every map predicts every size", "都一样：每个特征图预测所有尺寸",
               "Each map gets its own scale s_k, so sizes are spread over the maps (eq. 4).",
               "每个特征图有自己的尺度 s_k，不同尺寸分散在不同特征图上（公式 4）。"),
        ),
        "2.2, 3.1",
    ),
    Question(
        Text("What does atrous (dilated) convolution give SSD's fc6 layer?",
             "空洞卷积（atrous / dilated convolution）给 SSD 的 fc6 层带来了什么？"),
        (
            _c(True, "A wide view with the weights of a 3x3 kernel: its taps are 6 cells apart",
               "用 3x3 卷积核的权重得到很大的视野：它的采样点相距 6 个单元",
               "Right: dilation 6 spans 13x13 cells of the 19x19 map. Without atrous the paper gets about the same mAP, but about 20% slower (§3.2, Table 2).",
               "正确：膨胀率 6 覆盖 19x19 特征图上 13x13 个单元。不用空洞卷积时 mAP 差不多，但慢约 20%（§3.2、表 2）。"),
            _c(False, "A smaller output map, like pooling", "像池化一样让输出变小",
               "Dilation does not shrink the map: fc6 stays 19x19.", "膨胀不会缩小特征图：fc6 仍是 19x19。"),
            _c(False, "More parameters than a fully connected layer", "比全连接层参数更多",
               "Fewer: 3x3x512x1024 weights instead of VGG's 7x7x512x4096.",
               "更少：3x3x512x1024 个权重，而 VGG 的 fc6 有 7x7x512x4096 个。"),
            _c(False, "Normalised features, like L2Norm", "像 L2 归一化一样的归一化特征",
               "L2Norm is a separate layer, on conv4_3 only.", "L2 归一化是单独的一层，只用在 conv4_3 上。"),
        ),
        "2.1, 3.2",
    ),
    Question(
        Text("Why does conv4_3 get an L2 normalisation layer?",
             "为什么要在 conv4_3 上加 L2 归一化层？"),
        (
            _c(True, "Its features have a much larger scale than the deeper maps'; the layer normalises each location and learns a scale, starting at 20",
               "它的特征数值尺度比更深的特征图大得多；这一层把每个位置归一化，并学习一个缩放值，初始为 20",
               f"Right: §3.1, after ParseNet; the scale starts at {_F['l2norm_scale']}. Lesson 2 measured the sizes before and after.",
               f"正确：§3.1，沿用 ParseNet；缩放初始值为 {_F['l2norm_scale']}。第 2 课测量了归一化前后的大小。"),
            _c(False, "To make the network faster", "为了让网络更快", "It adds work, a little.", "它反而稍微增加了计算。"),
            _c(False, "Because conv4_3 has no ReLU", "因为 conv4_3 没有 ReLU", "It has one, as every VGG convolution.",
               "它有 ReLU，VGG 的每个卷积都有。"),
            _c(False, "To replace batch normalisation", "为了取代批归一化",
               "VGG16 has no batch normalisation; L2Norm only rescales conv4_3 for its head.",
               "VGG16 没有批归一化；L2 归一化只是为它的预测头重新缩放 conv4_3。"),
        ),
        "3.1",
    ),
    Question(
        Text("Predict: how many default boxes does SSD512 have?",
             "先预测：SSD512 有多少个默认框？"),
        (
            _c(False, f"{_F['ssd300_boxes']:,}, as SSD300", f"{_F['ssd300_boxes']:,}，和 SSD300 一样",
               "A bigger input makes bigger maps, and SSD512 adds a seventh map.",
               "输入更大，特征图就更大，SSD512 还多了第七个特征图。"),
            _c(True, f"{_F['ssd512_boxes']:,}", f"{_F['ssd512_boxes']:,}",
               "Right (Table 7): 64x64x4 + 32x32x6 + 16x16x6 + 8x8x6 + 4x4x6 + 2x2x4 + 1x1x4.",
               "正确（表 7）：64x64x4 + 32x32x6 + 16x16x6 + 8x8x6 + 4x4x6 + 2x2x4 + 1x1x4。"),
            _c(False, "about 50,000", "约 50,000", "Fewer: count the maps.", "更少：数一数各个特征图。"),
            _c(False, "15,000", "15,000", "More: the 64x64 map alone has 16,384.", "更多：光是 64x64 的特征图就有 16,384 个。"),
        ),
        "Table 7",
        Text("Run the next cell: ssd.SSDConfig.ssd512().num_boxes.", "运行下一个单元格：ssd.SSDConfig.ssd512().num_boxes。"),
    ),
)

_LESSON3 = (
    Question(
        Text("Which default boxes become positives during matching?",
             "在匹配策略（matching strategy）中，哪些默认框成为正样本？"),
        (
            _c(False, "Only the single best default box of each object", "只有每个物体最匹配的那一个默认框",
               "That is MultiBox's rule, and only SSD's first step.", "这是 MultiBox 的规则，也只是 SSD 的第一步。"),
            _c(True, f"Each object's best box, plus every box with IoU >= {_F['match_iou']} with some object",
               f"每个物体交并比最大的框，再加上与某个物体交并比 >= {_F['match_iou']} 的所有框",
               "Right: two steps. The first gives every object a box; the second lets several boxes predict the same object, which simplifies learning.",
               "正确：分两步。第一步保证每个物体都有框；第二步让多个框预测同一物体，使学习更容易。"),
            _c(False, "Every box whose centre lies inside an object", "中心落在物体内部的所有框",
               "Centres are not used for matching; the IoU (Jaccard overlap) is.", "匹配不看中心，看交并比（Jaccard 重叠）。"),
            _c(False, "The boxes with the highest predicted scores", "预测分数最高的框",
               "Matching uses only the ground truth and the default boxes, never predictions.",
               "匹配只用真实框和默认框，从不用预测。"),
        ),
        "2.2",
    ),
    Question(
        Text(f"Predict: an image has 7 positive default boxes and 8,700 negatives. How many negatives does the loss keep (ratio {_F['neg_pos_ratio']}:1)?",
             f"先预测：一张图像有 7 个正样本默认框和 8,700 个负样本。损失会保留多少个负样本（比例 {_F['neg_pos_ratio']}:1）？"),
        (
            _c(False, "all 8,700", "全部 8,700 个",
               "Then the easy negatives would swamp the 7 positives; that is what mining prevents.",
               "那样大量容易的负样本会淹没 7 个正样本，挖掘正是为了避免这一点。"),
            _c(True, "21, the ones with the highest confidence loss", "21 个，置信度损失最高的那些",
               "Right: at most 3 per positive (§2.2), the hardest first.", "正确：每个正样本最多 3 个（§2.2），从最难的开始。"),
            _c(False, "7", "7 个", "That is a 1:1 ratio; the paper uses 3:1.", "那是 1:1；论文用 3:1。"),
            _c(False, "none", "0 个", "Negatives teach the background class; some are kept.",
               "负样本教网络认识背景类，需要保留一部分。"),
        ),
        "2.2",
        Text("Run the next cell and count the mined negatives per image.", "运行下一个单元格，数一数每张图像挖出的负样本。"),
    ),
    Question(
        Text("If an image has no positive default box (N = 0), what is its loss?",
             "如果一张图像没有任何正样本默认框（N = 0），它的损失是多少？"),
        (
            _c(True, "0", "0", "Right: §2.2, 'If N = 0, we set the loss to 0'. ssd_core divides by max(1, N).",
               "正确：§2.2 说 N = 0 时损失设为 0。ssd_core 除以 max(1, N)。"),
            _c(False, "infinite", "无穷大", "It would be, dividing by N = 0; the paper avoids that.",
               "如果直接除以 N = 0 才会这样；论文避免了这一点。"),
            _c(False, "the confidence loss of all negatives", "所有负样本的置信度损失之和",
               "With no positive, mining keeps 3 x 0 = 0 negatives.", "没有正样本时，挖掘保留 3 x 0 = 0 个负样本。"),
            _c(False, "the same as the previous image's", "和上一张图像相同", "Each image's loss is its own.",
               "每张图像的损失是独立计算的。"),
        ),
        "2.2",
    ),
    Question(
        Text("Table 2: SSD300 without the data augmentation's sampling gets 65.5 mAP instead of 74.3. What does that 65.5 run still use?",
             "表 2：去掉数据增强中的采样后，SSD300 的 mAP 从 74.3 降到 65.5。这个 65.5 的模型仍然用了什么？"),
        (
            _c(True, "The horizontal flip, as Fast and Faster R-CNN train", "水平翻转，和 Fast / Faster R-CNN 的训练方式一样",
               "Right: §3.2 compares its sampling strategy with 'the original image and the horizontal flip'; the +8.8 is the random crops.",
               "正确：§3.2 把它的采样策略与“原图加水平翻转”对比；提高的 8.8 来自随机裁剪。"),
            _c(False, "No augmentation at all", "完全没有数据增强",
               "The flip stays; what is removed is the sampling of patches.", "翻转还在；去掉的是图像块的采样。"),
            _c(False, "Only the zoom-out", "只有缩小（zoom out）",
               "The zoom-out came later (§3.6) and is in neither column.", "缩小增强是后来才加的（§3.6），两列都没有用。"),
            _c(False, "Only photometric distortion", "只有光度畸变", "Not what Table 2 varies.", "表 2 改变的不是它。"),
        ),
        "3.2, Table 2",
    ),
)

_LESSON4 = (
    Question(
        Text("Predict: for a batch of 2 images, SSD300 with C classes (background included) returns conf of which shape?",
             "先预测：一批 2 张图像、C 个类别（包括背景）时，SSD300 返回的 conf 是什么形状？"),
        (
            _c(False, "[2, C]", "[2, C]", "One score per class for each default box, not per image.",
               "每个默认框都有各类分数，而不是每张图像一组。"),
            _c(True, f"[2, {_F['ssd300_boxes']}, C]", f"[2, {_F['ssd300_boxes']}, C]",
               "Right: images x default boxes x classes (background included).",
               "正确：图像数 x 默认框数 x 类别数（包括背景）。"),
            _c(False, "[2, C, 38, 38]", "[2, C, 38, 38]",
               "The heads' maps are flattened and concatenated over the six maps.",
               "各预测头的输出被展平，并在六个特征图上拼接起来。"),
            _c(False, f"[2, {_F['ssd300_boxes']}, 4]", f"[2, {_F['ssd300_boxes']}, 4]",
               "That is loc, the four offsets.", "那是 loc，四个偏移量。"),
        ),
        "2.1",
        Text("Run the next cell: print(conf.shape).", "运行下一个单元格：print(conf.shape)。"),
    ),
    Question(
        Text("Where does ssd_core match and encode the ground truth during training?",
             "训练时 ssd_core 在哪里进行匹配和编码？"),
        (
            _c(True, "Once per batch, inside train_step, on the training device", "在 train_step 里，每个批次一次，在训练设备上",
               "Right: batch_targets matches the whole batch at once; SSD-Tensorflow does it per image in the input pipeline.",
               "正确：batch_targets 一次匹配整个批次；SSD-Tensorflow 在输入流水线里逐张图像匹配。"),
            _c(False, "In the model's forward pass", "在模型的前向计算中",
               "The model only predicts; matching needs the ground truth.", "模型只做预测；匹配需要真实框。"),
            _c(False, "Once, before training, for the whole dataset", "训练前对整个数据集做一次",
               "Augmentation changes the boxes every epoch, so matching runs every step.",
               "数据增强每个 epoch 都会改变框，所以每一步都要匹配。"),
            _c(False, "At test time, in postprocess", "测试时在 postprocess 里", "Testing decodes; it does not match.",
               "测试时做解码，不做匹配。"),
        ),
        "2.2",
    ),
    Question(
        Text("SSD-Tensorflow's l2_normalization: what really differs from the paper?",
             "SSD-Tensorflow 的 l2_normalization 与论文真正不同的地方是什么？"),
        (
            _c(True, f"The learned scale starts at 1, not {_F['l2norm_scale']}; it normalises over the channels as the paper does",
               f"可学习的缩放从 1 开始，而不是 {_F['l2norm_scale']}；它和论文一样沿通道归一化",
               "Right: the code passes the channel axis; only its docstring says 'spatial'.",
               "正确：代码传入的是通道轴；只有文档字符串写着“spatial”。"),
            _c(False, "It normalises over the spatial axes", "它沿空间轴归一化",
               "Its docstring says so, but the code uses the channel axis.", "文档字符串这么写，但代码用的是通道轴。"),
            _c(False, "It normalises every source map", "它对每个源特征图都做归一化",
               "Only conv4_3 (normalizations = [20, -1, ...]).", "只有 conv4_3（normalizations = [20, -1, ...]）。"),
            _c(False, "Nothing", "没有区别", "The starting scale differs.", "缩放的初始值不同。"),
        ),
        "3.1",
    ),
    Question(
        Text("SSD-Tensorflow divides its losses by the batch size. By what do the paper and ssd_core divide?",
             "SSD-Tensorflow 把损失除以批大小。论文和 ssd_core 除以什么？"),
        (
            _c(True, "N, the number of matched (positive) default boxes", "N，匹配上的（正样本）默认框个数",
               "Right: eq. 1, L = (L_conf + alpha L_loc) / N.", "正确：公式 1，L = (L_conf + alpha L_loc) / N。"),
            _c(False, "The number of default boxes, 8,732", "默认框总数 8,732", "That would make the loss tiny.",
               "那样损失会变得非常小。"),
            _c(False, "The number of classes", "类别数", "Classes do not enter the normalisation.", "归一化与类别数无关。"),
            _c(False, "Nothing", "不除", "Eq. 1 divides by N.", "公式 1 要除以 N。"),
        ),
        "2.2, eq. 1",
    ),
)

_LESSON5 = (
    Question(
        Text("Predict: trained without the minimum-IoU crop (the flip on in both runs), is the final training loss lower or higher than with it?",
             "先预测：不用最小交并比裁剪训练（两次训练都保留水平翻转），最终的训练损失比用裁剪时更低还是更高？"),
        (
            _c(True, "Lower: the network sees the same images and starts to learn them by heart",
               "更低：网络反复看到相同的图像，开始死记硬背",
               "Right; what counts is the validation mAP, where augmentation pays off in a long run.",
               "正确；重要的是验证集 mAP，长时间训练时数据增强会带来收益。"),
            _c(False, "Higher", "更高", "Cropped images are harder, so the loss with the crop is the higher one (in a run long enough to learn).",
               "裁剪后的图像更难，所以用裁剪时损失更高（训练时间足够长时）。"),
            _c(False, "The same", "一样", "The images differ, so the losses differ.", "图像不同，损失也不同。"),
            _c(False, "It cannot be trained", "无法训练", "It trains; it only over-fits sooner.", "可以训练，只是更早过拟合。"),
        ),
        "3.2",
        Text("Run the ablation cell (RUN_ABLATION = True) and compare the two curves.",
             "运行消融实验单元格（RUN_ABLATION = True），比较两条曲线。"),
    ),
    Question(
        Text("In the detection explorer, which NMS threshold keeps more duplicate boxes around an object?",
             "在检测结果查看器中，哪个非极大值抑制（NMS）阈值会在物体周围留下更多重复框？"),
        (
            _c(True, "0.9", "0.9", "Right: only boxes overlapping more than 0.9 are suppressed, so near-duplicates survive.",
               "正确：只有重叠超过 0.9 的框才被抑制，所以相近的重复框会留下。"),
            _c(False, "0.1", "0.1", "At 0.1 even neighbouring objects suppress each other.", "0.1 时连相邻的物体都会互相抑制。"),
            _c(False, f"{_F['nms_iou']}, the paper's", f"{_F['nms_iou']}，论文的取值", "The paper's setting is a balance (§3.7).",
               "论文的取值是一个折中（§3.7）。"),
            _c(False, "It makes no difference", "没有区别", "Move the slider and count the boxes.", "拖动滑块，数一数框。"),
        ),
        "3.7",
    ),
    Question(
        Text("What does the released SSD300 (trained with the zoom-out of §3.6) get on VOC2007 test?",
             "发布的 SSD300（使用了 §3.6 的缩小增强）在 VOC2007 测试集上的 mAP 是多少？"),
        (
            _c(True, f"{_F['ssd300_zoomout_map07']}", f"{_F['ssd300_zoomout_map07']}",
               f"Right: Table 6; {_F['ssd300_map07']} without the zoom-out (Table 1).",
               f"正确：表 6；不用缩小增强时是 {_F['ssd300_map07']}（表 1）。"),
            _c(False, f"{_F['ssd300_map07']}", f"{_F['ssd300_map07']}", "That is the model of Table 1, without the zoom-out.",
               "那是表 1 中没有缩小增强的模型。"),
            _c(False, "72.1", "72.1", "72.1 is an early arXiv version's number; v5 reports others.",
               "72.1 是 arXiv 早期版本的数字；v5 报告的不同。"),
            _c(False, f"{_F['ssd512_zoomout_map07']}", f"{_F['ssd512_zoomout_map07']}", "That is SSD512 with the zoom-out.",
               "那是加了缩小增强的 SSD512。"),
        ),
        "3.6, Table 6",
    ),
    Question(
        Text("A run stopped halfway and resumed from last.pt ends with which weights?",
             "训练中途停止，再从 last.pt 恢复，最终得到什么样的权重？"),
        (
            _c(True, "The same as a run that never stopped", "和从未停止的训练完全相同",
               "Right: the data order and every augmentation draw follow from (seed, epoch, index); a test checks it bit for bit.",
               "正确：数据顺序和每次增强的随机抽取都由（种子、epoch、序号）决定；有测试逐位检查这一点。"),
            _c(False, "Similar, but not the same", "相近但不相同", "They are equal, bit for bit.", "逐位完全相等。"),
            _c(False, "The weights of the epoch's start", "那个 epoch 开始时的权重", "It continues from the stopped step.",
               "它从停止的那一步继续。"),
            _c(False, "Random weights", "随机权重", "last.pt holds the weights and the optimiser's state.",
               "last.pt 保存了权重和优化器状态。"),
        ),
        "3",
    ),
)

#: The questions of each lesson.
QUIZZES: dict[int, tuple[Question, ...]] = {1: _LESSON1, 2: _LESSON2, 3: _LESSON3, 4: _LESSON4,
                                            5: _LESSON5}
#: Lesson 1's questions (the name the first quiz had).
QUESTIONS = QUIZZES[1]
