"""What lessons 1 and 2's explorers, figures and printed tables say, in both languages.

One dict of :class:`~.text.Text` per module of ``ssd_core.viz`` that uses them:

- :data:`IOU` and :data:`NMS`: :mod:`ssd_core.viz.iou_nms` (lesson 1);
- :data:`AP_EXAMPLE`: :mod:`ssd_core.viz.ap_example` (lesson 1, the AP worked by hand);
- :data:`HISTORY`: :mod:`ssd_core.viz.history` (lesson 1, from R-CNN to SSD);
- :data:`NETWORK`: :mod:`ssd_core.viz.network` (lesson 2: layer table, receptive field,
  atrous convolution, L2Norm);
- :data:`DEFAULT_BOXES` and :data:`BOX_SCHEMES`: :mod:`ssd_core.viz.default_boxes` (lesson 2).

Placeholders (``{n}``) are the same in both versions; widget labels are read with ``str()``
when an explorer is built, figure text with :func:`ssd_core.fonts.fig` when it is drawn.
"""

from __future__ import annotations

from .text import Text

__all__ = ["IOU", "NMS", "AP_EXAMPLE", "HISTORY", "NETWORK", "DEFAULT_BOXES", "BOX_SCHEMES"]

T = Text

# ================================================================== iou_nms (lesson 1)

IOU: dict[str, Text] = dict(
    title=T("IoU: intersection over union", "交并比（IoU，intersection over union）"),
    a_x=T("A x1..x2", "框 A 的 x1..x2"),
    a_y=T("A y1..y2", "框 A 的 y1..y2"),
    b_x=T("B x1..x2", "框 B 的 x1..x2"),
    b_y=T("B y1..y2", "框 B 的 y1..y2"),
    note=T("drag the ranges; boxes are (x1, y1, x2, y2) in [0, 1]",
           "拖动滑块的两端来移动边界框；框写作 (x1, y1, x2, y2)，坐标都在 [0, 1] 之间"),
    zero_area=T("Both boxes have zero area: IoU is 0 / 0, undefined. Widen a box.",
                "两个框的面积都是 0：IoU 成了 0/0，没有定义。请把其中一个框拉宽。"),
    figure_title=T("IoU = {inter:.3f} / {union:.3f} = {iou:.3f}",
                   "IoU = 交集 {inter:.3f} / 并集 {union:.3f} = {iou:.3f}"),
)

NMS: dict[str, Text] = dict(
    title=T("Non-maximum suppression", "非极大值抑制（NMS）"),
    nms_threshold=T("IoU thresh", "IoU 阈值"),
    score_threshold=T("score min", "最低得分"),
    seed=T("seed", "随机种子"),
    note=T("solid boxes are kept, dotted ones suppressed",
           "实线框被保留，虚线框被抑制"),
    no_candidate=T("No candidate scores {t:.2f} or more: lower 'score min'.",
                   "没有哪个候选框的得分达到 {t:.2f}：请调低“最低得分”。"),
    figure_title=T("{candidates} candidates -> {kept} kept",
                   "{candidates} 个候选框，保留 {kept} 个"),
)

# ================================================================== ap_example (lesson 1)

AP_EXAMPLE: dict = dict(
    # format_rows: the header is aligned with the columns (a Chinese character is two columns
    # wide in a monospaced font)
    header=T("rank  image  score  TP/FP  precision  recall",
             "排名   图像  得分  TP/FP    精确率  召回率"),
    why=T("  why", "  说明"),
    # worked_example()["notes"], in ranked order, per class (1 = cat, 2 = dog)
    notes={
        1: [T("on the cat", "框住了图 0 的猫"),
            T("on cat B", "框住了猫 B"),
            T("cat B again: a duplicate", "又框住猫 B：重复检测"),
            T("a cat box on the dog", "把狗框成了猫"),
            T("beside cat C: IoU < 0.5", "落在猫 C 旁边：IoU < 0.5"),
            T("on cat C", "框住了猫 C")],
        2: [T("on the dog", "框住了图 2 的狗"),
            T("a dog box on the cat", "把猫框成了狗"),
            T("on the dog", "框住了图 0 的狗")],
    },
    curve=T("precision / recall after each detection", "依次加入每个检测结果后的精确率 / 召回率"),
    eleven=T("11 points: AP = mean = {ap:.3f}", "11 个点：AP = 它们的平均 = {ap:.3f}"),
    recall=T("recall", "召回率（recall）"),
    precision=T("precision", "精确率（precision）"),
    title_named=T("AP of '{name}'", "“{name}”类的平均精度（AP）"),
    title=T("AP", "平均精度（AP）"),
)

# ================================================================== history (lesson 1)

HISTORY: dict = dict(
    head=(T("method", "方法"), T("year", "年份"), T("mAP", "mAP"),
          T("FPS (batch 1)", "FPS（批大小 1）"), T("FPS (batch 8)", "FPS（批大小 8）"),
          T("boxes", "框数"), T("input", "输入")),
    footer=T("~ not in Table 7: other papers, other GPUs (approximate)",
             "~ 不在表 7 中：数字来自其他论文、其他 GPU（仅供参考）"),
    # cells of ssd_core.course.history.DETECTORS that are words rather than numbers
    cells={
        "~2000 proposals": T("~2000 proposals", "约 2000 个候选区域"),
        "each proposal warped to 224x224": T("each proposal warped to 224x224",
                                             "每个候选区域缩放到 224x224"),
    },
    approx=T(" (approx.)", "（近似）"),
    batch8=T("batch 8", "批大小 8"),
    xlabel=T("speed: frames per second (log scale)", "速度：每秒帧数（FPS，对数坐标）"),
    ylabel=T("VOC2007 test mAP (%)", "VOC2007 测试集 mAP（%）"),
    title=T("Accuracy against speed (filled: SSD paper Table 7; grey: earlier, other sources; "
            "green: after SSD, YOLO9000 Table 3)",
            "精度与速度。实心点：SSD 论文表 7；灰色空心：更早的检测器，数字来自其他来源；\n"
            "绿色菱形：SSD 之后的检测器，数字来自 YOLO9000 论文表 3"),
)

# ================================================================== network (lesson 2)

NETWORK: dict = dict(
    # format_layer_table
    head=(T("layer", "层"), T("kind", "类型"), T("output", "输出"), T("params", "参数量"),
          T("stride", "步幅"), T("receptive field", "感受野")),
    total=T("total parameters: {total:,}   (* = source map for predictions)",
            "参数总数：{total:,}   （* = 用来做预测的源特征图）"),
    head_row=T("{what} head on {source}", "{source} 上的 {what} 预测头"),
    l2norm_kind=T("L2Norm (scale from 20)", "L2 归一化（缩放初值 20）"),
    # plot_receptive_field
    rf_label=T("receptive field (px)", "感受野（像素）"),
    stride_label=T("stride (px between cells)", "步幅（相邻格子相隔的像素）"),
    input_size=T("input {size} px", "输入图像 {size} 像素"),
    rf_ylabel=T("pixels of the input", "输入图像上的像素"),
    # AtrousExplorer
    atrous_title=T("Atrous (dilated) convolution", "空洞卷积（atrous / dilated convolution）"),
    dilation=T("dilation", "膨胀率"),
    layers=T("layers", "层数"),
    atrous_note=T("fc6 of SSD is a 3x3 convolution with dilation 6 on the 19x19 map",
                  "SSD 的 fc6 就是 19x19 特征图上膨胀率为 6 的 3x3 卷积"),
    too_wide=T("{layers} layer(s) with dilation {dilation} see {rf}x{rf} cells, more than the "
               "{grid}x{grid} grid drawn here: lower one.",
               "{layers} 层膨胀率为 {dilation} 的卷积能看到 {rf}x{rf} 个格子，超出了这里画的 "
               "{grid}x{grid} 网格：请调低其中一个。"),
    one_layer=T("one layer: 9 taps, {d} apart\nspan {span}x{span}",
                "一层：9 个采样点，彼此相隔 {d} 格\n覆盖 {span}x{span}"),
    stacked=T("{layers} layer(s): receptive field {rf}x{rf}\n"
              "({weights} weights; a dense kernel would need {dense})",
              "{layers} 层：感受野 {rf}x{rf}\n（{weights} 个权重；同样大的普通卷积核要 {dense} 个）"),
    # plot_source_norms
    as_computed=T("as computed", "层算出的原始值"),
    as_seen=T("as the heads see it", "检测头实际收到的"),
    norms_ylabel=T("mean L2 norm per location", "每个位置特征向量的平均 L2 范数"),
)

# ================================================================== default_boxes (lesson 2)

DEFAULT_BOXES: dict = dict(
    title=T("Default boxes", "默认框（default box）"),
    scales=T("s_min, s_max", "尺度 s_min, s_max"),
    source=T("source map", "源特征图"),
    ratio_2=T("ratios 2, 1/2", "宽高比 2, 1/2"),
    ratio_3=T("ratios 3, 1/3", "宽高比 3, 1/3"),
    three_everywhere=T("3, 1/3 on every map", "每张特征图都用 3, 1/3"),
    show=T("show", "显示"),
    # labels of the "show" toggle; its values stay the English ones
    show_options={"one location": T("one location", "一个位置"),
                  "all centres": T("all centres", "所有中心点"),
                  "every box, all maps": T("every box, all maps", "全部特征图的所有框")},
    x=T("location x", "位置 x"),
    y=T("location y", "位置 y"),
    photo=T("photo", "照片"),
    note=T("SSD300's six source maps; the photo is warped to 300x300 as the network sees it",
           "SSD300 的六张源特征图；照片被拉伸成 300x300，也就是网络看到的样子"),
    # errors of SSDConfig.from_paper, said in Chinese (the English is SSDConfig's own message)
    s_min_positive=T("{msg}", "s_min 必须大于 0（现在是 {s_min:.2f}）：请把左端往右拖。"),
    s_min_smaller=T("{msg}", "s_min 必须小于 s_max（现在 s_min = {s_min:.2f}，s_max = {s_max:.2f}）："
                             "请把滑块的两端拉开。"),
    # the table beside the figure (HTML)
    table_head=(T("k", "k"), T("source", "源特征图"), T("map", "尺寸"),
                T("s<sub>k</sub>", "s<sub>k</sub>"), T("s'<sub>k</sub>", "s'<sub>k</sub>"),
                T("released s<sub>k</sub>", "原版 s<sub>k</sub>"),
                T("released s'<sub>k</sub>", "原版 s'<sub>k</sub>"),
                T("boxes/loc", "每个位置的框数"), T("boxes", "框数")),
    table_total=T("total", "合计"),
    table_formula=T("eq. 4: s<sub>k</sub> = {s_min:.2f} + ({s_max:.2f} &minus; {s_min:.2f})"
                    "(k &minus; 1)/5; s'<sub>k</sub> = &radic;(s<sub>k</sub> s<sub>k+1</sub>), "
                    "the extra square box",
                    "公式 (4)：s<sub>k</sub> = {s_min:.2f} + ({s_max:.2f} &minus; {s_min:.2f})"
                    "(k &minus; 1)/5；s'<sub>k</sub> = &radic;(s<sub>k</sub> s<sub>k+1</sub>)，"
                    "即额外加的那个正方形框"),
    table_released=T("released = the original SSD300's sizes in pixels / 300: conv4_3 gets 0.1<br>"
                     "(section 3.1), the other five maps 0.2 ... 0.88 in rounded steps.",
                     "原版 = 作者发布的 SSD300 所用的像素尺寸 / 300：conv4_3 取 0.1<br>"
                     "（第 3.1 节），其余五张特征图从 0.2 到 0.88，间隔取整。"),
    # the figure
    one_location=T("{map} {source}, cell {cell}: {n} boxes",
                   "{map} {source}，格子 {cell}：{n} 个框"),
    all_centres=T("{map} {source}: {centres:,} centres x {per_location} = {n:,} boxes",
                  "{map} {source}：{centres:,} 个中心 x {per_location} = {n:,} 个框"),
    total=T("{title}   (total {total:,})", "{title}   （共 {total:,} 个）"),
    every_box=T("every default box: {total:,}", "全部默认框：{total:,} 个"),
)

BOX_SCHEMES: dict[str, Text] = dict(
    faster_rcnn=T("Faster R-CNN: 9 anchors per location\n{H}x{W} input, stride 16: {n:,} anchors",
                  "Faster R-CNN：每个位置 9 个锚框（anchor）\n输入 {H}x{W}，步幅 16：共 {n:,} 个锚框"),
    yolo=T("YOLO: 7x7 grid on {S}x{S}, 2 boxes per cell\n{n} boxes, shapes learned freely",
           "YOLO：{S}x{S} 输入上的 7x7 网格，每格 2 个框\n共 {n} 个框，形状全靠学习"),
    ssd=T("SSD300: default boxes on 6 maps\n{n:,} boxes, 4 or 6 per location",
          "SSD300：6 张特征图上的默认框\n共 {n:,} 个框，每个位置 4 或 6 个"),
)
