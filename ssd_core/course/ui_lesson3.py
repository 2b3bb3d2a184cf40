"""What lesson 3's explorers and figures say, in both languages.

One dict of :class:`~.text.Text` per module of ``ssd_core.viz`` that uses them:

- :data:`MATCHING`: :mod:`ssd_core.viz.matching` (the matching strategy explorer);
- :data:`LOSSES`: :mod:`ssd_core.viz.losses` (encoding, smooth L1 and confidence-loss figures);
- :data:`MINING`: :mod:`ssd_core.viz.mining` (hard negative mining explorer, the brief run's
  curve title);
- :data:`AUGMENTATION`: :mod:`ssd_core.viz.augmentation` (the augmentation explorer, the
  augmented-sizes figure).

Placeholders (``{n}``) are the same in both versions; widget labels are read with ``str()``
when an explorer is built, figure text with :func:`ssd_core.fonts.fig` when it is drawn. The
``state:`` line keeps its ASCII keys and values; only its error sentences are translated.
"""

from __future__ import annotations

from .text import Text

__all__ = ["MATCHING", "LOSSES", "MINING", "AUGMENTATION"]

T = Text

# ================================================================== matching

MATCHING: dict[str, Text] = dict(
    title=T("Matching strategy", "匹配策略（matching strategy）"),
    picture=T("picture", "图片"),
    threshold=T("IoU thresh", "IoU 阈值"),
    sources=T("show maps", "显示的特征图"),
    note=T("SSD300's 8,732 default boxes; matching always uses all of them",
           "SSD300 的 8,732 个默认框；“显示的特征图”只决定画出哪些框，匹配时总是用上全部默认框"),
    no_objects=T("{picture} has no objects: every default box is background.",
                 "“{picture}”里没有目标：所有默认框都是背景（负样本）。"),
    no_source=T("No source map chosen: select at least one under 'show maps' "
                "(ctrl/cmd-click to pick several).",
                "没有选中任何特征图：请在“显示的特征图”里至少选一张（按住 Ctrl/Cmd 点击可以多选）。"),
    # the figure
    figure_title=T("{positives} positives ({shown} on the maps shown), {forced} only by best match",
                   "{positives} 个正样本（所显示的特征图上有 {shown} 个），其中 {forced} 个只靠最佳匹配"),
    iou=T("IoU", "IoU"),
    bars_threshold=T("IoU >= {t:.2f}", "IoU ≥ {t:.2f}"),
    bars_forced=T("best match only", "只靠最佳匹配"),
    bars_xlabel=T("positive default boxes", "正样本默认框的个数"),
    bars_title=T("per object (size: sqrt(area) of the image)",
                 "每个目标的正样本（括号里：√面积 / 图像边长）"),
)

# ================================================================== losses

LOSSES: dict[str, Text] = dict(
    # plot_encoding
    default_box=T("default box d", "默认框 d"),
    ground_truth=T("ground truth g", "真实框 g"),
    boxes_title=T("boxes in [0, 1] image units", "两个框（坐标以图像边长为 1）"),
    offsets=T("offsets", "偏移量"),
    divided=T("divided by variances {variances}", "除以方差 {variances} 之后"),
    regresses=T("what the network regresses", "网络要回归的四个数（编码结果）"),
    # plot_smooth_l1
    smooth_l1=T("smooth L1", "平滑 L1"),
    smooth_l1_grad=T("smooth L1: clip(x, -1, 1)", "平滑 L1：clip(x, -1, 1)"),
    error=T("error x = prediction - target", "误差 x = 预测值 - 目标值"),
    loss=T("loss", "损失"),
    error_short=T("error x", "误差 x"),
    gradient=T("gradient", "梯度"),
    # plot_confidence_loss
    point=T("p = {p}: loss {loss:.2f}", "p = {p}：损失 {loss:.2f}"),
    probability=T("softmax probability of the correct class", "正确类别的 softmax 概率 p"),
    cross_entropy=T("cross-entropy  -log p", "交叉熵  -log p"),
)

# ================================================================== mining

MINING: dict[str, Text] = dict(
    title=T("Hard negative mining", "难负样本挖掘（hard negative mining）"),
    ratio=T("neg : pos", "负 : 正"),
    picture=T("picture", "图片"),
    positives=T("show positives", "显示正样本"),
    note=T("negatives ranked by their background confidence loss, -log p(background)",
           "负样本按背景类的置信度损失 -log p(背景) 从大到小排序，取最难的那些"),
    no_objects=T("{picture} has no objects: N = 0 positives, so the loss is 0 (section 2.2) "
                 "and no negative is mined. Pick another picture.",
                 "“{picture}”里没有目标：正样本数 N = 0，按论文第 2.2 节损失记为 0，"
                 "也就不挖掘任何负样本。请换一张图片。"),
    # the figure
    figure_title=T("{positives} positives (green), {mined} mined negatives (red)",
                   "{positives} 个正样本（绿），挖掘出 {mined} 个难负样本（红）"),
    all_negatives=T("all {n:,} negatives", "全部 {n:,} 个负样本"),
    mined=T("mined: {n}", "挖掘出的 {n} 个"),
    xlabel=T("log10 of the background loss  -log p(background)  (floor: 1e-8)",
             "背景损失 -log p(背景) 取 log10（下限 1e-8）"),
    ylabel=T("default boxes", "默认框个数"),
    hist_title=T("cut at loss {cut:.3g}: keeps {share:.1f}% of the background loss",
                 "分界线处损失 {cut:.3g}：保留了 {share:.1f}% 的背景损失"),
    # plot_brief_run
    run_title=T("{steps} steps in {seconds:.1f} s", "{steps} 步，用时 {seconds:.1f} 秒"),
)

# ================================================================== augmentation

AUGMENTATION: dict = dict(
    title=T("Data augmentation", "数据增强（data augmentation）"),
    picture=T("picture", "图片"),
    photometric=T("photometric", "光度畸变"),
    zoom_out=T("zoom out", "缩小（zoom out）"),
    iou_crop=T("IoU crop", "IoU 裁剪"),
    flip=T("flip", "水平翻转"),
    crop=T("crop", "裁剪方式"),
    seed=T("seed", "随机种子"),
    note=T("each seed is one draw of the training pipeline",
           "每个随机种子就是训练时数据增强流程的一次随机结果"),
    # the crop's options (drop-down labels and figure); the state keeps the English ones
    crop_random=T("random, as in training", "随机选，和训练时一样"),
    whole_image=T("whole image", "整张图像"),
    min_iou=T("min IoU {o:g}", "最小 IoU {o:g}"),
    any_patch=T("any patch", "任意裁剪块"),
    no_patch=T("no patch in 50 tries\nmet '{option}':\nthe whole image is kept",
               "试了 50 次，没有裁剪块\n满足“{option}”：\n保留整张图像"),
    # the figure: panel titles and the steps line
    photo=T("photo", "原图"),
    zoomed=T("zoom out x{zoom:.2f}", "缩小为 1/{zoom:.2f}"),
    before_crop=T("before the crop", "待裁剪的图像"),
    with_crop=T("{title}, crop: {crop}", "{title}，裁剪方式：{crop}"),
    result=T("{size}x{size} result: {n} object(s)", "{size}x{size} 结果：{n} 个目标"),
    flipped=T("{title}, flipped", "{title}，已翻转"),
    steps_line=T("steps: {steps}   seed {seed}", "步骤：{steps}   随机种子 {seed}"),
    # names of the steps in the steps line (the state keeps the code's names)
    steps={"photometric": T("photometric", "光度畸变"),
           "zoom_out": T("zoom_out", "缩小"),
           "iou_crop": T("iou_crop", "IoU 裁剪"),
           "flip": T("flip", "翻转"),
           "none": T("none", "无")},
    steps_sep=T(",", "、"),
    # plot_augmented_sizes
    without_zoom=T("without zoom-out ({n} objects)", "不用缩小（zoom out）：{n} 个目标"),
    with_zoom=T("with zoom-out ({n} objects)", "用缩小（zoom out）：{n} 个目标"),
    smallest_box=T(" smallest default box", " 最小的默认框"),
    sizes_xlabel=T("object size after augmentation, sqrt(w h) / image side",
                   "增强后的目标尺寸：sqrt(w h) / 图像边长"),
    sizes_ylabel=T("objects", "目标个数"),
    sizes_title=T("what the network is trained on", "网络训练时见到的目标尺寸"),
    sizes_title_named=T("what the network is trained on: {name}", "网络训练时见到的目标尺寸：{name}"),
)
