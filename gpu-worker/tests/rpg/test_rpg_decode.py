"""Pure decoding on hand-made cases: scoring, ties, exclusion, beam initialisation, cost."""

import numpy as np
import pytest

from genrec.rpg.decode import (
    graph_decode,
    graph_search,
    initial_beam,
    neighbours,
    score_items,
    score_rows,
    top_n,
)

# 6 items, m = 2 digits. Digit 0 prefers code 0, digit 1 prefers code 1.
SIDS = np.array([[0, 0], [0, 1], [0, 2], [1, 1], [2, 2], [0, 1], [3, 3]], dtype=np.uint8)  # rows 0..6
LOGPROBS = np.full((2, 256), -10.0)
LOGPROBS[0, :4] = [-1.0, -2.0, -3.0, -4.0]
LOGPROBS[1, :4] = [-5.0, -1.0, -2.0, -6.0]
# Scores: 1: (-1-1)/2=-1, 2: (-1-2)/2=-1.5, 3: (-2-1)/2=-1.5, 4: (-3-2)/2=-2.5, 5: -1 (same SID as 1), 6: -5
EXPECTED = np.array([-np.inf, -1.0, -1.5, -1.5, -2.5, -1.0, -5.0])

# A path graph 1-2-3-4-5-6 (self first), row 0 empty: indptr over rows 0..6.
LISTS = [[], [1, 2], [2, 1, 3], [3, 2, 4], [4, 3, 5], [5, 4, 6], [6, 5]]
INDPTR = np.cumsum([0, *map(len, LISTS)]).astype(np.int32)
INDICES = np.concatenate([np.array(x, dtype=np.int32) for x in LISTS])


def decode(beam, b=2, q=1, n=2, exclude=None):
    return graph_decode(LOGPROBS, SIDS, INDPTR, INDICES, np.array(beam), b, q, n, exclude)


def test_scores_are_digit_means_and_padding_is_minus_inf() -> None:
    assert np.array_equal(score_items(LOGPROBS, SIDS), EXPECTED)
    assert np.array_equal(score_rows(LOGPROBS, SIDS, np.array([4, 1])), EXPECTED[[4, 1]])


def test_top_n_breaks_ties_by_row_and_skips_excluded_rows() -> None:
    rows, scores = top_n(EXPECTED, 4)
    assert rows.tolist() == [1, 5, 2, 3] and scores.tolist() == [-1.0, -1.0, -1.5, -1.5]
    rows, _ = top_n(EXPECTED, 3, exclude=np.array([1, 2]))
    assert rows.tolist() == [5, 3, 4]
    assert top_n(EXPECTED, 10)[0].tolist() == [1, 5, 2, 3, 4, 6]  # n > N: every item, row 0 never


def test_top_n_keeps_ties_at_the_cut_in_row_order() -> None:
    scores = np.array([-np.inf, 0.0, 1.0, 1.0, 1.0, 2.0])
    assert top_n(scores, 3)[0].tolist() == [5, 2, 3]


def test_neighbours_concatenates_csr_lists() -> None:
    assert neighbours(INDPTR, INDICES, np.array([6, 1])).tolist() == [6, 5, 1, 2]
    assert neighbours(INDPTR, INDICES, np.array([], dtype=np.int64)).tolist() == []


def test_graph_decode_walks_the_graph_to_better_items() -> None:
    # Beam {6}, b = 2 on the path graph: step 1 sees {5, 6}; 2: {4, 5, 6}; 3: {3, 4, 5, 6};
    # 4: {2, .., 6} (2 and 3 tie at -1.5: row 2 wins); 5: {1, .., 6} (1 and 5 tie at -1.0).
    one = decode([6])
    assert one.rows.tolist() == [5, 6] and one.scores.tolist() == [-1.0, -5.0] and one.scored == 2
    assert decode([6], q=2).rows.tolist() == [5, 4]
    assert decode([6], q=3).rows.tolist() == [5, 3]
    assert decode([6], q=4).rows.tolist() == [5, 2]
    five = decode([6], q=5)
    assert five.rows.tolist() == [1, 5] and five.scored == 2 + 3 + 4 + 5 + 6


def test_graph_decode_ties_by_row_in_the_beam() -> None:
    # Beam {2, 3}: candidates {1, 2, 3, 4}; 2 and 3 tie at -1.5 behind 1.
    res = decode([3, 2], b=2, q=1, n=2)
    assert res.rows.tolist() == [1, 2]


def test_excluded_rows_never_enter_the_beam() -> None:
    res = decode([5, 6], b=3, q=2, n=3, exclude=np.array([5, 3]))
    assert 5 not in res.rows and 3 not in res.rows
    assert res.rows.tolist() == [6]  # the walk cannot pass the excluded 5
    assert decode([5], exclude=np.array([5])).rows.tolist() == []  # an empty beam stays empty


def test_zero_steps_answers_the_initial_beam_sorted() -> None:
    res = decode([4, 6, 2], b=3, q=0, n=2)
    assert res.rows.tolist() == [2, 4] and res.scored == 3


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(AssertionError):
        decode([1], b=1, n=2)  # b < n
    with pytest.raises(AssertionError):
        decode([1, 1])  # duplicate beam rows
    with pytest.raises(AssertionError):
        decode([0])  # padding is not an item


def test_initial_beams() -> None:
    rng = np.random.default_rng(0)
    beam = initial_beam("random", 4, 6, rng, exclude=np.array([1, 2]))
    assert len(beam) == 4 and len(set(beam.tolist())) == 4 and set(beam.tolist()) <= {3, 4, 5, 6}
    popular = np.array([3, 1, 2, 6, 5, 4])
    assert initial_beam("popular", 3, 6, popular=popular, exclude=np.array([1])).tolist() == [3, 2, 6]
    # history [.., 2, 5] (5 newest): rank 0 of each = 5, 2; then rank 1: 4 (of 5), 1 (of 2); then 6, 3.
    history = np.array([0, 0, 2, 5])
    got = initial_beam("history", 5, 6, popular=popular, history=history, indptr=INDPTR, indices=INDICES)
    assert got.tolist() == [5, 2, 4, 1, 6]
    short = initial_beam(
        "history", 4, 6, popular=popular, history=np.array([0, 6]), indptr=INDPTR, indices=INDICES
    )
    assert short.tolist() == [6, 5, 3, 1]  # 6's list, then popular rows
    with pytest.raises(ValueError):
        initial_beam("nope", 3, 6, popular=popular)


def test_lookup_search_equals_the_pure_decoder_on_a_random_catalogue() -> None:
    # The evaluation walks with precomputed scores; it must answer exactly as graph_decode does.
    rng = np.random.default_rng(4)
    n_items, m, k = 200, 4, 6
    sids = rng.integers(0, 256, size=(n_items + 1, m)).astype(np.uint8)
    logprobs = rng.normal(size=(m, 256))
    lists = [
        [],
        *([r, *rng.choice(np.arange(1, n_items + 1), k - 1, replace=False)] for r in range(1, n_items + 1)),
    ]
    indptr = np.cumsum([0, *map(len, lists)]).astype(np.int32)
    indices = np.concatenate([np.array(x, dtype=np.int32) for x in lists])
    scores = score_items(logprobs, sids)
    for seed in range(5):
        beam = initial_beam("random", 8, n_items, np.random.default_rng(seed))
        exclude = rng.integers(1, n_items + 1, size=5)
        pure = graph_decode(logprobs, sids, indptr, indices, beam, 8, 3, 5, exclude)
        fast = graph_search(scores.__getitem__, indptr, indices, beam, 8, 3, 5, exclude)
        assert pure.rows.tolist() == fast.rows.tolist() and pure.scored == fast.scored
        assert np.allclose(pure.scores, fast.scores)


def test_a_wide_initial_beam_starts_from_its_best_b_rows() -> None:
    # The edge seeds popular items plus history lists, often more than b rows: the walk starts from
    # the best b of them, exactly as if only those had been given (the scoring of the rest is paid).
    wide = decode([6, 4, 2, 3], b=2, q=1)
    narrow = decode([2, 3], b=2, q=1)  # 2 and 3 are the best two of {6, 4, 2, 3}
    assert wide.rows.tolist() == narrow.rows.tolist() and wide.scores.tolist() == narrow.scores.tolist()
    assert wide.scored == narrow.scored + 4
