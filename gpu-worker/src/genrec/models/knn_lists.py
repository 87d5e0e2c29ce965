"""Content kNN from precomputed neighbour lists: what the edge serves instead of the full cosine.

Each item keeps its ``k`` nearest items by text-embedding cosine (itself left out), as CSR rows
(docs/artifacts.md, ``graph.*``). A history scores an item by the sum, over its items, of
``decay ** age`` (age 0 = the newest; ``decay`` 0 keeps the newest only) times their similarity
when the item is in that history item's list; the history's own items never answer. With decay 0
this is the exact top-n of ``ContentKNN`` whenever n + len(history) <= k. Pure numpy, so the
TypeScript scorer (edge/src/recommend/knn) can be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class NeighbourLists:
    indptr: np.ndarray  # int32 [N+2], row 0 empty
    indices: np.ndarray  # int32 [N*k], rows 1..N, each row's list by similarity desc
    scores: np.ndarray  # float32 [N*k], the cosines


def neighbour_lists(vectors: torch.Tensor, k: int, chunk: int = 1024) -> NeighbourLists:
    """The ``k`` nearest rows of each row 1..N of L2-normalised ``vectors`` [N+1, D] (row 0 = padding)."""
    n = len(vectors) - 1
    k = min(k, n - 1)
    assert k >= 1, "content kNN needs at least two items"
    items = vectors[1:].float()  # [N, D]
    indices, scores = [], []
    for start in range(0, n, chunk):
        sims = items[start : start + chunk] @ items.T  # [c, N]
        own = torch.arange(start, start + len(sims))
        sims[torch.arange(len(sims)), own] = float("-inf")  # never its own neighbour
        top = torch.topk(sims, k, dim=1)  # values, indices [c, k], sorted desc
        indices.append(top.indices + 1)  # columns -> rows 1..N
        scores.append(top.values)
    indptr = np.concatenate([[0, 0], np.arange(1, n + 1) * k]).astype(np.int32)  # [N+2]
    return NeighbourLists(
        indptr,
        torch.cat(indices).reshape(-1).numpy().astype(np.int32),
        torch.cat(scores).reshape(-1).numpy().astype(np.float32),
    )


def history_weights(length: int, decay: float) -> np.ndarray:
    """Weight of each of ``length`` history items, oldest first: decay ** age, age 0 = the newest."""
    weights = np.zeros(length, dtype=np.float64)
    weight = 1.0
    for i in range(length - 1, -1, -1):  # repeated products, not pow: the edge computes the same bits
        weights[i] = weight
        weight *= decay
    return weights


def list_scores(lists: NeighbourLists, rows: np.ndarray, decay: float, n_items: int) -> np.ndarray:
    """float64 scores [N+1] of every row for a history of ``rows`` (oldest first); -inf where no
    list reaches, on row 0 and on the history's own rows."""
    scores = np.zeros(n_items + 1, dtype=np.float64)
    reached = np.zeros(n_items + 1, dtype=bool)
    for row, weight in zip(rows, history_weights(len(rows), decay), strict=True):
        if weight == 0:
            continue
        start, end = int(lists.indptr[row]), int(lists.indptr[row + 1])
        cols = lists.indices[start:end]
        np.add.at(scores, cols, weight * lists.scores[start:end].astype(np.float64))
        reached[cols] = True
    scores[~reached] = -np.inf
    scores[0] = -np.inf
    scores[rows] = -np.inf
    return scores
