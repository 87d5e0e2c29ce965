"""The committed TypeScript decoder vectors agree with the current Python decoder."""

import json
from pathlib import Path

import numpy as np
import pytest

from genrec.rpg.decode import graph_decode, score_items, top_n
from genrec.tools.rpg_decode_vectors import MIN_GAP

VECTORS = Path(__file__).resolve().parents[3] / "edge" / "test" / "vectors" / "rpg-decode.json"


def load() -> dict:
    return json.loads(VECTORS.read_text())


def test_file_is_small_and_well_formed() -> None:
    assert VECTORS.stat().st_size < 500_000
    v = load()
    sids = np.array(v["sids"], dtype=np.uint8)
    assert sids.shape == (v["n_items"] + 1, v["digits"]) and not sids[0].any()
    indptr = np.array(v["graph"]["indptr"])
    assert indptr.shape == (v["n_items"] + 2,) and indptr[1] == 0 and indptr[-1] == len(v["graph"]["indices"])


@pytest.mark.parametrize("case", [c["name"] for c in load()["cases"]])
def test_case_matches_the_decoder(case: str) -> None:
    v = load()
    c = next(c for c in v["cases"] if c["name"] == case)
    sids = np.array(v["sids"], dtype=np.uint8)
    indptr, indices = np.array(v["graph"]["indptr"]), np.array(v["graph"]["indices"])
    logprobs, exclude = np.array(c["logprobs"], dtype=np.float64), np.array(c["exclude"], dtype=np.int64)
    assert logprobs.shape == (v["digits"], 256)
    rows, scores = top_n(score_items(logprobs, sids), c["n"], exclude)
    assert rows.tolist() == c["expected"]["exhaustive"]["rows"]
    assert np.allclose(scores, c["expected"]["exhaustive"]["scores"], rtol=0, atol=v["score_tolerance"])
    got = graph_decode(
        logprobs, sids, indptr, indices, np.array(c["initial_beam"]), c["b"], c["q"], c["n"], exclude
    )
    assert got.rows.tolist() == c["expected"]["graph"]["rows"]
    assert np.allclose(got.scores, c["expected"]["graph"]["scores"], rtol=0, atol=v["score_tolerance"])
    assert got.scored == c["expected"]["graph"]["scored"]
    assert not set(got.rows.tolist()) & set(c["exclude"])
    for expected in (c["expected"]["exhaustive"]["scores"], c["expected"]["graph"]["scores"]):
        assert len(expected) < 2 or min(-np.diff(expected)) > MIN_GAP  # no near-ties to flip
