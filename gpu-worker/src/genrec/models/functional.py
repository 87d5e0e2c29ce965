"""Pure tensor functions shared by the causal ID models: padding crop, attention mask, losses.

Sequences are left-padded with 0 (genrec.data.split), so the newest item sits at column L-1.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def crop_left_padding(inputs: Tensor) -> tuple[Tensor, int]:
    """Drop the leading columns that are padding in every row; returns ([B, l], offset = L - l).

    With the key-padding mask of ``attention_mask`` a causal model gives the same outputs on the
    cropped batch (positions ``offset..L-1``) as on the full one, for less compute.
    """
    assert inputs.ndim == 2, inputs.shape
    nonpad_cols = (inputs != 0).any(dim=0).nonzero()
    offset = int(nonpad_cols[0]) if len(nonpad_cols) else inputs.shape[1] - 1
    return inputs[:, offset:], offset


def attention_mask(inputs: Tensor) -> Tensor:
    """Boolean mask [B, 1, l, l] (True = may attend): causal, and no query ever reads a padding key.

    A padding query would then have no key at all (a NaN softmax), so it attends to itself only;
    its output is never used because its label is 0, and no real position reads it. Built from
    comparisons of aranges: ONNX Runtime has no boolean EyeLike kernel (SASRec, RPG exports).
    """
    _, length = inputs.shape
    idx = torch.arange(length, device=inputs.device)  # comparisons, not bool eye/tril: ONNX-exportable
    causal = idx[None, :] <= idx[:, None]  # [l, l], key <= query
    keys = (inputs != 0)[:, None, None, :]  # [B, 1, 1, l]
    self_only = idx[None, :] == idx[:, None]  # [l, l]
    return (causal & keys) | self_only  # [B, 1, l, l]


def full_softmax_loss(hidden: Tensor, item_weight: Tensor, labels: Tensor) -> Tensor:
    """Cross-entropy over all N items: hidden [P, d], item_weight [N+1, d] (row 0 = padding), labels [P]."""
    assert bool((labels >= 1).all()), "labels are item ids 1..N"
    logits = hidden @ item_weight[1:].T  # [P, N]
    return F.cross_entropy(logits, labels - 1)


def sampled_softmax_loss(pos_logits: Tensor, neg_logits: Tensor) -> Tensor:
    """Softmax over [positive, K negatives] per row, mean over rows: pos [P], neg [P, K]; no logQ."""
    assert pos_logits.ndim == 1 and neg_logits.shape[0] == pos_logits.shape[0], neg_logits.shape
    logits = torch.cat([pos_logits[:, None], neg_logits], dim=1)  # [P, 1 + K]
    target = torch.zeros(len(logits), dtype=torch.int64, device=logits.device)  # the positive is column 0
    return F.cross_entropy(logits, target)


def uniform_negatives(shape: tuple[int, ...], n_items: int, device: torch.device | str = "cpu") -> Tensor:
    """Item ids drawn uniformly from 1..N (the positive may appear, as in eSASRec's sampler)."""
    return torch.randint(1, n_items + 1, shape, device=device)
