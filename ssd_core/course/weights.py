"""What a student reads about the trained SSD300's weights: where they come from, and what to do
when they cannot be had (offline, a broken file)."""

from __future__ import annotations

from .text import Text

__all__ = ["OFFLINE", "NO_FILE", "BROKEN", "NOT_SSD300", "QUICK_NO_DOWNLOAD", "SKIPPED"]

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
