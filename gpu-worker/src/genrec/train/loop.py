"""The one epoch loop every trainer shares: shuffled (optionally length-bucketed) batches, an
optional warm-up + cosine schedule and gradient clipping, validation every ``eval_every`` epochs,
early stopping, ``last`` / ``best`` checkpoints, and an epoch callback.

A model supplies a ``Task``: the module, the length of each training row (for batching), the loss
of a batch of row indices and a validation function. Everything else is here, written once.

Determinism: the model is initialised under ``torch.manual_seed(seed)`` by the caller, and every
epoch re-seeds torch's global RNG from (seed, epoch) before shuffling, dropout and negative
sampling; the learning rate is a pure function of the global step. An epoch therefore depends only
on the weights and optimizer state it starts from, which the ``last`` checkpoint restores exactly:
a resumed run repeats the uninterrupted one bit for bit (same machine, same thread count).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from genrec.progress import progress
from genrec.train.checkpoint import load_checkpoint, load_meta, save_checkpoint
from genrec.train.config import TrainConfig

EpochCallback = Callable[["FitState"], bool | None]  # after each epoch's checkpoint; True stops the run
POOL_BATCHES = 50  # length buckets: batches per shuffled pool


@dataclass(frozen=True)
class Validation:
    """One validation pass, as the model's ``validate`` reports it."""

    score: float  # selection maximises this (e.g. NDCG@10)
    metrics: dict[str, float]  # logged per epoch as ``valid``
    best: dict[str, Any]  # kept as ``FitState.best_valid`` while this pass is the best
    extra: dict[str, Any] = field(default_factory=dict)  # more per-epoch log fields


@dataclass(frozen=True)
class Task:
    """What a model brings to ``fit``."""

    model: torch.nn.Module
    lengths: torch.Tensor  # [M] history length of each training row (bucketing)
    loss_of: Callable[[torch.Tensor], torch.Tensor]  # row indices [B] -> scalar loss
    validate: Callable[[], Validation]  # called with the model in eval mode


@dataclass
class FitState:
    """Progress that a checkpoint carries besides the weights (JSON-ready)."""

    epoch: int = 0  # last completed epoch
    step: int = 0  # optimizer steps taken
    best_epoch: int = 0
    best_score: float | None = None
    best_valid: dict[str, Any] | None = None
    evals_since_best: int = 0
    train_seconds: float = 0.0  # in training steps only
    eval_seconds: float = 0.0  # in validation during training
    elapsed_seconds: float = 0.0  # wall time across sessions, evaluation and checkpoints included
    stopped: str | None = None  # early_stop | max_epochs | callback | requested, once finished
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> FitState:
        """From checkpoint meta; older checkpoints named the best score ``best_metric``."""
        data = dict(saved)
        if "best_metric" in data:
            data.setdefault("best_score", data.pop("best_metric"))
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


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
    batches: list[torch.Tensor] = []
    for chunk in order.split(POOL_BATCHES * batch_size):
        by_length = chunk[torch.sort(lengths[chunk], stable=True).indices]
        batches.extend(by_length.split(batch_size))
    return [batches[i] for i in torch.randperm(len(batches)).tolist()]


def steps_per_epoch(rows: int, batch_size: int, bucket: bool) -> int:
    """``len(epoch_batches(...))`` without drawing from the RNG."""
    if not bucket:
        return math.ceil(rows / batch_size)
    pool = POOL_BATCHES * batch_size
    full, rest = divmod(rows, pool)
    return full * POOL_BATCHES + math.ceil(rest / batch_size)


def lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up from 0 over ``warmup`` steps, then cosine decay to 0 at ``total``."""
    if step < warmup:
        return step / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


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
    for rows in progress(batches, desc=desc, unit="batch", done_line=False):
        if lr_at is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
        loss = loss_of(rows)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        total, step = total + loss.item(), step + 1
    assert math.isfinite(total), f"non-finite loss in {desc}"
    return total / len(batches), step, time.perf_counter() - start


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    kind = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
    return kind(model.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), weight_decay=cfg.weight_decay)


@dataclass(frozen=True)
class ResumeRule:
    """What must match for a run to resume a checkpoint: every field of ``sections`` (the config in
    ``config_dict`` form) except the ``resumable`` ones, and the top-level ``identity`` keys."""

    sections: tuple[str, ...]
    resumable: frozenset[str]
    identity: tuple[str, ...]


def check_resumable(saved: Mapping[str, Any], now: Mapping[str, Any], rule: ResumeRule) -> None:
    """Refuse to resume a checkpoint whose config ``saved`` differs from ``now`` where ``rule`` says
    it must match. A field the checkpoint predates matches when ``now`` keeps its default."""
    defaults = {"train": {f.name: f.default for f in dataclasses.fields(TrainConfig)}}
    for section in rule.sections:
        for key, value in now[section].items():
            if key in rule.resumable:
                continue
            before = saved[section].get(key, defaults.get(section, {}).get(key))
            if before != value:
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
) -> FitState | None:
    """Restore weights and optimizer from ``run_dir``'s ``last`` checkpoint once ``check_resumable``
    passes, and return the progress it carries; None when there is no checkpoint."""
    saved = load_meta(run_dir, "last")
    if saved is None:
        return None
    check_resumable(saved["config"], now, rule)
    load_checkpoint(run_dir, "last", model, optimizer)
    return FitState.from_dict(saved["state"])


STOP_FILE = "STOP"  # `touch <run dir>/STOP`: end the run at its next evaluation, then test the best


def fit(
    task: Task,
    cfg: TrainConfig,
    run_dir: Path,
    config: Mapping[str, Any],
    rule: ResumeRule,
    resume: bool = False,
    extra_meta: Mapping[str, Any] | None = None,
    on_epoch_end: EpochCallback | None = None,
    session_start: float | None = None,
) -> FitState:
    """Train ``task`` until ``cfg.epochs``, early stopping, ``on_epoch_end`` returning True, or a
    ``STOP`` file in ``run_dir`` (checked after each evaluation: a time-boxed run ends cleanly and its
    caller still tests the best checkpoint). Every stop is recorded, so a resumed run does not train on.

    ``run_dir`` gets ``last`` (every epoch, with the optimizer) and ``best`` (best validation score);
    their meta holds ``config`` (the run's config in ``config_dict`` form, checked by ``rule`` on
    resume), the state and ``extra_meta``. ``session_start`` (a ``time.perf_counter()`` value,
    default now) starts this session's share of ``elapsed_seconds`` so a caller can count its setup.
    """
    model = task.model
    optimizer = make_optimizer(model, cfg)
    state = FitState()
    if resume and (saved := resume_state(run_dir, model, optimizer, config, rule)) is not None:
        state = saved
        tqdm.write(f"resumed from epoch {state.epoch} (step {state.step}) in {run_dir}")
    session_start = time.perf_counter() if session_start is None else session_start
    elapsed_before = state.elapsed_seconds
    total_steps = steps_per_epoch(len(task.lengths), cfg.batch_size, cfg.bucket_by_length) * cfg.epochs

    def lr_at(step: int) -> float:
        return cfg.lr * lr_factor(step, cfg.warmup_steps, total_steps)

    def meta() -> dict[str, Any]:
        state.elapsed_seconds = elapsed_before + time.perf_counter() - session_start
        return {"config": dict(config), "state": dataclasses.asdict(state), **(extra_meta or {})}

    for epoch in range(state.epoch + 1, cfg.epochs + 1):
        if state.stopped:
            break
        torch.manual_seed(cfg.seed * 1_000_003 + epoch)
        model.train()
        batches = epoch_batches(task.lengths, cfg.batch_size, cfg.bucket_by_length)
        schedule = lr_at if cfg.schedule == "cosine" else None
        loss, state.step, seconds = train_epoch(
            model, optimizer, batches, task.loss_of, f"epoch {epoch}", schedule, cfg.grad_clip, state.step
        )
        state.epoch, state.train_seconds = epoch, state.train_seconds + seconds
        record: dict[str, Any] = {"epoch": epoch, "loss": loss, "train_seconds": round(seconds, 2)}
        if schedule is not None:
            record["lr_end"] = lr_at(state.step)
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            model.eval()
            t0 = time.perf_counter()
            result = task.validate()
            eval_seconds = round(time.perf_counter() - t0, 2)
            state.eval_seconds += eval_seconds
            record |= {"valid": result.metrics, "score": result.score, **result.extra}
            record["eval_seconds"] = eval_seconds
            if state.best_score is None or result.score > state.best_score:
                state.best_epoch, state.best_score, state.evals_since_best = epoch, result.score, 0
                state.best_valid = result.best
                save_checkpoint(run_dir, "best", epoch, model, meta())
            else:
                state.evals_since_best += 1
                if state.evals_since_best >= cfg.patience:
                    state.stopped = "early_stop"
        state.history.append(record)
        state.stopped = state.stopped or ("max_epochs" if epoch == cfg.epochs else None)
        save_checkpoint(run_dir, "last", epoch, model, meta(), optimizer)
        if on_epoch_end is not None and on_epoch_end(state) and not state.stopped:
            state.stopped = "callback"  # recorded, so a resumed run does not train on
            save_checkpoint(run_dir, "last", epoch, model, meta(), optimizer)
        if "valid" in record and not state.stopped and (run_dir / STOP_FILE).exists():
            (run_dir / STOP_FILE).unlink()  # honoured once, so a fresh run in this folder trains
            tqdm.write(f"epoch {epoch}: {STOP_FILE} found in {run_dir}; stopping with the best so far")
            state.stopped = "requested"
            save_checkpoint(run_dir, "last", epoch, model, meta(), optimizer)
        line = f"epoch {epoch}/{cfg.epochs}: loss {loss:.4f} {seconds:.1f}s"
        if "valid" in record:
            line += f" valid score {record['score']:.4f} (best {state.best_score:.4f} @ {state.best_epoch})"
        tqdm.write(line)
    return state
