"""Getting PASCAL VOC onto a student's machine: download, resume, check, extract.

``python -m ssd_core data voc --root data/`` calls :func:`download_voc`, which fetches the
three archives the paper uses (VOC2007 trainval and test, VOC2012 trainval; about 2.9 GB)
into ``data/downloads/`` and extracts them to ``data/VOCdevkit/``.

- The archive is written to ``<name>.part`` and renamed only once its checksum is right: a
  file without ``.part`` is always complete.
- An interrupted download resumes where it stopped (an HTTP ``Range`` request); a server that
  ignores ``Range`` makes it start again.
- Each archive's MD5 is checked against the official value; a wrong one deletes the download
  and says so.
- Extraction goes through the standard library's ``"data"`` filter, which refuses members
  that would land outside the target folder, links that lead out of it and device files; a
  finished extraction is marked with ``<name>.extracted`` so a re-run does not extract again.
- Offline, it says so plainly and tells where to put archives fetched by hand.

Only the standard library's ``urllib`` is used, with ``tqdm`` for the progress bar.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import socket
import sys
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

from tqdm.auto import tqdm

__all__ = [
    "VOC_ARCHIVES",
    "Archive",
    "DownloadError",
    "ChecksumError",
    "OfflineError",
    "download",
    "file_digest",
    "safe_extract",
    "download_voc",
]

CHUNK = 1 << 20  # bytes read at a time


class DownloadError(RuntimeError):
    """A download that could not finish; the message says what to do instead."""


class ChecksumError(DownloadError):
    """The downloaded bytes are not the expected file."""


class OfflineError(DownloadError):
    """The host could not be reached at all (no network, DNS, refused, timed out)."""


@dataclass(frozen=True)
class Archive:
    """One archive of the dataset: file name, MD5, size in bytes (for messages), and where to
    get it, hosts in the order tried."""

    filename: str
    md5: str
    size: int
    urls: tuple[str, ...]
    what: str


# The official host, the Oxford mirror that torchvision uses, and the copy that darknet's
# instructions use; all serve the same bytes (the MD5s are the devkit's).
_HOSTS = (
    "http://host.robots.ox.ac.uk/pascal/VOC/{year}/",
    "https://thor.robots.ox.ac.uk/pascal/VOC/{year}/",
    "https://pjreddie.com/media/files/",
)


def _archive(filename: str, md5: str, size: int, year: str, what: str) -> Archive:
    """An :class:`Archive` with the URL of every host."""
    return Archive(filename, md5, size, tuple(h.format(year=year) + filename for h in _HOSTS), what)


#: The three archives of "07+12" training and VOC2007 testing.
VOC_ARCHIVES: dict[str, Archive] = {
    "2007-trainval": _archive("VOCtrainval_06-Nov-2007.tar", "c52e279531787c972589f7e41ab4ae64",
                              460_032_000, "voc2007", "VOC2007 trainval (5,011 images)"),
    "2007-test": _archive("VOCtest_06-Nov-2007.tar", "b6e924de25625d8de591ea690078ad9f",
                          451_020_800, "voc2007", "VOC2007 test (4,952 images)"),
    "2012-trainval": _archive("VOCtrainval_11-May-2012.tar", "6cd6e144f989b92b3379bac3b3de84fd",
                              1_999_639_040, "voc2012", "VOC2012 trainval (11,540 images)"),
}


# ---------------------------------------------------------------------------- checksums


def file_digest(path: str | os.PathLike, algorithm: str = "md5") -> str:
    """Hex digest of a file, read in chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _check(path: Path, md5: str | None, sha256: str | None) -> None:
    """Raise :class:`ChecksumError` if ``path`` does not have the expected digest."""
    for algorithm, expected in (("md5", md5), ("sha256", sha256)):
        if expected:
            got = file_digest(path, algorithm)
            if got.lower() != expected.lower():
                raise ChecksumError(
                    f"{path}: {algorithm} is {got}, expected {expected}; the download is "
                    "corrupt or not the right file. It was deleted: run the command again."
                )


# ---------------------------------------------------------------------------- download


def _offline_message(url: str, dest: Path, reason: object) -> str:
    """The plain words for "no network"."""
    host = urlparse(url).netloc
    return (
        f"cannot reach {host} ({reason}): you seem to be offline, or the server is down. "
        f"Download {url} by hand (on any machine) and put it in {dest.parent}/ as "
        f"{dest.name}; then run the command again: it checks the file and extracts it."
    )


def _open(url: str, start: int, timeout: float):
    """Open ``url`` asking for bytes from ``start`` on."""
    request = urllib.request.Request(url, headers={"User-Agent": "ssd-course"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    return urllib.request.urlopen(request, timeout=timeout)


def download(
    url: str,
    dest: str | os.PathLike,
    md5: str | None = None,
    sha256: str | None = None,
    *,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Download ``url`` to the file ``dest``, resuming a partial ``dest.part``.

    The bytes go to ``dest.part``; once complete and (if given) matching ``md5`` / ``sha256``
    it is renamed to ``dest``. An existing ``dest`` is checked and kept. Raises
    :class:`DownloadError` (offline, HTTP error) or :class:`ChecksumError`.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        try:
            _check(dest, md5, sha256)
            return dest
        except ChecksumError:
            dest.unlink()
            raise
    part = dest.with_name(dest.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    try:
        response = _open(url, start, timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:  # nothing left to send: the .part is complete
            response = None
        else:
            raise DownloadError(
                f"{url}: the server answered {e.code} {e.reason}; try another mirror, or "
                f"download it by hand into {dest.parent}/ as {dest.name}."
            ) from None
    except (urllib.error.URLError, socket.timeout, ConnectionError, TimeoutError) as e:
        reason = getattr(e, "reason", e)
        raise OfflineError(_offline_message(url, dest, reason)) from None

    if response is not None:
        with response:
            resumed = start > 0 and response.status == 206
            if not resumed:
                start = 0  # the server sends the whole file: start again
            length = response.headers.get("Content-Length")
            total = start + int(length) if length is not None else None
            _stream(response, part, start, total, dest.name, progress, url, dest)

    try:
        _check(part, md5, sha256)
    except ChecksumError as e:
        part.unlink(missing_ok=True)
        raise ChecksumError(str(e).replace(str(part), str(dest))) from None
    os.replace(part, dest)
    return dest


def _stream(response, part: Path, start: int, total: int | None, name: str, progress: bool,
            url: str, dest: Path) -> None:
    """Copy the response body to ``part`` (appending from ``start``) with a progress bar."""
    bar = tqdm(total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
               desc=name, disable=not progress, file=sys.stderr)
    try:
        with open(part, "ab" if start else "wb") as f:
            while True:
                try:
                    block = response.read(CHUNK)
                except (OSError, http.client.HTTPException) as e:
                    raise DownloadError(
                        f"the download of {url} stopped ({e}); run the command again to "
                        f"resume it from {part.name}."
                    ) from None
                if not block:
                    break
                f.write(block)
                bar.update(len(block))
    finally:
        bar.close()
    if total is not None and part.stat().st_size < total:
        raise DownloadError(
            f"the download of {url} ended early ({part.stat().st_size} of {total} bytes); run "
            f"the command again to resume it from {part.name}."
        )


# ---------------------------------------------------------------------------- extraction


def safe_extract(archive: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Extract a tar file into ``dest`` through the standard library's ``"data"`` filter.

    The filter (:func:`tarfile.data_filter`, PEP 706, Python 3.11.4 and later) refuses a
    member that would land outside ``dest``, a link that points outside it or to an absolute
    path, and device files; it also strips a leading ``/`` and drops permissions such as
    set-uid. Every member is checked before anything is written, so a refused archive leaves
    ``dest`` as it was, and raises :class:`DownloadError` naming the archive.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        try:
            for member in tar.getmembers():   # a dry run: refuse before writing anything
                tarfile.data_filter(member, str(dest))
            # Writing runs the filter again; now it also sees the links written so far.
            tar.extractall(dest, filter="data")
        except tarfile.FilterError as e:
            raise DownloadError(
                f"{archive}: tarfile's safety filter refused a member ({e}); the archive is "
                "not a VOC archive (or was tampered with). Delete it and download again."
            ) from None


# ---------------------------------------------------------------------------- VOC


def download_voc(
    root: str | os.PathLike = "data",
    which: Sequence[str] = ("2007-trainval", "2007-test", "2012-trainval"),
    *,
    extract: bool = True,
    progress: bool = True,
    archives: dict[str, Archive] | None = None,
) -> Path:
    """Download (resuming), check and extract VOC archives under ``root``.

    Archives go to ``root/downloads/``; extracting gives ``root/VOCdevkit/VOC2007`` and
    ``VOC2012``. Each host is tried in turn. Returns ``root/VOCdevkit``.
    ``archives`` replaces :data:`VOC_ARCHIVES` (the tests serve their own).
    """
    root = Path(root)
    table = archives if archives is not None else VOC_ARCHIVES
    unknown = [w for w in which if w not in table]
    if unknown:
        raise ValueError(f"download_voc: unknown archive(s) {unknown}; choose from {list(table)}")
    downloads = root / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    for key in which:
        arc = table[key]
        path = downloads / arc.filename
        marker = downloads / (arc.filename + ".extracted")
        if marker.exists() and extract:
            print(f"{arc.what}: already extracted ({marker.name})", file=sys.stderr)
            continue
        _fetch_from_hosts(arc, path, progress)
        if extract:
            print(f"{arc.what}: extracting {path.name} into {root}/", file=sys.stderr)
            safe_extract(path, root)
            marker.write_text(arc.md5 + "\n")
    return root / "VOCdevkit"


def _fetch_from_hosts(arc: Archive, path: Path, progress: bool) -> Path:
    """Try each URL of ``arc`` until one gives a correct file; report all failures."""
    if path.exists():
        print(f"{arc.what}: checking {path.name}", file=sys.stderr)
    errors: list[DownloadError] = []
    for url in arc.urls:
        try:
            return download(url, path, md5=arc.md5, progress=progress)
        except ChecksumError:
            raise
        except DownloadError as e:
            errors.append(e)
    if all(isinstance(e, OfflineError) for e in errors):
        hosts = ", ".join(dict.fromkeys(urlparse(u).netloc for u in arc.urls))
        raise OfflineError(
            f"cannot reach {hosts}: you seem to be offline. Download {arc.urls[0]} by hand "
            f"(on any machine; {arc.size / 1e6:,.0f} MB) and put it in {path.parent}/ as "
            f"{path.name}; then run the command again: it checks the file and extracts it."
        )
    free = shutil.disk_usage(path.parent).free
    note = f" (free disk space: {free / 2**30:.1f} GiB)" if free < arc.size * 2.2 else ""
    raise DownloadError(
        f"{arc.what}: every host failed{note}:\n  " + "\n  ".join(map(str, errors))
    )
