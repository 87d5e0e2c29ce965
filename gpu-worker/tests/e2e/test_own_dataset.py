"""A user's own data, end to end through the commands the README documents: ``genrec data import``
of the sample in every supported format, then for each import the tiny presets trained by name
(RPG and DiffGRM), RPG exported as the edge's artifact set and decoded as the edge does, and
DiffGRM served through the worker's ``denoise`` RPC. The edge's own serving of such an artifact set
is test/e2e's (train.test.ts)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from genrec.data import Dataset, load_dataset, pad_left
from genrec.data.cli import main as data_main
from genrec.diffgrm.train import main as diffgrm_main
from genrec.rpg.decode import graph_decode
from genrec.rpg.export import main as export_main
from genrec.rpg.export import onnx_logprobs
from genrec.rpg.train import main as rpg_main
from genrec.server.app import create_app

FORMATS = ("canonical", "amazon-shared", "amazon-raw", "events-jsonl", "events-csv")
TOKEN = "e2e-own-dataset"


@pytest.fixture(scope="module")
def imported(sample_formats: dict[str, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("imports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GENREC_IMPORTS", str(root))
        for fmt in FORMATS:
            assert data_main(["validate", *sample_formats[fmt]]) == 0
            assert data_main(["import", *sample_formats[fmt], "--name", f"own-{fmt}"]) == 0
    return root


def serve_rpg(artifacts: Path, history: list[str], n: int = 5) -> list[str]:
    """The edge's RPG answer for a session history, from the artifact set's files alone."""
    manifest = json.loads((artifacts / "manifest.json").read_text())
    item_ids: list[str] = json.loads((artifacts / "items.json").read_text())
    index = {item: row for row, item in enumerate(item_ids) if row}
    rows = np.array([index[i] for i in history], dtype=np.int64)
    logprobs = onnx_logprobs(artifacts / "model.onnx")(
        torch.from_numpy(pad_left([rows], manifest["max_len"]))
    )
    sids = np.fromfile(artifacts / "sids.u8", dtype=np.uint8).reshape(len(item_ids), manifest["digits"])
    indptr = np.fromfile(artifacts / "graph.indptr.i32", dtype="<i4")
    indices = np.fromfile(artifacts / "graph.indices.i32", dtype="<i4")
    decode = manifest["decode"]
    popular = np.fromfile(artifacts / "popular.i32", dtype="<i4")[: decode["beam"]].astype(np.int64)
    answer = graph_decode(
        logprobs[0].numpy().astype(np.float64),
        sids,
        indptr,
        indices,
        popular,
        decode["beam"],
        decode["steps"],
        n,
        rows,
    )
    return [item_ids[r] for r in answer.rows]


# Every format imports in the fixture; training on each import again (~10 s each) is marked slow
# except for one, since the imports are checked identical to the sample first.
TRAINED = [pytest.param(f, marks=() if f == "events-csv" else pytest.mark.slow) for f in FORMATS]


@pytest.mark.parametrize("fmt", TRAINED)
def test_import_train_export_and_serve(
    fmt: str, imported: Path, sample: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GENREC_IMPORTS", str(imported))
    name = f"own-{fmt}"
    ds, _ = load_dataset(name)  # by name, as every trainer addresses it
    assert ds.user_ids == sample.user_ids and ds.item_ids == sample.item_ids
    assert all((a == b).all() for a, b in zip(ds.sequences, sample.sequences, strict=True))
    assert [r.title for r in ds.items] == [r.title for r in sample.items]

    results, common = tmp_path / "results", ["--dataset", name, "--preset", "tiny", "--set", "train.epochs=1"]
    rpg_main([*common, "--sids", "random:8", "--out", str(tmp_path / "rpg"), "--results-dir", str(results)])
    result = json.loads((results / f"{name}-tiny.json").read_text())
    assert result["command"] == shlex.join(sys.orig_argv)  # the process's own command line
    assert result["dataset_defaults"]["tuned"] is False and result["dataset_defaults"]["values"] == {}
    artifacts = tmp_path / "artifacts" / f"rpg-{name}-tiny"
    export_main(["--checkpoint", str(tmp_path / "rpg"), "--out", str(artifacts)])
    history = [ds.item_ids[i] for i in ds.sequences[0][:4]]
    answer = serve_rpg(artifacts, history)
    assert len(answer) == 5 and len(set(answer)) == 5
    assert set(answer) <= set(ds.item_ids[1:]) and not set(answer) & set(history)

    diffgrm_dir = tmp_path / "artifacts" / f"diffgrm-{name}-tiny"
    out = [
        "--out",
        str(tmp_path / "diffgrm"),
        "--results-dir",
        str(results),
        "--artifact-dir",
        str(diffgrm_dir),
    ]
    diffgrm_main([*common, "--sids", "random:4", *out])
    monkeypatch.setenv("GENREC_ARTIFACTS_DIR", str(diffgrm_dir.parent))
    client = TestClient(create_app(token=TOKEN))
    body = {"artifact_version": diffgrm_dir.name, "histories": [history], "k": 5}
    response = client.post("/rpc/denoise", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    served = [i["item_id"] for i in response.json()["results"][0]["items"]]
    assert served and set(served) <= set(ds.item_ids[1:])
