"""The synthetic catalogue behind bench/rpg/decode-scale.ts: its graph is RPG's, its users are
answerable, and the Python timings it reports come from the real decoders."""

import json

import numpy as np

from genrec.rpg.decode import score_items, top_n
from genrec.tools.rpg_decode_scale import Setting, Spec, load, make, make_catalogue, make_graph, time_decoders

SETTINGS = (Setting(10, 8, 2, "random"), Setting(10, 4, 3, "history"))


def small_spec(**kw) -> Spec:
    return Spec(**{"items": 1200, "users": 12, "settings": SETTINGS, "items_per_niche": 100, **kw})


def test_the_ivf_graph_matches_rpgs_exact_graph() -> None:
    rng = np.random.default_rng(0)
    cat = make_catalogue(small_spec(), rng)
    exact = make_graph(cat, 8, "exact", rng)
    ivf = make_graph(cat, 8, "ivf", rng, nprobe=10_000)  # every cell probed: an exact search
    rows = np.arange(1, 1201)
    assert all(exact.row(r)[0] == r == ivf.row(r)[0] for r in rows)  # self first
    overlap = np.mean([len(np.intersect1d(exact.row(r), ivf.row(r))) / 8 for r in rows])
    assert overlap > 0.97, overlap  # the rest: ties between items with equally similar SIDs


def test_make_writes_the_inputs_once_and_time_decodes_them(tmp_path) -> None:
    spec = small_spec()
    meta = make(spec, tmp_path)
    assert meta["graph_method"] == "exact" and meta["graph_k"] == 8
    written = (tmp_path / "sids.u8").stat().st_mtime_ns
    assert make(spec, tmp_path) == meta and (tmp_path / "sids.u8").stat().st_mtime_ns == written
    loaded, sids, graph, logprobs, beams = load(tmp_path)
    assert graph.n_items == 1200 and np.diff(graph.indptr)[1:].tolist() == [8] * 1200
    assert loaded == spec and sids.shape == (1201, 32) and logprobs.shape == (12, 32, 256)
    assert np.allclose(np.exp(logprobs).sum(-1), 1, atol=1e-4)
    for key in ("10-8-random", "10-4-history"):
        assert all(len(b) == 10 and min(b) >= 1 and max(b) <= 1200 for b in beams["beams"][key])

    timed = time_decoders(tmp_path)
    for u in range(spec.users):
        rows, _ = top_n(score_items(logprobs[u], sids), 10)
        assert timed["exhaustive"]["top"][u] == rows.tolist()
    # users point at their target: it is (nearly always) in the exhaustive top-10
    hits = [t in top for t, top in zip(beams["targets"], timed["exhaustive"]["top"], strict=True)]
    assert np.mean(hits) > 0.8
    for s in SETTINGS:
        runs = timed["graph"][s.name]
        assert len(runs["top"]) == len(runs["ms"]) == spec.users
        assert all(0 < n <= s.q * s.b * s.k for n in runs["scored"])
    json.dumps(timed)  # what the TypeScript side reads
