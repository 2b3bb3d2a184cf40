"""Hand-made VOC folders for the data tests: XML written out as text, tiny images from PIL.

Nothing here uses ssd_core, so the tests compare the reader against numbers typed by hand.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

#: Two images, with corners typed by hand. 000001 is 64 x 48 (W x H).
XML_000001 = """<annotation>
  <folder>VOC2007</folder>
  <filename>000001.jpg</filename>
  <size><width>64</width><height>48</height><depth>3</depth></size>
  <object>
    <name>dog</name><pose>Left</pose><truncated>0</truncated><difficult>0</difficult>
    <bndbox><xmin>5</xmin><ymin>10</ymin><xmax>24</xmax><ymax>40</ymax></bndbox>
  </object>
  <object>
    <name>person</name><truncated>1</truncated><difficult>1</difficult>
    <bndbox><xmin>30</xmin><ymin>1</ymin><xmax>64</xmax><ymax>48</ymax></bndbox>
  </object>
  <object>
    <name>cat</name>
    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>10</xmax><ymax>10</ymax></bndbox>
  </object>
</annotation>
"""

#: 000002 is 32 x 32 and has no objects at all.
XML_000002 = """<annotation>
  <filename>000002.jpg</filename>
  <size><width>32</width><height>32</height><depth>3</depth></size>
</annotation>
"""


def xml_with(objects: str, width: int = 40, height: int = 30, size: bool = True) -> str:
    """A VOC annotation with the given ``<object>`` text."""
    size_tag = (f"<size><width>{width}</width><height>{height}</height><depth>3</depth></size>"
                if size else "")
    return f"<annotation><filename>x.jpg</filename>{size_tag}{objects}</annotation>\n"


def obj(name: str, xmin, ymin, xmax, ymax, difficult: int = 0) -> str:
    """One ``<object>`` with a ``<bndbox>``."""
    return (f"<object><name>{name}</name><difficult>{difficult}</difficult><bndbox>"
            f"<xmin>{xmin}</xmin><ymin>{ymin}</ymin><xmax>{xmax}</xmax><ymax>{ymax}</ymax>"
            "</bndbox></object>")


def save_image(path: Path, width: int, height: int, colour=(200, 30, 60), mode: str = "RGB") -> None:
    """A plain image of one colour."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, (width, height), colour).save(path)


def write_folder(folder: Path, items: dict[str, tuple[str, tuple[int, int] | None]],
                 split: str = "trainval", classes: list[str] | None = None) -> Path:
    """A VOC-layout folder: ``items`` maps id -> (xml text, (W, H) of a JPEG to write, or None
    for no image). The split file lists every id."""
    (folder / "Annotations").mkdir(parents=True, exist_ok=True)
    (folder / "JPEGImages").mkdir(parents=True, exist_ok=True)
    (folder / "ImageSets" / "Main").mkdir(parents=True, exist_ok=True)
    for image_id, (xml, size) in items.items():
        (folder / "Annotations" / f"{image_id}.xml").write_text(xml)
        if size is not None:
            save_image(folder / "JPEGImages" / f"{image_id}.jpg", *size)
    (folder / "ImageSets" / "Main" / f"{split}.txt").write_text("".join(f"{i}\n" for i in items))
    if classes is not None:
        (folder / "classes.txt").write_text("\n".join(classes) + "\n")
    return folder


def tiny_devkit(root: Path) -> Path:
    """``root/VOCdevkit/VOC2007`` (000001, 000002 in trainval; 000003 in test) and
    ``VOC2012`` (2012_000001 in trainval)."""
    voc07 = root / "VOCdevkit" / "VOC2007"
    write_folder(voc07, {"000001": (XML_000001, (64, 48)), "000002": (XML_000002, (32, 32))})
    write_folder(voc07, {"000003": (xml_with(obj("car", 2, 3, 20, 25)), (40, 30))}, split="test")
    voc12 = root / "VOCdevkit" / "VOC2012"
    write_folder(voc12, {"2012_000001": (xml_with(obj("bird", 11, 6, 30, 15)), (40, 30))})
    return root
