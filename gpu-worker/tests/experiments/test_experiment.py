"""genrec.experiments: a spec runs the trainer's own command line into one folder, whose status,
progress and files a client can read while it runs and after."""

import json
from pathlib import Path
from typing import get_args

import pytest

from genrec.experiments import (
    TRAINERS,
    ExperimentError,
    ExperimentFailed,
    ExperimentSpec,
    experiment_files,
    experiment_status,
    run_experiment,
    trainer_argv,
)
from genrec.rpc.models import TrainRequest

SPEC = {"run_id": "sample-sasrec-tiny-1", "model": "sasrec", "dataset": "sample", "preset": "tiny"}


def test_a_tiny_run_writes_status_progress_result_and_checkpoint(tmp_path: Path) -> None:
    spec = ExperimentSpec.from_dict({**SPEC, "sets": ["train.epochs=2"]})
    final = run_experiment(spec, tmp_path)
    assert final["state"] == "succeeded" and final["kind"] == "baselines"
    assert final["results"] == ["sample-sasrec-tiny.json"]
    status = experiment_status(tmp_path)
    assert status["progress"]["epoch"] == status["progress"]["epochs"] == 2
    files = experiment_files(tmp_path)
    result = json.loads(files["results/sample-sasrec-tiny.json"])
    assert result["config"]["train"]["epochs"] == 2 and "ndcg@10" in result["test"]["metrics"]
    best = json.loads(files["run/best.json"])
    assert files[f"run/{best['weights']}"] == (tmp_path / "run" / best["weights"]).read_bytes()
    assert json.loads(files["status.json"])["state"] == "succeeded"


def test_a_trainer_refusal_is_recorded_and_raised(tmp_path: Path) -> None:
    spec = ExperimentSpec.from_dict({**SPEC, "sets": ["train.nope=1"]})
    with pytest.raises(ExperimentFailed, match="nope"):
        run_experiment(spec, tmp_path)
    status = experiment_status(tmp_path)
    assert status["state"] == "failed" and "nope" in status["error"] and "trace" not in status


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model": "gpt"}, "model"),
        ({"preset": "huge"}, "preset"),
        ({"run_id": "../x"}, "run_id"),
        ({"model": "rpg"}, "sids"),
        ({"sets": ["epochs"]}, "sets"),
        ({"extra": 1}, "unknown field"),
    ],
)
def test_a_bad_spec_names_its_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ExperimentError, match=field):
        ExperimentSpec.from_dict({**SPEC, **change})


def test_the_command_line_is_the_local_one_pointed_into_the_folder(tmp_path: Path) -> None:
    spec = ExperimentSpec.from_dict(
        {**SPEC, "run_id": "d1", "model": "diffgrm", "sids": "/vol/sids/beauty-pse-m4", "sets": ["a.b=1"]}
    )
    module, argv = trainer_argv(spec, tmp_path)
    assert module == "genrec.diffgrm.train"
    assert argv[:6] == ["--dataset", "sample", "--preset", "tiny", "--set", "a.b=1"]
    assert argv[argv.index("--results-dir") + 1] == str(tmp_path / "results")
    assert argv[argv.index("--artifact-dir") + 1] == str(tmp_path / "artifacts" / "diffgrm-d1")


def test_every_model_of_the_wire_contract_has_a_trainer() -> None:
    # the CLI checks --model against shared's ModelKind, the same enum TrainRequest.model carries
    assert set(TRAINERS) == set(get_args(TrainRequest.model_fields["model"].annotation))
