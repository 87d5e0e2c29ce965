"""Pins: tiny runs of every trainer on the shipped sample give the numbers they gave before the
trainers shared one training kit (commit 3314cdb, one thread). A change to the kit that alters any
model's training (batches, RNG use, schedule, clipping, selection) fails here.

Metrics on 300 users after 2 tiny epochs are mostly small; the per-epoch losses are the sharp part.
"""

from pathlib import Path

import pytest

from genrec.baselines.config import resolve_config as baseline_config
from genrec.baselines.train import run as run_baseline
from genrec.data import load_dataset
from genrec.diffgrm.config import resolve_config as diffgrm_config
from genrec.diffgrm.train import run as run_diffgrm
from genrec.rpg.config import resolve_config as rpg_config
from genrec.rpg.train import run as run_rpg
from genrec.sid.table import load_sids

PINNED = {
    "sasrec": {
        "loss": [7.938891983032226, 7.9191278457641605],
        "valid_ndcg@10": 0.0,
        "test_ndcg@10": 0.0,
        "valid_recall@10": 0.0,
    },
    "esasrec": {
        "loss": [2.833182668685913, 2.8322744846343992],
        "valid_ndcg@10": 0.0009635494210596263,
        "test_ndcg@10": 0.0,
        "valid_recall@10": 0.0033333333333333335,
    },
    "rpg": {
        "loss": [13.018339316050211, 6.252928217252095],
        "valid_ndcg@10": 0.021479045313917252,
        "test_ndcg@10": 0.0028711770538226203,
        "valid_recall@10": 0.03,
    },
    "diffgrm": {
        "loss": [5.530327320098877, 5.473627779218885],
        "valid_ndcg@10": 0.0,
        "test_ndcg@10": 0.0,
        "valid_recall@10": 0.0,
    },
}


def observed(model: str, tmp: Path) -> tuple[list[float], dict[str, float], dict[str, float]]:
    if model in ("sasrec", "esasrec"):
        r = run_baseline(baseline_config(model, "sample", "tiny"), tmp / "run", tmp / "res")
        return [h["loss"] for h in r["history"]], r["valid"]["metrics"], r["test"]["metrics"]
    ds, _ = load_dataset("sample")
    if model == "rpg":
        table = load_sids("random:8", ds)
        r = run_rpg(rpg_config("sample", "tiny", "random:8", 8), table, tmp / "run", tmp / "res")
        return (
            [h["loss"] for h in r["history"]],
            r["valid"]["exhaustive"]["metrics"],
            r["test"]["graph"]["metrics"],
        )
    table = load_sids("random:4", ds)
    r = run_diffgrm(diffgrm_config("sample", "tiny", "random:4", 4), table, tmp / "run", tmp / "res")
    return [h["loss"] for h in r["history"]], r["valid"]["metrics"], r["test"]["metrics"]


@pytest.mark.parametrize("model", sorted(PINNED))
def test_tiny_run_matches_its_pin(model: str, tmp_path: Path) -> None:
    losses, valid, test = observed(model, tmp_path)
    pin = PINNED[model]
    assert losses == pytest.approx(pin["loss"], rel=1e-6)
    assert valid["ndcg@10"] == pytest.approx(pin["valid_ndcg@10"], abs=1e-9)
    assert valid["recall@10"] == pytest.approx(pin["valid_recall@10"], abs=1e-9)
    assert test["ndcg@10"] == pytest.approx(pin["test_ndcg@10"], abs=1e-9)
