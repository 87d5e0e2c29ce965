"""The committed edge parity vectors for an RPG set with a text term agree with the current Python code,
and every serving term changes some expected answer (so an edge that dropped one would fail)."""

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from genrec.rpg.decode import top_n
from genrec.rpg.export import onnx_session, served_scorer
from genrec.tools.rpg_text_vectors import MIN_GAP, text_model, text_top

VECTORS = json.loads(
    (Path(__file__).resolve().parents[3] / "edge" / "test" / "vectors" / "rpg-text-topk.json").read_text()
)


def history_tensor(rows: list[int], max_len: int) -> torch.Tensor:
    recent = rows[-max_len:]
    history = torch.zeros(1, max_len, dtype=torch.int64)
    history[0, max_len - len(recent) :] = torch.tensor(recent)
    return history


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_case_is_score_alls_top_n_and_the_committed_set_serves_it(case: dict, tmp_path: Path) -> None:
    model = text_model(VECTORS["seed"])
    rows, scores = text_top(model, case["history"], case["exclude_seen"], case["n"])
    assert rows.tolist() == case["expected"]["rows"]
    np.testing.assert_allclose(scores, case["expected"]["scores"], atol=1e-5)
    assert len(scores) < 2 or np.min(-np.diff(case["expected"]["scores"])) > MIN_GAP
    # The bytes the edge test loads, scored as the edge scores them, rank the same rows.
    (tmp_path / "model.onnx").write_bytes(base64.b64decode(VECTORS["onnx_base64"]))
    texts = np.frombuffer(base64.b64decode(VECTORS["text_base64"]), dtype="<f4").reshape(
        -1, VECTORS["text_dim"]
    )
    sids = np.array(VECTORS["sids"], dtype=np.uint8).reshape(-1, VECTORS["digits"])
    session = onnx_session(tmp_path / "model.onnx")
    history = history_tensor(case["history"], VECTORS["max_len"])
    exclude = np.array(case["history"]) if case["exclude_seen"] else None

    def served(text: bool, bias: bool) -> list[int]:
        scorer = served_scorer(
            session if text else (lambda h, last: (session(h, last)[0], None)),
            sids,
            torch.from_numpy(texts.copy()),
            VECTORS["repeat_bias"] if bias else None,
        )
        got, _ = top_n(scorer(history, torch.float32)[0].double().numpy(), case["n"], exclude)
        return got.tolist()

    assert served(text=True, bias=True) == case["expected"]["rows"]
    assert served(text=False, bias=True) != case["expected"]["rows"]  # the text term matters here
    if not case["exclude_seen"]:
        assert served(text=True, bias=False) != case["expected"]["rows"]  # so does the bias
