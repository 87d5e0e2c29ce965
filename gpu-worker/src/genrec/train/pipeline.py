"""One baseline run, read like the experiment: load -> split -> build -> fit -> reload best -> test -> log."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from genrec.data import Dataset, LeaveOneOut, leave_one_out, load_dataset, next_item_arrays
from genrec.models import (
    ContentKNN,
    ContentKNNConfig,
    ESASRec,
    ESASRecConfig,
    Popularity,
    SASRec,
    SASRecConfig,
    SeqRecModel,
)
from genrec.train.checkpoint import load_checkpoint, load_meta
from genrec.train.config import PopularityConfig, RunConfig, config_dict
from genrec.train.loop import TrainState, evaluate, fit
from genrec.train.results import (
    git_info,
    machine_info,
    resolve_device,
    result_path,
    source_fingerprint,
    write_result,
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


def run(
    config: RunConfig,
    run_dir: Path,
    results_dir: Path,
    resume: bool = False,
    on_epoch_end: Callable[[TrainState], None] | None = None,
    tag: str = "",
) -> dict[str, Any]:
    """Train (if the model learns), test the best validation checkpoint, write and return the result."""
    started = time.perf_counter()
    torch.set_num_threads(config.train.threads)
    device = resolve_device(config.train.device)
    ds, _ = load_dataset(config.dataset)
    loo = leave_one_out(ds)
    torch.manual_seed(config.train.seed)
    np.random.seed(config.train.seed)
    model = build_model(config, ds, loo).to(device)
    state, prior_seconds = TrainState(), 0.0
    if model.trainable:
        saved = load_meta(run_dir, "last") if resume else None
        prior_seconds = saved["state"]["elapsed_seconds"] if saved else 0.0
        inputs, labels = (torch.from_numpy(a) for a in next_item_arrays(loo.train, loo.max_len))
        state = fit(model, inputs, labels, loo.valid, config, run_dir, resume, on_epoch_end, started)
        load_checkpoint(run_dir, "best", model)
        model.to(device)
    bs = config.train.eval_batch_size
    valid = evaluate(model, loo.valid, bs, device, "valid (best)")
    test = evaluate(model, loo.test, bs, device, "test (best)")
    result = {
        "dataset": Path(config.dataset).name,
        "model": config.model_name,
        "preset": config.preset,
        "tag": tag or None,
        "config": config_dict(config),
        "git": git_info(),
        "source_sha256": source_fingerprint(),
        "machine": machine_info(device),
        "data": {"users": ds.n_users, "items": ds.n_items, "interactions": ds.n_interactions},
        "n_params": sum(p.numel() for p in model.parameters()),
        "epochs_run": state.epoch,
        "best_epoch": state.best_epoch,
        "stopped": state.stopped or "no_training",
        "seconds_per_epoch": round(state.train_seconds / state.epoch, 2) if state.epoch else None,
        # Summed over resumed sessions (time between a session's last checkpoint and its kill is lost).
        "wall_seconds": round(prior_seconds + time.perf_counter() - started, 1),
        "valid": {"metrics": valid.metrics, "seen_filtered": valid.seen_filtered, "users": valid.count},
        "test": {"metrics": test.metrics, "seen_filtered": test.seen_filtered, "users": test.count},
        "history": state.history,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if state.best_valid is not None and state.best_valid["metrics"] != valid.metrics:
        tqdm.write("warning: re-loaded best checkpoint does not reproduce its validation metrics")
    path = result_path(results_dir, config.dataset, config.model_name, config.preset, tag)
    write_result(path, result)
    tqdm.write(f"wrote {path}")
    return result
