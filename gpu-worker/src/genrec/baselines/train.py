"""Train and test one baseline: ``python -m genrec.baselines.train --model sasrec --dataset beauty``.

The run reads like the experiment: load -> split -> build -> fit (genrec.train; skipped for models
that learn nothing) -> reload best -> valid/test -> ``var/results/baselines/<dataset>-<model>-
<preset>[-<tag>].json`` (``--publish``: bench/results/baselines). Config:
genrec.baselines.config; a dataset without tuned settings gets genrec.train.defaults.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genrec.baselines.config import MODELS, PopularityConfig, RunConfig, dataset_defaults, resolve_config
from genrec.data import (
    Dataset,
    EvalSplit,
    LeaveOneOut,
    leave_one_out,
    load_dataset,
    next_item_arrays,
    subsample,
)
from genrec.eval import EvalResult, evaluate_scores
from genrec.models import (
    Batch,
    ContentKNN,
    ContentKNNConfig,
    ESASRec,
    ESASRecConfig,
    Popularity,
    SASRec,
    SASRecConfig,
    SeqRecModel,
)
from genrec.progress import progress
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.cli import cli_overrides, extend_run, results_dir, run_dir, run_name, run_parser
from genrec.train.config import config_dict
from genrec.train.defaults import DatasetDefaults, data_shape
from genrec.train.loop import EpochCallback, FitState, ResumeRule, Task, Validation, fit
from genrec.train.results import BASELINE_RESULTS, resolve_device, run_footer, run_header, save_run

# Settings that may differ between a run and its resumption without changing the result's meaning.
RESUME = ResumeRule(
    ("model", "train"), frozenset({"threads", "device", "eval_batch_size"}), ("model_name", "dataset")
)


def build_model(config: RunConfig, ds: Dataset, loo: LeaveOneOut) -> SeqRecModel:
    match config.model:
        case PopularityConfig():
            return Popularity.from_train(loo.train, loo.n_items)
        case ContentKNNConfig():
            return ContentKNN.from_dataset(config.model, ds)
        case SASRecConfig():
            return SASRec(config.model, loo.n_items)
        case ESASRecConfig():
            return ESASRec(config.model, loo.n_items)
    raise TypeError(f"no model for {type(config.model).__name__}")


def evaluate(model: SeqRecModel, split: EvalSplit, batch_size: int, device: str, desc: str) -> EvalResult:
    """Full-ranking metrics with a progress bar; ``model`` is put in eval mode."""
    model.eval()
    with progress(total=len(split), desc=desc, unit="user") as bar:

        def score(histories: torch.Tensor) -> torch.Tensor:
            scores = model.score_all(histories)
            bar.update(len(histories))
            return scores

        return evaluate_scores(score, split, model.n_items, batch_size=batch_size, device=device)


def run(
    config: RunConfig,
    run_dir: Path,
    results_dir: Path,
    resume: bool = False,
    on_epoch_end: EpochCallback | None = None,
    tag: str = "",
    defaults: DatasetDefaults | None = None,
) -> dict[str, Any]:
    """Train (if the model learns), test the best validation checkpoint, write and return the result
    (``defaults``: the dataset layer the config was resolved with, recorded in the result)."""
    started = time.perf_counter()
    cfg = config.train
    torch.set_num_threads(cfg.threads)
    device = resolve_device(cfg.device)
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds)
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    model = build_model(config, ds, loo).to(device)
    state, prior_seconds = FitState(), 0.0
    if model.trainable:
        saved = load_meta(run_dir, "last") if resume else None
        prior_seconds = saved["state"]["elapsed_seconds"] if saved else 0.0
        inputs, labels = (torch.from_numpy(a) for a in next_item_arrays(loo.train, loo.max_len))
        valid_subset = subsample(loo.valid, cfg.valid_users, cfg.seed)

        def validate() -> Validation:
            result = evaluate(model, valid_subset, cfg.eval_batch_size, device, "valid")
            best = {"metrics": result.metrics, "seen_filtered": result.seen_filtered}
            extra = {"valid_seen_filtered": result.seen_filtered}
            return Validation(result.metrics[cfg.select_metric], result.metrics, best, extra)

        task = Task(
            model,
            (inputs > 0).sum(dim=1),
            lambda rows: model.calculate_loss(Batch(inputs[rows].to(device), labels[rows].to(device))),
            validate,
        )
        meta = {"n_items": model.n_items}
        state = fit(task, cfg, run_dir, config_dict(config), RESUME, resume, meta, on_epoch_end, started)
        load_checkpoint(run_dir, "best", model)
        model.to(device)
    valid = evaluate(model, loo.valid, cfg.eval_batch_size, device, "valid (best)")
    test = evaluate(model, loo.test, cfg.eval_batch_size, device, "test (best)")
    data = {"users": ds.n_users, "items": ds.n_items, "interactions": ds.n_interactions}
    result = {
        **run_header(config.model_name, config, (), device, data, model, tag, defaults),
        "valid": {"metrics": valid.metrics, "seen_filtered": valid.seen_filtered, "users": valid.count},
        "test": {"metrics": test.metrics, "seen_filtered": test.seen_filtered, "users": test.count},
        **run_footer(state, prior_seconds + time.perf_counter() - started),
    }
    return save_run(results_dir, run_name(config.dataset, config.model_name, config.preset, tag), result)


def parser() -> argparse.ArgumentParser:
    p = run_parser("python -m genrec.baselines.train", __doc__, BASELINE_RESULTS)
    p.add_argument("--model", required=True, choices=MODELS, help="which baseline to train")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    ds, _ = load_dataset(args.dataset)
    defaults = dataset_defaults(args.model, args.dataset, args.preset, data_shape(ds))
    config = resolve_config(args.model, args.dataset, args.preset, cli_overrides(args), defaults)
    if args.print_config:
        print(json.dumps(config_dict(config), indent=2))
        return
    out = results_dir(args)
    defaults.announce()
    runs = run_dir(args, args.model)
    extend_run(args, runs)
    result = run(config, runs, out, args.resume, tag=args.tag, defaults=defaults)
    test = result["test"]["metrics"]
    print(f"test ndcg@10 {test['ndcg@10']:.4f} recall@10 {test['recall@10']:.4f}", end=" ")
    print(f"(best epoch {result['best_epoch']} of {result['epochs_run']})")


if __name__ == "__main__":
    main()
