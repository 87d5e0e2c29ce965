"""Evaluate DiffGRM on an ``EvalSplit`` with CPD: one decode per user, several readings of its beams.

- ``metrics``: item-level Recall/NDCG@k (the headline, papers' protocol: no seen filtering) and
  invalid@k = share of the first k decoded SIDs (sorted beams) that map to no item;
- ``seen_filtered``: the same beams, history items skipped while expanding SID buckets (eSASRec);
- ``sid_level``: DiffGRM's own evaluation, labelled: a hit when a distinct valid decoded SID equals
  the target's SID (any item sharing it counts), so optimistic where SIDs collide;
- ``readings`` (optional): the same beams mapped to items by other rules (``ItemRanking``: the
  bucket prior's weight, and the weight of a text prior such as the content-kNN cosine with the last
  history item), so a grid of mappings costs one decode and one candidate list
  (genrec.diffgrm.cpd.candidates, then rank per reading).
Selection score (model selection and early stopping): 0.8·NDCG@10 + 0.2·Recall@10 (authors' code).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from genrec.data.split import EvalSplit
from genrec.diffgrm.cpd import Beams, BucketMap, Candidates, DigitOrder, candidates, cpd, rank, sid_keys
from genrec.diffgrm.model import DiffGRM
from genrec.eval import list_ranks, sid_list_ranks
from genrec.eval.ranking import KS, RankingMetrics
from genrec.progress import progress


@dataclass(frozen=True)
class ItemRanking:
    """How decoded SIDs become items: weights of log P(item | SID) and of the text prior."""

    bucket_prior: float = 0.0
    text_prior: float = 0.0

    @property
    def label(self) -> str:
        return f"bucket {self.bucket_prior:g} text {self.text_prior:g}"


Prior = Callable[[torch.Tensor], torch.Tensor]  # histories [U, L] -> per-item scores [U, N+1]


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
    bucket_prior: float = 0.0,
    readings: tuple[ItemRanking, ...] = (),
    prior: Prior | None = None,
) -> dict[str, Any]:
    """{metrics, seen_filtered, sid_level, users, beam, order, merge, seconds[, readings]} (module
    doc); the headline maps SIDs to items with ``bucket_prior``; ``prior`` serves the readings'
    text prior."""
    assert beam >= max(ks) and k >= max(ks), f"beam and k must be >= {max(ks)} for @{max(ks)} metrics"
    assert prior is not None or not any(r.text_prior for r in readings), "a text prior needs ``prior``"
    started, split = time.perf_counter(), by_length(split)
    sids = torch.from_numpy(model.sid_table().astype(np.int64))  # [N+1, m]
    plain, filtered, sid_level = RankingMetrics(ks), RankingMetrics(ks), RankingMetrics(ks)
    by_reading = {r: (RankingMetrics(ks), RankingMetrics(ks)) for r in readings}
    distinct = 0  # distinct SIDs among each user's final beams
    sizes = np.diff(buckets.starts)  # items per SID
    shared = 0  # targets whose SID other items share (a SID-level hit there may miss the item)
    with progress(total=len(split), desc=f"CPD decoding (beam {beam})", unit="user") as bar:
        for start in range(0, len(split), batch_size):
            histories = torch.from_numpy(split.histories[start : start + batch_size])  # [U, L]
            targets = torch.from_numpy(split.targets[start : start + batch_size])  # [U]
            beams = decode_histories(model, histories, beam, order, merge)
            distinct += sum(len(set(row)) for row in sid_keys(beams.codes.numpy()).tolist())
            shared += int((sizes[buckets.lookup(sid_keys(sids[targets].numpy()))] > 1).sum())
            cand = candidates(beams, buckets, k)  # once per batch, however many readings rank it
            unseen = cand.unseen(histories.numpy(), len(buckets.log_share))
            ranked = rank(cand, k, bucket_prior)
            plain.update(list_ranks(torch.from_numpy(ranked.items), targets))
            plain.update_invalid(torch.from_numpy(ranked.invalid[:, :k]))
            filtered.update(_ranks(cand, k, targets, bucket_prior, keep=unseen))
            sid_level.update(sid_list_ranks(torch.from_numpy(ranked.sids), sids[targets]))
            text = prior(histories).float().numpy() if prior is not None and readings else None
            for r, (r_plain, r_filtered) in by_reading.items():
                bonus = r.text_prior * text if r.text_prior and text is not None else None
                r_plain.update(_ranks(cand, k, targets, r.bucket_prior, bonus))
                r_filtered.update(_ranks(cand, k, targets, r.bucket_prior, bonus, unseen))
            bar.update(len(targets))
    result: dict[str, Any] = {
        "metrics": plain.compute(),
        "seen_filtered": filtered.compute(),
        "sid_level": sid_level.compute(),
        "users": len(split),
        "beam": beam,
        "order": order,
        "merge_duplicates": merge,
        "bucket_prior": bucket_prior,
        "distinct_sids_per_user": round(distinct / max(1, len(split)), 2),
        "targets_sharing_their_sid": round(shared / max(1, len(split)), 4),
    }
    if readings:
        result["readings"] = {
            r.label: {
                "bucket_prior": r.bucket_prior,
                "text_prior": r.text_prior,
                "metrics": r_plain.compute(),
                "seen_filtered": r_filtered.compute(),
            }
            for r, (r_plain, r_filtered) in by_reading.items()
        }
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def _ranks(
    cand: Candidates,
    k: int,
    targets: torch.Tensor,
    bucket_prior: float,
    bonus: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> torch.Tensor:
    return list_ranks(torch.from_numpy(rank(cand, k, bucket_prior, bonus, keep).items), targets)


def select_reading(
    valid: Mapping[str, Any], test: Mapping[str, Any], view: str = "metrics", text: bool = False
) -> dict[str, Any]:
    """The reading of ``valid["readings"]`` (only those without a text prior unless ``text``) with
    the best selection score in ``view`` (metrics or seen_filtered), with its validation and test
    figures (``test`` holds the same readings)."""
    labels = [r for r, v in valid["readings"].items() if text or not v["text_prior"]]
    label = max(labels, key=lambda r: selection_score(valid["readings"][r][view]))
    chosen = valid["readings"][label]
    return {
        "reading": label,
        "bucket_prior": chosen["bucket_prior"],
        "text_prior": chosen["text_prior"],
        "valid": chosen[view],
        "test": test["readings"][label][view],
    }
