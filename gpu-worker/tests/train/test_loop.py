"""The shared epoch loop: batching, the callback stop, early stopping and old checkpoints."""

from pathlib import Path

import pytest
import torch

from genrec.train.checkpoint import reopen
from genrec.train.config import TrainConfig
from genrec.train.loop import (
    STOP_FILE,
    FitState,
    ResumeRule,
    Task,
    Validation,
    check_resumable,
    epoch_batches,
    fit,
    steps_per_epoch,
)

RULE = ResumeRule(("train",), frozenset({"threads"}), ())


@pytest.mark.parametrize(("rows", "batch", "bucket"), [(1000, 64, False), (1000, 7, True), (13_000, 4, True)])
def test_steps_per_epoch_counts_the_batches_without_the_rng(rows: int, batch: int, bucket: bool) -> None:
    lengths = torch.randint(1, 50, (rows,))
    batches = epoch_batches(lengths, batch, bucket)
    assert steps_per_epoch(rows, batch, bucket) == len(batches)
    assert sorted(torch.cat(batches).tolist()) == list(range(rows))  # every row once


def toy_task(scores: list[float]) -> Task:
    """A linear model whose validation scores are scripted (one per evaluation)."""
    model = torch.nn.Linear(2, 1)
    x = torch.randn(32, 2)
    it = iter(scores)

    def validate() -> Validation:
        score = next(it)
        return Validation(score, {"ndcg@10": score}, {"metrics": {"ndcg@10": score}})

    return Task(model, torch.ones(32, dtype=torch.long), lambda rows: model(x[rows]).pow(2).mean(), validate)


def test_early_stop_counts_evaluations_and_keeps_the_best(tmp_path: Path) -> None:
    cfg = TrainConfig(epochs=10, batch_size=8, patience=2)
    state = fit(toy_task([0.1, 0.3, 0.2, 0.25, 0.9]), cfg, tmp_path, {"train": {}}, RULE)
    assert (state.epoch, state.best_epoch, state.best_score, state.stopped) == (4, 2, 0.3, "early_stop")
    assert [h["score"] for h in state.history] == [0.1, 0.3, 0.2, 0.25]
    assert (tmp_path / "best.json").exists() and (tmp_path / "last.json").exists()


def test_the_epoch_callback_can_stop_a_run(tmp_path: Path) -> None:
    cfg = TrainConfig(epochs=10, batch_size=8, schedule="cosine", warmup_steps=2, grad_clip=1.0)
    seen: list[int] = []

    def stop_at_three(state: FitState) -> bool:
        seen.append(state.epoch)
        return state.epoch == 3

    state = fit(toy_task([0.1] * 10), cfg, tmp_path, {"train": {}}, RULE, on_epoch_end=stop_at_three)
    assert seen == [1, 2, 3] and state.stopped == "callback" and "lr_end" in state.history[0]
    again = fit(toy_task([]), cfg, tmp_path, {"train": {}}, RULE, resume=True)
    assert again.epoch == 3 and again.stopped == "callback"  # a stopped run does not train on


def test_a_stop_file_ends_the_run_at_its_next_evaluation(tmp_path: Path) -> None:
    cfg = TrainConfig(epochs=10, batch_size=8, eval_every=2)

    def stop_after_first_epoch(state: FitState) -> bool:
        if state.epoch == 1:
            (tmp_path / STOP_FILE).touch()
        return False

    state = fit(toy_task([0.1] * 5), cfg, tmp_path, {"train": {}}, RULE, on_epoch_end=stop_after_first_epoch)
    assert (state.epoch, state.best_epoch, state.stopped) == (2, 2, "requested")  # not at epoch 1
    assert not (tmp_path / STOP_FILE).exists()  # honoured once
    again = fit(toy_task([]), cfg, tmp_path, {"train": {}}, RULE, resume=True)
    assert again.epoch == 2 and again.stopped == "requested"
    assert reopen(tmp_path) == "requested"  # --extend: the time-boxed run trains on to its budget
    extended = fit(toy_task([0.2] * 4), cfg, tmp_path, {"train": {}}, RULE, resume=True)
    assert (extended.epoch, extended.best_epoch, extended.stopped) == (10, 4, "max_epochs")
    assert reopen(tmp_path) == "max_epochs" and reopen(tmp_path) is None


def test_checkpoints_from_before_the_shared_loop_still_load() -> None:
    state = FitState.from_dict({"epoch": 4, "best_metric": 0.2, "best_epoch": 2, "stopped": None})
    assert (state.epoch, state.best_score, state.evals_since_best) == (4, 0.2, 0)
    train = TrainConfig.from_dict({"epochs": 5, "grad_clip": None, "lr": 0.01})
    assert (train.epochs, train.grad_clip, train.lr) == (5, 0.0, 0.01)
    now = {"train": {"epochs": 5, "schedule": "constant", "threads": 2}}
    check_resumable({"train": {"epochs": 5, "threads": 1}}, now, RULE)  # new field at its default
    with pytest.raises(ValueError, match=r"train\.schedule"):
        check_resumable({"train": {"epochs": 5}}, {"train": {"epochs": 5, "schedule": "cosine"}}, RULE)
