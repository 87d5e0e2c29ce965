"""The baselines README is rendered from result files only."""

import json
from pathlib import Path

from genrec.baselines.config import resolve_config
from genrec.baselines.train import run
from genrec.bench.baseline_table import main


def test_table_lists_every_result_file(tmp_path: Path) -> None:
    run(resolve_config("popularity", "sample", "tiny"), tmp_path / "run", tmp_path)
    main(["--results-dir", str(tmp_path)])
    text = (tmp_path / "README.md").read_text()
    result = json.loads((tmp_path / "sample-popularity-tiny.json").read_text())
    row = next(line for line in text.splitlines() if line.startswith("| sample | popularity | tiny |"))
    assert f"{result['test']['metrics']['ndcg@10']:.4f}" in row
    assert "sample-popularity-tiny.json" in text
