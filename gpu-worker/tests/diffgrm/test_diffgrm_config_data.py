"""Config layering and ablations; training samples; SID tables read from a genrec.sid directory."""

import json
from pathlib import Path

import numpy as np
import pytest

from genrec.data import item_counts, load_dataset
from genrec.diffgrm.config import config_dict, config_from_dict, resolve_config
from genrec.diffgrm.data import training_samples
from genrec.sid.table import load_sids


def test_precedence_defaults_preset_dataset_ablation_cli() -> None:
    full = resolve_config("sports", "full", "s", 4)
    assert (full.model.d, full.model.n_dec_layers, full.train.batch_size) == (256, 4, 1024)
    assert (full.train.lr, full.ocn.label_smoothing, full.decode.test_beam) == (0.003, 0.1, 256)
    quick = resolve_config("beauty", "quick", "s", 4, "random-mask", {"train.lr": "0.002"})
    assert (quick.model.d, quick.train.lr, quick.ocn.label_smoothing) == (64, 0.002, 0.2)
    assert quick.ocn.masking == "random" and quick.decode.order == "confidence"
    assert resolve_config("beauty", "tiny", "s", 4, "no-cpd").decode.order == "fixed"
    assert resolve_config("beauty", "tiny", "s", 4, "no-ocn").ocn.masking == "single"
    uniform = resolve_config("beauty", "tiny", "s", 4, "uniform-weight")
    assert (uniform.ocn.weighting, uniform.ocn.masking) == ("uniform", "ocn")
    cli = resolve_config("beauty", "tiny", "s", 4, cli={"ocn.weighting": "uniform", "decode.order": "fixed"})
    assert (cli.ocn.weighting, cli.decode.order) == ("uniform", "fixed")


@pytest.mark.parametrize(
    "cli", [{"model.nope": 1}, {"optim.lr": 1}, {"model.n_digits": 3}, {"decode.order": "backwards"}]
)
def test_bad_keys_and_values_fail_loudly(cli: dict[str, object]) -> None:
    with pytest.raises((ValueError, AssertionError)):
        resolve_config("beauty", "tiny", "s", 4, cli=cli)


def test_config_round_trips_through_json() -> None:
    config = resolve_config("beauty", "quick", "dir", 4, "random-mask")
    assert config_from_dict(json.loads(json.dumps(config_dict(config)))) == config


def test_samples_are_every_target_position_from_2_within_the_first_L() -> None:
    train = (np.array([1, 2, 3, 4]), np.array([5]), np.array([], dtype=np.int64), np.arange(1, 8))
    histories, targets = training_samples(train, max_len=5)
    # seq 1: targets 2, 3, 4; seq 4 (7 items): targets at positions 2..5 only
    assert targets.tolist() == [2, 3, 4, 2, 3, 4, 5]
    assert histories.tolist()[:3] == [[0, 0, 0, 0, 1], [0, 0, 0, 1, 2], [0, 0, 1, 2, 3]]
    assert histories[-1].tolist() == [0, 1, 2, 3, 4]
    assert item_counts(train, 8).tolist() == [0, 2, 2, 2, 2, 2, 1, 1, 0]


def test_load_sids_reorders_an_artifact_to_dataset_rows(tmp_path: Path) -> None:
    ds, _ = load_dataset("sample")
    order = np.random.default_rng(0).permutation(ds.n_items) + 1  # artifact rows in another order
    sids = np.zeros((ds.n_items + 1, 4), dtype=np.uint8)
    sids[1:] = np.random.default_rng(1).integers(0, 256, size=(ds.n_items, 4))
    np.save(tmp_path / "sids.npy", sids[np.r_[0, order]])
    (tmp_path / "items.json").write_text(json.dumps(["", *[ds.item_ids[r] for r in order]]))
    manifest = {"scheme": "pse", "version": "x-pse-m4", "encoder": {"model": "m"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    table = load_sids(str(tmp_path), ds)
    assert np.array_equal(table.sids, sids) and table.scheme == "pse:x-pse-m4" and table.encoder == "m"
    assert table.summary()["digits"] == 4
