"""Confidence-guided Parallel Denoising (CPD, ALGORITHMS.md §3) and the SID -> item mapping, as pure
functions of a decoder step; nothing here knows the model.

``step(codes)`` maps partially filled SIDs [U, V, m] (``MASKED`` = -1 where a digit is still masked;
V beams per user) to per-digit log-probabilities [U, V, m, 256]. With n = m digits and beam B:

- step 0: one pass with every digit masked; global top-B over all (digit, code) pairs;
- steps 1..n-2: one pass per beam with its filled digits revealed; a filled digit is never refilled;
  score = beam log-prob + log p(code at an unfilled digit); global top-B over B·(unfilled)·256;
- last step: each beam fills its remaining digit greedily (argmax);
- beams are sorted by log-prob. So n decoder passes per user, whatever B.

``order="fixed"`` is the ablation without CPD: the same beam search, but step s may only fill digit
s (left to right), so confidence never chooses the digit. Beams may reach the same SID along
different digit orders; duplicates are kept here and dropped by ``to_items`` (as the authors do).
With small beams they crowd the beam out (Beauty, beam 32: ~7 distinct SIDs of 32), so
``merge=True`` (not the authors' behaviour; off by default) keeps only the best-scored copy of each
partial SID at every top-B step; the greedy last step can still complete two beams alike.

``to_items`` maps the sorted SIDs to items: SIDs of no item are dropped (and counted as invalid),
repeated SIDs are dropped, and each remaining SID gives the items of its collision bucket. An item
scores its SID's log-prob, plus ``bucket_prior`` times log P(item | SID) (its add-one smoothed share
of the bucket's training occurrences), plus an optional per-item bonus (a text prior); items are
ranked by that score, ties in beam order and then bucket order (training popularity, then row),
optionally skipping seen items, until K items. With ``bucket_prior`` 0 and no bonus every item of a
SID comes before the next SID's (the authors' mapping); with 1 an item scores its joint log-prob
log P(SID) + log P(item | SID), so a large bucket no longer fills the list on its own.
``to_items`` is ``candidates`` (the items of a decode's SIDs, listed once) then ``rank``; an
evaluation that reads one decode several ways lists the candidates once and ranks them per reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from genrec.sid.table import rank_in_group

MASKED = -1
ORDERS = ("confidence", "fixed")
DigitOrder = Literal["confidence", "fixed"]
StepFn = Callable[[Tensor], Tensor]  # codes [U, V, m] -> log-probs [U, V, m, C]


@dataclass(frozen=True)
class Beams:
    codes: Tensor  # [U, B, m] int64, best first
    scores: Tensor  # [U, B] float, summed log-probs, descending


def first_occurrences(keys: Tensor) -> Tensor:
    """bool [U, K]: True where ``keys`` [U, K] holds a value not seen earlier in its row."""
    sorted_keys, order = keys.sort(dim=1, stable=True)  # equal keys keep their left-to-right order
    first = torch.ones_like(sorted_keys, dtype=torch.bool)
    first[:, 1:] = sorted_keys[:, 1:] != sorted_keys[:, :-1]
    return torch.empty_like(first).scatter_(1, order, first)


def partial_keys(codes: Tensor) -> Tensor:
    """Partial SIDs [..., m] (codes < 256 or MASKED) -> int64 keys [...], equal iff the states are."""
    assert codes.shape[-1] <= 7, "keys are base-257 numbers in an int64"
    digits = torch.where(codes == MASKED, 256, codes)
    weights = 257 ** torch.arange(codes.shape[-1] - 1, -1, -1, device=codes.device)
    return (digits * weights).sum(dim=-1)


def cpd(
    step: StepFn,
    n_users: int,
    n_digits: int,
    beam: int,
    order: DigitOrder = "confidence",
    merge: bool = False,
) -> Beams:
    """Decode ``n_users`` SIDs of ``n_digits`` digits with beam ``beam`` (see the module docstring)."""
    assert beam >= 1 and n_digits >= 1 and order in ORDERS, (beam, n_digits, order)
    codes = torch.full((n_users, 1, n_digits), MASKED, dtype=torch.int64)  # [U, 1, m]
    scores = torch.zeros(n_users, 1)  # [U, V]
    digits = torch.arange(n_digits)
    for s in range(n_digits):
        logp = step(codes).float()  # [U, V, m, C]
        users, views, m, codebook = logp.shape
        assert (users, views, m) == codes.shape, (logp.shape, codes.shape)
        codes, scores = codes.to(logp.device), scores.to(logp.device)
        open_ = codes == MASKED if order == "confidence" else (digits.to(logp.device) == s).expand_as(codes)
        cand = (scores[:, :, None, None] + logp).masked_fill(~open_[..., None], float("-inf"))  # [U, V, m, C]
        flat = cand.view(users, views * m * codebook)  # [U, V·m·C]
        if s == n_digits - 1 and s > 0:  # last step: one greedy fill per beam
            best, idx = cand.view(users, views, m * codebook).max(dim=2)  # [U, V]
            beam_idx = torch.arange(views, device=idx.device).expand(users, views)
        else:
            n_open = views * int(open_[0, 0].sum()) * codebook  # candidates per user (same for all)
            # a partial SID with s + 1 digits is reachable along at most s + 1 orders: this shortlist
            # holds >= B distinct states whenever there are that many
            shortlist = min(beam * (s + 1) if merge else beam, n_open)
            best, idx = flat.topk(shortlist, dim=1)  # [U, B'], best first
            beam_idx, idx = idx // (m * codebook), idx % (m * codebook)
        digit, code = idx // codebook, idx % codebook  # [U, B']
        codes = codes.gather(1, beam_idx[..., None].expand(-1, -1, m)).clone()  # [U, B', m]
        codes.scatter_(2, digit[..., None], code[..., None])
        scores = best
        if merge and 0 < s < n_digits - 1:
            first = first_occurrences(partial_keys(codes))  # [U, B']
            keep = min(beam, int(first.sum(dim=1).min()))
            scores, kept = scores.masked_fill(~first, float("-inf")).topk(keep, dim=1)  # [U, B]
            codes = codes.gather(1, kept[..., None].expand(-1, -1, m))  # [U, B, m]
    assert bool((codes != MASKED).all()) and bool(torch.isfinite(scores).all())
    scores, order_idx = scores.sort(dim=1, descending=True, stable=True)
    return Beams(codes.gather(1, order_idx[..., None].expand_as(codes)), scores)


def sid_keys(codes: np.ndarray) -> np.ndarray:
    """SIDs [..., m] (codes < 256) -> int64 keys [...], equal iff the SIDs are equal."""
    codes = np.asarray(codes, dtype=np.int64)
    assert codes.shape[-1] <= 7, "keys are base-256 numbers in an int64"
    return (codes << (8 * np.arange(codes.shape[-1] - 1, -1, -1))).sum(axis=-1)


@dataclass(frozen=True)
class BucketMap:
    """One-to-many SID -> items: ``items[starts[j]:starts[j+1]]`` share the SID ``keys[j]``."""

    keys: np.ndarray  # int64 [S], sorted
    starts: np.ndarray  # int64 [S+1]
    items: np.ndarray  # int64 [N], rows; within a bucket by training count desc, then row asc
    log_share: np.ndarray  # float32 [N+1]: log P(item | its SID), add-one smoothed counts (row 0: 0)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Bucket index per key [...], -1 for a SID of no item."""
        pos = np.searchsorted(self.keys, keys).clip(max=len(self.keys) - 1)
        return np.where(self.keys[pos] == keys, pos, -1)


def bucket_map(sids: np.ndarray, counts: np.ndarray) -> BucketMap:
    """``sids`` uint8 [N+1, m] (row 0 padding), ``counts`` [N+1] training occurrences per row."""
    assert len(sids) == len(counts), (sids.shape, counts.shape)
    rows = np.arange(1, len(sids))
    keys = sid_keys(sids[1:])  # [N]
    counts = np.asarray(counts, dtype=np.float64)
    order = np.lexsort((rows, -counts[1:], keys))  # by key, then count desc, then row
    uniq, starts, bucket = np.unique(keys[order], return_index=True, return_inverse=True)
    smoothed = counts[1:][order] + 1.0  # in bucket order
    totals = np.bincount(bucket, weights=smoothed)
    log_share = np.zeros(len(sids), dtype=np.float32)
    log_share[rows[order]] = np.log(smoothed / totals[bucket])
    return BucketMap(uniq, np.append(starts, len(rows)).astype(np.int64), rows[order], log_share)


@dataclass(frozen=True)
class Ranked:
    items: np.ndarray  # int64 [U, K], best first; 0 = no answer (fewer than K items found)
    scores: np.ndarray  # float32 [U, K], the item's score: SID log-prob + priors (-inf where no answer)
    sids: np.ndarray  # int64 [U, K, m]: distinct valid SIDs, best first; -1 where fewer (SID-level hits)
    invalid: np.ndarray  # bool [U, B]: beam j's SID maps to no item


@dataclass(frozen=True)
class Candidates:
    """Every item of every distinct valid decoded SID, flat [C], by user, then beam, then bucket
    order: what ``rank`` orders, once per decode however many ways it is ranked."""

    users: int
    user: np.ndarray  # int64 [C]
    item: np.ndarray  # int64 [C], rows
    sid_score: np.ndarray  # float64 [C]: the item's SID log-prob
    log_share: np.ndarray  # float32 [C]: log P(item | SID) (BucketMap.log_share)
    sids: np.ndarray  # int64 [U, K, m]: the first K distinct valid SIDs (Ranked.sids)
    invalid: np.ndarray  # bool [U, B] (Ranked.invalid)

    def unseen(self, exclude: np.ndarray, n_rows: int) -> np.ndarray:
        """bool [C]: the candidate's item is not among its user's ``exclude`` [U, L] rows (0 ignored)."""
        seen = np.zeros((self.users, n_rows), dtype=bool)
        seen[np.arange(self.users)[:, None], exclude] = True
        seen[:, 0] = False
        return ~seen[self.user, self.item]


def candidates(beams: Beams, buckets: BucketMap, k: int) -> Candidates:
    """Sorted beams -> the items of their distinct valid SIDs (SIDs of no item and repeats dropped)."""
    codes, scores = beams.codes.cpu().numpy(), beams.scores.float().cpu().numpy()  # [U, B, m], [U, B]
    users, _, m = codes.shape
    bucket = buckets.lookup(sid_keys(codes))  # [U, B]
    kept = (bucket >= 0) & first_occurrences(torch.from_numpy(bucket)).numpy()  # distinct valid SIDs
    user_of, beam_of = np.nonzero(kept)  # by user, then beam order
    sid_list = np.full((users, k, m), -1, dtype=np.int64)
    sid_rank = rank_in_group(user_of)
    first_k = sid_rank < k
    sid_list[user_of[first_k], sid_rank[first_k]] = codes[user_of[first_k], beam_of[first_k]]

    b = bucket[user_of, beam_of]
    sizes = buckets.starts[b + 1] - buckets.starts[b]
    pair = np.repeat(np.arange(len(b)), sizes)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    item = buckets.items[buckets.starts[b][pair] + offset]
    sid_score = scores[user_of[pair], beam_of[pair]].astype(np.float64)
    return Candidates(users, user_of[pair], item, sid_score, buckets.log_share[item], sid_list, bucket < 0)


def rank(
    cand: Candidates,
    k: int,
    bucket_prior: float = 0.0,
    bonus: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> Ranked:
    """The top-``k`` items per user by score (module docstring); ``bonus`` float [U, N+1] added to each
    item's score; ``keep`` bool [C] the candidates that may be recommended (``Candidates.unseen``)."""
    user, item, score = cand.user, cand.item, cand.sid_score
    if bucket_prior:
        score = score + bucket_prior * cand.log_share
    if bonus is not None:
        score = score + bonus[user, item]
    if keep is not None:
        user, item, score = user[keep], item[keep], score[keep]
    order = np.lexsort((np.arange(len(item)), -score, user))  # by user, score desc, then position
    user, item, score = user[order], item[order], score[order]
    position = rank_in_group(user)
    top = position < k
    items = np.zeros((cand.users, k), dtype=np.int64)
    item_scores = np.full((cand.users, k), -np.inf, dtype=np.float32)
    items[user[top], position[top]] = item[top]
    item_scores[user[top], position[top]] = score[top]
    return Ranked(items, item_scores, cand.sids, cand.invalid)


def to_items(
    beams: Beams,
    buckets: BucketMap,
    k: int,
    exclude: np.ndarray | None = None,
    bucket_prior: float = 0.0,
    bonus: np.ndarray | None = None,
) -> Ranked:
    """Sorted beams -> top-``k`` items per user (module docstring); ``exclude`` [U, L] rows never
    recommended (0 ignored); ``bonus`` float [U, N+1] added to each item's score."""
    cand = candidates(beams, buckets, k)
    keep = cand.unseen(exclude, len(buckets.log_share)) if exclude is not None else None
    return rank(cand, k, bucket_prior, bonus, keep)
