"""What the figures and widgets of lessons 4 and 5 say, and the homework's tools, in both
languages.

One dict of :class:`~.text.Text` per module it serves:

- :data:`DRAW`: :mod:`ssd_core.draw` (training curves, precision/recall, detections);
- :data:`DETECTIONS`, :data:`UPLOAD`: :mod:`ssd_core.viz.detections` (the detection explorer
  and the upload detector);
- :data:`TRAINING`: :mod:`ssd_core.viz.training` (the live loss curve, the ablation table);
- :data:`WALKTHROUGH`: the figures of :mod:`ssd_core.viz.walkthrough`;
- :data:`LESSONS`, :data:`FILES`, :data:`SCREENSHOT`, :data:`SUMMARY`, :data:`FLOWCHART`,
  :data:`MY_FLOWCHART`, :data:`PACK`: :mod:`ssd_core.homework`.

Texts with ``{placeholders}`` are filled with ``text.format(...)`` (widgets, messages) or
``ssd_core.fonts.fig(text, ...)`` (figures); both versions of a text use the same placeholders.
"""

from __future__ import annotations

from .text import Text

__all__ = ["DRAW", "DETECTIONS", "UPLOAD", "TRAINING", "WALKTHROUGH", "LESSONS", "FILES",
           "SCREENSHOT", "SUMMARY", "FLOWCHART", "MY_FLOWCHART", "PACK"]

_EPOCH = Text("epoch", "轮次（epoch）")

# ---------------------------------------------------------------------------- ssd_core.draw

DRAW = dict(
    #: x-axis of the loss panel, by the column it reads (``plot_training_curves(x=...)``).
    x_label={"epoch": _EPOCH,
             "iteration": Text("iteration", "迭代次数（iteration）"),
             "step": Text("step", "训练步数（step）")},
    loss_axis=Text("training loss (divided by N)", "训练损失（除以正样本数 N）"),
    #: legend of the loss panel, by line (the gids stay ``loss``, ``loc``, ``conf``).
    loss=Text("loss", "总损失"),
    loc=Text("loc", "定位损失"),
    conf=Text("conf", "置信度损失"),
    smoothed=Text("{label} (mean of the last {n})", "{label}（最近 {n} 个值的平均）"),
    map07=Text("VOC07 11-point", "VOC07 11 点插值"),
    map_area=Text("area", "曲线下面积"),
    map_x=_EPOCH,
    map_axis=Text("validation mAP@0.5", "验证集 mAP@0.5"),
    map_title=Text("after each evaluated epoch", "每次评估之后（按轮次）"),
    recall=Text("recall", "召回率"),
    precision=Text("precision", "精确率"),
    pr_title=Text("mAP {map:.3f}", "平均精度均值 mAP {map:.3f}"),
)

# ------------------------------------------------------------------------ ssd_core.viz.detections

_SCORE = Text("score ≥", "置信度 ≥")
_NMS = Text("NMS IoU", "NMS 阈值")

DETECTIONS = dict(
    title=Text("Detections", "检测结果查看器"),
    image=Text("image", "图像"),
    score=_SCORE,
    nms=_NMS,
    truth=Text("show ground truth", "显示真实框"),
    note=Text("solid: detections (class, score); dashed white: ground truth",
              "实线：检测结果（类别、置信度）；白色虚线：真实框（ground truth）"),
    result=Text("{id}: {detections} detections ({candidates} boxes above the score before NMS); "
                "found {found} of {objects} objects",
                "{id}：{detections} 个检测结果（NMS 之前有 {candidates} 个框高于置信度阈值）；"
                "{objects} 个物体中找到了 {found} 个"),
    no_images=Text("detection_explorer: the dataset has no images; give it the validation set "
                   "of the run (run.data.open()).",
                   "detection_explorer：数据集里没有图像；请传入这次训练的验证集（run.data.open()）。"),
)

UPLOAD = dict(
    title=Text("Your photo", "你的照片"),
    upload=Text("Upload", "上传"),
    score=_SCORE,
    nms=_NMS,
    note=Text("upload a JPEG or PNG; the model sees it warped to its square input",
              "上传一张 JPEG 或 PNG 照片；模型看到的是它被拉伸成正方形输入之后的样子"),
    no_photo=Text("No photo yet: click 'Upload' and choose a JPEG or PNG.",
                  "还没有照片：点击“上传”，选择一张 JPEG 或 PNG 图片。"),
    result=Text("{file} ({size}): {detections} detections: {classes}",
                "{file}（{size}）：{detections} 个检测结果：{classes}"),
    no_class=Text("none", "无"),
    by_model=Text("{model}: {result}", "{model}：{result}"),
    no_such_file=Text("{path}: no such file; give the path of a JPEG or PNG photo.",
                      "{path}：没有这个文件；请给出一张 JPEG 或 PNG 照片的路径。"),
)

# ---------------------------------------------------------------------------- ssd_core.viz.training

TRAINING = dict(
    waiting=Text("waiting for the first iteration ...", "正在等待第一次迭代……"),
    progress=Text("iteration {iteration}, epoch {epoch}: loss {loss:.3f}, lr {lr:.2g}, "
                  "{speed:.1f} img/s",
                  "第 {iteration} 次迭代，第 {epoch} 轮：损失 {loss:.3f}，学习率 {lr:.2g}，"
                  "{speed:.1f} 张/秒"),
    progress_of=Text("iteration {iteration} of {total}, epoch {epoch}: loss {loss:.3f}, "
                     "lr {lr:.2g}, {speed:.1f} img/s",
                     "迭代 {iteration}/{total}，第 {epoch} 轮：损失 {loss:.3f}，学习率 {lr:.2g}，"
                     "{speed:.1f} 张/秒"),
    #: the columns of ``ablation_table``
    run=Text("run", "训练"),
    epochs=Text("epochs", "轮数"),
    last_loss=Text("last loss", "最终损失"),
    last_map=Text("last mAP07", "最终 mAP07"),
    best_map=Text("best mAP07", "最佳 mAP07"),
)

# ----------------------------------------------------------------------- ssd_core.viz.walkthrough

WALKTHROUGH = dict(
    batch=Text("{id}: {positives} positives, {mined} mined",
               "{id}：{positives} 个正样本，挖掘出 {mined} 个难负样本"),
    picture=Text("{title}\n{w} x {h} px, {n} box(es)", "{title}\n{w} × {h} 像素，{n} 个框"),
)

# ---------------------------------------------------------------------------- ssd_core.homework

#: The five sessions, as the captions name them.
LESSONS = {
    1: Text("detection basics", "目标检测基础"),
    2: Text("the SSD architecture", "SSD 的网络结构"),
    3: Text("matching and the loss", "匹配策略与损失函数"),
    4: Text("code walkthrough", "代码解读"),
    5: Text("training run", "训练实战"),
}

_EXAMPLE_NAME = Text("e.g. name='loss_curve'", "例如 name='loss_curve'")

FILES = dict(
    #: caption line 1: course, lesson, student
    caption=Text("{course} · lesson {n}: {title} · student: {who}",
                 "{course} · 第 {n} 课：{title} · 学生：{who}"),
    no_name=Text("(name not set: set_student('your name'))",
                 "（未填写姓名：set_student('你的名字')）"),
    #: caption line 2 ends with the device
    device=Text(" · device: {device}", " · 设备：{device}"),
    student_empty=Text("student name is empty; write your name, e.g. set_student('Li Lei') or "
                       "set_student('李雷').",
                       "学生姓名为空；请写上你的名字，例如 set_student('李雷') 或 set_student('Li Lei')。"),
    student_control=Text("student name {name!r} contains control characters ({bad!r}); write "
                         "it on one line, without tabs or line breaks.",
                         "学生姓名 {name!r} 含有控制字符（{bad!r}）；请写在一行内，不要有制表符或换行。"),
    student_long=Text("student name is {n} characters long; keep it under 60.",
                      "学生姓名有 {n} 个字符；请少于 60 个。"),
    lesson=Text("lesson must be one of {choices} (the session number), got {lesson!r}; "
                "e.g. lesson=5.",
                "lesson 必须是 {choices} 之一（第几课），现在是 {lesson!r}；例如 lesson=5。"),
    example=_EXAMPLE_NAME,
    name_empty=Text("name is empty; give the homework file a short name, {example}.",
                    "name 为空；请给作业文件起一个简短的名字，{example}。"),
    name_path=Text("name {name!r} contains a path ('/', '\\' or '..'); give only a short name, "
                   "the folder is chosen for you (homework/), {example}.",
                   "name {name!r} 含有路径（'/'、'\\' 或 '..'）；只需给一个简短的名字，"
                   "文件夹会自动选定（homework/），{example}。"),
    name_long=Text("name {name!r} is {n} characters long; keep it under 60.",
                   "name {name!r} 有 {n} 个字符；请少于 60 个。"),
    name_chars=Text("name {name!r} has characters a file name should not have (spaces, "
                    "punctuation); use letters, digits, '-', '_' and '.', {example}.",
                    "name {name!r} 含有文件名中不该有的字符（空格、标点）；请只用字母、数字、"
                    "'-'、'_' 和 '.'，{example}。"),
)

SCREENSHOT = dict(
    saved=Text("saved {path} ({w} x {h} px)", "已保存 {path}（{w} × {h} 像素）"),
    missing_glyphs=Text(
        "note: no installed font draws {chars!r}, so the caption image shows boxes there (the "
        "PNG's 'Caption' metadata keeps the exact text). Install a CJK font (Noto Sans CJK SC) "
        "or also write your name in Latin letters.",
        "注意：没有已安装的字体能显示 {chars!r}，所以说明条的图片里这些字会显示成方框（PNG 的 "
        "'Caption' 元数据保留了原文）。请安装中文字体（Noto Sans CJK SC），或者同时用拉丁字母写上你的名字。"),
    no_image_file=Text("{path}: no such image file; give a figure, an explorer, or the path of a "
                       "PNG/JPEG (e.g. runs/<name>/curves.png).",
                       "{path}：没有这个图像文件；请给出一个图、一个交互控件，或者一个 PNG/JPEG 文件的路径"
                       "（例如 runs/<name>/curves.png）。"),
    not_image=Text("{path}: not an image PIL can read ({error}); give a PNG or JPEG.",
                   "{path}：不是 PIL 能读取的图像（{error}）；请给出 PNG 或 JPEG 文件。"),
    not_figure=Text("{kind}.figure is {what}, not a matplotlib Figure; redraw the explorer first.",
                    "{kind}.figure 是 {what}，不是 matplotlib 的 Figure；请先让交互控件重新绘图。"),
    cannot=Text("save_screenshot: cannot take a picture of a {kind}; give a matplotlib Figure, an "
                "explorer, a PIL image, or an image file path.",
                "save_screenshot：无法给 {kind} 截图；请给出 matplotlib 的 Figure、交互控件、PIL 图像"
                "或图像文件的路径。"),
)

SUMMARY = dict(
    draft_unreadable=Text("{path}: the summary draft could not be read ({kind}); it was kept as "
                          "{aside} and the boxes start empty.",
                          "{path}：总结草稿无法读取（{kind}），已另存为 {aside}，文本框从空白开始。"),
    enough=Text("enough", "已达到"),
    short=Text("{n} short", "还差 {n} 字"),
    #: the count line of the homework file: in all, then per part (``parts``)
    count=Text("字数 (word count): {total} of {minimum} ({verdict}); {parts}",
               "字数：{total} / {minimum}（{verdict}）；{parts}"),
    part_count=Text("{key} {n}/{minimum}", "{title} {n}/{minimum}"),
    separator=Text(", ", "，"),
    heading=Text("## {title}: {n} 字", "## {title}：{n} 字"),
    empty_part=Text("(empty)", "（空）"),
    empty=Text("the summary is empty: write it in the boxes first (at least {minimum} 字 in "
               "all), then save.",
               "总结是空的：请先在文本框里写好（合计至少 {minimum} 字），再保存。"),
    saved=Text("saved {path} ({n} 字)", "已保存 {path}（{n} 字）"),
    too_short=Text("; note: the homework asks for at least {minimum} 字",
                   "；注意：作业要求至少 {minimum} 字"),
    #: the widget
    at_least=Text("at least {minimum} 字", "至少 {minimum} 字"),
    save_button=Text("Save homework", "保存作业"),
    draft_only=Text("A start: this box keeps a draft only. Lesson 3 hands in the whole summary "
                    "(essence, weaknesses, improvements) and finds what you wrote here.",
                    "这里先开个头：本框只保存草稿。第 3 课交的是完整的总结（精髓、缺点、改进想法），"
                    "届时会自动带出你在这里写的内容。"),
    rule=Text("字数: each Chinese character (汉字) counts one, each English word counts one; "
              "punctuation and spaces count zero.",
              "字数：每个汉字算 1 个字，每个英文单词算 1 个字，标点和空格不计。"),
    draft_saved=Text("draft saved: {path} ({time})", "草稿已保存：{path}（{time}）"),
    draft_not_saved=Text("draft not saved: {error}", "草稿未保存：{error}"),
    part_total=Text("{n} / {minimum} 字 ({verdict})", "{n} / {minimum} 字（{verdict}）"),
    total=Text("in all: {n} / {minimum} 字 ({verdict})", "合计：{n} / {minimum} 字（{verdict}）"),
    saved_status=Text("saved {path}", "已保存 {path}"),
)

#: The stages of the reference flowchart, by key: (title, detail).
_STAGES = {
    "read": (Text("read image + annotation", "读取图像和标注"),
             Text("JPEG -> uint8 [3, H, W]; XML -> boxes, labels",
                  "JPEG -> uint8 [3, H, W]；XML -> 边界框、类别")),
    "photometric": (Text("photometric distortion", "光度畸变"),
                    Text("brightness, contrast, saturation, hue (p = 1/2 each)",
                         "亮度、对比度、饱和度、色调（各以 1/2 的概率）")),
    "zoom_out": (Text("zoom out", "缩小（zoom out）"),
                 Text("canvas up to 4x the side, mean colour (section 3.6)",
                      "画布边长最多 4 倍，填充均值颜色（论文 3.6 节）")),
    "iou_crop": (Text("IoU crop", "按 IoU 随机裁剪"),
                 Text("whole / min IoU 0.1 ... 0.9 / any patch",
                      "整幅图 / 最小 IoU 0.1 ... 0.9 / 任意区域")),
    "resize": (Text("resize", "缩放"),
               Text("to S x S, aspect ratio ignored", "缩放到 S x S，不保持宽高比")),
    "flip": (Text("horizontal flip", "水平翻转"), Text("p = 1/2", "概率 p = 1/2")),
    "sanitize": (Text("sanitise boxes", "清理边界框"),
                 Text("drop tiny boxes; xyxy in [0, 1]", "去掉过小的框；xyxy 坐标在 [0, 1] 内")),
    "collate": (Text("collate a batch", "组成一个批次"),
                Text("images [B, 3, S, S] + list of targets", "图像 [B, 3, S, S] + 标注列表")),
    "match": (Text("match default boxes", "匹配默认框"),
              Text("best match + IoU >= 0.5 -> labels [B, P]",
                   "最佳匹配 + IoU >= 0.5 -> 类别标签 [B, P]")),
    "encode": (Text("encode offsets", "编码偏移量"),
               Text("(g - d) / d with variances 0.1, 0.2 -> [B, P, 4]",
                    "(g - d) / d，方差 0.1、0.2 -> [B, P, 4]")),
    "forward": (Text("forward pass", "前向传播"),
                Text("base -> extras -> heads: loc [B, P, 4], conf [B, P, C]",
                     "骨干网络 -> 附加层 -> 预测头：loc [B, P, 4]，conf [B, P, C]")),
    "loss": (Text("multibox loss", "多框损失（multibox loss）"),
             Text("cross-entropy of every box; smooth L1 of the positives",
                  "每个框的交叉熵；正样本的平滑 L1 损失")),
    "mining": (Text("hard negative mining", "难负样本挖掘"),
               Text("hardest negatives, 3 per positive; sum / N",
                    "最难的负样本，每个正样本配 3 个；求和后除以 N")),
    "backward": (Text("backward", "反向传播"),
                 Text("gradients of the loss", "损失对每个权重的梯度")),
    "step": (Text("optimizer step", "优化器更新一步"),
             Text("SGD (paper) or AdamW; lr warm-up + decay",
                  "SGD（论文）或 AdamW；学习率预热 + 衰减")),
    "evaluate": (Text("evaluate", "评估"),
                 Text("decode + NMS 0.45 -> VOC07 mAP", "解码 + NMS 0.45 -> VOC07 mAP")),
    "checkpoint": (Text("checkpoint", "保存检查点"),
                   Text("last.pt, best.pt, metrics.csv, curves.png",
                        "last.pt、best.pt、metrics.csv、curves.png")),
}

FLOWCHART = dict(
    stages=_STAGES,
    groups={"image": Text("for every image (DataLoader)", "对每张图像（在 DataLoader 中）"),
            "batch": Text("for every batch (one iteration)", "对每个批次（一次迭代）"),
            "epoch": Text("after every epoch", "每轮（epoch）结束后")},
    title=Text("SSD training, one iteration after another", "SSD 的训练过程：一次接一次的迭代"),
    next_batch=Text("next batch", "下一个批次"),
    after_last_batch=Text("after the last batch\nof the epoch", "本轮最后一个\n批次之后"),
    next_epoch=Text("then the next epoch: back to 'read',\nwith a new order and new random "
                    "draws,\nuntil the last iteration",
                    "然后进入下一轮：回到“读取”，\n换一个顺序、重新随机抽取，\n直到最后一次迭代"),
)

MY_FLOWCHART = dict(
    title=Text("my SSD training flowchart", "我的 SSD 训练流程图"),
    no_stages=Text("no stages yet: add some", "还没有阶段：请先添加"),
    #: the comparison with the reference
    missing=Text("missing: {stages}", "缺少的阶段：{stages}"),
    none_missing=Text("no stage of the reference is missing", "参考流程图中的阶段一个不缺"),
    out_of_order=Text("out of order: {stages}", "顺序与代码不同的阶段：{stages}"),
    in_order=Text("your stages are in the order the code runs them",
                  "你选的阶段与代码运行的顺序一致"),
    own=Text("your own stages: {stages}", "你自己写的阶段：{stages}"),
    no_batch_loop=Text("no loop back for the next batch", "缺少回到下一个批次的循环"),
    no_epoch_loop=Text("no loop back for the next epoch", "缺少回到下一轮（epoch）的循环"),
    joiner=Text(", ", "、"),
    #: the chart's own errors
    needs_title=Text("a stage needs a title; write what happens there, e.g. 'match'.",
                     "阶段需要一个标题：写下这一步做什么，例如 'match'。"),
    no_such_stage=Text("stage {i} does not exist; the chart has stages 0 to {last}",
                       "阶段 {i} 不存在；流程图里的阶段编号是 0 到 {last}"),
    same_stage=Text("an arrow needs two different stages", "箭头要连接两个不同的阶段"),
    empty_chart=Text("the flowchart has no stages yet: add the stages of SSD's training first.",
                     "流程图还没有任何阶段：请先添加 SSD 训练的各个阶段。"),
    #: the builder
    header=Text("<b>My SSD training flowchart</b> &mdash; pick stages (shuffled) or write your "
                "own, order them, connect them, note them.",
                "<b>我的 SSD 训练流程图</b> &mdash; 从（已打乱顺序的）阶段中挑选，或者自己写；"
                "排好顺序，连上箭头，写上说明。"),
    stage=Text("stage", "阶段"),
    write_own=Text("(write your own)", "（自己写）"),
    own_placeholder=Text("your own stage", "自己写的阶段"),
    add=Text("add", "添加"),
    up=Text("up", "上移"),
    down=Text("down", "下移"),
    remove=Text("remove", "删除"),
    note_placeholder=Text("note on the selected stage", "对所选阶段的说明"),
    set_note=Text("set note", "写入说明"),
    source=Text("from", "从"),
    target=Text("to", "到"),
    arrow=Text("arrow", "箭头"),
    loop=Text("loop", "循环"),
    label_placeholder=Text("label, e.g. next batch", "标签，例如：下一个批次"),
    connect=Text("connect", "连接"),
    chain=Text("arrows in order", "按顺序连上箭头"),
    save=Text("save my flowchart", "保存我的流程图"),
    reveal=Text("reveal the reference", "查看参考流程图"),
    select_first=Text("select a stage in the list first.", "请先在列表中选中一个阶段。"),
    two_stages=Text("add at least two stages first.", "请先添加至少两个阶段。"),
    saved=Text("saved {path}; you may now reveal the reference.",
               "已保存 {path}；现在可以查看参考流程图了。"),
    save_first=Text("save your own flowchart first.", "请先保存你自己的流程图。"),
)

PACK = dict(
    no_name=Text("set your name first: set_student('your name') (the pack says whose homework "
                 "it is).",
                 "请先填写姓名：set_student('你的名字')（打包文件要写明是谁的作业）。"),
    no_files=Text("{folder}: no homework files yet (lessonNN_*.png or .txt); save your "
                  "screenshots, summary or flowchart first.",
                  "{folder}：还没有作业文件（lessonNN_*.png 或 .txt）；请先保存截图、总结或流程图。"),
    missing=Text("cannot pack {files}: no such file.", "无法打包 {files}：没有这个文件。"),
    packed=Text("packed {n} file(s) into {path}: hand in this zip.",
                "已把 {n} 个文件打包成 {path}：请提交这个 zip 文件。"),
)
