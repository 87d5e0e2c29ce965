"""The per-model defaults report: the sample (not tuned) gets derived layers, beauty the tuned tables."""

from __future__ import annotations

import json

import pytest

from genrec.tools.dataset_defaults import main


def test_an_untuned_dataset_gets_each_models_derived_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--json", "--preset", "quick"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tuned"] is False and report["sid_m"] == 16
    assert set(report["layers"]) == {"rpg", "diffgrm", "sasrec", "esasrec"}
    assert "train.lr" in report["layers"]["rpg"] and "decode.beam" in report["layers"]["rpg"]
    assert any(line.startswith("rpg quick: train.lr = ") for line in report["lines"])


def test_an_unknown_dataset_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-dataset"]) == 2
    assert "error:" in capsys.readouterr().err
