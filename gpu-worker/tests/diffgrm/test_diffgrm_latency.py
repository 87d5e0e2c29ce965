"""The DiffGRM latency tool (genrec.tools.diffgrm_latency) on the tiny sample artifact (two batch sizes,
two repeats); beside the DiffGRM tests for their `artifacts` fixture."""

import json
from pathlib import Path

from genrec.tools import diffgrm_latency


def test_latency_file_has_percentiles_per_batch_size(artifacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "latency.json"
    argv = ["--artifact", str(artifacts / "diffgrm-sample-tiny"), "--batch-sizes", "1,4", "--repeats", "2"]
    diffgrm_latency.main([*argv, "--device", "cpu", "--out", str(out)])
    result = json.loads(out.read_text())
    assert set(result["batch_sizes"]) == {"1", "4"} and result["beam"] == 16 and result["threads"] == 1
    for row in result["batch_sizes"].values():
        assert 0 < row["p50_ms"] <= row["p90_ms"]
    assert {"commit", "dirty"} <= set(result["git"]) and result["machine"]["device"] == "cpu"
