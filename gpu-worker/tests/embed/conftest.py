"""The packaged MiniLM, loaded once per test session (genrec.embed caches it per process), on one
thread so the machine's other core stays free."""

from collections.abc import Iterator

import faiss
import pytest
import torch
from sentence_transformers import SentenceTransformer

from genrec.embed import DEFAULT_MODEL, load_encoder


@pytest.fixture(scope="session")
def minilm() -> Iterator[SentenceTransformer]:
    threads = torch.get_num_threads(), faiss.omp_get_max_threads()
    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    yield load_encoder(DEFAULT_MODEL)
    torch.set_num_threads(threads[0])
    faiss.omp_set_num_threads(threads[1])
