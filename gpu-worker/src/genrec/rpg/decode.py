"""RPG decoding as pure numpy functions of (score table, SIDs, graph, beam): no model, no state.

The score table is one user's ``logprobs`` [m, 256] (per-digit log-softmax, what the ONNX model
returns); ``score(item) = mean_d logprobs[d, sids[item, d]]``, summed digit by digit in float64 so
that a float64 reimplementation (the TypeScript edge) gets the same numbers. Rows are item rows
1..N (row 0 = padding). Every ranking is by (score desc, row asc), so results are deterministic
under ties. Graph-constrained decoding follows docs/artifacts.md exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

BeamInit = Literal["random", "popular", "history"]
BEAM_INITS: tuple[str, ...] = ("random", "popular", "history")
_NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Decoded:
    rows: np.ndarray  # [<= n] int64 item rows, best first
    scores: np.ndarray  # [<= n] float64, aligned with rows
    scored: int  # item scores computed (candidate-set sizes summed over steps): the decode cost


def _check_table(logprobs: np.ndarray, sids: np.ndarray) -> None:
    assert logprobs.ndim == 2 and logprobs.shape[1] == 256, logprobs.shape
    assert sids.ndim == 2 and sids.shape[1] == logprobs.shape[0], (sids.shape, logprobs.shape)


def score_rows(logprobs: np.ndarray, sids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Scores [R] float64 of item ``rows`` [R]: m lookups each, summed in digit order, over m."""
    _check_table(logprobs, sids)
    codes = sids[rows]  # [R, m]
    total = np.zeros(len(rows), dtype=np.float64)
    for digit in range(sids.shape[1]):
        total += logprobs[digit, codes[:, digit]].astype(np.float64)
    return total / sids.shape[1]


def score_items(logprobs: np.ndarray, sids: np.ndarray) -> np.ndarray:
    """Every row's score [N+1] float64; row 0 (padding) is -inf."""
    scores = score_rows(logprobs, sids, np.arange(len(sids)))
    scores[0] = -np.inf
    return scores


def rank_rows(rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Permutation of ``rows`` by (score desc, row asc)."""
    assert not np.isnan(scores).any(), "NaN scores cannot be ranked"
    return np.lexsort((rows, -scores))  # the last key is the primary one


def best(rows: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the top-``n`` of ``rows`` by (score desc, row asc), best first; O(len) + O(n log n)."""
    if len(rows) > n > 0:
        kth = np.partition(scores, len(scores) - n)[len(scores) - n]  # the n-th largest score
        keep = np.flatnonzero(scores >= kth)  # ties at the cut all stay in; row asc decides below
        return keep[rank_rows(rows[keep], scores[keep])[:n]]
    return rank_rows(rows, scores)[:n]


def top_n(scores: np.ndarray, n: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exhaustive top-``n`` rows and scores of ``scores`` [N+1] (row 0 and ``exclude`` never answer)."""
    scores = scores.astype(np.float64, copy=True)
    scores[0] = -np.inf
    if exclude is not None and len(exclude):
        scores[exclude] = -np.inf
    valid = np.flatnonzero(scores > -np.inf)  # [V]
    keep = valid[best(valid, scores[valid], n)]
    return keep, scores[keep]


def neighbours(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated CSR neighbour lists of ``rows`` (with repeats), without a Python loop."""
    starts, ends = indptr[rows].astype(np.int64), indptr[rows + 1].astype(np.int64)
    lengths = ends - starts  # [R]
    base = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)  # each list's start, repeated
    return indices[base + np.arange(lengths.sum())].astype(np.int64)


def graph_decode(
    logprobs: np.ndarray,
    sids: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    beam: np.ndarray,
    b: int,
    q: int,
    n: int,
    exclude: np.ndarray | None = None,
) -> Decoded:
    """Graph-constrained decoding of one score table (docs/artifacts.md); see ``graph_search``."""
    _check_table(logprobs, sids)
    assert len(indptr) == len(sids) + 1, "indptr covers rows 0..N"
    return graph_search(
        lambda rows: score_rows(logprobs, sids, rows), indptr, indices, beam, b, q, n, exclude
    )


def graph_search(
    score_fn: Callable[[np.ndarray], np.ndarray],
    indptr: np.ndarray,
    indices: np.ndarray,
    beam: np.ndarray,
    b: int,
    q: int,
    n: int,
    exclude: np.ndarray | None = None,
) -> Decoded:
    """beam := the best b of the initial rows, excluded rows dropped; q times: candidates := union of
    the beam's neighbour lists (self included) and the beam, minus excluded rows; beam := top-b by
    (score desc, row asc). Answer the top-n of the final beam. ``score_fn`` maps rows [R] to float64
    scores [R]; the evaluation passes a lookup into precomputed scores, ``graph_decode`` the m-lookup
    rule."""
    assert b >= n >= 1 and q >= 0, (b, n, q)
    n_rows = len(indptr) - 1  # N+1
    beam = np.asarray(beam, dtype=np.int64)
    assert len(np.unique(beam)) == len(beam), "the initial beam's rows are distinct"
    assert len(beam) == 0 or (beam.min() >= 1 and beam.max() < n_rows), "beam rows are items 1..N"
    exclude = _NO_ROWS if exclude is None else np.asarray(exclude, dtype=np.int64)
    beam = beam[~np.isin(beam, exclude)]
    scores = score_fn(beam)
    scored = len(beam) if q == 0 or len(beam) > b else 0  # initial rows cost scores when ranked
    if len(beam) > b:  # a wide start (e.g. the edge's popular + history lists): its best b
        keep = best(beam, scores, b)
        beam, scores = beam[keep], scores[keep]
    member = np.zeros(n_rows, dtype=bool)  # set membership by row: dedup without sorting
    for _ in range(q):
        member[neighbours(indptr, indices, beam)] = True
        member[beam] = True
        member[exclude] = False
        cand = np.flatnonzero(member)  # distinct rows, ascending
        member[cand] = False  # reset for the next step
        cand_scores = score_fn(cand)
        scored += len(cand)
        keep = best(cand, cand_scores, b)
        beam, scores = cand[keep], cand_scores[keep]
    order = best(beam, scores, n)
    return Decoded(beam[order], scores[order], scored)


def initial_beam(
    strategy: str,
    b: int,
    n_items: int,
    rng: np.random.Generator | None = None,
    popular: np.ndarray | None = None,
    history: np.ndarray | None = None,
    indptr: np.ndarray | None = None,
    indices: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """b distinct rows to start graph decoding from; ``exclude`` rows are avoided.

    random: uniform without replacement (the paper); popular: the b most popular rows;
    history: round-robin over the history's graph neighbour lists, newest item first (rank 0 of
    every item = the items themselves, then each one's nearest neighbour, ...), topped up with
    popular rows when the history is short.
    """
    exclude = _NO_ROWS if exclude is None else np.asarray(exclude, dtype=np.int64)
    if strategy == "random":
        assert rng is not None, "random beams need a generator"
        # b + |exclude| distinct rows in random order, minus the excluded ones, first b: a uniform
        # draw among the allowed rows without materialising them (O(b + |exclude|), not O(N))
        size = min(n_items, b + len(exclude))
        rows = rng.choice(n_items, size=size, replace=False).astype(np.int64) + 1
        return rows[~np.isin(rows, exclude)][:b]
    assert popular is not None, f"{strategy} beams need the popular rows"
    popular = np.asarray(popular, dtype=np.int64)
    if strategy == "popular":
        return _first_distinct(popular, b, exclude)
    if strategy == "history":
        assert history is not None and indptr is not None and indices is not None
        items = np.asarray(history, dtype=np.int64)
        items = items[items > 0][::-1]  # newest first
        lists = [indices[indptr[r] : indptr[r + 1]] for r in items]
        width = max((len(x) for x in lists), default=0)
        grid = np.zeros((len(lists), width), dtype=np.int64)  # [H, k], 0 = no neighbour
        for i, x in enumerate(lists):
            grid[i, : len(x)] = x
        order = grid.T.reshape(-1)  # [k, H] -> [k*H]: rank 0 of every item, then rank 1, ...
        return _first_distinct(np.concatenate([order[order > 0], popular]), b, exclude)
    raise ValueError(f"unknown beam init {strategy!r}: use one of {BEAM_INITS}")


def _first_distinct(rows: np.ndarray, b: int, exclude: np.ndarray) -> np.ndarray:
    """The first b distinct rows of ``rows`` in order, skipping ``exclude``."""
    rows = rows[~np.isin(rows, exclude)]
    _, first = np.unique(rows, return_index=True)
    return rows[np.sort(first)][:b]
