"""RPG's epoch loop: AdamW, linear warm-up + cosine decay, grad clipping, exhaustive validation,
early stopping, and ``last`` / ``best`` checkpoints every epoch (genrec.train.checkpoint).

Determinism as in genrec.train.loop: each epoch re-seeds torch from (seed, epoch) and the learning
rate is a pure function of the global step, so ``--resume`` from ``last`` repeats the uninterrupted
run (same machine and thread count).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from genrec.data.split import EvalSplit
from genrec.models.base import Batch
from genrec.rpg.config import RunConfig, config_dict
from genrec.rpg.evaluate import exhaustive, model_logprobs
from genrec.rpg.model import RPG
from genrec.train.checkpoint import save_checkpoint
from genrec.train.loop import ResumeRule, epoch_batches, lr_factor, resume_state, train_epoch

# Settings that may differ between a run and its resumption without changing the result's meaning.
RESUME = ResumeRule(
    ("model", "train", "decode"), frozenset({"threads", "device", "eval_batch_size"}), ("dataset", "sids")
)


@dataclass
class FitState:
    """Progress a checkpoint carries besides the weights (JSON-ready)."""

    epoch: int = 0  # last completed epoch
    step: int = 0  # optimizer steps taken
    best_epoch: int = 0
    best_metric: float | None = None
    best_valid: dict[str, Any] | None = None
    train_seconds: float = 0.0
    elapsed_seconds: float = 0.0  # across sessions, evaluation and checkpoints included
    stopped: str | None = None  # "early_stop" | "max_epochs"
    history: list[dict[str, Any]] = field(default_factory=list)


def fit(
    model: RPG,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    valid: EvalSplit,
    config: RunConfig,
    run_dir: Path,
    resume: bool = False,
    extra_meta: dict[str, Any] | None = None,
) -> FitState:
    """Train until ``train.epochs`` or early stopping; ``run_dir`` gets ``last`` and ``best``."""
    cfg, device = config.train, str(next(model.parameters()).device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    state, session_start = FitState(), time.perf_counter()
    if resume and (saved := resume_state(run_dir, model, optimizer, config_dict(config), RESUME)) is not None:
        state = FitState(**saved)
        tqdm.write(f"resumed from epoch {state.epoch} (step {state.step}) in {run_dir}")
    elapsed_before = state.elapsed_seconds
    lengths = (inputs > 0).sum(dim=1)  # [M]
    steps_per_epoch = len(epoch_batches(lengths, cfg.batch_size, cfg.bucket_by_length))
    total_steps = steps_per_epoch * cfg.epochs

    def meta() -> dict[str, Any]:
        state.elapsed_seconds = elapsed_before + time.perf_counter() - session_start
        return {"config": config_dict(config), "state": dataclasses.asdict(state), **(extra_meta or {})}

    for epoch in range(state.epoch + 1, cfg.epochs + 1):
        if state.stopped:
            break
        torch.manual_seed(cfg.seed * 1_000_003 + epoch)
        model.train()
        batches = epoch_batches(lengths, cfg.batch_size, cfg.bucket_by_length)
        loss, state.step, seconds = train_epoch(
            model,
            optimizer,
            batches,
            lambda rows: model.calculate_loss(Batch(inputs[rows].to(device), labels[rows].to(device))),
            f"epoch {epoch}",
            lr_at=lambda step: cfg.lr * lr_factor(step, cfg.warmup_steps, total_steps),
            grad_clip=cfg.grad_clip,
            step=state.step,
        )
        state.epoch, state.train_seconds = epoch, state.train_seconds + seconds
        record: dict[str, Any] = {
            "epoch": epoch,
            "loss": loss,
            "lr_end": cfg.lr * lr_factor(state.step, cfg.warmup_steps, total_steps),
            "train_seconds": round(seconds, 2),
        }
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            t0 = time.perf_counter()
            result = exhaustive(model_logprobs(model, device), valid, model.sid_table(), cfg.eval_batch_size)
            value = result["metrics"][cfg.select_metric]
            record |= {"valid": result["metrics"], "eval_seconds": round(time.perf_counter() - t0, 2)}
            if state.best_metric is None or value > state.best_metric:
                state.best_epoch, state.best_metric = epoch, value
                state.best_valid = {"metrics": result["metrics"], "seen_filtered": result["seen_filtered"]}
                save_checkpoint(run_dir, "best", epoch, model, meta())
            if epoch - state.best_epoch >= cfg.patience:
                state.stopped = "early_stop"
        state.history.append(record)
        state.stopped = state.stopped or ("max_epochs" if epoch == cfg.epochs else None)
        save_checkpoint(run_dir, "last", epoch, model, meta(), optimizer)
        line = f"epoch {epoch}: loss {record['loss']:.4f} {seconds:.1f}s"
        if "valid" in record:
            line += f" valid {cfg.select_metric} {record['valid'][cfg.select_metric]:.4f}"
        tqdm.write(line)
    return state
