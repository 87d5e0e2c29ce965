"""Training rows (sliding windows), SID loading and popularity."""

import json

import numpy as np
import pytest

from genrec.data import load_dataset
from genrec.rpg.data import popularity, training_rows
from genrec.sid.table import load_sids, random_sids


def test_every_item_after_the_first_is_a_target_exactly_once() -> None:
    short = np.array([4, 5, 6])
    long = np.arange(1, 9)  # 8 items with max_len 3: one head row (1..4) + 4 sliding windows
    inputs, labels = training_rows([short, np.array([7]), long], max_len=3)
    assert inputs.shape == labels.shape == (1 + 1 + 4, 3)
    assert inputs[0].tolist() == [0, 4, 5] and labels[0].tolist() == [0, 5, 6]
    assert inputs[1].tolist() == [1, 2, 3] and labels[1].tolist() == [2, 3, 4]
    assert inputs[2].tolist() == [2, 3, 4] and labels[2].tolist() == [0, 0, 5]
    assert inputs[5].tolist() == [5, 6, 7] and labels[5].tolist() == [0, 0, 8]
    targets = sorted(labels[labels > 0].tolist())
    assert targets == [2, 3, 4, 5, 5, 6, 6, 7, 8]


def test_load_sids_reorders_a_sid_artifact_by_item_id(tmp_path) -> None:
    ds, _ = load_dataset("sample")
    table = random_sids(ds.n_items, 4, seed=5)
    order = np.r_[0, np.arange(ds.n_items, 0, -1)]  # the artifact lists items in reverse
    np.save(tmp_path / "sids.npy", table[order])
    (tmp_path / "items.json").write_text(json.dumps([ds.item_ids[r] for r in order]))
    manifest = {"scheme": "rpg", "version": "sample-rpg-m4", "digits": 4, "encoder": {"model": "minilm"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    loaded = load_sids(str(tmp_path), ds)
    assert np.array_equal(loaded.sids, table)
    assert (loaded.encoder, loaded.scheme, loaded.n_digits) == ("minilm", "rpg:sample-rpg-m4", 4)
    assert load_sids("random:8", ds).sids.shape == (ds.n_items + 1, 8)


def test_load_sids_reads_a_raw_table_with_meta_json(tmp_path) -> None:
    # The training jobs' layout: sids.u8 + items.json + meta.json (no sids.npy, no manifest).
    ds, _ = load_dataset("sample")
    table = random_sids(ds.n_items, 4, seed=7)
    table.tofile(tmp_path / "sids.u8")
    (tmp_path / "items.json").write_text(json.dumps(list(ds.item_ids)))
    meta = {"digits": 4, "encoder": "all-MiniLM-L6-v2", "sid_scheme": "rpg-opq4"}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    loaded = load_sids(str(tmp_path), ds)
    assert np.array_equal(loaded.sids, table)
    assert (loaded.encoder, loaded.scheme) == ("all-MiniLM-L6-v2", "rpg-opq4")


def test_load_sids_rejects_a_table_missing_items(tmp_path) -> None:
    ds, _ = load_dataset("sample")
    np.save(tmp_path / "sids.npy", np.zeros((3, 4), dtype=np.uint8))
    (tmp_path / "items.json").write_text(json.dumps(["", ds.item_ids[1], ds.item_ids[2]]))
    with pytest.raises(ValueError, match="have no SID"):
        load_sids(str(tmp_path), ds)


def test_popularity_orders_by_count_then_row() -> None:
    pop = popularity([np.array([3, 2, 3]), np.array([2, 5]), np.array([], dtype=np.int64)], n_items=6)
    assert pop.tolist() == [2, 3, 5] and pop.dtype == np.int32
