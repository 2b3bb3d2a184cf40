"""Downloading VOC, against archives the tests build and serve on 127.0.0.1: resume,
checksums, interrupted transfers, offline, safe extraction, and the command line."""

import hashlib
import http.server
import io
import socket
import tarfile
import threading
import time
from pathlib import Path

import pytest

from ssd_core.cli import main
from ssd_core.data import VOCDataset
import ssd_core.data.download as dl
from ssd_core.data.download import Archive, ChecksumError, DownloadError, OfflineError, download, download_voc, safe_extract

from .data_fixtures import tiny_devkit


class Server:
    """A tiny HTTP file server on 127.0.0.1 that honours Range (unless told not to), can cut
    a transfer short, and records what it was asked."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.honour_range = True
        self.cut_after: int | None = None  # send only this many body bytes, then hang up
        self.requests: list[tuple[str, str | None]] = []
        self.bytes_sent = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Range")))
                data = server.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng and server.honour_range:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cut_after is not None:
                    body = body[: server.cut_after]
                self.wfile.write(body)
                server.bytes_sent += len(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PAYLOAD = bytes(range(256)) * 4000  # 1 MB, not all alike
MD5 = hashlib.md5(PAYLOAD).hexdigest()


def test_download_whole_file(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    path = download(f"{server.url}/a.bin", tmp_path / "a.bin", md5=MD5, progress=False)
    assert path.read_bytes() == PAYLOAD
    assert not (tmp_path / "a.bin.part").exists()
    download(f"{server.url}/a.bin", tmp_path / "a.bin", md5=MD5, progress=False)
    assert len(server.requests) == 1  # a complete, checked file is not fetched again


def test_resume_from_a_partial_download(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    (tmp_path / "a.bin.part").write_bytes(PAYLOAD[:300_000])
    download(f"{server.url}/a.bin", tmp_path / "a.bin", md5=MD5, progress=False)
    assert (tmp_path / "a.bin").read_bytes() == PAYLOAD
    assert server.requests == [("/a.bin", "bytes=300000-")]
    # the server thread counts after it writes: give it a moment to finish its bookkeeping
    deadline = time.monotonic() + 5
    while server.bytes_sent != len(PAYLOAD) - 300_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.bytes_sent == len(PAYLOAD) - 300_000


def test_server_that_ignores_range_restarts_cleanly(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    server.honour_range = False
    (tmp_path / "a.bin.part").write_bytes(b"x" * 1000)
    download(f"{server.url}/a.bin", tmp_path / "a.bin", md5=MD5, progress=False)
    assert (tmp_path / "a.bin").read_bytes() == PAYLOAD


def test_interrupted_transfer_keeps_the_part_and_resumes(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    server.cut_after = 400_000
    with pytest.raises(DownloadError, match="run the command again to resume"):
        download(f"{server.url}/a.bin", tmp_path / "a.bin", md5=MD5, progress=False)
    assert (tmp_path / "a.bin.part").stat().st_size == 400_000
    assert not (tmp_path / "a.bin").exists()
    server.cut_after = None
    download(f"{server.url}/a.bin", tmp_path / "a.bin", md5=MD5, progress=False)
    assert (tmp_path / "a.bin").read_bytes() == PAYLOAD
    assert server.requests[-1] == ("/a.bin", "bytes=400000-")


def test_checksum_mismatch_deletes_and_says_so(server, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    with pytest.raises(ChecksumError, match=f"md5 is {MD5}, expected 0+; .*corrupt"):
        download(f"{server.url}/a.bin", tmp_path / "a.bin", md5="0" * 32, progress=False)
    assert list(tmp_path.iterdir()) == []
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    assert download(f"{server.url}/a.bin", tmp_path / "a.bin", sha256=sha, progress=False).exists()


def test_offline_says_so_plainly(tmp_path):
    port = closed_port()
    with pytest.raises(OfflineError) as e:
        download(f"http://127.0.0.1:{port}/VOCtest.tar", tmp_path / "d" / "VOCtest.tar", progress=False)
    msg = str(e.value)
    assert f"cannot reach 127.0.0.1:{port}" in msg and "offline" in msg
    assert "by hand" in msg and str(tmp_path / "d") in msg and "VOCtest.tar" in msg


def test_http_error_names_the_url(server, tmp_path):
    with pytest.raises(DownloadError, match="404"):
        download(f"{server.url}/missing.tar", tmp_path / "m.tar", progress=False)


def devkit_tar(tmp_path: Path) -> bytes:
    """A tar of a tiny devkit, laid out like VOC's archives (VOCdevkit/VOC2007/...)."""
    root = tiny_devkit(tmp_path / "src")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(root / "VOCdevkit", arcname="VOCdevkit")
    return buf.getvalue()


def test_download_voc_end_to_end(server, tmp_path):
    data = devkit_tar(tmp_path)
    server.files["/mirror/VOCtrainval_test.tar"] = data
    port = closed_port()
    archives = {"2007-trainval": Archive(
        "VOCtrainval_test.tar", hashlib.md5(data).hexdigest(), len(data),
        (f"http://127.0.0.1:{port}/down/VOCtrainval_test.tar",  # first host is down
         f"{server.url}/mirror/VOCtrainval_test.tar"),
        "VOC2007 trainval (test copy)")}
    root = tmp_path / "data"
    devkit = download_voc(root, which=["2007-trainval"], archives=archives, progress=False)
    assert devkit == root / "VOCdevkit"
    ds = VOCDataset(root, "2007-trainval")
    assert len(ds) == 2 and ds.annotation(0)["labels"].tolist() == [12, 15, 8]
    assert (root / "downloads" / "VOCtrainval_test.tar.extracted").exists()
    n = len(server.requests)
    download_voc(root, which=["2007-trainval"], archives=archives, progress=False)
    assert len(server.requests) == n  # already there: no new request


def test_download_voc_offline_message(tmp_path):
    port = closed_port()
    archives = {"2007-test": Archive("VOCtest_06-Nov-2007.tar", "0" * 32, 451_020_800,
                                     (f"http://127.0.0.1:{port}/a/VOCtest_06-Nov-2007.tar",),
                                     "VOC2007 test")}
    with pytest.raises(OfflineError) as e:
        download_voc(tmp_path, which=["2007-test"], archives=archives, progress=False)
    msg = str(e.value)
    assert msg.startswith(f"cannot reach 127.0.0.1:{port}: you seem to be offline")
    assert str(tmp_path / "downloads") in msg and "VOCtest_06-Nov-2007.tar" in msg


def test_official_archive_table():
    assert dl.VOC_ARCHIVES["2007-test"].md5 == "b6e924de25625d8de591ea690078ad9f"
    assert dl.VOC_ARCHIVES["2007-trainval"].md5 == "c52e279531787c972589f7e41ab4ae64"
    assert dl.VOC_ARCHIVES["2012-trainval"].md5 == "6cd6e144f989b92b3379bac3b3de84fd"
    for arc in dl.VOC_ARCHIVES.values():
        assert arc.urls[0].startswith("http://host.robots.ox.ac.uk/pascal/VOC/voc20")
        assert all(u.endswith(arc.filename) for u in arc.urls)


def hostile_tar(path: Path, member: tarfile.TarInfo) -> Path:
    """A tar holding one harmless file, then ``member``; written to ``path``."""
    with tarfile.open(path, mode="w") as tar:
        good = tarfile.TarInfo("VOCdevkit/readme.txt")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"ok"))
        member.size = 4 if member.isreg() else 0
        tar.addfile(member, io.BytesIO(b"evil") if member.isreg() else None)
    return path


def link(name: str, kind: bytes, target: str) -> tarfile.TarInfo:
    """A symbolic or hard link member."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def device(name: str) -> tarfile.TarInfo:
    """A character device member (like /dev/null)."""
    info = tarfile.TarInfo(name)
    info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    return info


@pytest.mark.parametrize("member, reason", [
    (tarfile.TarInfo("../evil.txt"), "outside the destination"),
    (tarfile.TarInfo("VOCdevkit/../../evil.txt"), "outside the destination"),
    (link("VOCdevkit/link", tarfile.SYMTYPE, "../../evil.txt"), "outside the destination"),
    (link("VOCdevkit/link", tarfile.SYMTYPE, "/etc/passwd"), "absolute path"),
    (link("VOCdevkit/hard", tarfile.LNKTYPE, "../evil.txt"), "outside the destination"),
    (device("VOCdevkit/null"), "special file"),
], ids=["dotdot", "dotdot-inside-name", "symlink-out", "symlink-absolute", "hardlink-out",
        "device"])
def test_safe_extract_refuses_hostile_members_and_writes_nothing(tmp_path, member, reason):
    archive = hostile_tar(tmp_path / "bad.tar", member)
    out = tmp_path / "a" / "out"
    with pytest.raises(DownloadError) as e:
        safe_extract(archive, out)
    msg = str(e.value)
    assert msg.startswith(f"{archive}: ") and reason in msg and repr(member.name) in msg
    assert "Delete it and download again" in msg
    # nothing at all was written: not the hostile member, not even the harmless one before it
    assert list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "bad.tar", "out"]


def test_safe_extract_puts_absolute_names_inside_the_destination(tmp_path):
    # the "data" filter strips the leading "/" of an absolute name instead of writing there
    target = tmp_path / "abs_evil.txt"
    info = tarfile.TarInfo(str(target))
    archive = hostile_tar(tmp_path / "abs.tar", info)
    out = tmp_path / "out"
    safe_extract(archive, out)
    assert not target.exists()
    assert (out / str(target).lstrip("/")).read_bytes() == b"evil"
    assert (out / "VOCdevkit" / "readme.txt").read_bytes() == b"ok"


def test_cli_data_voc_offline_exits_with_a_message(tmp_path, monkeypatch, capsys):
    port = closed_port()
    table = {k: Archive(a.filename, a.md5, a.size, (f"http://127.0.0.1:{port}/{a.filename}",), a.what)
             for k, a in dl.VOC_ARCHIVES.items()}
    monkeypatch.setattr(dl, "VOC_ARCHIVES", table)
    assert main(["data", "voc", "--root", str(tmp_path), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach") and "offline" in err and "Traceback" not in err
