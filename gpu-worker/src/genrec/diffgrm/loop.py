"""DiffGRM's epoch loop: AdamW (wd 0), linear warm-up + cosine decay, grad clipping, OCN loss, CPD
validation every ``eval_every`` epochs (selection on 0.8·N@10 + 0.2·R@10), early stopping after
``patience`` evaluations without improvement, and ``last`` / ``best`` checkpoints (weights + JSON
meta, genrec.train.checkpoint) every epoch, so ``--resume`` continues a killed run.

Determinism as in genrec.rpg.loop: each epoch re-seeds torch from (seed, epoch) and the learning
rate is a pure function of the global step, so a resumed run repeats the uninterrupted one (same
machine and thread count).
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
from genrec.diffgrm.config import RunConfig, config_dict
from genrec.diffgrm.cpd import BucketMap, DigitOrder
from genrec.diffgrm.evaluate import evaluate, selection_score, subsample
from genrec.diffgrm.model import DiffGRM
from genrec.diffgrm.ocn import ocn_loss
from genrec.train.checkpoint import save_checkpoint
from genrec.train.loop import ResumeRule, epoch_batches, lr_factor, resume_state, train_epoch

# Settings that may differ between a run and its resumption without changing what it trains.
RESUME = ResumeRule(
    ("model", "train", "ocn", "decode"),
    frozenset(
        {"threads", "device", "eval_batch_size", "test_beam", "serve_beam", "order", "merge_duplicates"}
    ),
    ("dataset", "sids"),
)


@dataclass
class FitState:
    """Progress a checkpoint carries besides the weights (JSON-ready)."""

    epoch: int = 0  # last completed epoch
    step: int = 0  # optimizer steps taken
    best_epoch: int = 0
    best_score: float | None = None
    best_valid: dict[str, Any] | None = None
    evals_since_best: int = 0
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    elapsed_seconds: float = 0.0  # across sessions, evaluation and checkpoints included
    stopped: str | None = None  # "early_stop" | "max_epochs"
    history: list[dict[str, Any]] = field(default_factory=list)


def fit(
    model: DiffGRM,
    histories: torch.Tensor,
    targets: torch.Tensor,
    valid: EvalSplit,
    buckets: BucketMap,
    config: RunConfig,
    run_dir: Path,
    resume: bool = False,
    extra_meta: dict[str, Any] | None = None,
) -> FitState:
    """Train on samples (histories [S, L], target rows [S]) until ``train.epochs`` or early stop."""
    cfg, device = config.train, str(next(model.parameters()).device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    state, session_start = FitState(), time.perf_counter()
    if resume and (saved := resume_state(run_dir, model, optimizer, config_dict(config), RESUME)) is not None:
        state = FitState(**saved)
        tqdm.write(f"resumed from epoch {state.epoch} (step {state.step}) in {run_dir}")
    elapsed_before = state.elapsed_seconds
    target_codes = torch.from_numpy(model.sid_table()).long()[targets]  # [S, m]
    lengths = (histories > 0).sum(dim=1)  # [S]
    steps_per_epoch = len(epoch_batches(lengths, cfg.batch_size, cfg.bucket_by_length))
    total_steps = steps_per_epoch * cfg.epochs
    valid = subsample(valid, cfg.valid_users, cfg.seed)

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
            lambda rows: ocn_loss(
                model, histories[rows].to(device), target_codes[rows].to(device), config.ocn
            ),
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
            dec = config.decode
            order: DigitOrder = dec.order  # type: ignore[assignment]
            result = evaluate(
                model, valid, buckets, dec.valid_beam, order, dec.k, cfg.eval_batch_size, dec.merge_duplicates
            )
            score = selection_score(result["metrics"])
            state.eval_seconds += result["seconds"]
            record |= {"valid": result["metrics"], "score": score, "eval_seconds": result["seconds"]}
            if state.best_score is None or score > state.best_score:
                state.best_epoch, state.best_score, state.evals_since_best = epoch, score, 0
                state.best_valid = {k: result[k] for k in ("metrics", "seen_filtered", "sid_level", "users")}
                save_checkpoint(run_dir, "best", epoch, model, meta())
            else:
                state.evals_since_best += 1
                if state.evals_since_best >= cfg.patience:
                    state.stopped = "early_stop"
        state.history.append(record)
        state.stopped = state.stopped or ("max_epochs" if epoch == cfg.epochs else None)
        save_checkpoint(run_dir, "last", epoch, model, meta(), optimizer)
        line = f"epoch {epoch}: loss {record['loss']:.4f} {seconds:.1f}s"
        if "valid" in record:
            line += f" valid ndcg@10 {record['valid']['ndcg@10']:.4f} score {record['score']:.4f}"
        tqdm.write(line)
    return state
