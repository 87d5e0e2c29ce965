"""The throughput bench times every config it is asked for, variants with their own overrides."""

import json
from pathlib import Path

import pytest

from genrec.bench import throughput


def test_a_variant_is_timed_beside_its_preset_with_its_own_changes(tmp_path: Path) -> None:
    argv = ["--model", "rpg", "--dataset", "sample", "--preset", "quick", "--set", "model.d=16"]
    argv += ["--variant", "items:model.item_negatives=8,model.n_layers=1", "--batch-sizes", "32"]
    throughput.main([*argv, "--threads", "1", "--steps", "1", "--out", str(tmp_path)])
    result = json.loads((tmp_path / "rpg-sample-quick-items.json").read_text())
    assert result["presets"] == ["quick", "items"]
    changes = {"model.d": "16", "model.item_negatives": "8", "model.n_layers": "1"}
    assert result["overrides"] == {"quick": {"model.d": "16"}, "items": changes}
    assert [row["preset"] for row in result["settings"]] == ["quick", "items"]
    assert result["n_params"]["items"] < result["n_params"]["quick"]  # one block fewer, same width
    assert all(row["targets_per_s"] > 0 for row in result["settings"])


def test_a_variant_needs_a_new_label() -> None:
    with pytest.raises(SystemExit, match="LABEL"):
        throughput.main(["--model", "rpg", "--dataset", "sample", "--variant", "quick:model.d=16"])
