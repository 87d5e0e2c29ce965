"""The denoise RPC through the local server, with a randomly initialised artifact written to tmp."""

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from genrec.data import load_dataset
from genrec.diffgrm import serve
from genrec.rpc.models import DenoiseResponse, ErrorEnvelope
from genrec.server.app import create_app

TOKEN = "test-token-denoise"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VERSION = "diffgrm-sample-tiny"  # written by conftest.artifacts


@pytest.fixture
def client(artifacts: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("GENREC_ARTIFACTS_DIR", str(artifacts))
    return TestClient(create_app(token=TOKEN))


def items_of(artifacts: Path) -> list[str]:
    ds, _ = load_dataset("sample")
    return list(ds.item_ids[1:])


def test_denoise_answers_top_k_items_per_history(client: TestClient, artifacts: Path) -> None:
    catalogue = items_of(artifacts)
    body = {
        "artifact_version": VERSION,
        "histories": [catalogue[:3], ["not-an-item", catalogue[10]], catalogue[:120]],
        "k": 5,
        "beam": 16,
    }
    response = client.post("/rpc/denoise", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    answer = DenoiseResponse.model_validate(response.json())
    assert answer.artifact_version == VERSION and len(answer.results) == 3
    for result in answer.results:
        ids = [i.item_id for i in result.items]
        assert 1 <= len(ids) <= 5 and len(set(ids)) == len(ids) and set(ids) <= set(catalogue)
        scores = [i.score for i in result.items]
        assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores)  # log-probs
        assert 0 <= result.invalid <= 16
    assert sum(r.invalid for r in answer.results) > 0  # some decoded SIDs are of no item
    # ... and the best of them come back, for the edge to map to items added after training
    trained = {tuple(row) for row in np.load(artifacts / VERSION / "sids.npy")[1:].tolist()}
    for result in answer.results:
        keys = [tuple(sid.codes) for sid in result.unmatched or []]
        assert len(keys) == len(set(keys)) <= min(5, result.invalid) and not set(keys) & trained
        assert all(len(key) == answer.digits == 4 for key in keys)  # digits: the edge's SID-artifact check
        scores = [sid.score for sid in result.unmatched or []]
        assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores)
    assert sum(len(r.unmatched or []) for r in answer.results) > 0
    assert answer.bucket_prior == 1.0  # the artifact's decode.bucket_prior, for the edge's cold items
    # the same batch answers the same (pure decoding, eval mode)
    assert client.post("/rpc/denoise", json=body, headers=AUTH).json() == response.json()


def test_unknown_ids_are_dropped_and_an_empty_history_is_a_400_naming_it(
    client: TestClient, artifacts: Path
) -> None:
    catalogue = items_of(artifacts)
    alone = {"artifact_version": VERSION, "histories": [[catalogue[10]]], "k": 3}
    noisy = {"artifact_version": VERSION, "histories": [["x1", catalogue[10], "x2"]], "k": 3}
    assert client.post("/rpc/denoise", json=alone, headers=AUTH).json() == (
        client.post("/rpc/denoise", json=noisy, headers=AUTH).json()
    )
    bad = {"artifact_version": VERSION, "histories": [[catalogue[0]], ["nope", "nada"]]}
    response = client.post("/rpc/denoise", json=bad, headers=AUTH)
    assert response.status_code == 400
    error = ErrorEnvelope.model_validate(response.json()).error
    assert error.code == "invalid_request" and [i.path for i in error.issues] == [["histories", 1]]


@pytest.mark.parametrize("version", ["diffgrm-nope", "beauty-pse-m4"])
def test_unknown_or_foreign_versions_are_404(client: TestClient, artifacts: Path, version: str) -> None:
    (artifacts / "beauty-pse-m4").mkdir(exist_ok=True)  # another kind of artifact set
    (artifacts / "beauty-pse-m4" / "manifest.json").write_text('{"format": 1, "kind": "sid"}')
    body = {"artifact_version": version, "histories": [["a"]]}
    response = client.post("/rpc/denoise", json=body, headers=AUTH)
    assert response.status_code == 404
    assert ErrorEnvelope.model_validate(response.json()).error.code == "not_found"


def test_an_artifact_is_read_once_per_process(
    client: TestClient, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve._loaded.pop((artifacts / VERSION).resolve(), None)
    reads: list[Path] = []
    real = serve.read_served
    monkeypatch.setattr(serve, "read_served", lambda d: reads.append(d) or real(d))
    body = {"artifact_version": VERSION, "histories": [[items_of(artifacts)[0]]], "k": 2}
    for _ in range(3):
        assert client.post("/rpc/denoise", json=body, headers=AUTH).status_code == 200
    assert len(reads) == 1
