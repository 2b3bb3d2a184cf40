"""What the library PRINTS in lessons 4 and 5, in both languages: the trace tables of the code
walkthrough and the reasons of the settings lesson 5 runs.

One dict of :class:`~.text.Text` per module it serves:

- :data:`TRACE`: the :class:`~ssd_core.viz.walkthrough.ShapeTrace` tables of
  :mod:`ssd_core.viz.walkthrough` (their titles, column heads, stage names, row labels and
  notes) and its folder tree;
- :data:`SETTINGS`: the reasons of :func:`ssd_core.recipes.choose_settings` and
  :func:`ssd_core.recipes.resolve_data` (which data, which preset, which device);
- :data:`RUN`: what :func:`ssd_core.train.train` and ``python -m ssd_core train`` print while a
  run goes (the line after each epoch, an interruption, the data trained on).

Code names stay as they are in both versions (``conv4_3``, ``head.loc on conv4_3``,
``ssd_core.multibox_loss``, ``loc``, ``conf``, the augmentation steps ``zoom_out`` and
``iou_crop``, preset names, paths, commands): a student types them. Texts with
``{placeholders}`` are filled with ``text.format(...)`` when the table or the reason is made;
both versions of a text use the same placeholders.
"""

from __future__ import annotations

from .text import Text

__all__ = ["TRACE", "SETTINGS", "RUN"]

# ----------------------------------------------------------------------- ssd_core.viz.walkthrough

_IMAGES = Text("images", "图像")
_LOC_TARGETS = Text("loc targets", "定位目标")
_MINED = Text("mined negatives", "挖掘出的负样本")

TRACE = dict(
    #: the column heads of every trace table
    head_stage=Text("stage", "阶段"),
    head_step=Text("step", "步骤"),
    head_shape=Text("shape", "形状"),
    head_note=Text("note", "说明"),
    #: the stage column, by stage key (the keys stay: ``trace.stages``, the homework flowchart).
    #: The augmentation's steps (photometric, zoom_out, iou_crop, resize, flip, sanitize) are
    #: shown by their code names, the options of ``SSDAugmentation``.
    stages={
        "input": Text("input", "输入"),
        "network": Text("network", "网络"),
        "head": Text("head", "预测头"),
        "read": Text("read", "读取"),
        "collate": Text("collate", "组批"),
        "match": Text("match", "匹配"),
        "encode": Text("encode", "编码"),
        "forward": Text("forward", "前向传播"),
        "loss": Text("loss", "损失"),
        "mining": Text("mining", "挖掘"),
        "backward": Text("backward", "反向传播"),
        "step": Text("step", "更新"),
    },
    none=Text("none", "无"),
    # ---- trace_network
    network_title=Text("network: {name}, input {shape}", "网络：{name}，输入 {shape}"),
    images=_IMAGES,
    rgb=Text("RGB in [0, 1]", "RGB，取值在 [0, 1] 内"),
    normalize=Text("(x - mean) / std", "(x - 均值) / 标准差"),
    atrous=Text("atrous: dilation {d}", "空洞卷积：膨胀率 {d}"),
    source_map=Text("source map {name}", "源特征图 {name}"),
    l2norm=Text("L2Norm: what the head sees", "L2Norm：预测头看到的输入"),
    flattened=Text("-> [{b}, {n}, {cols}] ({h}x{w} cells x {a} boxes)",
                   "-> [{b}, {n}, {cols}]（{h}x{w} 个位置 × 每个位置 {a} 个框）"),
    loc_cat=Text("loc (concatenated)", "loc（拼接后）"),
    loc_cat_note=Text("4 offsets per default box", "每个默认框 4 个偏移量"),
    conf_cat=Text("conf (concatenated)", "conf（拼接后）"),
    conf_cat_note=Text("{c} class logits per default box", "每个默认框 {c} 个类别分数（logit）"),
    # ---- trace_labels
    labels_title=Text("label preparation: {n} image(s), {p:,} default boxes",
                      "标签生成：{n} 张图像，{p:,} 个默认框"),
    priors=Text("default boxes (priors)", "默认框（priors）"),
    priors_note=Text("cxcywh in [0, 1]", "cxcywh 格式，在 [0, 1] 内"),
    truth=Text("ground truth {i}: boxes", "图像 {i} 的真实框"),
    labels_of=Text("labels {tally}", "类别标签 {tally}"),
    iou=Text("IoU {i}: objects x priors", "IoU {i}：物体 × 默认框"),
    best_iou=Text("best IoU per object {shown}", "每个物体的最佳 IoU {shown}"),
    matched_labels=Text("matched labels", "匹配得到的类别标签"),
    positives_forced=Text("positives per image {pos}, by step 1 only {forced}",
                          "每张图像的正样本 {pos}，仅靠第 1 步得到的 {forced}"),
    matched_boxes=Text("matched boxes", "匹配得到的边界框"),
    matched_boxes_note=Text("each prior's object (background: nearest)",
                            "每个默认框分到的物体（背景框：与它重叠最大的物体）"),
    loc_targets=_LOC_TARGETS,
    variances=Text("variances {v}", "方差 {v}"),
    example=Text("e.g. image {b}, prior {p}", "例：图像 {b}，默认框 {p}"),
    # ---- trace_loss
    loss_title=Text("loss: {n} image(s), {p:,} default boxes", "损失函数：{n} 张图像，{p:,} 个默认框"),
    positives=Text("positives", "正样本"),
    positives_note=Text("N = {n} matched default boxes", "N = {n} 个匹配上的默认框"),
    loc_pos=Text("loc of positives", "正样本的 loc"),
    loc_pos_note=Text("predicted offsets", "预测的偏移量"),
    smooth_l1=Text("smooth L1, summed", "平滑 L1 损失，求和"),
    smooth_l1_note=Text("L_loc (positives only)", "L_loc（只算正样本）"),
    ce=Text("cross-entropy per box", "每个框的交叉熵"),
    ce_note=Text("-log p(true class); background for negatives",
                 "-log p(真实类别)；负样本的真实类别是背景"),
    mined=_MINED,
    mined_note=Text("per image {per_image} = min({r} x positives, negatives)",
                    "每张图像 {per_image} = min({r} × 正样本数, 负样本数)"),
    ce_sum=Text("cross-entropy, summed", "交叉熵，求和"),
    ce_sum_note=Text("L_conf (positives + mined negatives)", "L_conf（正样本 + 挖掘出的负样本）"),
    total=Text("(L_conf + L_loc) / N", "(L_conf + L_loc) / N"),
    total_note=Text("loc {loc:.4f} + conf {conf:.4f}, N = {n}",
                    "定位损失 {loc:.4f} + 置信度损失 {conf:.4f}，N = {n}"),
    same=Text("the same number, in one call", "同一个数，一次调用算出"),
    # ---- trace_batch
    batch_title=Text("one batch of {n} image(s), from file to optimizer step",
                     "一个批次（{n} 张图像）：从文件到优化器的一步更新"),
    xml=Text("{w} x {h}, objects: {tally}", "{w} × {h}，物体：{tally}"),
    pixels=Text("boxes in pixels", "以像素为单位的边界框"),
    image_k=Text("image {k}", "图像 {k}"),
    aug_boxes=Text("boxes {shape}", "边界框 {shape}"),
    aug_what=Text("{boxes}; {what}", "{boxes}；{what}"),
    photometric={"brightness": Text("brightness", "亮度"), "contrast": Text("contrast", "对比度"),
                 "saturation": Text("saturation", "饱和度"), "hue": Text("hue", "色调")},
    joiner=Text(", ", "、"),
    zoom_scale=Text("scale {s:.2f}", "画布为原图的 {s:.2f} 倍"),
    not_drawn=Text("not drawn", "这次没有抽中"),
    crop_option=Text("option {o}", "选项 {o}"),
    flipped=Text("flipped {f}", "是否翻转 {f}"),
    float01=Text("float in [0, 1]", "浮点数，在 [0, 1] 内"),
    targets=Text("targets", "标注"),
    targets_note=Text("one [N_i, 4] per image, xyxy in [0, 1]", "每张图像一个 [N_i, 4]，xyxy，在 [0, 1] 内"),
    labels=Text("labels", "类别标签"),
    positives_per_image=Text("positives per image {pos}", "每张图像的正样本 {pos}"),
    predict=Text("what the network should predict", "网络应当预测的值"),
    loss=Text("loss", "损失"),
    loss_parts=Text("loc {loc:.3f} + conf {conf:.3f}", "定位损失 {loc:.3f} + 置信度损失 {conf:.3f}"),
    per_image=Text("per image {per_image}", "每张图像 {per_image}"),
    gradients=Text("gradients", "梯度"),
    gradients_note=Text("one per weight, {n:,} weights", "每个权重一个，共 {n:,} 个权重"),
    moved=Text("lr {lr:g}: the weights moved by {moved:.3g} (L2)",
               "学习率 {lr:g}：权重移动了 {moved:.3g}（L2 范数）"),
    # ---- folder_tree
    files=Text("({n} files)", "（{n} 个文件）"),
    one_file=Text("({n} file)", "（{n} 个文件）"),
)

# ----------------------------------------------------------------------------- ssd_core.recipes

SETTINGS = dict(
    #: which data (resolve_data's reasons, also choose_settings' first lines)
    data_empty=Text("data: {folder} is empty, so the shapes dataset is made there",
                    "数据：{folder} 是空文件夹，所以在那里生成 shapes 数据集"),
    data_shapes_in=Text("data: the shapes dataset in {folder}", "数据：{folder} 中的 shapes 数据集"),
    data_voc_in=Text("data: VOC layout in {folder}", "数据：{folder} 中按 VOC 目录结构存放的数据"),
    data_voc_found=Text("data: PASCAL VOC found in {folder}", "数据：在 {folder} 中找到了 PASCAL VOC"),
    data_no_voc=Text("data: no VOCdevkit/VOC2007 in {folder}, so the shapes dataset (get VOC with "
                     "`python -m ssd_core data voc --root data/`, 2.9 GB)",
                     "数据：{folder} 中没有 VOCdevkit/VOC2007，所以用 shapes 数据集（获取 VOC："
                     "`python -m ssd_core data voc --root data/`，2.9 GB）"),
    data_as_asked=Text("data: {kind}, as asked", "数据：{kind}，按你的要求"),
    quick_data=Text("{env}=1: a small shapes dataset (64 + 16 images)",
                    "{env}=1：一个小的 shapes 数据集（64 + 16 张图像）"),
    splits=Text("splits: {train} for training, {val} for validation ({why})",
                "数据划分：{train} 用于训练，{val} 用于验证（{why}）"),
    paper_split=Text("the paper's split: VOC2007+2012 trainval, VOC2007 test",
                     "论文的划分：VOC2007+2012 trainval，VOC2007 test"),
    folder_has=Text("the folder has {train} and {val}", "文件夹里有 {train} 和 {val}"),
    #: choose_settings
    quick=Text("{env}=1: a tiny real run (one epoch of the small model) in {work}",
               "{env}=1：一次很小但真实的训练（small 模型训练一轮），在 {work} 中"),
    preset_voc=Text("preset: ssd300-voc on {dev}: the released SSD300 schedule",
                    "预设：ssd300-voc，在 {dev} 上：发布的 SSD300 训练方案"),
    preset_shapes=Text("preset: ssd300-shapes on {dev}: the paper's SSD300 on the shapes, "
                       "{epochs} epochs (get VOC for the paper's own run)",
                       "预设：ssd300-shapes，在 {dev} 上：论文的 SSD300 在 shapes 上训练 {epochs} 轮"
                       "（要做论文自己的那次训练，请先获取 VOC）"),
    preset_small=Text("preset: small, the SSD that trains on a CPU",
                      "预设：small，能在 CPU 上训练的 SSD"),
    small_on_voc=Text(" (on VOC this takes hours: set DATASET = 'shapes' for minutes)",
                      "（在 VOC 上要训练几个小时：设置 DATASET = 'shapes' 只要几分钟）"),
    preset_as_asked=Text("preset: {preset}, as asked", "预设：{preset}，按你的要求"),
    device=Text("device: {dev}; augmentation {state}", "设备：{dev}；数据增强：{state}"),
    augment_on=Text("on", "开启"),
    augment_off=Text("OFF", "关闭"),
    augment_with=Text(" with {aug}", "，各步骤 {aug}"),
)

# ----------------------------------------------------------------------------- ssd_core.train

RUN = dict(
    epoch=Text("epoch {epoch}: loss {loss:.3f} (loc {loc:.3f}, conf {conf:.3f}), {speed:.1f} img/s",
               "第 {epoch} 轮：损失 {loss:.3f}（定位 {loc:.3f}，置信度 {conf:.3f}），{speed:.1f} 张/秒"),
    evaluated=Text(", mAP07 {map07:.3f}, area {area:.3f}", "，mAP07 {map07:.3f}，area {area:.3f}"),
    on_images=Text(" on {n} validation images", "（{n} 张验证图像）"),
    interrupted=Text("interrupted at iteration {iteration}: saved {path}; resume with --resume {path}",
                     "在第 {iteration} 次迭代时中断：已保存 {path}；用 --resume {path} 接着训练"),
    training_on=Text("training on {root} ({train}), validating on {val}",
                     "训练数据：{root}（{train}），验证数据：{val}"),
)
