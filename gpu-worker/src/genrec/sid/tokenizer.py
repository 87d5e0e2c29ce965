"""Semantic-ID tokenizers on faiss: a chain of fitted faiss ``VectorTransform``s, then a quantizer
with 256 codes per digit (ALGORITHMS.md sections 2-3). All k-means, PCA and OPQ work is faiss's.

Schemes (``d`` = ``pca_dim``, 256 by default; ``m`` digits):

- ``rpg``: PCA d (whitened unless ``whiten=False``) -> OPQ m -> centre -> PQ m x 8. This is RPG's
  ``OPQ{m},IVF1,PQ{m}x8``: with one inverted list the coarse centroid is the training mean, so its
  residual is the centring step, and PQ assigns codes by L2 whatever metric the index searches with.
- ``pse`` (DiffGRM): L2 -> whitened PCA d -> L2 -> OPQ m -> centre -> PQ m x 8, m = 4 by default.
- ``rq``: the ``pse`` preprocessing, then greedy residual k-means over m levels (faiss
  ``ResidualQuantizer`` with beam 1): DiffGRM's RQ-KMeans ablation.

Determinism: faiss seeds its k-means and OPQ from constants; here the PQ/RQ clustering seed and
OPQ's initial rotation come from ``config.seed``, and PCA is an eigendecomposition. Bit-identical
codes across runs also need the same thread count (BLAS sums in a thread-dependent order), so the
CLI runs single-threaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

Scheme = Literal["rpg", "pse", "rq"]
SCHEMES: tuple[Scheme, ...] = ("rpg", "pse", "rq")
DEFAULT_M: dict[Scheme, int] = {"rpg": 32, "pse": 4, "rq": 4}
CODEBOOK = 256  # codes per digit: 8 bits, so a SID is m bytes
NBITS = 8


@dataclass(frozen=True)
class SidConfig:
    scheme: Scheme = "rpg"
    m: int = 32  # digits
    pca_dim: int = 256
    whiten: bool = True
    seed: int = 2024
    pq_iters: int = 25  # k-means iterations per codebook (faiss's default)
    opq_iters: int = 50  # OPQ rotation / codebook alternations (faiss's default)

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {self.scheme!r}: use one of {SCHEMES}")
        if self.m < 1 or self.pca_dim < 1:
            raise ValueError(f"m and pca_dim must be positive, got m={self.m}, pca_dim={self.pca_dim}")
        if self.scheme != "rq" and self.pca_dim % self.m:
            raise ValueError(
                f"pca_dim {self.pca_dim} must be divisible by m {self.m} (PQ splits it in m parts)"
            )


def default_config(scheme: Scheme, m: int | None = None, **overrides: object) -> SidConfig:
    """The scheme's preset (m: rpg 32, pse 4, rq 4; whitened PCA 256) with overrides applied."""
    return SidConfig(scheme=scheme, m=DEFAULT_M[scheme] if m is None else m, **overrides)  # type: ignore[arg-type]


def _opq(d: int, config: SidConfig) -> tuple[faiss.OPQMatrix, faiss.ProductQuantizer]:
    """An untrained OPQ with a seeded initial rotation and a seeded inner PQ (returned: keep it alive
    until trained, the OPQ holds only a pointer to it)."""
    opq = faiss.OPQMatrix(d, config.m)
    opq.niter = config.opq_iters
    opq.niter_pq_0 = config.pq_iters  # faiss: 40 k-means iterations in the first round, 4 after
    start = faiss.RandomRotationMatrix(d, d)
    start.init(config.seed)  # faiss would start from a rotation drawn with its fixed seed 1234
    opq.A = start.A
    inner = faiss.ProductQuantizer(d, config.m, NBITS)
    inner.cp.seed = config.seed
    opq.pq = inner
    return opq, inner


def _quantizer(d: int, config: SidConfig) -> faiss.Index:
    if config.scheme == "rq":
        index = faiss.IndexResidualQuantizer(d, config.m, NBITS)
        index.rq.train_type = faiss.ResidualQuantizer.Train_default  # plain residual k-means
        index.rq.max_beam_size = 1  # greedy: each level takes the nearest centroid of the residual
        index.rq.cp.seed = config.seed
        index.rq.cp.niter = config.pq_iters
        return index
    index = faiss.IndexPQ(d, config.m, NBITS)
    index.pq.cp.seed = config.seed
    index.pq.cp.niter = config.pq_iters
    return index


@dataclass
class SidTokenizer:
    """Fitted transforms and quantizer: ``encode`` maps embeddings [n, d_in] to SIDs uint8 [n, m]."""

    config: SidConfig
    transforms: list[faiss.VectorTransform]
    quantizer: faiss.Index

    @property
    def d_in(self) -> int:
        return int(self.transforms[0].d_in)

    @property
    def d_code(self) -> int:
        return int(self.quantizer.d)

    def transform(self, x: np.ndarray) -> np.ndarray:
        """[n, d_in] -> [n, d_code]: the vectors the quantizer codes."""
        z = np.ascontiguousarray(x, dtype=np.float32)
        assert z.ndim == 2 and z.shape[1] == self.d_in, f"expected [n, {self.d_in}], got {z.shape}"
        for t in self.transforms:
            z = t.apply(z)
        return z

    def encode(self, x: np.ndarray) -> np.ndarray:
        codes = self.quantizer.sa_encode(self.transform(x))
        assert codes.shape == (len(x), self.config.m) and codes.dtype == np.uint8, codes.shape
        return codes

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """SIDs [n, m] -> reconstructions [n, d_code] in the quantizer's space (compare with transform)."""
        return self.quantizer.sa_decode(np.ascontiguousarray(codes, dtype=np.uint8))

    def describe(self) -> list[str]:
        steps = [f"{type(t).__name__} {t.d_in}->{t.d_out}" for t in self.transforms]
        return [*steps, f"{type(self.quantizer).__name__} {self.d_code}->{self.config.m}x{CODEBOOK}"]

    def save(self, directory: Path) -> list[str]:
        """Write ``transform_<i>.faiss`` per step and ``quantizer.faiss``; returns the file names."""
        names = [f"transform_{i}.faiss" for i in range(len(self.transforms))]
        for name, t in zip(names, self.transforms, strict=True):
            faiss.write_VectorTransform(t, str(directory / name))
        faiss.write_index(self.quantizer, str(directory / "quantizer.faiss"))
        return [*names, "quantizer.faiss"]

    @classmethod
    def load(cls, directory: Path, config: SidConfig, transform_files: Sequence[str]) -> SidTokenizer:
        transforms = [faiss.read_VectorTransform(str(directory / name)) for name in transform_files]
        return cls(config, transforms, faiss.read_index(str(directory / "quantizer.faiss")))


def fit_tokenizer(x: np.ndarray, config: SidConfig) -> SidTokenizer:
    """Fit every transform in turn on the previous one's output, then the quantizer (x: fit-set rows)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    n, d_in = x.shape
    if n < CODEBOOK:
        raise ValueError(f"need at least {CODEBOOK} fit vectors for {CODEBOOK} codes per digit, got {n}")
    if config.pca_dim > d_in:
        raise ValueError(f"pca_dim {config.pca_dim} exceeds the embedding dimension {d_in}")
    d = config.pca_dim
    normalise = config.scheme in ("pse", "rq")
    transforms: list[faiss.VectorTransform] = []
    if normalise:
        transforms.append(faiss.NormalizationTransform(d_in, 2.0))
    transforms.append(faiss.PCAMatrix(d_in, d, -0.5 if config.whiten else 0.0))
    if normalise:
        transforms.append(faiss.NormalizationTransform(d, 2.0))
    keep_alive = []
    if config.scheme != "rq":
        opq, inner = _opq(d, config)
        transforms.append(opq)
        keep_alive.append(inner)
    transforms.append(faiss.CenteringTransform(d))

    z = x
    for t in transforms:
        if not t.is_trained:
            t.train(z)
        z = t.apply(z)
    for t in transforms:
        if isinstance(t, faiss.OPQMatrix):
            t.pq = None  # the inner PQ was only for fitting the rotation; drop the borrowed pointer
    del keep_alive
    quantizer = _quantizer(d, config)
    quantizer.train(z)
    return SidTokenizer(config, transforms, quantizer)
