"""One decode read several ways: the readings of genrec.diffgrm.evaluate on hand-made beams (no model)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from genrec.data.split import EvalSplit
from genrec.diffgrm import evaluate as ev
from genrec.diffgrm.cpd import Beams, bucket_map

SIDS = np.array([[0, 0], [1, 1], [1, 1], [2, 2], [1, 1], [3, 0]], dtype=np.uint8)  # rows 1, 2, 4 collide
COUNTS = np.array([0, 5, 9, 1, 9, 0])
# every user decodes SIDs (1, 1), (2, 2), (3, 0) with log-probs 0, -0.5, -3: by bucket, items 2 4 1 3 5;
# by joint log-prob (bucket prior 1), 3 (-0.5) 2 4 (-0.96) 1 (-1.47) 5 (-3); then 7 SIDs of no item
BEAMS = Beams(
    torch.tensor([[[1, 1], [2, 2], [3, 0]] + [[9, j] for j in range(7)]]),
    torch.tensor([[0.0, -0.5, -3.0] + [-4.0 - j for j in range(7)]]),
)
SPLIT = EvalSplit(np.arange(3), np.array([[0, 2], [0, 4], [0, 3]]), np.array([1, 3, 5]))


def text_prior(histories: torch.Tensor) -> torch.Tensor:
    """Item 5 is the text neighbour of item 3: only the third user (last item 3) gets a bonus."""
    out = torch.zeros(len(histories), len(SIDS))
    out[:, 5] = (histories[:, -1] == 3).float()
    return out


def ndcg(*ranks: int) -> float:
    return sum(1 / math.log2(r + 1) for r in ranks) / len(ranks)


@pytest.fixture
def result(monkeypatch: pytest.MonkeyPatch) -> dict:
    def decode(model, histories, beam, order, merge):  # evaluate.decode_histories's signature
        return Beams(BEAMS.codes.expand(len(histories), -1, -1), BEAMS.scores.expand(len(histories), -1))

    monkeypatch.setattr(ev, "decode_histories", decode)
    model = SimpleNamespace(sid_table=lambda: SIDS)
    readings = tuple(ev.ItemRanking(b, t) for b in (0.0, 1.0) for t in (0.0, 10.0))
    return ev.evaluate(model, SPLIT, bucket_map(SIDS, COUNTS), beam=10, readings=readings, prior=text_prior)


def test_each_reading_maps_the_same_beams_by_its_own_rule(result: dict) -> None:
    readings = result["readings"]
    assert readings["bucket 0 text 0"]["metrics"]["ndcg@10"] == result["metrics"]["ndcg@10"]
    assert result["metrics"]["ndcg@10"] == pytest.approx(ndcg(3, 4, 5))
    assert readings["bucket 1 text 0"]["metrics"]["ndcg@10"] == pytest.approx(ndcg(4, 1, 5))
    assert readings["bucket 1 text 10"]["metrics"]["ndcg@10"] == pytest.approx(ndcg(4, 1, 1))
    assert readings["bucket 0 text 10"]["metrics"]["ndcg@10"] == pytest.approx(ndcg(3, 4, 1))
    # seen-filtered: the histories hold items 2, 4 and 3 (lists 4 1 3 5, 2 1 3 5, 2 4 1 5)
    assert readings["bucket 0 text 0"]["seen_filtered"]["ndcg@10"] == pytest.approx(ndcg(2, 3, 4))
    assert result["sid_level"]["ndcg@10"] == pytest.approx(ndcg(1, 2, 3))
    assert result["targets_sharing_their_sid"] == round(1 / 3, 4)  # item 1 shares its SID; 3 and 5 do not


def test_selection_keeps_the_text_prior_apart(result: dict) -> None:
    plain = ev.select_reading(result, result)
    assert (plain["bucket_prior"], plain["text_prior"]) == (1.0, 0.0)
    fused = ev.select_reading(result, result, text=True)
    assert fused["reading"] == "bucket 1 text 10" and fused["test"]["ndcg@10"] == pytest.approx(ndcg(4, 1, 1))


def test_a_text_reading_needs_a_prior() -> None:
    with pytest.raises(AssertionError, match="text prior"):
        ev.evaluate(
            SimpleNamespace(sid_table=lambda: SIDS),
            SPLIT,
            bucket_map(SIDS, COUNTS),
            beam=10,
            readings=(ev.ItemRanking(0.0, 1.0),),
        )
