"""The item graph for graph-constrained decoding, built from the LEARNED digit embeddings.

sim(i, j) = mean_d ½(1 + cos(E_d[c_i^d], E_d[c_j^d])). Because items only differ through their
codes, the cosine splits into per-digit code-by-code tables C_d = Ê_d Ê_dᵀ [256, 256]; a chunk of R
rows against all N items costs m gathers of [R, N] (O(N²·m) in all, never O(N²·d) and never an
N x N matrix: memory is O(R·N + m·256²)). Each row keeps its top-k by (similarity desc, row asc)
with itself forced first, and the graph is stored as CSR over rows 0..N (row 0 = padding, empty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from genrec.progress import progress

CHUNK_ELEMENTS = 1 << 24  # [R, N] float32 similarity block per chunk: 64 MiB


@dataclass(frozen=True)
class Graph:
    indptr: np.ndarray  # [N+2] int32, row r's neighbours are indices[indptr[r]:indptr[r+1]]
    indices: np.ndarray  # [nnz] int32 rows 1..N, each list by similarity desc, self first

    def __post_init__(self) -> None:
        assert self.indptr.dtype == np.int32 and self.indices.dtype == np.int32
        assert self.indptr[0] == self.indptr[1] == 0, "row 0 (padding) has no neighbours"
        assert self.indptr[-1] == len(self.indices)

    @property
    def n_items(self) -> int:
        return len(self.indptr) - 2

    def row(self, r: int) -> np.ndarray:
        return self.indices[self.indptr[r] : self.indptr[r + 1]]

    def truncate(self, k: int) -> Graph:
        """The first ``k`` neighbours of every row: the top-k graph, since lists are sorted by similarity."""
        degree = np.minimum(np.diff(self.indptr), k)  # [N+1]
        keep = np.arange(len(self.indices)) - np.repeat(self.indptr[:-1], np.diff(self.indptr))  # rank in row
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int32)
        return Graph(indptr, self.indices[keep < k])


def code_similarity(code_emb: Tensor) -> Tensor:
    """Per-digit cosine tables: code embeddings [m, 256, d] -> [m, 256, 256]."""
    unit = torch.nn.functional.normalize(code_emb.float(), dim=-1)  # [m, 256, d]
    return unit @ unit.transpose(1, 2)  # [m, 256, 256]


def similarity_block(table: Tensor, codes: Tensor, rows: Tensor) -> Tensor:
    """sim of item ``rows`` [R] (0-based into ``codes``) against all items: [R, N] in [0, 1].

    table [m, 256, 256] from ``code_similarity``; codes [N, m] int64 (the SIDs of rows 1..N).
    """
    n, m = codes.shape
    total = torch.zeros(len(rows), n)  # [R, N]
    for digit in range(m):
        per_row = table[digit][codes[rows, digit]]  # [R, 256]: cosines of each row's code to all codes
        total += per_row.index_select(1, codes[:, digit])  # [R, N]
    return 0.5 * (1.0 + total / m)


def build_graph(
    code_emb: Tensor | np.ndarray, sids: np.ndarray, k: int, chunk_rows: int | None = None
) -> Graph:
    """Top-``k`` neighbour lists (self included, first) for rows 1..N of ``sids`` uint8 [N+1, m]."""
    code_emb = torch.as_tensor(
        np.asarray(code_emb) if isinstance(code_emb, np.ndarray) else code_emb.detach()
    )
    m = sids.shape[1]
    assert code_emb.ndim == 3 and code_emb.shape[:2] == (m, 256), (tuple(code_emb.shape), m)
    codes = torch.from_numpy(np.asarray(sids[1:], dtype=np.int64))  # [N, m]
    n = len(codes)
    k = min(k, n)
    assert k >= 1
    table = code_similarity(code_emb)  # [m, 256, 256]
    chunk_rows = chunk_rows or max(1, CHUNK_ELEMENTS // n)
    lists = np.zeros((n, k), dtype=np.int32)  # [N, k] rows 1..N
    with torch.inference_mode():
        for start in progress(range(0, n, chunk_rows), desc=f"item graph (k {k})", unit="chunk"):
            rows = torch.arange(start, min(start + chunk_rows, n))  # [R] 0-based
            sim = similarity_block(table, codes, rows)  # [R, N]
            sim[torch.arange(len(rows)), rows] = float("inf")  # self first, even against duplicate SIDs
            top = torch.topk(sim, k, dim=1).indices  # [R, k], ties at equal sim in no set order
            # (sim desc, row asc): sort by row, then a stable sort by similarity
            by_row = torch.sort(top, dim=1).values  # [R, k]
            order = torch.sort(sim.gather(1, by_row), dim=1, descending=True, stable=True).indices
            lists[start : start + len(rows)] = (by_row.gather(1, order) + 1).numpy()
    indptr = np.concatenate([[0], np.arange(n + 1) * k]).astype(np.int32)  # [N+2]
    return Graph(indptr, lists.reshape(-1))  # [N, k] -> [N*k]
