"""The item graph equals a brute-force top-k of the definition, in any chunking."""

import numpy as np
import torch

from genrec.rpg.graph import build_graph
from genrec.sid.table import random_sids

N, M, D, K = 60, 4, 8, 7


def brute_force(code_emb: np.ndarray, sids: np.ndarray, k: int) -> list[list[int]]:
    """sim(i, j) = mean_d ½(1 + cos(E_d[c_i^d], E_d[c_j^d])) over the full N x N matrix, float64."""
    unit = code_emb / np.linalg.norm(code_emb, axis=-1, keepdims=True)  # [m, 256, d]
    feats = np.stack([unit[d][sids[1:, d]] for d in range(sids.shape[1])], axis=1)  # [N, m, d]
    sim = np.einsum("imd,jmd->ijm", feats, feats).mean(axis=2) * 0.5 + 0.5  # [N, N]
    out = []
    for i in range(len(sim)):
        others = [j for j in np.lexsort((np.arange(len(sim)), -sim[i])) if j != i]
        out.append([i + 1] + [j + 1 for j in others[: k - 1]])  # self first, then by sim desc
    return out


def test_graph_matches_brute_force_in_any_chunking() -> None:
    rng = np.random.default_rng(0)
    code_emb = rng.normal(size=(M, 256, D))
    sids = random_sids(N, M, seed=3)
    expected = brute_force(code_emb, sids, K)
    for chunk in (1, 7, 1000):
        graph = build_graph(torch.from_numpy(code_emb), sids, K, chunk_rows=chunk)
        assert graph.indptr.shape == (N + 2,) and graph.indptr.dtype == np.int32
        assert graph.indices.dtype == np.int32 and len(graph.indices) == N * K
        assert graph.row(0).tolist() == []
        assert [graph.row(r).tolist() for r in range(1, N + 1)] == expected


def test_self_comes_first_even_with_duplicate_sids() -> None:
    sids = random_sids(10, M, seed=1)
    sids[4] = sids[2]  # rows 2 and 4 share a SID: identical similarity rows
    graph = build_graph(np.random.default_rng(1).normal(size=(M, 256, D)), sids, 3)
    assert graph.row(4)[:2].tolist() == [4, 2] and graph.row(2)[:2].tolist() == [2, 4]
    assert all(graph.row(r)[0] == r for r in range(1, 11))


def test_k_is_capped_by_the_catalogue() -> None:
    graph = build_graph(np.random.default_rng(2).normal(size=(M, 256, D)), random_sids(5, M), 50)
    assert np.diff(graph.indptr).tolist() == [0, 5, 5, 5, 5, 5]


def test_truncate_equals_building_with_a_smaller_k() -> None:
    code_emb = np.random.default_rng(5).normal(size=(M, 256, D))
    sids = random_sids(N, M, seed=6)
    small, big = build_graph(code_emb, sids, 3), build_graph(code_emb, sids, K).truncate(3)
    assert np.array_equal(small.indptr, big.indptr) and np.array_equal(small.indices, big.indices)
