"""What each process of a ``torchrun`` launch did, seen from outside ssd_core (for test_train.py).

Python imports ``sitecustomize`` at start-up from the path; the torchrun test puts this folder
first on ``PYTHONPATH`` and ``SSD_TEST_PROBE`` names a folder. Every process that ``torchrun``
starts (``RANK`` is set) then records, through Python's audit hooks and without any help from
the code under test:

* ``images``: the image files it opened for reading, in order (the data it trained and
  evaluated on);
* ``written``: the files and folders it created, wrote, renamed or replaced;
* ``weights``: the SHA-256 of the parameters of the model it wrapped in
  DistributedDataParallel (``None`` when it wrapped none), and their names in that order;

and writes them to ``SSD_TEST_PROBE/rank<RANK>.json`` when it exits.
"""

import atexit
import hashlib
import json
import os
import sys

RANK = os.environ.get("RANK")
OUT = os.environ.get("SSD_TEST_PROBE")

if RANK is not None and OUT:
    images: list[str] = []
    written: set[str] = set()
    models: list = []
    IMAGE = (".jpg", ".jpeg", ".png")

    def _path(p) -> str | None:
        if isinstance(p, int):              # a file descriptor
            return None
        try:
            return os.path.abspath(os.fsdecode(p))
        except TypeError:
            return None

    def _hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            path = _path(path)
            if path is None:
                return
            writes = (any(c in mode for c in "wax+") if isinstance(mode, str)
                      else bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
            if writes:
                written.add(path)
            elif path.lower().endswith(IMAGE):
                images.append(path)
        elif event == "os.rename":          # os.rename and os.replace
            for p in args[:2]:
                p = _path(p)
                if p is not None:
                    written.add(p)
        elif event in ("os.mkdir", "os.remove", "shutil.copyfile"):
            p = _path(args[0] if event != "shutil.copyfile" else args[1])
            if p is not None:
                written.add(p)

    sys.addaudithook(_hook)

    from torch.nn.parallel import DistributedDataParallel

    _init = DistributedDataParallel.__init__

    def _remember(self, module, *args, **kwargs):
        models.append(module)
        _init(self, module, *args, **kwargs)

    DistributedDataParallel.__init__ = _remember

    def _dump() -> None:
        weights, names = None, []
        if models:
            h = hashlib.sha256()
            for name, p in models[-1].named_parameters():
                names.append(name)
                h.update(p.detach().cpu().contiguous().numpy().tobytes())
            weights = h.hexdigest()
        record = {"rank": int(RANK), "world": int(os.environ.get("WORLD_SIZE", 0)),
                  "images": images, "written": sorted(written), "weights": weights,
                  "names": names}
        with open(os.path.join(OUT, f"rank{RANK}.json"), "w") as f:
            json.dump(record, f)

    atexit.register(_dump)
