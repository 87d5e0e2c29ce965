"""Tokenizers on the sample's MiniLM embeddings: determinism, reconstruction, config checks."""

from collections.abc import Callable

import numpy as np
import pytest

from genrec.data import Dataset
from genrec.sid import SidConfig, collision_stats, fit_rows, fit_tokenizer, reconstruction_stats


@pytest.fixture(scope="module")
def fit_set(sample: Dataset, sample_vectors: np.ndarray) -> np.ndarray:
    return sample_vectors[fit_rows(sample) - 1]


@pytest.mark.parametrize(("scheme", "m"), [("rpg", 8), ("pse", 4), ("rq", 3)])
def test_same_seed_same_codes_other_seed_other_codes(
    fit_set: np.ndarray,
    sample_vectors: np.ndarray,
    fast_config: Callable[..., SidConfig],
    scheme: str,
    m: int,
) -> None:
    codes = fit_tokenizer(fit_set, fast_config(scheme, m)).encode(sample_vectors)
    again = fit_tokenizer(fit_set, fast_config(scheme, m)).encode(sample_vectors)
    assert codes.shape == (len(sample_vectors), m) and codes.dtype == np.uint8
    assert np.array_equal(codes, again)
    other = fit_tokenizer(fit_set, fast_config(scheme, m, seed=7)).encode(sample_vectors)
    assert not np.array_equal(codes, other)


@pytest.mark.parametrize(("scheme", "m", "ceiling"), [("rpg", 16, 0.5), ("pse", 4, 0.6), ("rq", 4, 0.6)])
def test_reconstruction_is_well_below_random_codes(
    fit_set: np.ndarray,
    sample_vectors: np.ndarray,
    fast_config: Callable[..., SidConfig],
    scheme: str,
    m: int,
    ceiling: float,
) -> None:
    tokenizer = fit_tokenizer(fit_set, fast_config(scheme, m))
    codes = tokenizer.encode(sample_vectors)
    stats = reconstruction_stats(tokenizer, sample_vectors, codes)
    assert stats["recon_mse"] < ceiling * stats["recon_mse_random_codes"]
    assert stats["recon_ratio_vs_random"] < ceiling and 0 < stats["recon_relative"] < 1


def test_more_digits_reconstruct_better(
    fit_set: np.ndarray, sample_vectors: np.ndarray, fast_config: Callable[..., SidConfig]
) -> None:
    errors = []
    for m in (4, 16):
        tokenizer = fit_tokenizer(fit_set, fast_config("rpg", m))
        errors.append(
            reconstruction_stats(tokenizer, sample_vectors, tokenizer.encode(sample_vectors))[
                "recon_relative"
            ]
        )
    assert errors[1] < errors[0]


def test_pipeline_steps(fit_set: np.ndarray, fast_config: Callable[..., SidConfig]) -> None:
    assert fit_tokenizer(fit_set, fast_config("pse")).describe() == [
        "NormalizationTransform 384->384",
        "PCAMatrix 384->256",
        "NormalizationTransform 256->256",
        "OPQMatrix 256->256",
        "CenteringTransform 256->256",
        "IndexPQ 256->4x256",
    ]


def test_config_and_input_checks(fit_set: np.ndarray, fast_config: Callable[..., SidConfig]) -> None:
    with pytest.raises(ValueError, match="divisible"):
        SidConfig(scheme="rpg", m=24, pca_dim=256)
    with pytest.raises(ValueError, match="unknown scheme"):
        SidConfig(scheme="vq")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 256"):
        fit_tokenizer(fit_set[:255], fast_config("pse"))
    with pytest.raises(ValueError, match="exceeds"):
        fit_tokenizer(fit_set, SidConfig(scheme="pse", m=4, pca_dim=512))


def test_collision_stats() -> None:
    codes = np.array([[1, 2], [1, 2], [1, 2], [3, 4], [5, 6], [5, 6]], dtype=np.uint8)
    assert collision_stats(codes) == {
        "items": 6,
        "unique_sids": 3,
        "largest_bucket": 3,
        "items_in_collision": 5,
        "collision_share": round(5 / 6, 6),
        "codes_used_per_digit_min": 3,
        "codes_used_per_digit_mean": 3.0,
    }
