"""A job trains an edge snapshot (a user's imported dataset) with the settings the CLI trainers give
the same data: the dataset layer of genrec.train.defaults for an untuned dataset, the tuned tables
for beauty / sports / toys, RPG's SID length as ``sid build`` picks it, and overrides on top."""

from __future__ import annotations

import json
from typing import Any

import pytest

from genrec.baselines.train import main as baselines_main
from genrec.data import Dataset, load_dataset, write_canonical
from genrec.jobs.pipeline import baseline_config, rpg_config
from genrec.jobs.validation import sid_config, validate
from genrec.rpc.models import TrainRequest
from genrec.rpg.config import config_dict
from genrec.rpg.config import resolve_config as rpg_resolve
from genrec.rpg.train import main as rpg_main
from genrec.train.config import config_dict as baseline_dict
from genrec.train.defaults import sid_digits

SNAPSHOT = {"kind": "snapshot", "uri": "http://127.0.0.1:9/v1/snapshots/abcdef12"}


def request(model: str, preset: str, dataset: dict[str, str] | None = None, **overrides: Any) -> TrainRequest:
    body = {"model": model, "dataset": dataset or SNAPSHOT, "preset": preset, "overrides": overrides}
    return TrainRequest.model_validate(body)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Dataset]:
    """The sample as a job holds an edge snapshot: a canonical folder named ``snapshot``."""
    spec = tmp_path_factory.mktemp("job") / "data" / "snapshot"
    write_canonical(load_dataset("sample")[0], spec)
    return str(spec), load_dataset(str(spec))[0]


def cli_config(main: Any, args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    main([*args, "--print-config"])
    return json.loads(capsys.readouterr().out)


def test_rpg_job_config_is_the_cli_trainers(
    snapshot: tuple[str, Dataset], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, ds = snapshot
    req = request("rpg", "quick")
    config, defaults = rpg_config(req, validate(req), spec, ds, "random:16", 16)
    cli = cli_config(rpg_main, ["--dataset", spec, "--preset", "quick", "--sids", "random:16"], capsys)
    assert config_dict(config) == cli
    # the stated defaults (2,795 items: Beauty's decoding, lr 0.003, epochs scaled), not another
    # dataset's tuning
    assert not defaults.tuned
    assert defaults.overrides["train.lr"] == config.train.lr == 0.003
    assert (config.decode.beam, config.decode.neighbours, config.decode.steps) == (20, 200, 3)
    assert config_dict(config) != config_dict(rpg_resolve(spec, "quick", "random:16", 16))
    # an override still wins over the dataset layer
    req = request("rpg", "quick", **{"train.lr": 0.01})
    assert rpg_config(req, validate(req), spec, ds, "random:16", 16)[0].train.lr == 0.01


@pytest.mark.parametrize("model", ["sasrec", "esasrec", "content-knn"])
def test_baseline_job_config_is_the_cli_trainers(
    model: str, snapshot: tuple[str, Dataset], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, ds = snapshot
    req = request(model, "cpu")
    config, defaults = baseline_config(req, validate(req), spec, ds)
    cli = cli_config(baselines_main, ["--model", model, "--dataset", spec, "--preset", "cpu"], capsys)
    assert baseline_dict(config) == cli
    assert not defaults.tuned
    if model != "content-knn":
        assert "train.epochs" in defaults.overrides


def test_tuned_datasets_keep_their_tables() -> None:
    req = request("rpg", "quick", {"kind": "builtin", "name": "sample"})
    ds = load_dataset("sample")[0]
    defaults = rpg_config(req, validate(req), "sample", ds, "random:16", 16)[1]
    assert not defaults.tuned and defaults.overrides  # the sample is a dataset nobody tuned
    req = request("rpg", "quick", {"kind": "builtin", "name": "toys"})
    # toys is tuned: no derived layer (its shape is not needed for that, the sample's stands in)
    assert rpg_config(req, validate(req), "toys", ds, "random:16", 16)[1].tuned


@pytest.mark.parametrize(
    ("preset", "dataset", "items", "m"),
    [
        ("tiny", SNAPSHOT, 2_795, 8),  # the smoke preset's fixed m
        ("quick", SNAPSHOT, 2_795, 16),  # `sid build`'s m from the item count
        ("quick", SNAPSHOT, 45_000, 32),
        ("full", SNAPSHOT, 70_000, 64),
        ("cpu", {"kind": "builtin", "name": "beauty"}, 12_101, 32),  # the authors' m
        ("cpu", {"kind": "builtin", "name": "toys"}, 11_924, 16),
    ],
)
def test_job_sids_take_the_cli_length(preset: str, dataset: dict[str, str], items: int, m: int) -> None:
    req = request("rpg", preset, dataset)
    assert sid_config(req, validate(req), items).m == m
    if preset != "tiny":
        assert sid_digits(dataset.get("name", "snapshot"), items)[0] == m
    chosen = request("rpg", preset, dataset, **{"sid.m": 4})
    assert sid_config(chosen, validate(chosen), items).m == 4  # sid.m wins
