"""Leave-one-out split and padding."""

import numpy as np

from genrec.data import LoadReport, build_dataset, leave_one_out, next_item_arrays, pad_left


def dataset(seqs: list[list[str]]):
    return build_dataset("t", [f"u{i}" for i in range(len(seqs))], seqs, {}, LoadReport("t"))


def test_leave_one_out_targets_histories_and_train() -> None:
    ds = dataset([["a", "b", "c", "d", "e"], ["c", "f"], ["g"]])  # ids a..g = 1..7
    loo = leave_one_out(ds, max_len=3)
    assert loo.test.users.tolist() == [0, 1]  # user 2 has no history before its only item
    assert loo.test.targets.tolist() == [5, 6]
    assert loo.test.histories.tolist() == [[2, 3, 4], [0, 0, 3]]  # last 3 items, left-padded
    assert loo.valid.users.tolist() == [0]  # user 1 has no history before its validation target
    assert loo.valid.targets.tolist() == [4] and loo.valid.histories.tolist() == [[1, 2, 3]]
    assert [t.tolist() for t in loo.train] == [[1, 2, 3], [], []]
    assert loo.test.histories.dtype == np.int64 and loo.n_items == 7


def test_pad_left_and_next_item_arrays() -> None:
    assert pad_left([np.array([1, 2, 3, 4]), np.array([5])], 3).tolist() == [[2, 3, 4], [0, 0, 5]]
    inputs, labels = next_item_arrays([np.array([1, 2, 3, 4, 5]), np.array([6]), np.array([7, 8])], max_len=3)
    assert inputs.tolist() == [[2, 3, 4], [0, 0, 7]]
    assert labels.tolist() == [[3, 4, 5], [0, 0, 8]]
