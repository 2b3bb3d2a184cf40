"""DataLoader plumbing: the same batches with or without workers, and per-batch matching."""

import pytest
import torch

from ssd_core import SSDConfig, default_boxes
from ssd_core.data import SSDAugmentation, VOCDataset, batch_targets, collate, make_shapes


@pytest.fixture(scope="module")
def shapes_root(tmp_path_factory):
    """Eight small shapes images."""
    return make_shapes(tmp_path_factory.mktemp("s") / "set", num_train=8, num_val=0,
                       image_size=64, workers=1)


def batches(dataset, workers):
    """Every batch of 4 of ``dataset``, loaded with ``workers`` processes."""
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, num_workers=workers,
                                         collate_fn=collate)
    return list(loader)


def test_seeded_dataset_gives_the_same_batches_with_or_without_workers(shapes_root):
    ds = VOCDataset(shapes_root, "train", transforms=SSDAugmentation(48), seed=7)
    plain, parallel = batches(ds, 0), batches(ds, 2)
    for (ia, ta), (ib, tb) in zip(plain, parallel):
        assert torch.equal(ia, ib)
        assert all(torch.equal(a["boxes"], b["boxes"]) for a, b in zip(ta, tb))
    ds.set_epoch(1)
    assert not torch.equal(batches(ds, 0)[0][0], plain[0][0])  # a new epoch, new draws


def test_batch_targets_gives_every_object_a_default_box(shapes_root):
    config = SSDConfig.ssd300().replace(image_size=48)
    priors = default_boxes(config)
    ds = VOCDataset(shapes_root, "train", transforms=SSDAugmentation(48), seed=1)
    images, targets = batches(ds, 0)[0]
    loc, labels = batch_targets(targets, priors)
    assert images.shape == (4, 3, 48, 48)
    assert loc.shape == (4, len(priors), 4) and labels.shape == (4, len(priors))
    for t, lab in zip(targets, labels):
        # each object's class shows up among the positives at least once per object
        for c in t["labels"].unique():
            assert (lab == c).sum() >= (t["labels"] == c).sum()
        assert set(lab.unique().tolist()) <= {0} | set(t["labels"].tolist())
