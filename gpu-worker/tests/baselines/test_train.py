"""End to end on the shipped sample: a tiny run writes its result file; a killed run resumes exactly."""

import json
from pathlib import Path

import pytest
import torch

from genrec.baselines.config import resolve_config
from genrec.baselines.train import main, parser, run

KEYS = {"dataset", "model", "preset", "config", "git", "machine", "epochs_run", "best_epoch", "wall_seconds"}


class Killed(Exception):
    """Stands in for SIGKILL: raised after a checkpoint, like a kill between epochs."""


def test_cli_help_documents_every_flag() -> None:
    for action in parser()._actions:
        assert action.help, f"{action.option_strings} has no help"


@pytest.mark.parametrize("model", ["popularity", "esasrec"])
def test_tiny_run_writes_a_result_file(tmp_path: Path, model: str) -> None:
    dirs = ["--out", str(tmp_path / "run"), "--results-dir", str(tmp_path / "results")]
    main(["--model", model, "--dataset", "sample", "--preset", "tiny", *dirs])
    result = json.loads((tmp_path / "results" / f"sample-{model}-tiny.json").read_text())
    assert result.keys() >= KEYS
    assert result["machine"]["threads"] == 1
    for split in ("valid", "test"):
        assert set(result[split]["metrics"]) == {"ndcg@5", "ndcg@10", "recall@5", "recall@10"}
        assert set(result[split]["seen_filtered"]) == set(result[split]["metrics"])
    if model == "popularity":
        assert result["epochs_run"] == 0 and result["test"]["metrics"]["recall@10"] > 0
    else:
        assert result["epochs_run"] == 2 and len(result["history"]) == 2
        assert (tmp_path / "run" / "best.json").exists() and (tmp_path / "run" / "last.json").exists()


def _weights(run_dir: Path) -> dict[str, torch.Tensor]:
    meta = json.loads((run_dir / "last.json").read_text())
    return torch.load(run_dir / meta["weights"], weights_only=True)["model"]


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    sets = {"train.epochs": 3, "train.patience": 10, "train.bucket_by_length": True, "model.dropout": 0.3}
    config = resolve_config("sasrec", "sample", "tiny", sets)
    straight = run(config, tmp_path / "straight", tmp_path / "a")

    def kill_after_two(state) -> None:
        if state.epoch == 2:
            raise Killed

    with pytest.raises(Killed):
        run(config, tmp_path / "resumed", tmp_path / "b", on_epoch_end=kill_after_two)
    assert json.loads((tmp_path / "resumed" / "last.json").read_text())["state"]["epoch"] == 2
    resumed = run(config, tmp_path / "resumed", tmp_path / "b", resume=True)

    assert resumed["epochs_run"] == straight["epochs_run"] == 3
    assert [h["loss"] for h in resumed["history"]] == [h["loss"] for h in straight["history"]]
    assert resumed["test"] == straight["test"] and resumed["best_epoch"] == straight["best_epoch"]
    a, b = _weights(tmp_path / "straight"), _weights(tmp_path / "resumed")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_refuses_a_changed_config(tmp_path: Path) -> None:
    config = resolve_config("sasrec", "sample", "tiny", {"train.epochs": 1})
    run(config, tmp_path / "run", tmp_path / "res")
    changed = resolve_config("sasrec", "sample", "tiny", {"train.epochs": 1, "model.d": 8})
    with pytest.raises(ValueError, match=r"model\.d"):
        run(changed, tmp_path / "run", tmp_path / "res", resume=True)
