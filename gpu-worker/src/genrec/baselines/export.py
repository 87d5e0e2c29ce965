"""Write a SASRec / eSASRec or content-kNN artifact set (docs/artifacts.md).

``python -m genrec.baselines.export --checkpoint RUN --out DIR``: from a SASRec or eSASRec run's
``best`` checkpoint, items.json, embeddings.f32 (the item embedding matrix [N+1, d], row 0 =
padding) and model.onnx (``history`` int64 [B, 50] -> ``user`` float32 [B, d], the newest
position's hidden state); an item's score is ``user . embeddings[item]``. The ONNX user vectors
must match PyTorch within ``PARITY_TOL`` on random histories or nothing is written.

``python -m genrec.baselines.export --knn --dataset D --out DIR [--set model.decay=0.5]``: the
content-kNN lists (genrec.models.knn_lists) of the dataset's item texts as graph.* files.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import Tensor, nn

from genrec.artifacts import (
    OPSET,
    check_version,
    export_history_model,
    now_iso,
    publish_folder,
    random_histories,
    staging,
)
from genrec.baselines.config import MODEL_DEFAULTS, RunConfig, resolve_config
from genrec.data import load_dataset
from genrec.data.split import MAX_LEN
from genrec.models import ContentKNN, ContentKNNConfig, ESASRec, SASRec
from genrec.models.knn_lists import neighbour_lists
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.cli import parse_sets

PARITY_TOL = 1e-4
NEIGHBOURS = 100
EmbeddingModel = SASRec | ESASRec


class UserExport(nn.Module):
    """The exported graph: ``history`` int64 [B, L] -> ``user`` float32 [B, d] (no crop)."""

    def __init__(self, model: EmbeddingModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, history: Tensor) -> Tensor:
        hidden, _ = self.model(history, crop=False)  # [B, L, d]
        return hidden[:, -1]  # [B, d], the newest position


def load_embedding_run(run_dir: Path) -> tuple[EmbeddingModel, dict[str, Any], dict[str, Any]]:
    """The model of a SASRec / eSASRec run's best checkpoint, its config dict and its meta."""
    meta = load_meta(run_dir, "best")
    if meta is None:
        raise FileNotFoundError(f"no 'best' checkpoint in {run_dir}")
    config = meta["config"]
    name = config["model_name"]
    if name not in ("sasrec", "esasrec"):
        raise ValueError(f"{run_dir} is a {name} run; only sasrec and esasrec have an embedding export")
    model_config = type(MODEL_DEFAULTS[name][0])(**config["model"])
    model = (SASRec if name == "sasrec" else ESASRec)(model_config, meta["n_items"])  # type: ignore[arg-type]
    load_checkpoint(run_dir, "best", model)
    return model.eval(), config, meta


def onnx_users(path: Path):
    """histories [B, L] -> user vectors [B, d] through onnxruntime (CPU, one thread)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return lambda h: torch.from_numpy(session.run(["user"], {"history": h.numpy().astype(np.int64)})[0])


def parity(model: EmbeddingModel, path: Path, batch: int = 64) -> float:
    """Max |onnxruntime - PyTorch| of the user vectors on random histories (cold ones included)."""
    histories = random_histories(model.n_items, batch, model.config.max_len)
    with torch.inference_mode():
        expected = UserExport(model)(histories)  # [B, d]
    return float((onnx_users(path)(histories) - expected).abs().max())


def export_embedding(run_dir: Path, out: Path, version: str | None = None, result: Path | None = None):
    """The SASRec / eSASRec set of ``run_dir``'s best checkpoint in ``out``; returns the manifest."""
    version = check_version(version or out.name)
    torch.set_num_threads(1)
    model, config, meta = load_embedding_run(run_dir)
    ds, _ = load_dataset(config["dataset"])
    assert ds.n_items == model.n_items, "the dataset no longer matches the checkpoint"
    tmp = staging(out)
    (tmp / "items.json").write_text(json.dumps(list(ds.item_ids)) + "\n")
    model.item_emb.weight.detach().numpy().astype("<f4").tofile(tmp / "embeddings.f32")  # [N+1, d]
    export_history_model(UserExport(model), tmp / "model.onnx", model.config.max_len, model.n_items, "user")
    diff = parity(model, tmp / "model.onnx")
    if diff > PARITY_TOL:
        raise AssertionError(f"ONNX and PyTorch disagree: max abs diff {diff:.2e} > {PARITY_TOL}")
    best = (meta["state"].get("best_valid") or {}).get("metrics", {})
    metrics = {"onnx_max_abs_diff": diff} | {f"valid_{k}": v for k, v in best.items()}
    if result is not None and result.exists():
        metrics |= {f"test_{k}": v for k, v in json.loads(result.read_text())["test"]["metrics"].items()}
    manifest = {
        **_header(version, config["model_name"], config["dataset"], ds.n_items, model.config.max_len),
        "dim": model.config.d,
        "onnx": {"file": "model.onnx", "input": "history", "output": "user", "opset": OPSET},
        "metrics": {k: float(v) for k, v in metrics.items()},
    }
    manifest["onnx"]["quantized"] = False
    return publish_folder(tmp, out, manifest)


def export_knn(config: RunConfig, out: Path, version: str | None = None, neighbours: int = NEIGHBOURS):
    """The content-kNN lists of ``config.dataset``'s item texts in ``out``; returns the manifest."""
    version = check_version(version or out.name)
    knn = config.model
    assert isinstance(knn, ContentKNNConfig), f"{config.model_name} is not content-knn"
    ds, _ = load_dataset(config.dataset)
    model = ContentKNN.from_dataset(knn, ds)
    lists = neighbour_lists(model.vectors, neighbours)
    tmp = staging(out)
    (tmp / "items.json").write_text(json.dumps(list(ds.item_ids)) + "\n")
    lists.indptr.astype("<i4").tofile(tmp / "graph.indptr.i32")
    lists.indices.astype("<i4").tofile(tmp / "graph.indices.i32")
    lists.scores.astype("<f4").tofile(tmp / "graph.scores.f32")
    manifest = {
        **_header(version, "content-knn", config.dataset, ds.n_items, MAX_LEN),
        "encoder": knn.encoder,
        "text": knn.text,
        "neighbours": int(np.diff(lists.indptr).max()),
        "decay": float(knn.decay),
        "metrics": {},
    }
    return publish_folder(tmp, out, manifest)


def _header(version: str, model: str, dataset: str, n_items: int, max_len: int) -> dict[str, Any]:
    return {
        "format": 1,
        "version": version,
        "model": model,
        "dataset": Path(dataset).name,
        "created_at": now_iso(),
        "n_items": n_items,
        "max_len": max_len,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.baselines.export", description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, help="a sasrec / esasrec run directory holding best.json")
    p.add_argument("--result", type=Path, help="the run's result JSON: its test metrics go to the manifest")
    p.add_argument("--knn", action="store_true", help="export content-kNN lists instead (needs --dataset)")
    p.add_argument("--dataset", help="with --knn: beauty | sports | toys | sample, or a dataset directory")
    p.add_argument("--preset", default="quick", help="with --knn: the config preset (default quick)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="with --knn")
    p.add_argument("--neighbours", type=int, default=NEIGHBOURS, help="with --knn: list length per item")
    p.add_argument("--out", type=Path, required=True, help="artifact-set directory to (re)write")
    p.add_argument("--version", help="artifact version (default: the --out directory's name)")
    args = p.parse_args(argv)
    if args.knn == (args.checkpoint is not None) or (args.knn and not args.dataset):
        p.error("give either --checkpoint RUN, or --knn --dataset D")
    if args.knn:
        config = resolve_config("content-knn", args.dataset, args.preset, dict(parse_sets(args.sets)))
        manifest = export_knn(config, args.out, args.version, args.neighbours)
    else:
        manifest = export_embedding(args.checkpoint, args.out, args.version, args.result)
    sizes = {name: entry["bytes"] for name, entry in manifest["files"].items()}
    print(json.dumps({"version": manifest["version"], "model": manifest["model"], "bytes": sizes}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
