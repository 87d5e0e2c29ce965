"""Explicit defaults for untuned datasets (genrec.train.defaults) and where result files go."""

from pathlib import Path

import pytest

from genrec.rpg import config as rpg_config
from genrec.train import cli
from genrec.train.defaults import DataShape, sid_digits
from genrec.train.results import RUN_RESULTS

SMALL = DataShape(users=300, items=2795, interactions=4161, train_targets=3261)
LARGE = DataShape(users=200_000, items=80_000, interactions=1_600_000, train_targets=1_000_000)


def test_an_untuned_dataset_gets_stated_defaults_from_its_shape() -> None:
    small = rpg_config.dataset_defaults("var/data/shop", "quick", SMALL)
    assert not small.tuned
    assert small.overrides == {
        "train.lr": 0.003,
        "decode.beam": 20,
        "decode.neighbours": 200,
        "decode.steps": 3,
        "train.epochs": 40,  # quick's 20, twice: 4k interactions take far less than Beauty's time
        "train.warmup_steps": 52,  # quick's 300 would be more than the whole run's ~520 steps
    }
    assert set(small.reasons) == set(small.overrides)
    assert small.lines()[0].startswith("dataset shop has no tuned settings")
    large = rpg_config.dataset_defaults("big", "cpu", LARGE)
    assert large.overrides["train.lr"] == 0.001 and large.overrides["train.epochs"] == 8  # 30 x 0.25
    assert (large.overrides["decode.beam"], large.overrides["decode.neighbours"]) == (20, 500)
    assert sid_digits("big", LARGE.items)[0] == 64 and sid_digits("shop", SMALL.items)[0] == 16
    assert sid_digits("beauty", SMALL.items)[0] == 32  # the authors' m wins for a tuned dataset


def test_tuned_datasets_and_tiny_runs_keep_their_settings_and_set_wins() -> None:
    assert rpg_config.dataset_defaults("beauty", "quick", SMALL).overrides == {}
    assert rpg_config.dataset_defaults("sample", "tiny", SMALL).overrides == {}
    defaults = rpg_config.dataset_defaults("shop", "quick", SMALL)
    config = rpg_config.resolve_config("shop", "quick", "d", 16, {"train.lr": "0.01"}, defaults)
    assert config.train.lr == 0.01 and config.train.epochs == 40 and config.decode.neighbours == 200
    assert rpg_config.resolve_config("shop", "quick", "d", 16).train.epochs == 20  # no layer given


def parse(*argv: str):
    return cli.run_parser("x", "doc", Path("/repo/bench/results/rpg")).parse_args(["--dataset", "d", *argv])


@pytest.mark.parametrize("dirty", [True, False])
def test_results_dir_explicit_default_and_publish(dirty: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "git_info", lambda: {"commit": "abc", "dirty": dirty})
    assert cli.results_dir(parse("--results-dir", "/tmp/here")) == Path("/tmp/here")  # never checked
    assert cli.results_dir(parse()) == RUN_RESULTS / "rpg"
    if dirty:
        with pytest.raises(SystemExit) as stop:
            cli.results_dir(parse("--publish"))
        assert stop.value.code == 2
    else:
        assert cli.results_dir(parse("--publish")) == Path("/repo/bench/results/rpg")
    with pytest.raises(SystemExit):
        parse("--publish", "--results-dir", "/tmp/x")  # one or the other
