"""The committed edge parity vectors for SASRec and content kNN agree with the current Python code."""

import base64
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from genrec.models.knn_lists import list_scores
from genrec.rpg.decode import top_n
from genrec.tools.baseline_vectors import MIN_GAP, knn_lists, sasrec_model, sasrec_top

VECTORS = Path(__file__).resolve().parents[3] / "edge" / "test" / "vectors"
SASREC = json.loads((VECTORS / "sasrec-topk.json").read_text())
KNN = json.loads((VECTORS / "knn-topk.json").read_text())


@pytest.mark.parametrize("case", SASREC["cases"], ids=lambda c: c["name"])
def test_sasrec_case_is_pytorchs_top_n_and_the_committed_onnx_agrees(case: dict) -> None:
    model = sasrec_model(SASREC["seed"])
    rows, scores = sasrec_top(model, case["history"], case["exclude_seen"], case["n"])
    assert rows.tolist() == case["expected"]["rows"]
    np.testing.assert_allclose(scores, case["expected"]["scores"], atol=1e-5)
    assert np.min(-np.diff(case["expected"]["scores"])) > MIN_GAP
    # The bytes the edge test loads: their user vector ranks the same rows.
    session = ort.InferenceSession(
        base64.b64decode(SASREC["onnx_base64"]), providers=["CPUExecutionProvider"]
    )
    emb = np.frombuffer(base64.b64decode(SASREC["embeddings_base64"]), dtype="<f4").reshape(-1, SASREC["dim"])
    recent = case["history"][-SASREC["max_len"] :]
    history = np.zeros((1, SASREC["max_len"]), dtype=np.int64)
    history[0, len(history[0]) - len(recent) :] = recent
    (user,) = session.run(["user"], {"history": history})
    exclude = np.array(case["history"]) if case["exclude_seen"] else None
    got, _ = top_n(np.concatenate([[0.0], emb[1:].astype(np.float64) @ user[0]]), case["n"], exclude)
    assert got.tolist() == case["expected"]["rows"]


@pytest.mark.parametrize("case", KNN["cases"], ids=lambda c: c["name"])
def test_knn_case_is_the_list_scorers_top_n(case: dict) -> None:
    lists = knn_lists(KNN["seed"])
    assert lists.indptr.tolist() == KNN["indptr"] and lists.indices.tolist() == KNN["indices"]
    rows, scores = top_n(
        list_scores(lists, np.array(case["history"]), case["decay"], KNN["n_items"]), case["n"]
    )
    assert rows.tolist() == case["expected"]["rows"]
    np.testing.assert_allclose(scores, case["expected"]["scores"], rtol=1e-12)
