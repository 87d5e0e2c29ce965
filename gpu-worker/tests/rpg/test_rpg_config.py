"""Config precedence: defaults < preset < dataset < CLI; n_digits from the SIDs; loud typos."""

import json

import pytest

from genrec.rpg.config import config_dict, config_from_dict, resolve_config
from genrec.train.loop import lr_factor
from genrec.train.results import REPO_ROOT

RECIPE = "items256-drop0.5-histneg-textlast-repeat-full512"


def test_precedence_and_round_trip() -> None:
    config = resolve_config("sports", "quick", "dir", 16, {"train.lr": "0.002", "decode.init": "history"})
    assert config.model.n_digits == 16 and config.model.d == 64  # preset
    assert (config.decode.beam, config.decode.neighbours, config.decode.steps) == (100, 30, 5)  # dataset
    assert config.train.lr == 0.002 and config.decode.init == "history"  # CLI
    assert config_from_dict(config_dict(config)) == config
    full = resolve_config("beauty", "full", "dir", 32)
    assert (full.model.d, full.model.temperature, full.train.warmup_steps, full.train.lr) == (
        448,
        0.03,
        10_000,
        0.01,
    )


def test_bad_keys_fail_loudly() -> None:
    with pytest.raises(ValueError, match="unknown config key"):
        resolve_config("beauty", "quick", "dir", 32, {"model.dd": "3"})
    with pytest.raises(ValueError, match="n_digits"):
        resolve_config("beauty", "quick", "dir", 32, {"model.n_digits": "8"})
    with pytest.raises(AssertionError):
        resolve_config("beauty", "quick", "dir", 32, {"decode.beam": "5"})  # b < n


def test_lr_schedule_warms_up_then_decays_to_zero() -> None:
    assert lr_factor(0, 10, 100) == 0.0 and lr_factor(5, 10, 100) == 0.5 and lr_factor(10, 10, 100) == 1.0
    assert lr_factor(55, 10, 100) == pytest.approx(0.5) and lr_factor(100, 10, 100) == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("dataset", "m", "run"),
    [
        ("beauty", 32, f"beauty-cpu-{RECIPE}-e30"),
        ("sports", 16, f"sports-cpu-{RECIPE}-e30"),
        ("toys", 16, f"toys-cpu-{RECIPE}-e40"),
    ],
)
def test_the_cpu_preset_is_the_recipe_its_published_results_ran(dataset: str, m: int, run: str) -> None:
    """The README cites these result files as the `cpu` preset's: the preset must still resolve to
    exactly the config they record."""
    recorded = json.loads((REPO_ROOT / "bench" / "results" / "rpg" / f"{run}.json").read_text())["config"]
    assert config_dict(resolve_config(dataset, "cpu", recorded["sids"], m)) == recorded
