"""Error messages a student meets, in both languages: a bad upload, a data folder that is not
what the run expects, the missing sample photos.

Each is a :class:`~.text.Text` with ``{placeholders}``; the code raises
``SomeError(MESSAGE.format(...))``, so the message comes in the language in use. File paths,
flags (``--data-dir``) and commands stay as they are in both versions: they are typed, not read.
"""

from __future__ import annotations

from .text import Text

__all__ = ["NO_UPLOAD", "UPLOAD_EMPTY", "UPLOAD_TOO_LARGE", "UPLOAD_NOT_IMAGE",
           "DATA_NO_SUCH_FOLDER", "DATA_NOT_VOC_LAYOUT", "DATA_NO_VOC", "DATA_NO_SPLITS",
           "DATA_NO_SPLIT_FILES", "DATA_OTHER_SPLIT", "SAMPLES_MISSING"]

# ---------------------------------------------------------------------------- uploads
# ssd_core.viz.detections.read_upload and ssd_core.data.images.decode_image_bytes

NO_UPLOAD = Text("no file uploaded yet: click 'Upload' and choose a photo (JPEG or PNG).",
                 "还没有上传文件：点击“上传”，选择一张照片（JPEG 或 PNG）。")

UPLOAD_EMPTY = Text("{name!r} is empty (0 bytes); upload the photo again.",
                    "{name!r} 是空文件（0 字节）；请重新上传这张照片。")

UPLOAD_TOO_LARGE = Text("{name!r} is {mb:.0f} MB; upload a photo under {limit:.0f} MB "
                        "(shrink it first).",
                        "{name!r} 有 {mb:.0f} MB；请上传小于 {limit:.0f} MB 的照片（先把它缩小）。")

UPLOAD_NOT_IMAGE = Text("{name!r} is not an image PIL can read ({kind}); upload a JPEG or PNG "
                        "photo.",
                        "{name!r} 不是 PIL 能读取的图像（{kind}）；请上传一张 JPEG 或 PNG 照片。")

# ---------------------------------------------------------------------------- the data of a run
# ssd_core.recipes: _kind_and_root, _default_splits, _open_split

DATA_NO_SUCH_FOLDER = Text(
    "{folder}: no such folder. Point --data-dir at a folder in VOC's layout (Annotations/, "
    "JPEGImages/, ImageSets/Main/), or at an empty folder to make the shapes dataset there.",
    "{folder}：没有这个文件夹。请用 --data-dir 指向一个 VOC 目录结构的文件夹（Annotations/、"
    "JPEGImages/、ImageSets/Main/），或者指向一个空文件夹，在那里生成形状数据集（shapes）。")

DATA_NOT_VOC_LAYOUT = Text(
    "{folder}: no dataset in VOC layout there (no ImageSets/Main, Annotations or VOCdevkit). "
    "Point --data-dir at a VOC-layout folder, or add --dataset shapes to make the shapes "
    "dataset in an empty folder.",
    "{folder}：这里没有 VOC 目录结构的数据集（没有 ImageSets/Main、Annotations 或 VOCdevkit）。"
    "请用 --data-dir 指向一个 VOC 目录结构的文件夹，或者加上 --dataset shapes，在一个空文件夹里"
    "生成形状数据集。")

DATA_NO_VOC = Text(
    "{folder}: no PASCAL VOC there. Download it with `python -m ssd_core data voc --root "
    "{folder}` (2.9 GB), or point --data-dir at a folder in VOC's layout.",
    "{folder}：这里没有 PASCAL VOC。可以用 `python -m ssd_core data voc --root {folder}` 下载"
    "（2.9 GB），或者用 --data-dir 指向一个 VOC 目录结构的文件夹。")

DATA_NO_SPLITS = Text(
    "{folder}: cannot tell which splits to train and validate on; it has {splits}. Choose them "
    "with --train-split NAME --val-split NAME (in Python: train_split=..., val_split=...).",
    "{folder}：无法判断用哪个数据划分（split）训练、哪个验证；这里有 {splits}。请用 "
    "--train-split NAME --val-split NAME 指定（在 Python 中：train_split=...，val_split=...）。")

#: What :data:`DATA_NO_SPLITS` says a folder has when it has no split file at all.
DATA_NO_SPLIT_FILES = Text("no split files (ImageSets/Main/<split>.txt)",
                           "没有划分文件（ImageSets/Main/<split>.txt）")

#: Added below the dataset's own message when a chosen split is missing.
DATA_OTHER_SPLIT = Text(
    "{error}\nThe {which} split is {split!r}; choose another with --{which}-split NAME "
    "(in Python: {which}_split=...).",
    "{error}\n现在的 {which} 划分是 {split!r}；请用 --{which}-split NAME 另选一个"
    "（在 Python 中：{which}_split=...）。")

# ---------------------------------------------------------------------------- sample photos
# ssd_core.data.paths.samples_root

SAMPLES_MISSING = Text(
    "{folder}: the sample photos are missing; they ship with the ssd-course repository "
    "(data/samples/). Run from a clone of it.",
    "{folder}：示例照片不见了；它们随 ssd-course 仓库一起提供（data/samples/）。"
    "请在该仓库的克隆中运行。")
