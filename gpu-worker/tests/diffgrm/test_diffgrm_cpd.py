"""CPD and the SID -> item mapping on hand-made decoders with known probabilities (no model)."""

import itertools
import math

import numpy as np
import pytest
import torch

from genrec.diffgrm.cpd import (
    MASKED,
    Beams,
    bucket_map,
    cpd,
    first_occurrences,
    partial_keys,
    sid_keys,
    to_items,
)
from genrec.sid.table import SIDTable, with_collision_digit


def constant_step(probs: list[list[float]]):
    """A decoder whose digits are independent: the same p(code | digit) whatever is revealed."""
    logp = torch.tensor(probs).log()  # [m, C]
    calls: list[torch.Tensor] = []

    def step(codes: torch.Tensor) -> torch.Tensor:
        calls.append(codes.clone())
        return logp.expand(*codes.shape, -1)  # [U, V, m, C]

    return step, calls


def test_step0_takes_the_global_top_pairs_and_the_last_step_is_greedy() -> None:
    # digit 1 is the most confident (0.9), then digit 0's code 0 (0.6)
    step, calls = constant_step([[0.6, 0.3, 0.1], [0.9, 0.05, 0.05]])
    beams = cpd(step, n_users=1, n_digits=2, beam=2)
    assert [c.shape for c in calls] == [(1, 1, 2), (1, 2, 2)]  # n passes; the first one all masked
    assert calls[1][0].tolist() == [[MASKED, 0], [0, MASKED]]  # (digit 1 = 0) then (digit 0 = 0)
    # both beams complete greedily to (0, 0); duplicates stay in the beams
    assert beams.codes[0].tolist() == [[0, 0], [0, 0]]
    torch.testing.assert_close(beams.scores[0], torch.full((2,), math.log(0.9 * 0.6)))


def test_middle_steps_rank_across_beams_and_never_refill() -> None:
    step, calls = constant_step([[0.5, 0.4, 0.1], [0.7, 0.2, 0.1], [0.45, 0.44, 0.11]])
    beams = cpd(step, n_users=1, n_digits=3, beam=3)
    # step 0: (d1=0) .7, (d0=0) .5, (d2=0) .45; step 1 keeps the best 3 fills of an open digit
    assert calls[1][0].tolist() == [[MASKED, 0, MASKED], [0, MASKED, MASKED], [MASKED, MASKED, 0]]
    step1 = calls[2][0].tolist()
    assert step1 == [[0, 0, MASKED], [0, 0, MASKED], [MASKED, 0, 0]]  # .7·.5 twice, then .7·.45
    assert all(sum(c != MASKED for c in row) == 2 for row in step1)
    assert beams.codes[0].tolist() == [[0, 0, 0]] * 3
    expected = math.log(0.5 * 0.7 * 0.45)
    torch.testing.assert_close(beams.scores[0], torch.full((3,), expected))


def test_conditional_probabilities_steer_the_search() -> None:
    # all masked: digit 0 is sure (0.8 on code 1); once digit 0 = 1, digit 1 flips to code 2
    def step(codes: torch.Tensor) -> torch.Tensor:
        out = torch.tensor([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1]]).expand(*codes.shape, 3).clone()
        out[..., 1, :] = torch.where(
            (codes[..., 0] == 1)[..., None], torch.tensor([0.05, 0.05, 0.9]), out[..., 1, :]
        )
        return out.log()

    beams = cpd(step, n_users=1, n_digits=2, beam=1)
    assert beams.codes[0].tolist() == [[1, 2]]
    torch.testing.assert_close(beams.scores, torch.tensor([[math.log(0.8 * 0.9)]]))


def reference_cpd(
    logp_of, m: int, codebook: int, beam: int, merge: bool = False
) -> list[tuple[tuple[int, ...], float]]:
    """CPD written as plain loops over one user's beams (the spec, step by step)."""
    beams: list[tuple[tuple[int, ...], float]] = [((MASKED,) * m, 0.0)]
    for s in range(m):
        cands = []
        for codes, score in beams:
            logp = logp_of(codes)
            options = [
                ((*codes[:d], c, *codes[d + 1 :]), score + logp[d][c])
                for d in range(m)
                if codes[d] == MASKED
                for c in range(codebook)
            ]
            if s == m - 1 and s > 0:
                cands.append(max(options, key=lambda o: o[1]))
            else:
                cands.extend(options)
        if s == m - 1 and s > 0:
            beams = cands
            continue
        ranked = sorted(cands, key=lambda o: -o[1])
        if merge:  # the best copy of each partial SID
            ranked = [o for i, o in enumerate(ranked) if o[0] not in {p[0] for p in ranked[:i]}]
        beams = ranked[:beam]
    return sorted(beams, key=lambda o: -o[1])


@pytest.mark.parametrize(("beam", "merge"), [(1, False), (4, False), (9, False), (4, True), (9, True)])
def test_matches_the_loop_reference_on_a_random_conditional_decoder(beam: int, merge: bool) -> None:
    m, codebook = 3, 5
    gen = torch.Generator().manual_seed(beam)
    base = torch.randn(m, codebook, generator=gen)
    mix = torch.randn(m, m, codebook, codebook, generator=gen)  # revealed (digit, code) -> logits shift

    def logp_of(codes: tuple[int, ...]) -> torch.Tensor:
        logits = base.clone()
        for d, c in enumerate(codes):
            if c != MASKED:
                logits = logits + mix[d, :, c, :]
        return logits.log_softmax(dim=-1)  # [m, C]

    def step(codes: torch.Tensor) -> torch.Tensor:
        return torch.stack([torch.stack([logp_of(tuple(v.tolist())) for v in u]) for u in codes])

    beams = cpd(step, n_users=2, n_digits=m, beam=beam, merge=merge)  # two identical users
    expected = reference_cpd(lambda c: logp_of(c).tolist(), m, codebook, beam, merge)
    for u in range(2):
        assert [tuple(c) for c in beams.codes[u].tolist()] == [c for c, _ in expected]
        torch.testing.assert_close(beams.scores[u], torch.tensor([s for _, s in expected]))


def test_merge_keeps_one_copy_of_each_partial_sid() -> None:
    step, calls = constant_step([[0.5, 0.4, 0.1], [0.7, 0.2, 0.1], [0.45, 0.44, 0.11]])
    cpd(step, n_users=1, n_digits=3, beam=3, merge=True)
    # as in the test above, but (0, 0, -) is kept once: .35, then .7·.45 and .7·.44
    assert calls[2][0].tolist() == [[0, 0, MASKED], [MASKED, 0, 0], [MASKED, 0, 1]]


def test_first_occurrences_and_partial_keys() -> None:
    keys = torch.tensor([[5, 3, 5, 3, 7], [1, 1, 1, 1, 1]])
    assert first_occurrences(keys).tolist() == [[True, True, False, False, True], [True] + [False] * 4]
    codes = torch.tensor([[MASKED, 0], [0, MASKED], [0, 0]])
    assert len(set(partial_keys(codes).tolist())) == 3


def test_fixed_order_fills_left_to_right() -> None:
    step, calls = constant_step([[0.2, 0.8], [0.99, 0.01], [0.6, 0.4]])
    beams = cpd(step, n_users=1, n_digits=3, beam=2, order="fixed")
    assert calls[1][0].tolist() == [[1, MASKED, MASKED], [0, MASKED, MASKED]]
    assert calls[2][0].tolist() == [[1, 0, MASKED], [0, 0, MASKED]]
    assert beams.codes[0].tolist() == [[1, 0, 0], [0, 0, 0]]


def test_beam_larger_than_the_candidates_is_capped() -> None:
    step, _ = constant_step([[0.5, 0.5]])
    assert cpd(step, n_users=1, n_digits=1, beam=8).codes.shape == (1, 2, 1)
    step, _ = constant_step([[0.5, 0.5], [0.3, 0.7]])
    assert cpd(step, n_users=1, n_digits=2, beam=8, order="fixed").codes.shape == (1, 2, 2)


# --- SIDs -> items -------------------------------------------------------------------------------


SIDS = np.array([[0, 0], [1, 1], [1, 1], [2, 2], [1, 1], [3, 0]], dtype=np.uint8)  # rows 1, 2, 4 collide
COUNTS = np.array([0, 5, 9, 1, 9, 0])


def test_bucket_map_orders_by_popularity_then_row() -> None:
    buckets = bucket_map(SIDS, COUNTS)
    b = int(buckets.lookup(sid_keys(np.array([1, 1]))))
    assert buckets.items[buckets.starts[b] : buckets.starts[b + 1]].tolist() == [2, 4, 1]
    assert buckets.lookup(sid_keys(np.array([[9, 9], [3, 0]]))).tolist()[0] == -1
    assert len(buckets.keys) == 3 and sid_keys(np.array([1, 2])) == 258


def beams_of(codes: list[list[list[int]]]) -> Beams:
    c = torch.tensor(codes)
    scores = -torch.arange(c.shape[1], dtype=torch.float32).expand(c.shape[0], -1)  # descending
    return Beams(c, scores)


def test_to_items_drops_invalid_and_repeated_sids_and_expands_buckets() -> None:
    beams = beams_of([[[9, 9], [1, 1], [1, 1], [3, 0], [2, 2]]])
    ranked = to_items(beams, bucket_map(SIDS, COUNTS), k=4)
    assert ranked.items.tolist() == [[2, 4, 1, 5]]
    assert ranked.scores.tolist() == [[-1.0, -1.0, -1.0, -3.0]]  # an item carries its SID's log-prob
    assert ranked.invalid.tolist() == [[True, False, False, False, False]]
    assert ranked.sids.tolist() == [[[1, 1], [3, 0], [2, 2], [-1, -1]]]  # distinct valid SIDs, then none


def test_to_items_skips_seen_items_and_pads_with_no_answer() -> None:
    beams = beams_of([[[1, 1], [7, 7]], [[2, 2], [3, 0]]])
    exclude = np.array([[0, 4], [0, 0]])
    ranked = to_items(beams, bucket_map(SIDS, COUNTS), k=3, exclude=exclude)
    assert ranked.items.tolist() == [[2, 1, 0], [3, 5, 0]]
    assert np.isneginf(ranked.scores[:, 2]).all()
    assert ranked.invalid.sum(axis=1).tolist() == [1, 0]


def test_every_sid_decodes_to_its_bucket_exactly() -> None:
    rng = np.random.default_rng(0)
    sids = rng.integers(0, 3, size=(40, 2), dtype=np.uint8)
    sids[0] = 0
    buckets = bucket_map(sids, rng.integers(0, 5, size=40))
    for code in itertools.product(range(3), repeat=2):
        b = int(buckets.lookup(sid_keys(np.array(code))))
        members = sorted(buckets.items[buckets.starts[b] : buckets.starts[b + 1]].tolist()) if b >= 0 else []
        assert members == [r for r in range(1, 40) if tuple(sids[r]) == code]


def test_bucket_shares_are_add_one_smoothed_training_counts() -> None:
    share = np.exp(bucket_map(SIDS, COUNTS).log_share)
    assert share[[2, 4, 1]] == pytest.approx([10 / 26, 10 / 26, 6 / 26])  # counts 9, 9, 5 share (1, 1)
    assert share[[3, 5]].tolist() == [1.0, 1.0]  # alone in their buckets


def test_the_bucket_prior_ranks_items_by_their_joint_log_prob() -> None:
    beams = beams_of([[[1, 1], [9, 9], [2, 2], [3, 0]]])  # SID log-probs 0, -1 (invalid), -2, -3
    buckets = bucket_map(SIDS, COUNTS)
    assert to_items(beams, buckets, k=5).items.tolist() == [[2, 4, 1, 3, 5]]  # whole bucket first
    joint = to_items(beams, buckets, k=5, bucket_prior=1.0)
    # items 2 and 4: log 10/26 = -0.96; item 1: log 6/26 = -1.47; items 3 and 5 keep -2 and -3
    assert joint.items.tolist() == [[2, 4, 1, 3, 5]]
    assert joint.scores[0, :3] == pytest.approx([math.log(10 / 26), math.log(10 / 26), math.log(6 / 26)])
    # twice the prior puts the lone items of the next SIDs before the shared bucket's least popular
    assert to_items(beams, buckets, k=5, bucket_prior=2.0).items.tolist() == [[2, 4, 3, 1, 5]]


def test_a_bonus_reorders_items_and_seen_items_stay_out() -> None:
    beams = beams_of([[[1, 1], [2, 2]]])  # log-probs 0 and -1
    buckets = bucket_map(SIDS, COUNTS)
    bonus = np.zeros((1, len(SIDS)), dtype=np.float32)
    bonus[0, 3] = 1.5  # item 3 (SID (2, 2)) now scores +0.5, above the whole bucket of (1, 1)
    ranked = to_items(beams, buckets, k=4, bonus=bonus)
    assert ranked.items.tolist() == [[3, 2, 4, 1]] and ranked.scores[0, 0] == pytest.approx(0.5)
    seen = to_items(beams, buckets, k=4, exclude=np.array([[3, 2]]), bonus=bonus)
    assert seen.items.tolist() == [[4, 1, 0, 0]]
    assert ranked.sids.tolist() == seen.sids.tolist() == [[[1, 1], [2, 2], [-1, -1], [-1, -1]]]


def test_the_default_mapping_is_every_bucket_in_beam_order() -> None:
    """Reference: the authors' mapping written as a loop, on random beams with many tied scores."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        sids = rng.integers(0, 3, size=(60, 2), dtype=np.uint8)
        buckets = bucket_map(sids, rng.integers(0, 6, size=60))
        codes = torch.from_numpy(rng.integers(0, 4, size=(5, 12, 2)))
        scores = torch.from_numpy(-np.sort(rng.integers(0, 5, size=(5, 12)), axis=1).astype(np.float32))
        exclude = rng.integers(0, 60, size=(5, 4))
        ranked = to_items(Beams(codes, scores), buckets, k=8, exclude=exclude)
        for u in range(5):
            expected: list[int] = []
            for key in dict.fromkeys(sid_keys(codes[u].numpy()).tolist()):  # distinct, in beam order
                b = int(buckets.lookup(np.array(key)))
                members = buckets.items[buckets.starts[b] : buckets.starts[b + 1]].tolist() if b >= 0 else []
                expected += [i for i in members if i not in exclude[u]]
            assert ranked.items[u][ranked.items[u] > 0].tolist() == expected[:8]


def test_a_collision_digit_gives_every_item_its_own_sid() -> None:
    table = with_collision_digit(SIDTable(SIDS, "none", "random", "random:2"), COUNTS)
    assert table.n_digits == 3 and table.source == "random:2+collision"
    # SID (1, 1) holds rows 2 and 4 (9 each, tie by row) and row 1 (5)
    assert table.sids[:, 2].tolist() == [0, 2, 0, 0, 1, 0]
    assert len(np.unique(table.sids[1:], axis=0)) == len(SIDS) - 1
    assert (table.sids[:, :2] == SIDS).all()
