"""Config layering: defaults < preset < dataset < CLI, typed parsing, loud unknown keys."""

import json

import pytest

from genrec.baselines import config as cfg
from genrec.baselines.config import resolve_config
from genrec.models import ESASRecConfig, SASRecConfig
from genrec.train.config import config_dict
from genrec.train.overrides import parse_sets
from genrec.train.results import REPO_ROOT


def test_defaults_are_the_papers_settings() -> None:
    full = resolve_config("esasrec", "beauty", "full")
    assert full.model == ESASRecConfig(d=256, n_layers=1, n_heads=1, dropout=0.2, n_negatives=256)
    train = full.train
    assert (train.lr, train.beta1, train.beta2, train.batch_size) == (1e-3, 0.9, 0.98, 128)
    sasrec = resolve_config("sasrec", "sports", "full")
    assert (sasrec.model.d, sasrec.model.n_layers, sasrec.model.n_heads) == (64, 2, 2)
    assert (sasrec.train.epochs, sasrec.train.patience) == (200, 20)
    assert sasrec.train.threads == 1


def test_precedence_defaults_preset_dataset_cli(monkeypatch) -> None:
    monkeypatch.setitem(cfg.PRESETS["sasrec"], "tiny", {"model.d": 16, "train.epochs": 2, "train.lr": 0.5})
    dataset_layer = {"train.epochs": 3, "train.lr": 0.25}
    monkeypatch.setitem(cfg.DATASETS["sasrec"], ("tiny", "sample"), dataset_layer)
    cli = parse_sets(["train.lr=0.125", "train.bucket_by_length=true"])
    config = resolve_config("sasrec", "sample", "tiny", cli)
    assert config.model.d == 16  # preset over default
    assert config.train.epochs == 3  # dataset over preset
    assert config.train.lr == 0.125  # CLI over dataset
    assert config.train.bucket_by_length is True
    assert config.model.n_heads == SASRecConfig().n_heads  # untouched default
    assert resolve_config("sasrec", "beauty", "tiny").train.epochs == 2  # dataset layer is per dataset


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["model.width=3"], "unknown config key"),
        (["optim.lr=1"], "unknown config key"),
        (["train.epochs"], "key=value"),
    ],
)
def test_bad_overrides_fail_loudly(sets, message) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_config("sasrec", "sample", "tiny", parse_sets(sets))


def test_popularity_takes_no_model_keys() -> None:
    with pytest.raises(ValueError, match="unknown config key"):
        resolve_config("popularity", "sample", "tiny", {"model.d": "8"})


def test_unknown_preset_names_the_schema_presets() -> None:
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        resolve_config("sasrec", "sample", "huge")


@pytest.mark.parametrize(
    ("model", "dataset", "run"),
    [
        ("sasrec", "beauty", "beauty-sasrec-cpu"),
        ("sasrec", "sports", "sports-sasrec-cpu-drop0.5"),
        ("sasrec", "toys", "toys-sasrec-cpu"),
        *(("esasrec", d, f"{d}-esasrec-cpu-fullsoftmax-drop0.5") for d in ("beauty", "sports", "toys")),
    ],
)
def test_the_cpu_presets_are_the_recipes_their_published_results_ran(
    model: str, dataset: str, run: str
) -> None:
    """The README cites these result files as the `cpu` presets': each preset must still resolve to
    exactly the config its file records."""
    recorded = json.loads((REPO_ROOT / "bench" / "results" / "baselines" / f"{run}.json").read_text())[
        "config"
    ]
    assert config_dict(resolve_config(model, dataset, "cpu")) == recorded
