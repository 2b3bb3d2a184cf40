"""The teacher's review of a class: ``python -m ssd_core homework review`` on 60 packs.

    python -m bench.bench_review [--students 60] [--repeats 3]

Each student's pack is made by the real :func:`~ssd_core.homework.pack.pack`: a summary of
about 300 字 (three parts, the student's own sentences) and three pictures, each with the
student's caption strip so that no two packs share one: two 1280x720 screenshots (a loss curve
and a detection figure drawn by matplotlib) and the flowchart of SSD's training
(``plot_training_flowchart``). ``pack()`` hands in one of lesson 5's options, so the flowchart
goes in as the third screenshot's file (``test_run_ssd300``): the review reads the same bytes.
The time is :func:`~ssd_core.homework.class_review.review` from the folder of zips to ``index.html``
and ``grades.csv`` (in Chinese), into a new folder each time: the median of ``--repeats``. The
goal: under 10 s for 60 packs on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw

from ssd_core.fonts import new_figure
from ssd_core.homework.files import set_student, write_homework_file
from ssd_core.homework.flowchart import plot_training_flowchart
from ssd_core.homework.pack import pack
from ssd_core.homework.class_review import review
from ssd_core.homework.summary import export_summary

from .common import machine

#: Sentences a summary is made of (each student picks and varies their own).
SENTENCES = [
    "SSD 在多个尺度的特征图上放置默认框，每个位置直接预测类别得分和边框偏移量",
    "它不需要区域建议网络，一次前向传播就得到全部检测结果，所以速度很快",
    "浅层特征图负责小目标，深层特征图负责大目标，这是多尺度检测的关键",
    "训练时先把默认框与真实框按交并比匹配，再用难负样本挖掘把正负样本比例控制在 1:3",
    "数据增强中的随机裁剪和放大缩小对 mAP 的提升很明显，论文表 2 给出了对比",
    "它的缺点是小目标检测效果较差，因为 conv4_3 的语义信息不足",
    "默认框的尺度和宽高比需要人工设计，换一个数据集可能要重新调整",
    "我的改进想法是加入特征金字塔，把深层的语义信息传给浅层特征图",
    "也可以用更强的骨干网络，或者像 RetinaNet 那样用 focal loss 代替难负样本挖掘",
    "在 VOC2007 测试集上 SSD300 的 mAP 是 77.2，速度达到每秒 46 帧",
]


def summary_texts(rng: random.Random) -> dict[str, str]:
    """About 300 字 in three parts, from the sentences with the student's own characters mixed in."""
    def part(n_sentences: int) -> str:
        picked = rng.sample(SENTENCES, n_sentences)
        own = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(40))
        return "。".join(picked) + "。" + own + "。"
    return {"essence": part(3), "weaknesses": part(2), "improvements": part(2)}


def figure_png(kind: str) -> Image.Image:
    """A 1280x720 figure like the lesson's: a loss curve, or boxes on a picture."""
    rng = random.Random(kind)
    fig = new_figure(figsize=(12.8, 6.6), dpi=100)
    ax = fig.add_subplot(111)
    if kind == "training_run":
        xs = list(range(400))
        ax.plot(xs, [8 * 0.99 ** x + rng.random() * 0.4 for x in xs], label="loss")
        ax.set_xlabel("iteration")
        ax.legend()
    else:
        ax.imshow([[rng.random() for _ in range(64)] for _ in range(36)], cmap="viridis")
        for _ in range(12):
            x, y = rng.uniform(0, 50), rng.uniform(0, 25)
            ax.add_patch(matplotlib.patches.Rectangle((x, y), 10, 8, fill=False, color="red"))
            ax.text(x, y, f"cat {rng.random():.2f}", color="white", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return Image.open(buf).convert("RGB")


def captioned(base: Image.Image, name: str, lesson: int) -> bytes:
    """``base`` with a caption strip naming the student: 1280x720 in all."""
    out = Image.new("RGB", (base.width, base.height + 60), (24, 44, 84))
    out.paste(base, (0, 0))
    draw = ImageDraw.Draw(out)
    draw.text((10, base.height + 10), f"ssd-course · lesson {lesson} · student: {name}",
              fill="white")
    draw.text((10, base.height + 32), "2026-12-07 10:00 · ssd_core 0.1.0 · device: cpu",
              fill="white")
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return buf.getvalue()


def make_class(root: Path, students: int) -> Path:
    """``root/packs``: one pack per student, made by pack()."""
    bases = {k: figure_png(k) for k in ("training_run", "test_run")}
    flow = io.BytesIO()
    plot_training_flowchart().savefig(flow, format="png", dpi=100)
    flowchart = Image.open(flow).convert("RGB")
    packs = root / "packs"
    packs.mkdir(parents=True)
    for i in range(students):
        rng = random.Random(i)
        name = f"student {i:02d}"
        home = root / "homes" / f"{i:02d}"
        when = dt.datetime(2026, 12, 7, 8, 0) + dt.timedelta(minutes=i)
        set_student(name, folder=home)
        export_summary(summary_texts(rng), folder=home, when=when, quiet=True)
        for kind, base in bases.items():
            write_homework_file(captioned(base, name, 5), 5, kind, ".png", when, home)
        write_homework_file(captioned(flowchart, name, 5), 5, "test_run_ssd300", ".png", when,
                            home)
        zip_path = pack(folder=home, when=when, quiet=True, option="screenshot")
        shutil.copy(zip_path, packs / f"{i:02d}_lesson05_pack.zip")
    return packs


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        packs = make_class(root, args.students)
        made = time.perf_counter() - start
        size = sum(p.stat().st_size for p in packs.iterdir())
        times = []
        for k in range(args.repeats):
            start = time.perf_counter()
            result = review([packs], root / f"review-{k}", lang="zh")
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
    lines = [
        f"machine: {machine()}",
        f"{args.students} packs ({size / 2**20:.1f} MB, made in {made:.0f} s): "
        f"{len(result.rows)} rows, {len(result.flagged)} flagged",
        f"review: {seconds:.2f} s (median of {args.repeats}; "
        f"{1000 * seconds / args.students:.0f} ms a pack; goal < 10 s)",
    ]
    for line in lines:
        print(line)
    return lines


if __name__ == "__main__":
    main()
