"""Write an RPG artifact set (docs/artifacts.md): ``python -m genrec.rpg.export --checkpoint RUN --out DIR``.

From the run's ``best`` checkpoint: items.json, sids.u8, the graph CSR (rebuilt from the learned
digit embeddings with the run's ``decode.neighbours``), popular.i32 (training popularity), model.onnx
(``history`` int64 [B, 50] -> ``logprobs`` float32 [B, m, 256], SIDs baked in as a constant gather,
dynamic batch), model.int8.onnx (onnxruntime dynamic quantization) and codes.sim.f32 (the per-digit
code cosines the graph is built from, so the edge links items added later into the same graph; with
``--sid-artifact`` the manifest names the SID codebooks that encode them), then manifest.json with every
file's size and sha256, validated against the shared schema. The fp32 model must match PyTorch
within ``PARITY_TOL`` on random histories or nothing is written. ``--withhold FILE`` leaves the
listed items out of the set (the cold-start benchmark adds them later through the edge's API).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from genrec.artifacts import (
    OPSET,
    check_version,
    export_history_model,
    now_iso,
    publish_folder,
    random_histories,
    staging,
)
from genrec.data import EvalSplit, leave_one_out, load_dataset
from genrec.rpg.config import RPG_RESULTS, RunConfig, config_from_dict
from genrec.rpg.data import popularity
from genrec.rpg.evaluate import exhaustive, table_scorer
from genrec.rpg.graph import build_graph, code_similarity
from genrec.rpg.model import CODEBOOK, RPG, LogprobExport
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.results import write_result

PARITY_TOL = 1e-4


def add_run_tool_options(p: argparse.ArgumentParser) -> None:
    """The options of the tools that score finished runs (``rpg.fuse``, ``rpg.compare``)."""
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--batch-size", type=int, default=512, help="users per batch (default 512)")
    p.add_argument("--results-dir", type=Path, default=RPG_RESULTS, help=f"default {RPG_RESULTS}")


def load_run(run_dir: Path, name: str = "best") -> tuple[RPG, RunConfig, dict[str, Any]]:
    """Rebuild the model of a run directory's checkpoint (SIDs come from its weights)."""
    meta = load_meta(run_dir, name)
    if meta is None:
        raise FileNotFoundError(f"no {name!r} checkpoint in {run_dir}")
    config = config_from_dict(meta["config"])
    blob = torch.load(run_dir / meta["weights"], map_location="cpu", weights_only=True)
    sids = blob["model"]["sids"].numpy()  # uint8 [N+1, m]
    model = RPG(config.model, sids, text_vectors=blob["model"].get("text_vectors"))  # text: text_head only
    load_checkpoint(run_dir, name, model)
    return model.eval(), config, meta


def without_items(model: RPG, item_ids: tuple[str, ...], withhold: frozenset[str]) -> tuple[RPG, np.ndarray]:
    """``model`` over the items not in ``withhold`` (their SID rows dropped, everything else shared),
    and the kept rows of the old numbering: int64 [N'+1], row 0 = padding."""
    kept = np.array([0, *(r for r in range(1, len(item_ids)) if item_ids[r] not in withhold)], dtype=np.int64)
    sids = model.sid_table()[kept]
    smaller = RPG(model.config, sids)
    smaller.load_state_dict({**model.state_dict(), "sids": torch.from_numpy(sids)})
    return smaller.eval(), kept


def remap(split: EvalSplit, row: np.ndarray) -> EvalSplit:
    """``split`` in the numbering ``row`` (old row -> new, -1 = left out), without the rows that
    touch a left-out item."""
    histories, targets = row[split.histories], row[split.targets]
    keep = (targets > 0) & (histories >= 0).all(axis=1)
    return EvalSplit(split.users[keep], histories[keep], targets[keep])


def export_onnx(model: RPG, path: Path) -> None:
    """fp32 ONNX of ``user_logprobs`` with a dynamic batch axis."""
    export_history_model(LogprobExport(model), path, model.config.max_len, model.n_items, "logprobs")


def onnx_logprobs(path: Path, threads: int = 1):
    """A LogprobFn backed by an onnxruntime session (CPU)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def fn(histories: torch.Tensor) -> torch.Tensor:
        (out,) = session.run(["logprobs"], {"history": histories.numpy().astype(np.int64)})
        return torch.from_numpy(out)

    return fn


def parity(model: RPG, path: Path, batch: int = 64, seed: int = 0) -> float:
    """Max |onnxruntime - PyTorch| of the log-probs on random histories."""
    histories = random_histories(model.n_items, batch, model.config.max_len, seed)
    with torch.inference_mode():
        expected = model.user_logprobs(histories, crop=False)  # [B, m, 256]
    return float((onnx_logprobs(path)(histories) - expected).abs().max())


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 of the MatMul/Gemm weights, per output channel. The embedding tables stay fp32:
    they feed cosines divided by τ (0.03-0.07), which magnifies int8 rounding 15-33x (measured on the
    sample: max |Δ logprob| 0.24 with the default op set vs 0.03 with this one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(
            src, dst, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"], per_channel=True
        )


def valid_onnx_metrics(
    folder: Path, valid: EvalSplit, sids: np.ndarray, result: Path | None
) -> dict[str, float]:
    """Exhaustive validation through onnxruntime, fp32 and int8; the int8 delta goes to ``result`` too.
    Batches of 128: the exported graph averages digit embeddings as [B, 50, m, d] (no crop)."""
    batch = 128
    n_items = len(sids) - 1
    fp32 = exhaustive(table_scorer(onnx_logprobs(folder / "model.onnx"), sids), valid, n_items, batch)
    int8 = exhaustive(table_scorer(onnx_logprobs(folder / "model.int8.onnx"), sids), valid, n_items, batch)
    out = {f"valid_onnx_fp32_{k}": v for k, v in fp32["metrics"].items()}
    out |= {f"valid_onnx_int8_{k}": v for k, v in int8["metrics"].items()}
    out |= {f"valid_int8_delta_{k}": int8["metrics"][k] - fp32["metrics"][k] for k in fp32["metrics"]}
    if result is not None and result.exists():
        data = json.loads(result.read_text())
        data["onnx"] = {"valid_exhaustive_fp32": fp32, "valid_exhaustive_int8": int8, "metrics": out}
        write_result(result, data)
    return out


def headline(result: dict[str, Any]) -> dict[str, float]:
    """Test NDCG/Recall@10 (exhaustive and graph, unfiltered) from a training result file."""
    out: dict[str, float] = {}
    for split in ("valid", "test"):
        for mode in ("exhaustive", "graph"):
            for k in ("ndcg@10", "recall@10"):
                out[f"{split}_{mode}_{k}"] = result[split][mode]["metrics"][k]
    return out


def export(
    run_dir: Path,
    out: Path,
    version: str | None = None,
    eval_valid: bool = False,
    result: Path | None = None,
    sid_artifact: str | None = None,
    withhold: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Write the artifact set for ``run_dir``'s best checkpoint into ``out``; returns the manifest.
    ``sid_artifact``: the GPU worker's SID artifact version the run's SIDs came from (cold start);
    ``withhold``: item ids left out of the set (``without_items``)."""
    version = check_version(version or out.name)
    torch.set_num_threads(1)
    model, config, meta = load_run(run_dir)
    if config.model.text_head:
        raise ValueError(
            f"{run_dir} has model.text_head: its text term is not part of the served per-digit log-probs, "
            "so its artifact set would not rank as the run was evaluated"
        )
    ds, _ = load_dataset(config.dataset)
    assert ds.n_items == model.n_items, "the dataset no longer matches the checkpoint"
    unknown = withhold - set(ds.item_ids[1:])
    if unknown:
        raise ValueError(f"{len(unknown)} items to withhold are not in {config.dataset}, e.g. {min(unknown)}")
    loo = leave_one_out(ds, config.model.max_len)
    item_ids = list(ds.item_ids)
    popular = popularity(loo.train, ds.n_items)
    if withhold:
        model, kept = without_items(model, ds.item_ids, withhold)
        row = np.full(ds.n_items + 1, -1, dtype=np.int64)
        row[kept] = np.arange(len(kept))
        popular, item_ids = row[popular[row[popular] > 0]], [item_ids[r] for r in kept]
        loo = dataclasses.replace(loo, valid=remap(loo.valid, row), n_items=model.n_items)
    sids = model.sid_table()  # [N+1, m]
    tmp = staging(out)
    (tmp / "items.json").write_text(json.dumps(item_ids) + "\n")
    sids.tofile(tmp / "sids.u8")
    with torch.inference_mode():
        code_emb = model.code_embeddings()  # [m, 256, d]
        item_graph = build_graph(code_emb, sids, config.decode.neighbours)
        code_similarity(code_emb).numpy().astype("<f4").tofile(tmp / "codes.sim.f32")  # [m, 256, 256]
    item_graph.indptr.astype("<i4").tofile(tmp / "graph.indptr.i32")
    item_graph.indices.astype("<i4").tofile(tmp / "graph.indices.i32")
    popular.astype("<i4").tofile(tmp / "popular.i32")
    export_onnx(model, tmp / "model.onnx")
    diff = parity(model, tmp / "model.onnx")
    if diff > PARITY_TOL:
        raise AssertionError(f"ONNX and PyTorch disagree: max abs diff {diff:.2e} > {PARITY_TOL}")
    quantize_int8(tmp / "model.onnx", tmp / "model.int8.onnx")
    metrics = {"onnx_max_abs_diff": diff, "onnx_int8_max_abs_diff": parity(model, tmp / "model.int8.onnx")}
    best = (meta["state"].get("best_valid") or {}).get("metrics", {})
    metrics |= {f"valid_exhaustive_{k}": v for k, v in best.items()}
    if eval_valid:
        metrics |= valid_onnx_metrics(tmp, loo.valid, sids, result)
    if result is not None and result.exists():
        metrics |= headline(json.loads(result.read_text()))
    sid = meta.get("sid", {})
    manifest = {
        "format": 1,
        "version": version,
        "model": "rpg",
        "dataset": Path(config.dataset).name,
        "created_at": now_iso(),
        "n_items": model.n_items,
        "digits": config.model.n_digits,
        "codebook": CODEBOOK,
        "max_len": config.model.max_len,
        "encoder": str(sid.get("encoder", "unknown")),
        "sid_scheme": str(sid.get("scheme", "unknown")),
        **({"sid_artifact": check_version(sid_artifact)} if sid_artifact else {}),
        "decode": {
            "beam": config.decode.beam,
            "neighbours": int(np.diff(item_graph.indptr).max()),
            "steps": config.decode.steps,
        },
        "onnx": {
            "file": "model.onnx",
            "input": "history",
            "output": "logprobs",
            "opset": OPSET,
            "quantized": False,
        },
        "metrics": {k: float(v) for k, v in metrics.items()},
    }
    return publish_folder(tmp, out, manifest)


def read_ids(path: Path) -> list[str]:
    """Item ids from a JSON list, or from a holdout record's ``held_out``: only those its copy still
    holds (the items.jsonl beside it), as held-out items that were no test target left the copy."""
    data = json.loads(path.read_text())
    ids = data["held_out"] if isinstance(data, dict) else data
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        raise SystemExit(f"{path}: expected a JSON list of item ids or a holdout.json")
    if isinstance(data, dict):
        with (path.parent / "items.jsonl").open() as lines:
            present = {json.loads(line)["id"] for line in lines if line.strip()}
        ids = [i for i in ids if i in present]
    return ids


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m genrec.rpg.export", description=__doc__.splitlines()[0])
    p.add_argument(
        "--checkpoint", type=Path, required=True, help="run directory holding best.json (from train)"
    )
    p.add_argument("--out", type=Path, required=True, help="artifact-set directory to (re)write")
    p.add_argument("--version", help="artifact version (default: the --out directory's name)")
    p.add_argument("--result", type=Path, help="the run's result JSON: headline metrics in, int8 delta out")
    p.add_argument("--eval-valid", action="store_true", help="score validation through fp32 and int8 ONNX")
    p.add_argument(
        "--sid-artifact",
        help="the SID artifact version (under $GENREC_ARTIFACTS_DIR) the run's SIDs came from: the edge "
        "asks the worker to encode new items with it (cold start)",
    )
    p.add_argument(
        "--withhold",
        type=Path,
        help="a JSON list of item ids, or a holdout.json (genrec.data holdout): leave those items out "
        "of the set, to be added through the edge's API (cold-start benchmark)",
    )
    args = p.parse_args(argv)
    withhold = frozenset(read_ids(args.withhold)) if args.withhold else frozenset()
    manifest = export(
        args.checkpoint,
        args.out,
        args.version,
        args.eval_valid,
        args.result,
        sid_artifact=args.sid_artifact,
        withhold=withhold,
    )
    print(json.dumps({k: manifest[k] for k in ("version", "n_items", "digits", "metrics")}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
