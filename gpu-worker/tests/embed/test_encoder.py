"""Embedding with the packaged MiniLM: shape, dtype, norms, order, the disk cache and model names."""

from pathlib import Path

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from genrec.embed import (
    DEFAULT_MODEL,
    UnknownModelError,
    cache_path,
    canonical_model,
    embed_cached,
    embed_texts,
    embedding_dim,
)

TEXTS = ["red matte lipstick", "Title: waterproof mascara Brand: Acme", "", "tennis racket strings"]


def test_vectors_are_unit_float32_in_input_order(minilm: SentenceTransformer) -> None:
    vectors = embed_texts(TEXTS, batch_size=3, progress=True)
    assert vectors.shape == (len(TEXTS), 384) == (len(TEXTS), embedding_dim())
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one_by_one = np.concatenate([embed_texts([t]) for t in TEXTS])
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-5)  # batching and sorting keep order
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[3]  # make-up is nearer make-up than sport


def test_cache_is_keyed_by_model_and_texts(minilm: SentenceTransformer, tmp_path: Path) -> None:
    first = embed_cached(TEXTS, DEFAULT_MODEL, tmp_path, batch_size=2)
    path = cache_path(DEFAULT_MODEL, TEXTS, tmp_path)
    assert not first.from_cache and path.is_file() and path.with_suffix(".json").is_file()
    again = embed_cached(TEXTS, "sentence-transformers/all-MiniLM-L6-v2", tmp_path)  # alias
    assert again.from_cache and np.array_equal(first.vectors, again.vectors)
    assert (again.seconds, again.batch_size) == (round(first.seconds, 3), 2)  # timing of the real run
    assert cache_path(DEFAULT_MODEL, TEXTS[:2], tmp_path) != path
    assert path.parent.name == "all-MiniLM-L6-v2"


def test_only_known_models_or_explicit_local_dirs(tmp_path: Path) -> None:
    assert canonical_model("sentence-transformers/all-MiniLM-L6-v2") == DEFAULT_MODEL
    with pytest.raises(UnknownModelError, match="known models"):
        canonical_model("openai/text-embedding-3-large")
    (tmp_path / "modules.json").write_text("[]")
    with pytest.raises(UnknownModelError):
        canonical_model(str(tmp_path))  # paths only where the caller allows them (never over RPC)
    assert canonical_model(str(tmp_path), allow_paths=True) == str(tmp_path.resolve())
