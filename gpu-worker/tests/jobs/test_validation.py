"""TrainRequest validation: the model, and overrides split by destination, typed by the trainers'
config fields and checked before a job is created."""

from __future__ import annotations

from typing import Any

import pytest

from genrec.jobs.errors import InvalidOverride, InvalidTrainRequest, UnsupportedModel
from genrec.jobs.validation import parse_options, sid_config, validate
from genrec.rpc.models import SnapshotDataset, TrainRequest


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


def test_overrides_are_split_by_destination() -> None:
    req = TrainRequest.model_validate_json(
        '{"model": "rpg", "dataset": {"kind": "builtin", "name": "sample"},'
        ' "overrides": {"activate": true, "sid.m": 16, "train.epochs": 3, "decode.init": "history"}}'
    )
    options = parse_options(req)
    assert options.activate is True
    assert dict(options.sid) == {"m": 16.0}
    assert dict(options.config) == {"train.epochs": 3.0, "decode.init": "history"}
    assert validate(req).config == {"train.epochs": 3, "decode.init": "history"}


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


def test_overrides_reach_the_config_typed_by_its_fields() -> None:
    typed = validate(request(**{"train.epochs": 3, "train.lr": 1, "train.bucket_by_length": True})).config
    assert typed == {"train.epochs": 3, "train.lr": 1.0, "train.bucket_by_length": True}
    assert [type(v) for v in typed.values()] == [int, float, bool]
    assert validate(request(**{"train.epochs": "4"})).config == {"train.epochs": 4}  # text, as --set
    for bad in ({"train.epochs": 2.5}, {"train.epochs": True}, {"train.lr": False}, {"decode.init": 1}):
        with pytest.raises(InvalidOverride) as e:
            validate(request(**bad))
        assert e.value.path == ("overrides", *bad)


def test_a_model_no_job_can_train_is_refused() -> None:
    with pytest.raises(UnsupportedModel) as e:
        validate(request("diffgrm"))
    assert e.value.path == ("model",) and "diffgrm" in str(e.value)


def test_baselines_take_their_own_config() -> None:
    assert dict(validate(request("sasrec", **{"model.d": 32})).config) == {"model.d": 32}
    with pytest.raises(InvalidOverride, match=r"model\.no_such"):
        validate(request("sasrec", **{"model.no_such": 1}))


@pytest.mark.parametrize(
    "uri",
    ["file:///etc", "/var/data/snapshot", "../shared/data", "http://edge.test/v1/snapshots/../../etc"],
)
def test_a_dataset_uri_must_be_a_snapshot_of_the_edge(uri: str) -> None:
    dataset = {"kind": "snapshot", "uri": uri}
    with pytest.raises(ValueError):  # the generated model refuses it at the RPC boundary
        TrainRequest.model_validate({"model": "rpg", "dataset": dataset})
    built = TrainRequest.model_construct(
        model="rpg", preset="tiny", overrides=None, dataset=SnapshotDataset.model_construct(**dataset)
    )
    with pytest.raises(InvalidTrainRequest) as refused:
        validate(built)
    assert refused.value.path == ("dataset", "uri")


def test_a_snapshot_url_of_the_edge_is_accepted() -> None:
    dataset = {"kind": "snapshot", "uri": "http://127.0.0.1:8787/v1/snapshots/0b6f3c2e-4d1a"}
    validate(TrainRequest.model_validate({"model": "sasrec", "dataset": dataset, "preset": "tiny"}))


def test_overrides_that_only_hold_together_are_checked_together() -> None:
    # model.text_head needs an item loss: alone it names itself, with one it is a valid request
    both = {"model.text_head": "meta", "model.history_negatives": True}
    assert validate(request(**both)).config == both
    with pytest.raises(InvalidOverride) as alone:
        validate(request(**{"model.text_head": "meta"}))
    assert alone.value.path == ("overrides", "model.text_head")
    # an error that names no key blames the first key that breaks the ones before it
    with pytest.raises(InvalidOverride) as bad:
        validate(request(**{"train.epochs": 2, "train.lr": -1.0, "train.batch_size": 8}))
    assert bad.value.path == ("overrides", "train.lr")
