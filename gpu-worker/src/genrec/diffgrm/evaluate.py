"""Evaluate DiffGRM on an ``EvalSplit`` with CPD: one decode per user, several readings of its beams.

- ``metrics``: item-level Recall/NDCG@k (the headline, papers' protocol: no seen filtering) and
  invalid@k = share of the first k decoded SIDs (sorted beams) that map to no item;
- ``seen_filtered``: the same beams, history items skipped while expanding SID buckets (eSASRec);
- ``sid_level``: DiffGRM's own evaluation, labelled: a hit when a distinct valid decoded SID equals
  the target's SID (any item sharing it counts), so optimistic where SIDs collide.
Selection score (model selection and early stopping): 0.8·NDCG@10 + 0.2·Recall@10 (authors' code).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch

from genrec.data.split import EvalSplit
from genrec.diffgrm.cpd import Beams, BucketMap, DigitOrder, cpd, sid_keys, to_items
from genrec.diffgrm.model import DiffGRM
from genrec.eval import list_ranks, sid_list_ranks
from genrec.eval.ranking import KS, RankingMetrics
from genrec.progress import progress


def selection_score(metrics: dict[str, float]) -> float:
    return 0.8 * metrics["ndcg@10"] + 0.2 * metrics["recall@10"]


@torch.inference_mode()
def decode_histories(
    model: DiffGRM, histories: torch.Tensor, beam: int, order: DigitOrder, merge: bool = False
) -> Beams:
    """CPD for a batch of histories [U, L]: the encoder runs once, the decoder n times."""
    model.eval()
    device = next(model.parameters()).device
    memory = model.encode(histories.to(device))

    def step(codes: torch.Tensor) -> torch.Tensor:
        return model.decode(memory, codes.to(device)).log_softmax(dim=-1)  # [U, V, m, 256]

    return cpd(step, len(histories), model.config.n_digits, beam, order, merge)


def by_length(split: EvalSplit) -> EvalSplit:
    """Users ordered by history length, so each batch crops to little padding (means ignore order)."""
    order = np.argsort((split.histories > 0).sum(axis=1), kind="stable")
    return EvalSplit(split.users[order], split.histories[order], split.targets[order])


def evaluate(
    model: DiffGRM,
    split: EvalSplit,
    buckets: BucketMap,
    beam: int,
    order: DigitOrder = "confidence",
    k: int = 10,
    batch_size: int = 256,
    merge: bool = False,
    ks: tuple[int, ...] = KS,
) -> dict[str, Any]:
    """{metrics, seen_filtered, sid_level, users, beam, order, merge, seconds} (see the module doc)."""
    assert beam >= max(ks) and k >= max(ks), f"beam and k must be >= {max(ks)} for @{max(ks)} metrics"
    started, split = time.perf_counter(), by_length(split)
    sids = torch.from_numpy(model.sid_table().astype(np.int64))  # [N+1, m]
    plain, filtered, sid_level = RankingMetrics(ks), RankingMetrics(ks), RankingMetrics(ks)
    distinct = 0  # distinct SIDs among each user's final beams
    with progress(total=len(split), desc=f"CPD decoding (beam {beam})", unit="user") as bar:
        for start in range(0, len(split), batch_size):
            histories = torch.from_numpy(split.histories[start : start + batch_size])  # [U, L]
            targets = torch.from_numpy(split.targets[start : start + batch_size])  # [U]
            beams = decode_histories(model, histories, beam, order, merge)
            distinct += sum(len(set(row)) for row in sid_keys(beams.codes.numpy()).tolist())
            ranked = to_items(beams, buckets, k)
            seen = to_items(beams, buckets, k, exclude=histories.numpy())
            plain.update(list_ranks(torch.from_numpy(ranked.items), targets))
            plain.update_invalid(torch.from_numpy(ranked.invalid[:, :k]))
            filtered.update(list_ranks(torch.from_numpy(seen.items), targets))
            sid_level.update(sid_list_ranks(torch.from_numpy(ranked.sids), sids[targets]))
            bar.update(len(targets))
    return {
        "metrics": plain.compute(),
        "seen_filtered": filtered.compute(),
        "sid_level": sid_level.compute(),
        "users": len(split),
        "beam": beam,
        "order": order,
        "merge_duplicates": merge,
        "distinct_sids_per_user": round(distinct / max(1, len(split)), 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
