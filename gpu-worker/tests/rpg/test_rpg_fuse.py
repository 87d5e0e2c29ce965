"""RPG + text prior: λ = 0 reproduces the run's own exhaustive test metrics; λ is chosen on valid."""

import json
from pathlib import Path

import pytest

from genrec.data import load_dataset
from genrec.rpg.config import resolve_config
from genrec.rpg.fuse import main as fuse
from genrec.rpg.train import run
from genrec.sid.table import load_sids


def test_fused_lambda_zero_is_plain_rpg(tmp_path: Path) -> None:
    ds, _ = load_dataset("sample")
    table = load_sids("random:8", ds)
    result = run(
        resolve_config("sample", "tiny", "random:8", 8), table, tmp_path / "sample-rpg-tiny", tmp_path
    )
    fuse(["--run", str(tmp_path / "sample-rpg-tiny"), "--lambdas", "0,1,4", "--results-dir", str(tmp_path)])
    fused = json.loads((tmp_path / "sample-tiny-fused.json").read_text())
    plain = fused["by_lambda"]["0.0"]  # the same ranks, summed over users in another batch order
    assert plain["test"]["metrics"] == pytest.approx(result["test"]["exhaustive"]["metrics"], rel=1e-12)
    valid_plain = result["valid"]["exhaustive"]["seen_filtered"]
    assert plain["valid"]["seen_filtered"] == pytest.approx(valid_plain, rel=1e-12)
    lam = fused["lambda_selected_on_valid"]["metrics"]
    valid = {k: v["valid"]["metrics"]["ndcg@10"] for k, v in fused["by_lambda"].items()}
    assert valid[str(lam)] == max(valid.values())
    assert fused["test"]["metrics"] == fused["by_lambda"][str(lam)]["test"]["metrics"]
