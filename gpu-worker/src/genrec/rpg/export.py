"""Write an RPG artifact set (docs/artifacts.md): ``python -m genrec.rpg.export --checkpoint RUN --out DIR``.

From the run's ``best`` checkpoint: items.json, sids.u8, the graph CSR (rebuilt from the learned
digit embeddings with the run's ``decode.neighbours``), popular.i32 (training popularity), model.onnx
(``history`` int64 [B, 50] -> ``logprobs`` float32 [B, m, 256], SIDs baked in as a constant gather,
dynamic batch), model.int8.onnx (onnxruntime dynamic quantization) and codes.sim.f32 (the per-digit
code cosines the graph is built from, so the edge links items added later into the same graph; with
``--sid-artifact`` the manifest names the SID codebooks that encode them). A run with
``model.text_head``, or an export with ``--text-prior λ`` (the content-kNN prior of
``genrec.rpg.fuse``, folded into the query), also writes text.f32 (the items' unit text vectors) and
its model answers ``text_query`` besides ``logprobs``: the edge adds ``text_query · t_item`` to each
item's score, and a ``model.repeat_bias`` run's bias goes into the manifest. Then manifest.json with every
file's size and sha256, validated against the shared schema. The item scores served from the
fp32 model must match PyTorch's ``score_all`` within ``PARITY_TOL`` on random histories or nothing
is written. ``--withhold FILE`` leaves the
listed items out of the set (the cold-start benchmark adds them later through the edge's API).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch import Tensor

from genrec.artifacts import (
    OPSET,
    check_version,
    export_history_model,
    now_iso,
    publish_folder,
    random_histories,
    staging,
)
from genrec.data import Dataset, EvalSplit, leave_one_out, load_dataset
from genrec.embed import DEFAULT_MODEL, text_source_label
from genrec.models.content_knn import item_vectors
from genrec.rpg.config import RPG_RESULTS, RunConfig, config_from_dict
from genrec.rpg.data import popularity
from genrec.rpg.evaluate import ScoreFn, exhaustive
from genrec.rpg.graph import build_graph, code_similarity
from genrec.rpg.model import (
    CODEBOOK,
    RPG,
    LogprobExport,
    TextExport,
    reads_last_text,
    sid_tokens,
    table_scores,
)
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.results import write_result

PARITY_TOL = 1e-4
TEXT_FILE = "text.f32"


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
    state = {**model.state_dict(), "sids": torch.from_numpy(sids)}
    texts = None
    if model.text_proj is not None:
        texts = model.text_vectors[torch.from_numpy(kept)]
        state["text_vectors"] = texts
    smaller = RPG(model.config, sids, text_vectors=texts)
    smaller.load_state_dict(state)
    return smaller.eval(), kept


def remap(split: EvalSplit, row: np.ndarray) -> EvalSplit:
    """``split`` in the numbering ``row`` (old row -> new, -1 = left out), without the rows that
    touch a left-out item."""
    histories, targets = row[split.histories], row[split.targets]
    keep = (targets > 0) & (histories >= 0).all(axis=1)
    return EvalSplit(split.users[keep], histories[keep], targets[keep])


def export_onnx(model: RPG, path: Path, texts: Tensor | None = None, prior: float = 0.0) -> None:
    """fp32 ONNX of the served user side with a dynamic batch axis: ``logprobs`` alone, or with
    ``text_query`` when the model has a text head or ``prior`` > 0 (``TextExport``; ``texts`` [N+1, D]
    are the vectors the query is scored against)."""
    max_len, n_items = model.config.max_len, model.n_items
    if model.text_proj is None and prior == 0:
        export_history_model(LogprobExport(model), path, max_len, n_items, "logprobs")
        return
    assert texts is not None, "a text term needs the items' text vectors"
    module = TextExport(model, prior)
    vectors = {"last_text": int(texts.shape[1])} if module.reads_last else {}
    export_history_model(module, path, max_len, n_items, ("logprobs", "text_query"), vectors)


OnnxFn = Callable[[Tensor, Tensor | None], tuple[Tensor, Tensor | None]]


def onnx_session(path: Path, threads: int = 1) -> OnnxFn:
    """The served user side backed by an onnxruntime session (CPU): (histories [B, L], last items'
    text vectors [B, D] or None) -> (logprobs [B, m, 256], text_query [B, D] or None)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    outputs = [o.name for o in session.get_outputs()]

    def fn(histories: Tensor, last_text: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        feeds: dict[str, np.ndarray] = {"history": histories.numpy().astype(np.int64)}
        if "last_text" in inputs:
            assert last_text is not None, f"{path.name} reads last_text"
            feeds["last_text"] = last_text.numpy().astype(np.float32)
        got = dict(zip(outputs, session.run(outputs, feeds), strict=True))
        query = got.get("text_query")
        return torch.from_numpy(got["logprobs"]), None if query is None else torch.from_numpy(query)

    return fn


def onnx_logprobs(path: Path, threads: int = 1):
    """A LogprobFn backed by an onnxruntime session (CPU)."""
    session = onnx_session(path, threads)
    return lambda histories: session(histories)[0]


def served_scorer(
    fn: OnnxFn, sids: np.ndarray, texts: Tensor | None = None, repeat_bias: float | None = None
) -> ScoreFn:
    """Item scores as the edge computes them from the exported model (docs/artifacts.md): the mean of
    each item's m log-probs, + ``text_query · texts[item]`` (``texts`` [N+1, D], the last item's row
    fed as ``last_text``), + ``repeat_bias`` on the items of the history."""
    tokens = sid_tokens(sids)  # [N+1, m]

    def score(histories: Tensor, dtype: torch.dtype) -> Tensor:
        last_text = None if texts is None else texts[histories[:, -1]]  # [B, D], padding row is zero
        logprobs, query = fn(histories, last_text)
        scores = table_scores(logprobs.to(dtype), tokens)  # [B, N+1]
        if query is not None:
            assert texts is not None
            scores = scores + (query @ texts.T).to(dtype)
        if repeat_bias is not None:
            scores = scores.scatter(1, histories, scores.gather(1, histories) + repeat_bias)
        return scores

    return score


def pytorch_scores(model: RPG, texts: Tensor | None, prior: float) -> ScoreFn:
    """The run's own ranking, ``score_all`` (+ λ · the content-kNN prior of ``genrec.rpg.fuse``)."""

    def score(histories: Tensor, dtype: torch.dtype) -> Tensor:
        with torch.inference_mode():
            scores = model.score_all(histories, dtype)  # [B, N+1]
            if prior > 0:
                assert texts is not None
                scores = scores + (prior * texts[histories[:, -1]] @ texts.T).to(dtype)
        return scores

    return score


def parity(
    model: RPG, path: Path, texts: Tensor | None = None, prior: float = 0.0, batch: int = 64, seed: int = 0
) -> float:
    """Max |served - PyTorch| of every item's score on random histories (exported ONNX through
    onnxruntime, scored as the edge does, against ``score_all``)."""
    histories = random_histories(model.n_items, batch, model.config.max_len, seed)
    expected = pytorch_scores(model, texts, prior)(histories, torch.float32)[:, 1:]
    got = served_scorer(onnx_session(path), model.sid_table(), texts, repeat_bias(model))(
        histories, torch.float32
    )[:, 1:]
    return float((got - expected).abs().max())


def repeat_bias(model: RPG) -> float | None:
    return None if model.repeat is None else float(model.repeat.detach())


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 of the MatMul/Gemm weights, per output channel. The embedding tables stay fp32:
    they feed cosines divided by τ (0.03-0.07), which magnifies int8 rounding 15-33x (measured on the
    sample: max |Δ logprob| 0.24 with the default op set vs 0.03 with this one). A Toys text set moves
    by up to 0.19 in score yet ranks as fp32 does (validation N@10 .0618 vs .0617, the fused result
    file's ``onnx``); keeping its text projections in fp32 left that 0.18 where it was."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(
            src, dst, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"], per_channel=True
        )


def valid_onnx_metrics(
    folder: Path, valid: EvalSplit, model: RPG, texts: Tensor | None, result: Path | None
) -> dict[str, float]:
    """Exhaustive validation through onnxruntime, fp32 and int8, scored as served; the int8 delta goes
    to ``result`` too. Batches of 128: the exported graph averages digit embeddings as [B, 50, m, d]
    (no crop)."""
    batch = 128
    sids, bias = model.sid_table(), repeat_bias(model)

    def run(name: str) -> dict[str, Any]:
        return exhaustive(
            served_scorer(onnx_session(folder / name), sids, texts, bias), valid, model.n_items, batch
        )

    fp32, int8 = run("model.onnx"), run("model.int8.onnx")
    out = {f"valid_onnx_fp32_{k}": v for k, v in fp32["metrics"].items()}
    out |= {f"valid_onnx_int8_{k}": v for k, v in int8["metrics"].items()}
    out |= {f"valid_int8_delta_{k}": int8["metrics"][k] - fp32["metrics"][k] for k in fp32["metrics"]}
    if result is not None and result.exists():
        data = json.loads(result.read_text())
        data["onnx"] = {"valid_exhaustive_fp32": fp32, "valid_exhaustive_int8": int8, "metrics": out}
        write_result(result, data)
    return out


def headline(result: dict[str, Any], prior: float = 0.0) -> dict[str, float]:
    """Valid and test NDCG/Recall@10 (unfiltered) of what the set serves: from a training result file
    (exhaustive and graph), or, for a set with the text prior folded in, from ``genrec.rpg.fuse``'s
    file at that λ (exhaustive)."""
    fused = "by_lambda" in result
    if fused != (prior > 0):
        want = "genrec.rpg.fuse's result file" if prior > 0 else "the training run's result file"
        raise ValueError(f"--result must be {want} for a set with --text-prior {prior:g}")
    out: dict[str, float] = {}
    if fused:
        row = result["by_lambda"].get(str(float(prior)))
        if row is None:
            raise ValueError(
                f"the fuse file swept no λ {prior:g}: it has {sorted(result['by_lambda'], key=float)}"
            )
        for split in ("valid", "test"):
            for k in ("ndcg@10", "recall@10"):
                out[f"{split}_exhaustive_{k}"] = row[split]["metrics"][k]
        return out
    for split in ("valid", "test"):
        for mode in ("exhaustive", "graph"):
            for k in ("ndcg@10", "recall@10"):
                out[f"{split}_{mode}_{k}"] = result[split][mode]["metrics"][k]
    return out


def item_texts(model: RPG, ds: Dataset, prior: float) -> Tensor | None:
    """The text vectors the served score reads: the text head's (from the checkpoint), else, with a
    prior, the content kNN's (meta text, MiniLM, as ``genrec.rpg.fuse``); None without a text term."""
    if model.text_proj is not None:
        if prior > 0 and model.config.text_head != "meta":
            raise ValueError(
                f"--text-prior folds the meta-text prior into the query, but the run's text head reads "
                f"{model.config.text_head!r} vectors: one set of text vectors serves both"
            )
        return model.text_vectors
    if prior == 0:
        return None
    return torch.from_numpy(item_vectors(ds, "meta"))


def export(
    run_dir: Path,
    out: Path,
    version: str | None = None,
    eval_valid: bool = False,
    result: Path | None = None,
    sid_artifact: str | None = None,
    withhold: frozenset[str] = frozenset(),
    text_prior: float = 0.0,
) -> dict[str, Any]:
    """Write the artifact set for ``run_dir``'s best checkpoint into ``out``; returns the manifest.
    ``sid_artifact``: the GPU worker's SID artifact version the run's SIDs came from (cold start);
    ``withhold``: item ids left out of the set (``without_items``); ``text_prior``: λ of the
    content-kNN prior folded into the served query (``genrec.rpg.fuse`` selects it on validation)."""
    version = check_version(version or out.name)
    if text_prior < 0:
        raise ValueError(f"--text-prior must be >= 0: {text_prior}")
    torch.set_num_threads(1)
    model, config, meta = load_run(run_dir)
    ds, _ = load_dataset(config.dataset)
    assert ds.n_items == model.n_items, "the dataset no longer matches the checkpoint"
    unknown = withhold - set(ds.item_ids[1:])
    if unknown:
        raise ValueError(f"{len(unknown)} items to withhold are not in {config.dataset}, e.g. {min(unknown)}")
    texts = item_texts(model, ds, text_prior)  # [N+1, D] or None
    served = headline(json.loads(result.read_text()), text_prior) if result and result.exists() else {}
    loo = leave_one_out(ds, config.model.max_len)
    item_ids = list(ds.item_ids)
    popular = popularity(loo.train, ds.n_items)
    if withhold:
        model, kept = without_items(model, ds.item_ids, withhold)
        texts = None if texts is None else texts[torch.from_numpy(kept)]
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
    if texts is not None:
        texts.numpy().astype("<f4").tofile(tmp / TEXT_FILE)  # [N+1, D]
    export_onnx(model, tmp / "model.onnx", texts, text_prior)
    diff = parity(model, tmp / "model.onnx", texts, text_prior)
    if diff > PARITY_TOL:
        raise AssertionError(f"ONNX and PyTorch disagree: max abs diff {diff:.2e} > {PARITY_TOL}")
    quantize_int8(tmp / "model.onnx", tmp / "model.int8.onnx")
    metrics = {
        "onnx_max_abs_diff": diff,
        "onnx_int8_max_abs_diff": parity(model, tmp / "model.int8.onnx", texts, text_prior),
    }
    if text_prior == 0:  # training's own validation; a prior makes it another model
        best = (meta["state"].get("best_valid") or {}).get("metrics", {})
        metrics |= {f"valid_exhaustive_{k}": v for k, v in best.items()}
    if eval_valid:
        metrics |= valid_onnx_metrics(tmp, loo.valid, model, texts, result)
    metrics |= served
    sid = meta.get("sid", {})
    bias = repeat_bias(model)
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
        **({"text": text_term(model, texts, text_prior)} if texts is not None else {}),
        **({"repeat_bias": bias} if bias is not None else {}),
        "metrics": {k: float(v) for k, v in metrics.items()},
    }
    return publish_folder(tmp, out, manifest)


def text_term(model: RPG, texts: Tensor, prior: float) -> dict[str, Any]:
    """The manifest's ``text`` block (shared/src/artifacts.ts, RpgTextTerm)."""
    source = model.config.text_head or "meta"
    return {
        "file": TEXT_FILE,
        "dim": int(texts.shape[1]),
        "output": "text_query",
        **({"input": "last_text"} if reads_last_text(model, prior) else {}),
        "source": text_source_label(source, DEFAULT_MODEL),
        "prior": float(prior),
    }


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
        "--text-prior",
        type=float,
        default=0.0,
        help="λ of the content-kNN text prior folded into the served query (genrec.rpg.fuse picks it on "
        "validation; default 0: none)",
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
        text_prior=args.text_prior,
    )
    print(json.dumps({k: manifest[k] for k in ("version", "n_items", "digits", "metrics")}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
