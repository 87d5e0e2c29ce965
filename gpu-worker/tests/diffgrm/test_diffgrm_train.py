"""The training entry point end to end on the sample dataset (tiny preset, synthetic SIDs)."""

import json
from pathlib import Path

import pytest
import torch

from genrec.diffgrm import train
from genrec.diffgrm.serve import read_served
from genrec.train import loop

ARGS = ["--dataset", "sample", "--preset", "tiny", "--sids", "random:4", "--set", "decode.test_beam=12"]
ARGS += ["--set", "train.batch_size=512", "--set", "train.valid_users=100"]  # fewer steps: seconds


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(train, "DEFAULT_RUNS", tmp_path / "runs")
    return tmp_path


def run_main(dirs: Path, *extra: str) -> None:
    train.main([*ARGS, "--results-dir", str(dirs / "results"), *extra])


def test_train_test_export_then_resume_and_no_cpd(dirs: Path) -> None:
    art = dirs / "art" / "diffgrm-sample-tiny"
    run_main(dirs, "--artifact-dir", str(art))
    result = json.loads((dirs / "results" / "sample-tiny.json").read_text())
    assert (result["dataset"], result["preset"], result["ablation"], result["epochs_run"]) == (
        "sample",
        "tiny",
        "none",
        2,
    )
    assert {"commit", "dirty"} <= set(result["git"]) and result["threads"] == 1 and result["wall_seconds"] > 0
    for split, beam in (("valid", 10), ("test", 12)):
        assert result[split]["beam"] == beam and result[split]["order"] == "confidence"
        for view in ("metrics", "seen_filtered", "sid_level"):
            assert {"ndcg@5", "ndcg@10", "recall@5", "recall@10"} <= set(result[split][view])
        assert 0.0 <= result[split]["metrics"]["invalid@10"] <= 1.0
    assert result["artifact"] == art.name and result["data"]["training_samples"] > 0
    assert len(result["test"]["readings"]) == len(train.BUCKET_PRIORS)  # no text prior without --fuse
    assert set(result["readings_selected"]) == {"diffgrm, metrics", "diffgrm, seen_filtered"}
    served = read_served(art)
    assert served.config.model.d == 32 and len(served.item_ids) == served.model.n_items + 1

    run_main(dirs, "--artifact-dir", str(art), "--resume")  # finished: no training, same answers
    again = json.loads((dirs / "results" / "sample-tiny.json").read_text())
    assert again["epochs_run"] == 2 and again["test"]["metrics"] == result["test"]["metrics"]

    run_main(dirs, "--ablation", "no-cpd", "--artifact-dir", str(dirs / "unused"))
    ablation = json.loads((dirs / "results" / "sample-tiny-no-cpd.json").read_text())
    assert ablation["training_reused_from"] == str(dirs / "runs" / "sample-diffgrm-tiny")
    assert ablation["test"]["order"] == "fixed" and not (dirs / "unused").exists()

    plain_run = str(dirs / "runs" / "sample-diffgrm-tiny")
    merge = ["--set", "decode.merge_duplicates=true", "--tag", "merge", "--resume", "--out", plain_run]
    run_main(dirs, *merge, "--fuse", "--artifact-dir", str(dirs / "art" / "diffgrm-sample-tiny-merge"))
    variant = json.loads((dirs / "results" / "sample-tiny-merge.json").read_text())
    assert len(variant["valid"]["readings"]) == len(train.BUCKET_PRIORS) * len(train.TEXT_PRIORS)
    fused = variant["readings_selected"]["diffgrm+text-prior, metrics"]
    assert fused["reading"] in variant["test"]["readings"]
    assert variant["tag"] == "merge" and variant["training_reused_from"] == plain_run
    assert variant["test"]["merge_duplicates"] and variant["epochs_run"] == 2
    assert read_served(dirs / "art" / "diffgrm-sample-tiny-merge").config.decode.merge_duplicates


@pytest.mark.slow  # three training runs
def test_a_killed_run_resumes_to_the_same_weights(dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    straight, killed = dirs / "straight", dirs / "killed"
    run_main(dirs, "--out", str(straight), "--artifact-dir", str(dirs / "a1"))
    real = loop.save_checkpoint

    def save_then_die(run_dir: Path, name: str, epoch: int, *args: object, **kwargs: object) -> None:
        real(run_dir, name, epoch, *args, **kwargs)  # type: ignore[arg-type]
        if name == "last" and epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(loop, "save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        run_main(dirs, "--out", str(killed), "--artifact-dir", str(dirs / "a2"))
    monkeypatch.setattr(loop, "save_checkpoint", real)
    run_main(dirs, "--out", str(killed), "--artifact-dir", str(dirs / "a2"), "--resume")
    a = read_served(dirs / "a1").model.state_dict()
    b = read_served(dirs / "a2").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_tagged_run_trains_in_its_own_directory(dirs: Path) -> None:
    run_main(dirs, "--tag", "variant", "--artifact-dir", str(dirs / "art"))
    assert (dirs / "runs" / "sample-diffgrm-tiny-variant" / "best.json").exists()
    assert not (dirs / "runs" / "sample-diffgrm-tiny").exists()  # the untagged run's checkpoints untouched
