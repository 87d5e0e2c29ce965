"""Artifact sets of the baselines on the shipped sample: a tiny SASRec trained, exported and ranked
through onnxruntime as the edge ranks it; eSASRec's export; content-kNN lists against the full model."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from genrec.artifacts import export_history_model, random_histories
from genrec.baselines.config import resolve_config
from genrec.baselines.export import (
    PARITY_TOL,
    UserExport,
    export_embedding,
    export_knn,
    load_embedding_run,
    onnx_users,
    parity,
)
from genrec.baselines.train import run
from genrec.data import load_dataset
from genrec.models import ContentKNN, ESASRec, ESASRecConfig
from genrec.models.knn_lists import NeighbourLists, list_scores
from genrec.rpc.models import ArtifactManifest, EmbeddingManifest, KnnManifest
from genrec.rpg.decode import top_n


def check_files(out: Path, manifest: dict) -> None:
    assert {p.name for p in out.iterdir()} == {"manifest.json", *manifest["files"]}
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@pytest.mark.parametrize("name", ["sasrec", "esasrec"])
def test_tiny_run_trains_exports_and_ranks_like_pytorch(tmp_path: Path, name: str) -> None:
    config = resolve_config(name, "sample", "tiny", {"train.epochs": 1})
    result = run(config, tmp_path / "run", tmp_path / "results")
    out = tmp_path / f"{name}-sample-tiny"
    manifest = export_embedding(
        tmp_path / "run", out, result=tmp_path / "results" / f"sample-{name}-tiny.json"
    )
    parsed = ArtifactManifest.model_validate_json((out / "manifest.json").read_text()).root
    assert isinstance(parsed, EmbeddingManifest) and parsed.model == name and parsed.dim == 16
    assert manifest["metrics"]["onnx_max_abs_diff"] <= PARITY_TOL
    assert manifest["metrics"]["test_ndcg@10"] == result["test"]["metrics"]["ndcg@10"]
    check_files(out, manifest)

    n = manifest["n_items"]
    emb = np.fromfile(out / "embeddings.f32", dtype="<f4").reshape(n + 1, 16)
    assert json.loads((out / "items.json").read_text())[0] == "" and not emb[0].any()
    histories = random_histories(n, 16, 50, seed=3)
    users = onnx_users(out / "model.onnx")(histories).numpy()  # [B, d]
    model, _, _ = load_embedding_run(tmp_path / "run")
    with torch.inference_mode():
        expected = model.score_all(histories).double().numpy()  # [B, N+1]
    for b in range(len(histories)):
        rows, _ = top_n(np.concatenate([[0.0], emb[1:] @ users[b]]), 10)
        want, _ = top_n(expected[b], 10)
        assert rows.tolist() == want.tolist()


def test_esasrec_user_side_exports_with_parity(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = ESASRec(ESASRecConfig(d=32, n_heads=2), 100).eval()
    export_history_model(UserExport(model), tmp_path / "m.onnx", 50, 100, "user")
    assert parity(model, tmp_path / "m.onnx") <= PARITY_TOL


def test_knn_lists_give_the_full_models_top_10_at_decay_0(tmp_path: Path) -> None:
    config = resolve_config("content-knn", "sample", "quick", {})
    out = tmp_path / "knn-sample"
    manifest = export_knn(config, out, neighbours=80)
    assert isinstance(ArtifactManifest.model_validate(manifest).root, KnnManifest)
    assert manifest["neighbours"] == 80 and manifest["decay"] == 0.0
    check_files(out, manifest)
    lists = NeighbourLists(
        np.fromfile(out / "graph.indptr.i32", dtype="<i4"),
        np.fromfile(out / "graph.indices.i32", dtype="<i4"),
        np.fromfile(out / "graph.scores.f32", dtype="<f4"),
    )
    ds, _ = load_dataset("sample")
    model = ContentKNN.from_dataset(config.model, ds)
    histories = random_histories(ds.n_items, 20, 50, seed=5)
    histories[:, -1] = torch.randint(1, ds.n_items + 1, (20,))  # every history has a newest item
    with torch.inference_mode():
        full = model.score_all(histories).double().numpy()
    for b in range(len(histories)):
        rows = histories[b][histories[b] > 0].numpy()
        got, _ = top_n(list_scores(lists, rows, 0.0, ds.n_items), 10)
        want, _ = top_n(full[b], 10)
        assert got.tolist() == want.tolist()


@pytest.mark.parametrize("decay", [0.5, 0.9])
def test_knn_decay_weights_every_history_item(decay: float) -> None:
    lists = NeighbourLists(
        np.array([0, 0, 1, 2], np.int32), np.array([2, 1], np.int32), np.array([0.5, 0.25], np.float32)
    )
    # history [1, 2] (2 newest): row 1 is history, row 2 is history: nothing is left to answer
    assert np.isneginf(list_scores(lists, np.array([1, 2]), decay, 2)).all()
    scores = list_scores(lists, np.array([1]), decay, 2)
    assert scores[2] == 0.5 and np.isneginf(scores[1])
