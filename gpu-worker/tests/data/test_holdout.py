"""Held-out items for the cold-start benchmark (genrec.data.holdout) and the CLI that writes them."""

import json
from pathlib import Path

import numpy as np
import pytest

from genrec.data import leave_one_out, load_dataset
from genrec.data.cli import main
from genrec.data.holdout import hold_out_items


def test_held_out_items_occur_only_as_the_original_test_targets() -> None:
    ds, _ = load_dataset("sample")
    held = hold_out_items(ds, 0.2, seed=7)
    copy, ids = held.dataset, set(held.held_out)
    assert len(ids) == round(0.2 * ds.n_items)
    assert held.held_out == tuple(sorted(ids))
    originals = {u: [ds.item_ids[i] for i in s] for u, s in zip(ds.user_ids, ds.sequences, strict=True)}
    touched = 0
    for user, seq in zip(copy.user_ids, copy.sequences, strict=True):
        items = [copy.item_ids[i] for i in seq]
        before = originals[user]
        assert items[-1] == before[-1]  # the test target is the original one
        assert items[:-1] == [x for x in before[:-1] if x not in ids]  # order kept, held-out gone
        touched += items[-1] in ids
    assert touched == held.summary["test_rows_with_held_out_target"] > 0
    loo = leave_one_out(copy)
    train_items = {copy.item_ids[i] for s in loo.train for i in s}
    assert not train_items & ids
    assert not {copy.item_ids[i] for i in loo.valid.targets} & ids
    assert {copy.item_ids[i] for i in loo.test.targets} & ids
    # the copy's items keep their text records
    assert all(copy.items[i] == ds.items[ds.item_index[copy.item_ids[i]]] for i in range(1, copy.n_items + 1))


def test_same_seed_same_items_and_a_bad_fraction_is_refused() -> None:
    ds, _ = load_dataset("sample")
    assert hold_out_items(ds, 0.1, 3).held_out == hold_out_items(ds, 0.1, 3).held_out
    assert hold_out_items(ds, 0.1, 3).held_out != hold_out_items(ds, 0.1, 4).held_out
    with pytest.raises(ValueError, match="fraction"):
        hold_out_items(ds, 1.0, 3)


def test_cli_writes_a_loadable_copy_with_its_record(tmp_path: Path) -> None:
    out = tmp_path / "cold10" / "sample"
    assert main(["holdout", "sample", "--fraction", "0.1", "--seed", "5", "--out", str(out)]) == 0
    record = json.loads((out / "holdout.json").read_text())
    assert record["source"] == "sample" and record["seed"] == 5 and len(record["held_out"]) > 0
    copy, _ = load_dataset(str(out))
    assert copy.name == "sample"  # named like its source: the source's tuned settings apply
    assert copy.n_interactions == record["copy"]["interactions"]
    assert main(["holdout", "sample", "--out", str(out)]) == 1  # exists: not replaced without --force
    assert np.array_equal(load_dataset(str(out))[0].sequences[0], copy.sequences[0])
