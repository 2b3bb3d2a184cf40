"""Training objective (section 2.2, eq. 1) and hard negative mining.

    L = (L_conf + alpha L_loc) / N,    N = number of matched default boxes, alpha = 1

* ``L_loc``: smooth L1 between predicted and target offsets, over positives only.
* ``L_conf``: softmax cross-entropy over positives *and* the mined negatives.

Hard negative mining: after matching, almost all of SSD300's 8,732 default boxes are
background. Training on all of them would drown the few positives, so per image the negatives
are sorted by their confidence loss and only the hardest are kept, at most 3 for every positive.
When N is 0 the loss is divided by 1 instead (the paper sets it to 0; dividing by
``max(1, N)`` keeps it finite and gives the same gradients).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["hard_negative_mining", "multibox_loss"]


def hard_negative_mining(
    conf_loss: torch.Tensor, labels: torch.Tensor, neg_pos_ratio: float = 3
) -> torch.Tensor:
    """Pick, per image, the negatives with the highest confidence loss.

    Args:
        conf_loss: ``[B, P]`` cross-entropy of every default box (its background loss for
            the negatives).
        labels: ``[B, P]`` matched labels, 0 = background.
        neg_pos_ratio: negatives kept per positive (3 in the paper).

    Returns a bool mask ``[B, P]``: True for the mined negatives. It never contains a
    positive and holds ``min(ratio * positives, negatives)`` boxes per image, so an image
    without objects contributes no negatives.
    """
    positive = labels > 0
    num_pos = positive.sum(dim=1, keepdim=True)                               # [B, 1]
    num_neg = (neg_pos_ratio * num_pos).floor().long()
    num_neg = torch.minimum(num_neg, (~positive).sum(dim=1, keepdim=True))
    loss = conf_loss.detach().masked_fill(positive, -float("inf"))            # positives last
    # Only the hardest few are needed, not a full ranking: the K largest losses of each image
    # (K the most any image keeps), best first, of which image b keeps its first num_neg[b].
    # Sorting all P boxes twice to rank them, as torchvision does, cost 30 times as much.
    K = int(num_neg.max()) if num_neg.numel() else 0
    hardest = loss.topk(K, dim=1).indices                                     # [B, K]
    keep = torch.arange(K, device=loss.device)[None, :] < num_neg             # [B, K]
    return torch.zeros_like(positive).scatter_(1, hardest, keep)


def multibox_loss(
    loc: torch.Tensor,
    conf: torch.Tensor,
    loc_target: torch.Tensor,
    labels: torch.Tensor,
    neg_pos_ratio: float = 3,
    alpha: float = 1.0,
) -> dict[str, torch.Tensor]:
    """SSD's loss for a batch.

    Args:
        loc: ``[B, P, 4]`` predicted offsets.
        conf: ``[B, P, C]`` class logits (C counts the background).
        loc_target: ``[B, P, 4]`` encoded matched boxes (see :func:`ssd_core.boxes.encode`).
        labels: ``[B, P]`` matched labels, 0 = background.

    Returns a dict: ``loss`` (to backpropagate), ``loc`` and ``conf`` (its parts, already
    divided by N), ``num_pos`` (N), and ``negatives``, the ``[B, P]`` mask of mined negatives.
    """
    if loc.shape[:2] != conf.shape[:2] or loc.shape != loc_target.shape:
        raise ValueError(
            f"multibox_loss: shapes disagree: loc {tuple(loc.shape)}, conf {tuple(conf.shape)}, "
            f"loc_target {tuple(loc_target.shape)}"
        )
    positive = labels > 0                                                     # [B, P]
    num_pos = positive.sum()
    n = num_pos.clamp(min=1).to(loc.dtype)

    loc_loss = F.smooth_l1_loss(loc[positive], loc_target[positive], reduction="sum")

    C = conf.shape[-1]
    ce = F.cross_entropy(conf.reshape(-1, C), labels.reshape(-1), reduction="none")
    ce = ce.reshape(labels.shape)                                             # [B, P]
    negatives = hard_negative_mining(ce, labels, neg_pos_ratio)
    conf_loss = ce[positive | negatives].sum()

    loc_loss, conf_loss = loc_loss / n, conf_loss / n
    return {
        "loss": conf_loss + alpha * loc_loss,
        "loc": loc_loss,
        "conf": conf_loss,
        "num_pos": num_pos,
        "negatives": negatives,
    }
