"""Session fixtures: the packaged MiniLM (one thread), the shipped sample, its embeddings (through the
embedding cache under gpu-worker/var/cache, so a second local run skips the ~7 s of encoding) and
one small PSE artifact built from them. Fit iterations are cut to keep the session in seconds."""

from collections.abc import Callable, Iterator
from pathlib import Path

import faiss
import numpy as np
import pytest
import torch
from sentence_transformers import SentenceTransformer

from genrec.data import Dataset, load_dataset
from genrec.embed import DEFAULT_MODEL, embed_cached, item_text, load_encoder
from genrec.sid import BuildOptions, SidConfig, build_sids, default_config

TEMPLATE = "rpg"  # one template for every test build, so the sample is embedded once


def fast(scheme: str = "pse", m: int | None = None, seed: int = 2024) -> SidConfig:
    return default_config(scheme, m, seed=seed, pq_iters=5, opq_iters=2)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def fast_config() -> Callable[..., SidConfig]:
    """``fast_config(scheme, m=None, seed=2024)``: the scheme's preset with few fit iterations."""
    return fast


@pytest.fixture(scope="session")
def minilm() -> Iterator[SentenceTransformer]:
    threads = torch.get_num_threads(), faiss.omp_get_max_threads()
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    yield load_encoder(DEFAULT_MODEL)
    torch.set_num_threads(threads[0])
    faiss.omp_set_num_threads(threads[1])


@pytest.fixture(scope="session")
def sample() -> Dataset:
    return load_dataset("sample")[0]


@pytest.fixture(scope="session")
def sample_vectors(minilm: SentenceTransformer, sample: Dataset) -> np.ndarray:
    """[N, 384] embeddings of the sample's items (row i-1 = item i)."""
    return embed_cached([item_text(rec, TEMPLATE) for rec in sample.items[1:]], DEFAULT_MODEL).vectors


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("artifacts")


@pytest.fixture(scope="session")
def built(sample: Dataset, sample_vectors: np.ndarray, artifacts_dir: Path) -> tuple[Path, dict[str, object]]:
    """(directory, result) of a PSE 4x256 build of the sample."""
    out = artifacts_dir / "sample-pse-m4"
    return out, build_sids(sample, fast("pse"), out, BuildOptions(template=TEMPLATE))
