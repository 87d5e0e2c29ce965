"""The curves tool draws every run's validation history per dataset, with the kNN floor."""

import json
from pathlib import Path

from genrec.bench.curves import curve, knn_floor, load_runs, main


def result(model: str, history: list[dict]) -> dict:
    return {"dataset": "toys", "model": model, "history": history, "valid": {"metrics": {"ndcg@10": 0.03}}}


def test_curves_per_dataset(tmp_path: Path) -> None:
    (tmp_path / "rpg").mkdir()
    (tmp_path / "baselines").mkdir()
    history = [
        {"epoch": 1, "train_seconds": 60.0},
        {"epoch": 2, "train_seconds": 60.0, "eval_seconds": 30.0, "valid": {"ndcg@10": 0.02}},
    ]
    (tmp_path / "rpg" / "toys-cpu.json").write_text(json.dumps(result("rpg", history)))
    (tmp_path / "baselines" / "toys-content-knn-quick-meta.json").write_text(
        json.dumps(result("content-knn", []))
    )
    runs = load_runs(tmp_path)
    assert curve(runs[1]) == ([2], [2.5], [0.02]) and knn_floor(runs, "toys") == 0.03
    main(["--results-dir", str(tmp_path)])
    assert (tmp_path / "curves" / "curves-toys.png").stat().st_size > 10_000
