"""ONNX parity and a tiny end-to-end run on the shipped sample: train -> result file -> artifact set."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from genrec.data import leave_one_out, load_dataset
from genrec.models.content_knn import ContentKNN, ContentKNNConfig, item_vectors
from genrec.rpc.models import ArtifactManifest
from genrec.rpg.config import resolve_config
from genrec.rpg.evaluate import exhaustive, model_scores
from genrec.rpg.export import (
    PARITY_TOL,
    export,
    export_onnx,
    headline,
    load_run,
    onnx_logprobs,
    onnx_session,
    parity,
    quantize_int8,
    random_histories,
    read_ids,
    served_scorer,
)
from genrec.rpg.fuse import sweep as fuse_sweep
from genrec.rpg.model import RPG, RPGConfig
from genrec.rpg.train import run
from genrec.sid.table import load_sids, random_sids
from genrec.tools.rpg_decode_sweep import sweep


@pytest.mark.parametrize("item_ids", [False, True])
def test_onnx_matches_pytorch_with_a_dynamic_batch(tmp_path, item_ids: bool) -> None:
    torch.manual_seed(0)
    config = RPGConfig(n_digits=4, d=32, n_layers=2, n_heads=2, d_ffn=64, item_ids=item_ids)
    model = RPG(config, random_sids(100, 4))
    if item_ids:
        torch.nn.init.normal_(model.id_emb.weight[1:], std=0.1)  # trained-like rows, not the zero init
    model.eval()
    export_onnx(model, tmp_path / "model.onnx")
    session = onnx_logprobs(tmp_path / "model.onnx")
    for batch in (1, 7):
        histories = random_histories(100, batch, 50, seed=batch)
        histories[0] = 0  # a cold user (all padding) must not produce NaN either
        with torch.inference_mode():
            expected = model.user_logprobs(histories)
        got = session(histories)
        assert got.shape == (batch, 4, 256) and got.dtype == torch.float32
        assert float((got - expected).abs().max()) <= PARITY_TOL
    quantize_int8(tmp_path / "model.onnx", tmp_path / "model.int8.onnx")
    int8 = onnx_logprobs(tmp_path / "model.int8.onnx")(histories)
    assert int8.shape == (7, 4, 256) and torch.isfinite(int8).all()


def test_train_and_export_the_sample(tmp_path) -> None:
    ds, _ = load_dataset("sample")
    table = load_sids("random:8", ds)
    config = resolve_config("sample", "tiny", "random:8", 8, {"train.epochs": "1"})
    result = run(config, table, tmp_path / "run", tmp_path / "results")
    saved = json.loads((tmp_path / "results" / "sample-tiny.json").read_text())
    assert saved["epochs_run"] == 1 and saved["git"]["commit"]
    for split in ("valid", "test"):
        assert saved[split]["graph"]["metrics"]["invalid@10"] == 0.0
        assert 0 < saved[split]["graph"]["items_scored_per_user_metrics"]["mean"] < ds.n_items
        assert saved[split]["exhaustive"]["items_scored_per_user"] == ds.n_items
        assert set(saved[split]["exhaustive"]["seen_filtered"]) == {
            "recall@5",
            "recall@10",
            "ndcg@5",
            "ndcg@10",
        }
    assert set(result["test_graph_by_beam_init"]) == {"random", "popular", "history"}

    out = tmp_path / "rpg-sample-tiny"
    manifest = export(
        tmp_path / "run",
        out,
        eval_valid=True,
        result=tmp_path / "results" / "sample-tiny.json",
        sid_artifact="sample-sid-v1",
    )
    ArtifactManifest.model_validate(json.loads((out / "manifest.json").read_text()))
    assert manifest["version"] == "rpg-sample-tiny" and manifest["digits"] == 8
    assert manifest["sid_artifact"] == "sample-sid-v1"
    assert manifest["metrics"]["onnx_max_abs_diff"] <= 1e-4
    assert "valid_int8_delta_ndcg@10" in manifest["metrics"]
    names = {p.name for p in out.iterdir()}
    assert names == {"manifest.json", *manifest["files"]}
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    n = ds.n_items
    assert json.loads((out / "items.json").read_text()) == list(ds.item_ids)
    assert np.array_equal(np.fromfile(out / "sids.u8", dtype=np.uint8).reshape(n + 1, 8), table.sids)
    indptr = np.fromfile(out / "graph.indptr.i32", dtype="<i4")
    indices = np.fromfile(out / "graph.indices.i32", dtype="<i4")
    assert indptr.shape == (n + 2,) and indptr[1] == 0 and indptr[-1] == len(indices)
    assert indices.min() >= 1 and indices.max() <= n
    assert all(indices[indptr[r]] == r for r in (1, n // 2, n))  # self first
    # the per-digit code cosines the graph is built from: self-similarity 1 on each table's diagonal
    sim = np.fromfile(out / "codes.sim.f32", dtype="<f4").reshape(8, 256, 256)
    assert np.allclose(np.diagonal(sim, axis1=1, axis2=2), 1, atol=1e-5)
    popular = np.fromfile(out / "popular.i32", dtype="<i4")
    assert len(set(popular.tolist())) == len(popular) and popular.min() >= 1
    assert "onnx" in json.loads((tmp_path / "results" / "sample-tiny.json").read_text())

    # withheld items (cold-start benchmark): gone from the set, everything else unchanged
    withheld = frozenset(ds.item_ids[r] for r in (2, 5, n))
    small = export(tmp_path / "run", tmp_path / "rpg-sample-cold", withhold=withheld)
    kept = [r for r in range(n + 1) if ds.item_ids[r] not in withheld]
    cold = tmp_path / "rpg-sample-cold"
    assert small["n_items"] == n - 3 and json.loads((cold / "items.json").read_text()) == [
        ds.item_ids[r] for r in kept
    ]
    assert np.array_equal(np.fromfile(cold / "sids.u8", dtype=np.uint8).reshape(n - 2, 8), table.sids[kept])
    popular_cold = np.fromfile(cold / "popular.i32", dtype="<i4")
    assert [ds.item_ids[kept[r]] for r in popular_cold] == [
        ds.item_ids[r] for r in popular if ds.item_ids[r] not in withheld
    ]
    old = torch.tensor([[0] * 47 + [1, 3, 4]])
    new = torch.tensor([[0] * 47 + [kept.index(1), kept.index(3), kept.index(4)]])  # [.., 1, 2, 3]
    same = onnx_logprobs(out / "model.onnx")(old), onnx_logprobs(cold / "model.onnx")(new)
    assert float((same[0] - same[1]).abs().max()) <= 1e-5
    with pytest.raises(ValueError, match="not in sample"):
        export(tmp_path / "run", tmp_path / "x", withhold=frozenset({"no-such-item"}))

    swept = sweep(tmp_path / "run", "test", [(10, 5, 2), (10, 20, 1)], ("random", "history"))
    modes = [(r["mode"], r.get("k"), r.get("init")) for r in swept["rows"]]
    assert modes[0] == ("exhaustive", None, None) and len(modes) == 1 + 2 * 2
    assert all(r["items_scored_per_user"]["max"] <= 2 * 10 * 5 for r in swept["rows"][1:3])  # q·b·k


@pytest.mark.parametrize("text_last", [False, True])
def test_a_text_model_exports_its_query_and_serves_score_all(tmp_path, text_last: bool) -> None:
    torch.manual_seed(0)
    config = RPGConfig(
        n_digits=4,
        d=32,
        n_layers=1,
        n_heads=2,
        d_ffn=64,
        history_negatives=True,
        text_head="meta",
        text_last=text_last,
        repeat_bias=True,
    )
    texts = torch.nn.functional.normalize(torch.randn(101, 16), dim=1)
    texts[0] = 0
    model = RPG(config, random_sids(100, 4), text_vectors=texts)
    with torch.no_grad():  # trained-like text weights and bias, not the zero init
        torch.nn.init.normal_(model.text_proj.weight, std=0.5)
        if text_last:
            torch.nn.init.normal_(model.text_last.weight, std=0.5)
        model.repeat.fill_(-3.0)
    model.eval()
    export_onnx(model, tmp_path / "model.onnx", texts)
    session = onnx_session(tmp_path / "model.onnx")
    histories = random_histories(100, 7, 50, seed=3)
    histories[0] = 0  # a cold user: no last item, a zero text vector
    logprobs, query = session(histories, texts[histories[:, -1]])
    assert logprobs.shape == (7, 4, 256) and query is not None and query.shape == (7, 16)
    # served = mean code log-prob + query . t_item + the repeat bias on the history: score_all
    assert parity(model, tmp_path / "model.onnx", texts) <= PARITY_TOL
    served = served_scorer(session, model.sid_table(), texts, -3.0)(histories, torch.float32)
    with torch.inference_mode():
        expected = model.score_all(histories)
    assert float((served[:, 1:] - expected[:, 1:]).abs().max()) <= PARITY_TOL
    # the prior folds into the query: score_all + λ t_last . t_item
    export_onnx(model, tmp_path / "fused.onnx", texts, prior=2.0)
    assert parity(model, tmp_path / "fused.onnx", texts, prior=2.0) <= PARITY_TOL
    assert parity(model, tmp_path / "model.onnx", texts, prior=2.0) > 1e-2  # the prior is not free


def test_a_text_head_run_exports_as_it_was_evaluated(tmp_path) -> None:
    ds, _ = load_dataset("sample")
    table = load_sids("random:8", ds)
    overrides = {
        "train.epochs": "1",
        "model.text_head": "meta",
        "model.text_last": "true",
        "model.history_negatives": "true",
        "model.repeat_bias": "true",
    }
    config = resolve_config("sample", "tiny", "random:8", 8, overrides)
    result = run(config, table, tmp_path / "run", tmp_path / "results")
    model, _, _ = load_run(tmp_path / "run")
    assert model.text_proj is not None and model.text_proj.weight.abs().sum() > 0
    assert torch.allclose(model.text_vectors, torch.from_numpy(item_vectors(ds, "meta")))
    loo = leave_one_out(ds, config.model.max_len)
    rescored = exhaustive(model_scores(model), loo.test, ds.n_items, 64)  # the reloaded run scores alike
    assert rescored["metrics"] == pytest.approx(result["test"]["exhaustive"]["metrics"], rel=1e-9)

    out = tmp_path / "rpg-sample-text"
    manifest = export(tmp_path / "run", out, eval_valid=True)
    ArtifactManifest.model_validate(json.loads((out / "manifest.json").read_text()))
    assert manifest["text"] == {
        "file": "text.f32",
        "dim": 384,
        "output": "text_query",
        "input": "last_text",
        "source": "meta / all-MiniLM-L6-v2",
        "prior": 0.0,
    }
    assert manifest["repeat_bias"] == pytest.approx(float(model.repeat.detach()))
    stored = np.fromfile(out / "text.f32", dtype="<f4").reshape(ds.n_items + 1, 384)
    assert np.array_equal(stored, model.text_vectors.numpy())
    assert manifest["metrics"]["onnx_max_abs_diff"] <= PARITY_TOL
    # validation through the exported model, scored as served, ranks as the run's own evaluation did
    valid = exhaustive(model_scores(model), loo.valid, ds.n_items, 64)["metrics"]
    for k, v in valid.items():
        assert manifest["metrics"][f"valid_onnx_fp32_{k}"] == pytest.approx(v, abs=1e-6)

    # the content-kNN prior of genrec.rpg.fuse, folded into the query, ranks as fuse measures it
    fused = export(tmp_path / "run", tmp_path / "rpg-sample-fused", eval_valid=True, text_prior=3.0)
    knn = ContentKNN.from_dataset(ContentKNNConfig(exclude_history=False), ds)
    swept = fuse_sweep(model, knn, loo.valid, (3.0,), 64)[3.0]["metrics"]
    assert fused["text"]["prior"] == 3.0
    for k, v in swept.items():
        assert fused["metrics"][f"valid_onnx_fp32_{k}"] == pytest.approx(v, abs=1e-6)

    # withheld items leave their text rows too
    withheld = frozenset(ds.item_ids[r] for r in (2, 5))
    export(tmp_path / "run", tmp_path / "rpg-sample-text-cold", withhold=withheld)
    kept = [r for r in range(ds.n_items + 1) if ds.item_ids[r] not in withheld]
    cold = np.fromfile(tmp_path / "rpg-sample-text-cold" / "text.f32", dtype="<f4").reshape(-1, 384)
    assert np.array_equal(cold, stored[kept])


def test_the_prior_serves_a_model_without_a_text_head_and_refuses_another_text(tmp_path) -> None:
    ds, _ = load_dataset("sample")
    table = load_sids("random:8", ds)
    config = resolve_config("sample", "tiny", "random:8", 8, {"train.epochs": "1"})
    run(config, table, tmp_path / "run", tmp_path / "results")
    manifest = export(tmp_path / "run", tmp_path / "rpg-prior", text_prior=1.5)
    assert manifest["text"]["input"] == "last_text" and manifest["text"]["prior"] == 1.5
    assert "repeat_bias" not in manifest and manifest["metrics"]["onnx_max_abs_diff"] <= PARITY_TOL
    with pytest.raises(ValueError, match="text-prior"):
        export(tmp_path / "run", tmp_path / "x", text_prior=-1.0)

    phrase = {"train.epochs": "1", "model.text_head": "phrase", "model.history_negatives": "true"}
    run(resolve_config("sample", "tiny", "random:8", 8, phrase), table, tmp_path / "run2", tmp_path / "r2")
    manifest = export(tmp_path / "run2", tmp_path / "rpg-phrase")
    assert "input" not in manifest["text"] and manifest["text"]["source"] == "phrase / all-MiniLM-L6-v2"
    with pytest.raises(ValueError, match="one set of text vectors"):
        export(tmp_path / "run2", tmp_path / "y", text_prior=1.0)


@pytest.mark.parametrize("version", [".hidden", "a/b", "b c", "é"])
def test_bad_versions_are_refused(tmp_path, version) -> None:
    with pytest.raises(ValueError, match="bad artifact version"):
        export(tmp_path, tmp_path / "x", version=version)


def test_withhold_from_a_holdout_record_keeps_the_ids_its_copy_holds(tmp_path: Path) -> None:
    # held-out items that were no test target are gone from the copy: the set cannot withhold them
    (tmp_path / "holdout.json").write_text(json.dumps({"held_out": ["a", "gone", "c"], "fraction": 0.2}))
    (tmp_path / "items.jsonl").write_text("".join(json.dumps({"id": i}) + "\n" for i in ("a", "b", "c")))
    assert read_ids(tmp_path / "holdout.json") == ["a", "c"]
    (tmp_path / "list.json").write_text(json.dumps(["gone"]))
    assert read_ids(tmp_path / "list.json") == ["gone"]  # an explicit list is checked by export


def test_a_fused_set_takes_its_headline_from_the_fuse_file_at_its_lambda() -> None:
    figures = {"metrics": {"ndcg@10": 0.5, "recall@10": 0.7}}
    fuse = {
        "by_lambda": {"0.0": {"valid": figures, "test": figures}, "3.0": {"valid": figures, "test": figures}}
    }
    assert headline(fuse, 3) == {
        "valid_exhaustive_ndcg@10": 0.5,
        "valid_exhaustive_recall@10": 0.7,
        "test_exhaustive_ndcg@10": 0.5,
        "test_exhaustive_recall@10": 0.7,
    }
    with pytest.raises(ValueError, match="swept no λ 2"):
        headline(fuse, 2.0)
    training = {s: {m: figures for m in ("exhaustive", "graph")} for s in ("valid", "test")}
    assert headline(training)["test_graph_ndcg@10"] == 0.5
    with pytest.raises(ValueError, match=r"genrec\.rpg\.fuse's result file"):
        headline(training, 3.0)  # the run alone is another model than the fused set
    with pytest.raises(ValueError, match="training run's result file"):
        headline(fuse)
