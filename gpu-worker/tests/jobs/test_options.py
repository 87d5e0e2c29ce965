"""TrainRequest.overrides: split by destination and checked before a job is created."""

from __future__ import annotations

from typing import Any

import pytest

from genrec.jobs.options import InvalidOverride, as_text, parse_options, sid_config, validate
from genrec.rpc.models import TrainRequest


def request(
    model: str = "rpg", preset: str = "quick", name: str = "sample", **overrides: Any
) -> TrainRequest:
    return TrainRequest.model_validate(
        {
            "model": model,
            "dataset": {"kind": "builtin", "name": name},
            "preset": preset,
            "overrides": overrides,
        }
    )


def test_json_numbers_become_the_trainers_text() -> None:
    assert [as_text(v) for v in (3.0, 0.5, True, False, "history")] == [
        "3",
        "0.5",
        "true",
        "false",
        "history",
    ]


def test_overrides_are_split_by_destination() -> None:
    req = TrainRequest.model_validate_json(
        '{"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"},'
        ' "overrides": {"activate": true, "sid.m": 16, "train.epochs": 3, "decode.init": "history"}}'
    )
    options = parse_options(req)
    assert options.activate is True
    assert dict(options.sid) == {"m": 16.0}
    assert dict(options.config) == {"train.epochs": "3", "decode.init": "history"}
    assert validate(req) == options


@pytest.mark.parametrize(
    ("preset", "name", "m"), [("tiny", "sample", 8), ("quick", "sample", 32), ("full", "sports", 16)]
)
def test_sid_digits_follow_the_preset_and_dataset(preset: str, name: str, m: int) -> None:
    req = request(preset=preset, name=name)
    assert sid_config(req, parse_options(req)).m == m


def test_sid_overrides_are_typed_and_checked() -> None:
    req = request(**{"sid.m": 16, "sid.whiten": False, "sid.opq_iters": 5})
    config = sid_config(req, parse_options(req))
    assert (config.m, config.whiten, config.opq_iters, config.scheme) == (16, False, 5, "rpg")
    for bad in ({"sid.scheme": "pse"}, {"sid.m": 2.5}, {"sid.whiten": 1}, {"sid.m": 7}):
        with pytest.raises(InvalidOverride):
            validate(request(**bad))


def test_baselines_take_their_own_config() -> None:
    assert dict(validate(request("sasrec", **{"model.d": 32})).config) == {"model.d": "32"}
    with pytest.raises(InvalidOverride, match=r"model\.no_such"):
        validate(request("sasrec", **{"model.no_such": 1}))
