"""Metrics for generative models that return ranked lists of ids instead of a score per item.

A generated list is ``[B, K]`` int64 item ids, best first, with ``INVALID`` (-1) where the
generated semantic ID maps to no item; invalid entries keep their slot, so they push later
entries down exactly as they would in a served list. The rank of the target is the position of
its first occurrence (1-based), ``MISS`` if absent. invalid@k = share of the first k entries
that are invalid, averaged over users (action_piece's definition).

SID-level hits (DiffGRM's evaluation, reported separately and labelled): a hit counts when a
generated SID equals the target item's SID, so with colliding SIDs any item sharing the target's
SID counts. This is optimistic relative to item-level hits, where the model must also pick the
right item inside the SID's bucket.
"""

from __future__ import annotations

import torch
from torch import Tensor

from genrec.eval.ranking import MISS

INVALID = -1


def ranks_from_hits(hits: Tensor) -> Tensor:
    """1-based position of the first True in each row of ``hits`` [B, K]; ``MISS`` if none. [B] int64."""
    assert hits.ndim == 2 and hits.dtype == torch.bool
    first = hits.int().argmax(dim=1) + 1  # argmax returns the first maximal index
    return torch.where(hits.any(dim=1), first.long(), torch.full_like(first.long(), MISS))


def list_ranks(lists: Tensor, targets: Tensor) -> Tensor:
    """Item-level ranks of ``targets`` [B] in generated ``lists`` [B, K] (INVALID never matches)."""
    assert lists.ndim == 2 and targets.shape == (lists.shape[0],)
    assert bool((targets >= 1).all()), "targets must be item ids in 1..N"
    return ranks_from_hits(lists == targets.to(lists.device)[:, None])


def sid_list_ranks(sids: Tensor, target_sids: Tensor) -> Tensor:
    """SID-level ranks: ``sids`` [B, K, m] generated SIDs vs ``target_sids`` [B, m] (see module doc)."""
    assert sids.ndim == 3 and target_sids.shape == (sids.shape[0], sids.shape[2]), (
        sids.shape,
        target_sids.shape,
    )
    return ranks_from_hits((sids == target_sids.to(sids.device)[:, None, :]).all(dim=2))
