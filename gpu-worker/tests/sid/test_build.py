"""Building the sample's artifact set: files, manifest, SID table, stats, reload, and the CLI."""

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from genrec.data import Dataset
from genrec.data.cli import main as data_main
from genrec.sid import SidConfig, artifact_name, fit_rows, read_artifact
from genrec.sid.__main__ import main, parser


def test_artifact_files_and_manifest(built: tuple[Path, dict[str, object]], sample: Dataset) -> None:
    out, _ = built
    names = {p.name for p in out.iterdir()}
    assert {
        "manifest.json",
        "quantizer.faiss",
        "sids.npy",
        "items.json",
        "fit_rows.npy",
        "result.json",
    } <= names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == "sample-pse-m4" and manifest["scheme"] == "pse"
    assert (manifest["digits"], manifest["codebook"]) == (4, 256)
    assert manifest["encoder"] == {"model": "all-MiniLM-L6-v2", "dim": 384}
    assert manifest["dims"] == {"embedding": 384, "pca": 256, "digits": 4}
    assert manifest["config"]["seed"] == 2024 and (manifest["template"], manifest["text"]) == ("rpg", "meta")
    assert manifest["fit_items"] == len(fit_rows(sample)) < sample.n_items
    assert set(manifest["files"]["transforms"]) <= names

    sids = np.load(out / "sids.npy")
    assert sids.dtype == np.uint8 and sids.shape == (sample.n_items + 1, 4) and not sids[0].any()
    assert json.loads((out / "items.json").read_text()) == list(sample.item_ids)
    assert np.array_equal(np.load(out / "fit_rows.npy"), fit_rows(sample))


def test_reloaded_codebooks_encode_the_table(
    built: tuple[Path, dict[str, object]], sample_vectors: np.ndarray
) -> None:
    artifact = read_artifact(built[0])
    assert np.array_equal(artifact.tokenizer.encode(sample_vectors), artifact.sids[1:])
    assert artifact.row_of[artifact.item_ids[7]] == 7


def test_stats_on_the_shipped_sample(built: tuple[Path, dict[str, object]]) -> None:
    _, result = built
    stats = result["stats"]
    assert isinstance(stats, dict)
    assert stats["items"] == 2795 and result["fit_items"] == 2468
    # 4 digits x 256 codes for 2,795 short titles: mostly unique, some buckets (DiffGRM keeps them).
    assert 0.8 * 2795 < stats["unique_sids"] < 2795
    assert 2 <= stats["largest_bucket"] <= 30
    assert 0 < stats["collision_share"] < 0.3
    assert stats["codes_used_per_digit_min"] == 256
    assert stats["recon_ratio_vs_random"] < 0.6
    assert result["embedding"]["dim"] == 384  # type: ignore[index]
    assert json.loads((built[0] / "result.json").read_text())["stats"] == stats


def test_cli_builds_artifact_and_result_file(tmp_path: Path, built: tuple[Path, dict[str, object]]) -> None:
    args = ["build", "--dataset", "sample", "--scheme", "rpg", "--m", "8", "--template", "rpg"]
    fast = ["--pq-iters", "5", "--opq-iters", "2", "--no-progress"]
    out, results = tmp_path / "art", tmp_path / "results"
    assert main([*args, *fast, "--out", str(out), "--results-dir", str(results)]) == 0
    result = json.loads((results / "sample-rpg-m8.json").read_text())
    assert result["dataset"] == "sample" and result["config"]["m"] == 8
    assert result["git"]["commit"] is None or len(result["git"]["commit"]) == 40
    assert {"cpu", "cores", "faiss_threads"} <= set(result["machine"])
    assert result["stats"]["unique_sids"] > result["stats"]["items"] * 0.95  # 8 digits: few collisions
    assert np.load(out / "sids.npy").shape == (2796, 8)


def test_cli_never_replaces_another_catalogues_artifact(
    tmp_path: Path, fast_config: Callable[..., SidConfig]
) -> None:
    """A holdout copy is named apart from its dataset, and no build overwrites SIDs of other items."""
    copy = tmp_path / "cold20" / "sample"
    assert data_main(["holdout", "sample", "--fraction", "0.2", "--out", str(copy)]) == 0
    assert artifact_name(str(copy), fast_config("rpg", 8)) == "sample-cold20-rpg-m8"
    args = ["build", "--scheme", "rpg", "--m", "8", "--pq-iters", "5", "--opq-iters", "2", "--no-progress"]
    out, results = tmp_path / "art", ["--results-dir", str(tmp_path / "results")]
    assert main([*args, "--dataset", "sample", "--out", str(out), *results]) == 0
    sids = (out / "sids.npy").read_bytes()
    with pytest.raises(SystemExit, match="another catalogue"):
        main([*args, "--dataset", str(copy), "--out", str(out), *results])
    assert (out / "sids.npy").read_bytes() == sids
    assert main([*args, "--dataset", "sample", "--out", str(out), *results]) == 0  # a rebuild is fine


def test_cli_help_documents_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["build", "--help"])
    text = capsys.readouterr().out
    for flag in ("--dataset", "--scheme", "--m", "--out", "--pca-dim", "--seed", "--model", "--threads"):
        assert flag in text
