"""The cold-start benchmark on the shipped sample: holdout copy -> tiny RPG on it and on the whole
sample, a tiny SASRec -> every model ranks the copy's catalogue."""

import json
from pathlib import Path

import numpy as np
import torch

from genrec.baselines.config import resolve_config as baseline_config
from genrec.baselines.train import run as run_baseline
from genrec.data import load_dataset
from genrec.data.cli import main as data_main
from genrec.rpg.config import resolve_config
from genrec.rpg.model import RPG, RPGConfig, sid_tokens, table_scores
from genrec.rpg.train import run
from genrec.sid.table import load_sids, random_sids
from genrec.tools.coldstart import in_copy_numbering, main, rpg_scorer


def test_an_item_a_model_lacks_scores_minus_infinity() -> None:
    scores = torch.tensor([[0.0, 1.0, 2.0, 3.0]])  # another numbering, 3 items
    out = in_copy_numbering(scores, torch.tensor([0, 3, 0, 1]))  # copy rows 1..3 -> its 3, none, 1
    assert out[0, 1:].tolist() == [3.0, float("-inf"), 1.0]


def test_a_text_head_run_ranks_with_its_text_term_and_repeat_bias() -> None:
    """RPG is scored as served (score_all), not by the code log-probs alone."""
    n, m, length = 30, 4, 6
    torch.manual_seed(0)
    options = {"text_head": "meta", "text_last": True, "history_negatives": True, "repeat_bias": True}
    config = RPGConfig(n_digits=m, d=16, n_layers=1, n_heads=2, d_ffn=32, max_len=length, **options)
    text = torch.nn.functional.normalize(torch.randn(n + 1, 8))
    text[0] = 0.0
    rpg = RPG(config, random_sids(n, m), text_vectors=text).eval()
    torch.nn.init.normal_(rpg.text_proj.weight)  # a trained text term and repeat bias
    with torch.no_grad():
        rpg.repeat.fill_(2.0)
    histories = torch.randint(1, n + 1, (5, length))
    scores = rpg_scorer(rpg, torch.arange(n + 1))(histories)  # the copy is the run's own numbering
    with torch.inference_mode():
        assert torch.allclose(scores, rpg.score_all(histories))
        codes_only = table_scores(rpg.user_logprobs(histories), sid_tokens(rpg.sid_table()))
    assert (scores[:, 1:] - codes_only[:, 1:]).abs().max() > 0.1


def test_cold_start_benchmark_on_the_sample(tmp_path: Path) -> None:
    copy_dir = tmp_path / "cold20" / "sample"
    assert data_main(["holdout", "sample", "--fraction", "0.2", "--out", str(copy_dir)]) == 0
    record = json.loads((copy_dir / "holdout.json").read_text())
    runs = {}
    for name, dataset in (("cold", str(copy_dir)), ("warm", "sample")):
        ds, _ = load_dataset(dataset)
        config = resolve_config(dataset, "tiny", "random:8", 8, {"train.epochs": "1"})
        run(config, load_sids("random:8", ds), tmp_path / name, tmp_path / "results")
        runs[name] = tmp_path / name
    # the copy's result is named apart from the sample's (same dataset name, same preset)
    assert {p.name for p in (tmp_path / "results").iterdir()} == {
        "sample-cold20-tiny.json",
        "sample-tiny.json",
    }
    sasrec = baseline_config("sasrec", "sample", "tiny", {"train.epochs": 1})
    run_baseline(sasrec, tmp_path / "sasrec", tmp_path / "results")
    out = tmp_path / "coldstart.json"
    models = ["--cold-rpg", str(runs["cold"]), "--warm-rpg", str(runs["warm"])]
    main(["--holdout", str(copy_dir), *models, "--warm-sasrec", str(tmp_path / "sasrec"), "--out", str(out)])
    result = json.loads(out.read_text())
    assert set(result["models"]) == {"rpg-cold", "rpg-warm", "sasrec-warm", "content-knn", "rpg-cold+text"}
    copy, _ = load_dataset(str(copy_dir))
    for name, model in result["models"].items():
        assert model["all"]["users"] == model["cold_targets"]["users"] + model["other_targets"]["users"]
        assert model["cold_targets"]["users"] == record["test_rows_with_held_out_target"] > 0, name
        exposure = model["exposure"]
        assert 0 <= exposure["cold_share_of_top10_slots"] <= 1
        assert exposure["cold_items_in_catalogue"] == record["held_out_items_as_test_targets"]
        assert exposure["cold_items_in_some_top10"] <= exposure["cold_items_in_catalogue"]
        assert np.isclose(
            model["all"]["recall@10"] * model["all"]["users"],
            sum(model[k]["recall@10"] * model[k]["users"] for k in ("cold_targets", "other_targets")),
        )
    assert result["catalogue_items"] == copy.n_items
    assert result["models"]["rpg-warm"]["trained_on"] == "sample"
