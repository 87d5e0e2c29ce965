"""Quality of a SID table: collisions (items sharing a SID) and reconstruction error.

Reconstruction error is measured where the quantizer works (after every transform): mean squared
error per item, also relative to the mean squared norm of those (centred) vectors, i.e. the share of
variance the codes lose. The baseline is the same decoder fed uniformly random codes, so a ratio
well below 1 says the codes carry the embedding. faiss's whitened PCA scales components to variance
1/n, which changes the absolute MSE, never the relative error or the ratio.
"""

from __future__ import annotations

import numpy as np

from genrec.sid.tokenizer import CODEBOOK, SidTokenizer


def collision_stats(codes: np.ndarray) -> dict[str, int | float]:
    """codes: uint8 [n, m], one row per catalogue item (no padding row)."""
    assert codes.ndim == 2 and len(codes) > 0, codes.shape
    _, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    in_collision = int((counts[inverse.ravel()] > 1).sum())
    used = [len(np.unique(codes[:, d])) for d in range(codes.shape[1])]
    return {
        "items": len(codes),
        "unique_sids": len(counts),
        "largest_bucket": int(counts.max()),
        "items_in_collision": in_collision,
        "collision_share": round(in_collision / len(codes), 6),
        "codes_used_per_digit_min": min(used),
        "codes_used_per_digit_mean": round(float(np.mean(used)), 2),
    }


def _mse(a: np.ndarray, b: np.ndarray) -> float:
    return float(((a.astype(np.float64) - b) ** 2).sum(axis=1).mean())


def reconstruction_stats(
    tokenizer: SidTokenizer, x: np.ndarray, codes: np.ndarray, seed: int = 0
) -> dict[str, float]:
    """x: the embeddings [n, d_in] that ``codes`` [n, m] encode."""
    z = tokenizer.transform(x)
    random_codes = np.random.default_rng(seed).integers(0, CODEBOOK, size=codes.shape, dtype=np.uint8)
    mse = _mse(z, tokenizer.decode(codes))
    mse_random = _mse(z, tokenizer.decode(random_codes))
    energy = float((z.astype(np.float64) ** 2).sum(axis=1).mean())
    return {
        "recon_mse": mse,
        "recon_mse_random_codes": mse_random,
        "recon_relative": round(mse / energy, 6),
        "recon_relative_random_codes": round(mse_random / energy, 6),
        "recon_ratio_vs_random": round(mse / mse_random, 6),
    }
