"""What a student reads about the trained SSD300's weights: where they come from, and what to do
when they cannot be had (offline, a broken file)."""

from __future__ import annotations

from .text import Text

__all__ = ["OFFLINE", "NO_FILE", "BROKEN", "NOT_SSD300", "QUICK_NO_DOWNLOAD", "SKIPPED",
           "WOULD_SHOW", "TIMING"]

OFFLINE = Text(
    "Could not download the trained SSD300 weights ({size}) from {url} ({error}).\n"
    "Offline? Copy the file {file} (from the course's share, or downloaded on a machine that is "
    "online) to\n    {path}\nkeeping its name, or give its path: pretrained_ssd300(weights=\"...\").",
    "无法从 {url} 下载训练好的 SSD300 权重（{size}）：{error}。\n"
    "没有网络？请把文件 {file}（从课程共享处获得，或在能上网的电脑上下载）复制到\n    {path}\n"
    "文件名保持不变；或者直接给出它的路径：pretrained_ssd300(weights=\"...\")。")
NO_FILE = Text("{path}: no such weights file; give the path of {file} (torchvision's SSD300 "
               "trained on COCO).",
               "{path}：没有这个权重文件；请给出 {file}（torchvision 在 COCO 上训练的 SSD300）的路径。")
BROKEN = Text("{path}: not a weights file torch can read ({error}); it may be cut short: copy or "
              "download it again.",
              "{path}：torch 无法读取这个权重文件（{error}），可能不完整：请重新复制或下载。")
NOT_SSD300 = Text("{path}: these are not the weights of torchvision's ssd300_vgg16 ({error}).",
                  "{path}：这不是 torchvision 的 ssd300_vgg16 的权重（{error}）。")
QUICK_NO_DOWNLOAD = Text("the quick test run does not download ({size}); the cell goes on without "
                         "the trained SSD300.",
                         "快速测试模式不下载权重（{size}）；这个单元格在没有训练好的 SSD300 的情况下继续。")
SKIPPED = Text("(no trained SSD300 here: {what})", "（这里没有训练好的 SSD300：{what}）")

#: What each lesson cell with the trained SSD300 shows, said when it cannot run.
WOULD_SHOW = {
    "lesson1_outputs": Text(
        "with the weights, this cell prints the raw output for one photo: 8,732 boxes, each with 4 "
        "offsets and 91 scores (background, COCO's 80 classes, 10 unused ids)",
        "有权重时，这个单元格会打印一张照片的原始输出：8,732 个框，每个框 4 个偏移量和 91 个分数"
        "（背景、COCO 的 80 个类别，以及 10 个未使用的编号）"),
    "lesson1_detections": Text(
        "with the weights, this cell shows SSD300's detections on the six sample photos, with the "
        "score threshold on a slider",
        "有权重时，这个单元格会在六张示例照片上画出 SSD300 的检测结果，并用滑块调节分数阈值"),
    "lesson1_speed": Text(
        "with the weights, this cell times SSD300 on this machine, per photo",
        "有权重时，这个单元格会测出 SSD300 在这台电脑上处理每张照片的时间"),
    "lesson3_mining": Text(
        "with the weights, this cell shows which default boxes the trained SSD300 finds hardest "
        "among the negatives of a real photo",
        "有权重时，这个单元格会在真实照片上显示：训练好的 SSD300 觉得哪些负样本默认框最难"),
    "lesson5_photo": Text(
        "with the weights, this cell runs the trained SSD300 on your own photo, and its figure can "
        "be your test-run screenshot",
        "有权重时，这个单元格会让训练好的 SSD300 检测你自己的照片，这张图也可以作为测试过程的运行截图"),
}

TIMING = Text(
    "{model} on {device} ({threads} threads), one photo at a time: {seconds:.2f} s per photo "
    "({fps:.1f} photos/s). The paper: {paper_fps} photos/s on one Titan X GPU (Table 7, batch 1).",
    "{model} 在 {device}（{threads} 个线程）上逐张检测：每张 {seconds:.2f} 秒（每秒 {fps:.1f} 张）。"
    "论文：在一块 Titan X GPU 上每秒 {paper_fps} 张（表 7，批大小 1）。")
