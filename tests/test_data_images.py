"""Decoding images: uploaded bytes and files end as the same RGB pixels, and each kind of bad
upload gets a message naming the file."""

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import tv_tensors

import ssd_core.data.images as images
from ssd_core.data import DatasetError, VOCDataset, decode_image_bytes, load_rgb

from .data_fixtures import obj, write_folder, xml_with


def png_bytes(img: Image.Image) -> bytes:
    """``img`` saved as PNG (lossless, so every pixel comes back exactly)."""
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def three_by_two() -> Image.Image:
    """A 3 x 2 (W x H) RGB image with a different colour in every pixel."""
    pixels = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]],
                       [[10, 20, 30], [40, 50, 60], [70, 80, 90]]], dtype=np.uint8)
    return Image.fromarray(pixels)


def test_decode_image_bytes_reads_a_png():
    im = decode_image_bytes(png_bytes(three_by_two()), "me.png")
    assert im.mode == "RGB" and im.size == (3, 2)
    assert im.getpixel((2, 0)) == (0, 0, 255) and im.getpixel((1, 1)) == (40, 50, 60)


@pytest.mark.parametrize("mode, fill, rgb", [
    ("RGBA", (10, 20, 30, 0), (255, 255, 255)),   # transparent: laid on white, not black
    ("LA", (90, 255), (90, 90, 90)),              # grey with opaque alpha
    ("I;16", 32896, (128, 128, 128)),             # 16-bit: 32896 / 257 = 128, not clipped
])
def test_uploads_and_files_get_the_same_mode_conversions(tmp_path, mode, fill, rgb):
    img = Image.new(mode, (4, 3), fill)
    img.save(tmp_path / "x.png")
    uploaded = decode_image_bytes((tmp_path / "x.png").read_bytes(), "x.png")
    loaded = load_rgb(tmp_path / "x.png")
    assert uploaded.mode == loaded.mode == "RGB"
    assert uploaded.getpixel((1, 1)) == loaded.getpixel((1, 1)) == rgb


def test_empty_upload():
    with pytest.raises(DatasetError, match=r"^'empty\.jpg' is empty \(0 bytes\); upload the "
                       "photo again\\.$"):
        decode_image_bytes(b"", "empty.jpg")


def test_random_bytes_and_a_truncated_png_are_not_images():
    noise = np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    with pytest.raises(DatasetError, match=r"^'noise\.jpg' is not an image PIL can read "
                       r"\(\w+\); upload a JPEG or PNG photo\.$"):
        decode_image_bytes(noise, "noise.jpg")
    data = png_bytes(Image.new("RGB", (40, 30), (1, 2, 3)))
    with pytest.raises(DatasetError, match=r"^'cut\.png' is not an image PIL can read"):
        decode_image_bytes(data[:60], "cut.png")
    # the widget catches ValueError: DatasetError is one
    assert issubclass(DatasetError, ValueError)


def test_an_upload_over_the_limit(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 2_000_000)
    with pytest.raises(DatasetError, match=r"^'huge\.png' is 3 MB; upload a photo under 2 MB "
                       r"\(shrink it first\)\.$"):
        decode_image_bytes(b"\x89PNG" + bytes(2_999_996), "huge.png")
    # the limit is inclusive: a file of exactly MAX_IMAGE_BYTES is read, one byte more is not
    data = png_bytes(three_by_two())
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", len(data))
    assert decode_image_bytes(data, "ok.png").size == (3, 2)
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", len(data) - 1)
    with pytest.raises(DatasetError, match=r"^'ok\.png' is \d+ MB; upload a photo under"):
        decode_image_bytes(data, "ok.png")


def test_load_image_puts_channels_first_as_a_view_of_the_pixels(tmp_path):
    folder = write_folder(tmp_path / "ds", {"a": (xml_with(obj("dog", 1, 1, 2, 2), 3, 2), None)},
                          classes=["dog"])
    three_by_two().save(folder / "JPEGImages" / "a.png")
    image = VOCDataset(folder, "trainval").load_image(0)
    assert isinstance(image, tv_tensors.Image) and image.dtype == torch.uint8
    assert image.shape == (3, 2, 3)
    # a view of PIL's [H, W, 3] pixels: channels last in memory, not copied into planes
    assert image.stride() == (1, 9, 3)
    # image[channel, row, column], from the pixels typed in three_by_two()
    assert image[:, 0, 2].tolist() == [0, 0, 255] and image[:, 1, 1].tolist() == [40, 50, 60]
    assert image[0].tolist() == [[255, 0, 0], [10, 40, 70]]


def test_upload_messages_in_chinese(language, monkeypatch):
    language("zh")
    with pytest.raises(DatasetError, match=r"^'empty\.jpg' 是空文件（0 字节）；请重新上传这张照片。$"):
        decode_image_bytes(b"", "empty.jpg")
    with pytest.raises(DatasetError, match=r"^'noise\.jpg' 不是 PIL 能读取的图像（\w+）；请上传一张 JPEG "
                                           r"或 PNG 照片。$"):
        decode_image_bytes(b"not an image at all", "noise.jpg")
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 2_000_000)
    with pytest.raises(DatasetError, match=r"^'huge\.png' 有 3 MB；请上传小于 2 MB 的照片（先把它缩小）。$"):
        decode_image_bytes(b"\x89PNG" + bytes(2_999_996), "huge.png")


def test_missing_sample_photos_say_where_they_come_from(language, tmp_path, monkeypatch):
    import ssd_core.paths as paths
    from ssd_core.data import samples_root

    monkeypatch.setattr(paths, "SOURCE_ROOT", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"the sample photos are missing.*data/samples/"):
        samples_root()
    language("zh")
    with pytest.raises(FileNotFoundError, match=r"示例照片不见了.*data/samples/"):
        samples_root()


# ---------------------------------------------------------------- 0..255 -> [0, 1], in one place


def test_to_float_image_divides_uint8_by_255_and_keeps_floats():
    from ssd_core.data import to_float_image

    pixels = torch.tensor([[[0, 1, 128, 254, 255]]], dtype=torch.uint8).expand(3, 2, 5)
    out = to_float_image(pixels)
    assert out.dtype == torch.float32 and out.shape == (3, 2, 5) and type(out) is torch.Tensor
    np.testing.assert_allclose(out[0, 0].numpy(), np.array([0, 1, 128, 254, 255]) / 255.0, rtol=1e-6)
    assert out.min() == 0 and out.max() == 1
    half = torch.full((1, 3, 4, 4), 0.5, dtype=torch.float64)               # float: only cast
    assert to_float_image(half).dtype == torch.float32 and (to_float_image(half) == 0.5).all()
    image = to_float_image(tv_tensors.Image(pixels))                         # stays an Image
    assert isinstance(image, tv_tensors.Image) and torch.equal(image.as_subclass(torch.Tensor), out)


def test_only_images_py_turns_0_255_into_0_1():
    """A division by 255 (or 255.0) of a value, anywhere in the package but
    :func:`ssd_core.data.images.to_float_image`, is the conversion written a second time (an
    image's, that is: a colour given to matplotlib as an RGB triple is not one)."""
    import ast
    from pathlib import Path

    def by_255(node) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return (isinstance(node.right, ast.Constant) and node.right.value == 255
                    and not isinstance(node.left, ast.Constant))    # 1 / 255 is a constant
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return (node.func.attr in ("div", "div_", "true_divide") and len(node.args) == 1
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value == 255)
        return False

    colours = {"ssd_core/homework/screenshot.py"}                    # STRIP_COLOR for matplotlib
    package = Path(images.__file__).resolve().parents[1]
    found = [f"{path.relative_to(package.parent)}:{node.lineno}"
             for path in sorted(package.rglob("*.py"))
             if path.relative_to(package.parent).as_posix() not in colours
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if by_255(node)]
    assert not found, "use ssd_core.data.to_float_image instead of dividing by 255:\n" + "\n".join(found)
    assert by_255(ast.parse("x.float() / 255").body[0].value)                 # the test can fail
    assert by_255(ast.parse("x.float().div_(255.0)").body[0].value)
