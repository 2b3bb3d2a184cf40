"""Decoding images: from a file or from uploaded bytes to one 8-bit RGB picture.

Every image the course reads comes through here: dataset images (:func:`load_rgb`, used by
:class:`~ssd_core.data.VOCDataset`), the photos given to ``python -m ssd_core detect``, and the
photos a student uploads in a notebook (:func:`decode_image_bytes`). All of them end as a
PIL image in mode ``"RGB"``, converted by :func:`to_rgb`:

- grayscale and palette images are repeated over three channels;
- 16-bit grayscale (PNG, TIFF) is scaled down from 0..65535 to 0..255, not clipped;
- CMYK is converted;
- transparent pixels are laid on white.

The image is decoded completely when it is opened, so that a truncated file fails here, with
a message naming it, and not later inside a DataLoader worker.

A decoded picture is a ``uint8`` tensor; the network, the augmentation and the figures take
floats in [0, 1]: :func:`to_float_image`, the one place where 0..255 becomes 0..1.

**Bad input.** Each problem raises :class:`~.errors.DatasetError` naming the file, what is
wrong and how to fix it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torchvision.transforms.v2 import functional as TF

from ..i18n import _
from .errors import DatasetError

__all__ = ["MAX_IMAGE_BYTES", "to_rgb", "load_rgb", "decode_image_bytes", "to_float_image"]

#: Uploaded files larger than this are refused (a photo is a few MB).
MAX_IMAGE_BYTES = 30_000_000


# ---------------------------------------------------------------------------- modes


def _wide_gray_to_8(img: Image.Image) -> Image.Image:
    """A 16- or 32-bit integer grayscale image -> 8-bit "L", scaling 0..65535 to 0..255.

    ``mode "I"`` images whose values all fit in 0..255 are taken as 8-bit values.
    """
    a = np.asarray(img).astype(np.float64)
    scale = 255.0 / 65535.0 if img.mode.startswith("I;16") or a.max() > 255 else 1.0
    return Image.fromarray(np.clip(a * scale, 0, 255).round().astype(np.uint8))


def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL image -> 8-bit RGB.

    Grayscale and palette images are repeated over three channels; CMYK is converted;
    16-bit images are scaled down (not clipped); transparent pixels are laid on white.
    """
    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        return _wide_gray_to_8(img).convert("RGB")
    if img.mode == "F":
        a = np.asarray(img, dtype=np.float64)
        top = 1.0 if a.max() <= 1.0 else 255.0
        return Image.fromarray(np.clip(a / top * 255, 0, 255).astype(np.uint8)).convert("RGB")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        out = Image.new("RGB", rgba.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    return img.convert("RGB")


# ---------------------------------------------------------------------------- decoding


def _open_rgb(source: str | os.PathLike | IO[bytes]) -> Image.Image:
    """Open, fully decode and convert an image file (a path or a binary file object).

    PIL's own exceptions pass through; the two callers below turn them into messages.
    """
    with Image.open(source) as img:
        img.load()  # decodes now: a truncated file fails here, not later
        return to_rgb(img)


def load_rgb(path: str | os.PathLike) -> Image.Image:
    """Open and fully decode an image as RGB, or raise :class:`DatasetError` saying why."""
    path = Path(path)
    try:
        return _open_rgb(path)
    except FileNotFoundError:
        raise DatasetError(f"{path}: the image file is missing; put it there or drop its id "
                           "from the split file.") from None
    except UnidentifiedImageError:
        raise DatasetError(
            f"{path}: not an image PIL can read (corrupt, or not an image at all); replace it "
            "with a good copy, or delete its id from the split file (skip_bad=True skips it)."
        ) from None
    except (OSError, SyntaxError, ValueError) as e:
        raise DatasetError(
            f"{path}: the image is corrupt or truncated ({e}); download or copy it again "
            "(skip_bad=True skips it)."
        ) from None


def decode_image_bytes(data: bytes, name: str) -> Image.Image:
    """The bytes of an uploaded image file -> an RGB PIL image, converted by :func:`to_rgb`.

    ``name`` is the file's name, used only in messages. An empty file, one larger than
    :data:`MAX_IMAGE_BYTES`, or bytes PIL cannot decode (not an image, truncated, a
    decompression bomb) raise :class:`DatasetError` naming the file and the fix.
    """
    if not data:
        raise DatasetError(_("{name!r} is empty (0 bytes); upload the photo again.").format(
            name=name))
    if len(data) > MAX_IMAGE_BYTES:
        raise DatasetError(_("{name!r} is {mb:.0f} MB; upload a photo under {limit:.0f} MB "
                             "(shrink it first).").format(name=name, mb=len(data) / 1e6,
                                                         limit=MAX_IMAGE_BYTES / 1e6))
    try:
        return _open_rgb(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError,
            ValueError) as e:
        raise DatasetError(_("{name!r} is not an image PIL can read ({kind}); upload a JPEG or "
                             "PNG photo.").format(name=name, kind=type(e).__name__)) from None


# ---------------------------------------------------------------------------- to floats


def to_float_image(image: torch.Tensor) -> torch.Tensor:
    """A ``uint8`` image tensor (0..255) -> ``float32`` in [0, 1]; a float one is only cast.

    Any shape (``[3, H, W]``, a batch ``[B, 3, H, W]``, ``[H, W, 3]``): each value is divided
    by 255. It is torchvision's ``to_dtype(..., scale=True)``, so a ``tv_tensors.Image`` stays
    one and a plain tensor stays plain.
    """
    return TF.to_dtype(image, torch.float32, scale=True)
