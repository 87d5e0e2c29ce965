"""The epoch loop: shuffled (optionally length-bucketed) batches, validation, early stopping, checkpoints.

Determinism: the model is initialised under ``torch.manual_seed(seed)`` by the caller, and every
epoch re-seeds torch's global RNG from (seed, epoch) before shuffling, dropout and negative sampling.
An epoch therefore depends only on the weights and optimizer state it starts from, which the
``last`` checkpoint restores exactly: a resumed run repeats the uninterrupted one bit for bit (same
machine, same thread count).
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from genrec.data.split import EvalSplit
from genrec.eval import EvalResult, evaluate_scores
from genrec.models.base import Batch, SeqRecModel
from genrec.train.checkpoint import load_checkpoint, load_meta, save_checkpoint
from genrec.train.config import RunConfig, config_dict

TQDM_INTERVAL = 1.0 if sys.stderr.isatty() else 30.0  # keep nohup logs short


@dataclass
class TrainState:
    """Progress that a checkpoint carries besides the weights (JSON-ready)."""

    epoch: int = 0  # last completed epoch
    best_epoch: int = 0
    best_metric: float | None = None
    best_valid: dict[str, dict[str, float]] | None = None  # {"metrics": ..., "seen_filtered": ...}
    train_seconds: float = 0.0  # time in training steps only
    elapsed_seconds: float = 0.0  # wall time across all sessions, evaluation and checkpoints included
    stopped: str | None = None  # "early_stop" | "max_epochs" once finished
    history: list[dict[str, Any]] = field(default_factory=list)


def epoch_batches(lengths: torch.Tensor, batch_size: int, bucket: bool) -> list[torch.Tensor]:
    """Row indices per batch for one epoch, from torch's global RNG.

    ``bucket``: shuffle, cut into pools of 50 batches, sort each pool by length, then shuffle the
    batch order. Batches of similar length lose little to padding (CPU time drops several-fold on the
    Amazon data, where the median history is 3 items); each batch is still a random draw of lengths
    near one another, and every row is still seen once per epoch.
    """
    order = torch.randperm(len(lengths))
    if not bucket:
        return list(order.split(batch_size))
    pool = 50 * batch_size
    batches: list[torch.Tensor] = []
    for chunk in order.split(pool):
        by_length = chunk[torch.sort(lengths[chunk], stable=True).indices]
        batches.extend(by_length.split(batch_size))
    return [batches[i] for i in torch.randperm(len(batches)).tolist()]


def evaluate(model: SeqRecModel, split: EvalSplit, batch_size: int, device: str, desc: str) -> EvalResult:
    """Full-ranking metrics with a progress bar; ``model`` is put in eval mode."""
    model.eval()
    with tqdm(total=len(split), desc=desc, unit="user", leave=False, mininterval=TQDM_INTERVAL) as bar:

        def score(histories: torch.Tensor) -> torch.Tensor:
            scores = model.score_all(histories)
            bar.update(len(histories))
            return scores

        return evaluate_scores(score, split, model.n_items, batch_size=batch_size, device=device)


def train_epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: Sequence[torch.Tensor],
    loss_of: Callable[[torch.Tensor], torch.Tensor],
    desc: str,
    lr_at: Callable[[int], float] | None = None,
    grad_clip: float | None = None,
    step: int = 0,
) -> tuple[float, int, float]:
    """One optimisation pass over ``batches`` (row indices): back-propagate ``loss_of(rows)``, clip
    the gradient norm to ``grad_clip`` and set the learning rate to ``lr_at(step)`` when given, step.
    Returns (mean loss, the step count after the pass, seconds); a non-finite loss fails loudly."""
    start, total = time.perf_counter(), 0.0
    for rows in tqdm(batches, desc=desc, unit="batch", leave=False, mininterval=TQDM_INTERVAL):
        if lr_at is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
        loss = loss_of(rows)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        total, step = total + loss.item(), step + 1
    assert math.isfinite(total), f"non-finite loss in {desc}"
    return total / len(batches), step, time.perf_counter() - start


def lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up from 0 over ``warmup`` steps, then cosine decay to 0 at ``total``."""
    if step < warmup:
        return step / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


@dataclass(frozen=True)
class ResumeRule:
    """What must match for a run to resume a checkpoint: every field of ``sections`` (the config in
    ``config_dict`` form) except the ``resumable`` ones, and the top-level ``identity`` keys."""

    sections: tuple[str, ...]
    resumable: frozenset[str]
    identity: tuple[str, ...]


# Settings that may differ between a run and its resumption without changing the result's meaning.
RESUME = ResumeRule(
    ("model", "train"), frozenset({"threads", "device", "eval_batch_size"}), ("model_name", "dataset")
)


def check_resumable(saved: Mapping[str, Any], now: Mapping[str, Any], rule: ResumeRule) -> None:
    """Refuse to resume a checkpoint whose config ``saved`` differs from ``now`` where ``rule`` says
    it must match."""
    for section in rule.sections:
        for key, value in now[section].items():
            before = saved[section].get(key)
            if key not in rule.resumable and before != value:
                raise ValueError(f"cannot resume: {section}.{key} was {before!r}, now {value!r}")
    for key in rule.identity:
        if saved.get(key) != now.get(key):
            raise ValueError(
                f"cannot resume: the checkpoint is for {key} {saved.get(key)!r}, not {now.get(key)!r}"
            )


def resume_state(
    run_dir: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    now: Mapping[str, Any],
    rule: ResumeRule,
) -> dict[str, Any] | None:
    """Restore weights and optimizer from ``run_dir``'s ``last`` checkpoint once ``check_resumable``
    passes, and return the progress state it carries; None when there is no checkpoint."""
    saved = load_meta(run_dir, "last")
    if saved is None:
        return None
    check_resumable(saved["config"], now, rule)
    load_checkpoint(run_dir, "last", model, optimizer)
    return saved["state"]


def fit(
    model: SeqRecModel,
    inputs: torch.Tensor,
    labels: torch.Tensor,
    valid: EvalSplit,
    config: RunConfig,
    run_dir: Path,
    resume: bool = False,
    on_epoch_end: Callable[[TrainState], None] | None = None,
    session_start: float | None = None,
) -> TrainState:
    """Train until ``train.epochs`` or early stopping; ``run_dir`` gets ``last`` and ``best``.

    ``session_start`` (a ``time.perf_counter()`` value, default now) starts this session's share of
    ``elapsed_seconds``, so the caller can count its own setup time.
    """
    cfg, device = config.train, str(next(model.parameters()).device)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), weight_decay=cfg.weight_decay
    )
    state = TrainState()
    if resume and (saved := resume_state(run_dir, model, optimizer, config_dict(config), RESUME)) is not None:
        state = TrainState(**saved)
        tqdm.write(f"resumed from epoch {state.epoch} in {run_dir}")
    session_start = time.perf_counter() if session_start is None else session_start
    elapsed_before = state.elapsed_seconds
    lengths = (inputs > 0).sum(dim=1)  # [M]

    def meta() -> dict[str, Any]:
        state.elapsed_seconds = elapsed_before + time.perf_counter() - session_start
        return {"config": config_dict(config), "n_items": model.n_items, "state": dataclasses.asdict(state)}

    for epoch in range(state.epoch + 1, cfg.epochs + 1):
        if state.stopped:
            break
        torch.manual_seed(cfg.seed * 1_000_003 + epoch)
        model.train()
        batches = epoch_batches(lengths, cfg.batch_size, cfg.bucket_by_length)
        loss, _, seconds = train_epoch(
            model,
            optimizer,
            batches,
            lambda rows: model.calculate_loss(Batch(inputs[rows].to(device), labels[rows].to(device))),
            f"epoch {epoch}",
        )
        state.epoch, state.train_seconds = epoch, state.train_seconds + seconds
        record: dict[str, Any] = {"epoch": epoch, "loss": loss, "train_seconds": round(seconds, 2)}
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            result = evaluate(model, valid, cfg.eval_batch_size, device, f"valid {epoch}")
            value = result.metrics[cfg.select_metric]
            record |= {"valid": result.metrics, "valid_seen_filtered": result.seen_filtered}
            if state.best_metric is None or value > state.best_metric:
                state.best_epoch, state.best_metric = epoch, value
                state.best_valid = {"metrics": result.metrics, "seen_filtered": result.seen_filtered}
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
        if on_epoch_end is not None:
            on_epoch_end(state)
    return state
