"""RPG decoding at catalogue scale: a synthetic catalogue and the Python side of
``bench/rpg/decode-scale.ts`` (which runs the TypeScript side and writes the result file).

No trained model reaches a million items, so the catalogue is built to have RPG's structure:

* latent item vectors from a two-level Gaussian mixture (topics -> niches -> items), so that items
  have near neighbours as real catalogues do;
* SIDs = a faiss product quantiser with m sub-spaces x 256 codes (RPG's OPQ tokenizer without the
  rotation); its sub-centroids play the learned digit embeddings E_d;
* the item graph by RPG's similarity (mean over digits of the codes' cosine, genrec.rpg.graph): the
  exact ``build_graph`` up to ``EXACT_MAX_ITEMS``, above it a faiss IVF search on the concatenated unit
  sub-centroids, whose inner product is that same similarity;
* users: a target item t and a query u = v_t + noise; digit d's log-probabilities are
  log_softmax(cos(u_d, E_d[c]) / temperature), the shape of RPG's per-digit heads, so exhaustive
  scoring ranks items by their similarity to u and the graph leads towards the answer;
* initial beams, written once so both languages start from the same rows: ``random`` (the paper),
  ``history`` (round-robin over the graph lists of five items from t's niche, genrec.rpg.decode) and
  ``edge`` (the edge's own seeding from the same histories: written by the TypeScript side).

``python -m genrec.tools.rpg_decode_scale make --items 1000000 --out DIR`` writes the inputs
(skipped when DIR already holds the same spec); ``python -m genrec.tools.rpg_decode_scale time --dir
DIR --out FILE`` decodes every user with every setting and exhaustively, timing each call, and
writes top-10 rows, items scored and milliseconds per user. Files (little-endian, row 0 = padding):
sids.u8 [N+1, m], graph.indptr.i32 [N+2], graph.indices.i32, logprobs.f32 [U, m, 256], beams.json
(targets, histories, beams by ``b-k-init``), spec.json.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from tqdm import tqdm

from genrec.rpg.decode import graph_decode, initial_beam, score_items, top_n
from genrec.rpg.graph import Graph, build_graph

EXACT_MAX_ITEMS = 50_000  # genrec.rpg.graph is O(N²·m): above this the graph comes from faiss IVF
HISTORY_ITEMS = 5
EDGE_INIT = (
    "edge"  # the edge's seeding (edge/src/recommend/rpg/recommend.ts), computed by the TypeScript side
)
TOP = 10


@dataclass(frozen=True)
class Setting:
    """One graph-decoding configuration: beam b, neighbours k, steps q, initial beam."""

    b: int
    k: int
    q: int
    init: str

    @property
    def name(self) -> str:
        return f"b{self.b}-k{self.k}-q{self.q}-{self.init}"

    @staticmethod
    def parse(text: str) -> Setting:
        """``b,k,q,init``, e.g. ``20,50,3,history``."""
        b, k, q, init = text.split(",")
        return Setting(int(b), int(k), int(q), init)


@dataclass(frozen=True)
class Spec:
    items: int
    users: int
    settings: tuple[Setting, ...]
    digits: int = 32
    dim: int = 128
    items_per_niche: int = 500
    niches_per_topic: int = 40
    query_noise: float = 0.5
    temperature: float = 0.1
    seed: int = 0

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values (settings as a list), as spec.json stores them."""
        return json.loads(json.dumps(asdict(self)))


@dataclass(frozen=True)
class Catalogue:
    sids: np.ndarray  # [N+1, m] uint8, row 0 = padding (zeros)
    units: np.ndarray  # [m, 256, dim/m] float32 unit sub-centroids (the digit embeddings)
    niche: np.ndarray  # [N+1] int64 niche of each row (-1 for padding)
    latent: np.ndarray  # [N+1, dim] float32 latent vectors (row 0 zeros)


def make_catalogue(spec: Spec, rng: np.random.Generator) -> Catalogue:
    """Latent mixture -> product-quantiser SIDs and unit digit embeddings."""
    n, dim, m = spec.items, spec.dim, spec.digits
    assert dim % m == 0, "dim must split into m sub-spaces"
    n_niches = max(1, n // spec.items_per_niche)
    n_topics = max(1, n_niches // spec.niches_per_topic)
    topics = rng.normal(size=(n_topics, dim)).astype(np.float32)
    niche_topic = rng.integers(0, n_topics, size=n_niches)
    niches = topics[niche_topic] + 0.7 * rng.normal(size=(n_niches, dim)).astype(np.float32)
    niche = rng.integers(0, n_niches, size=n)
    latent = niches[niche] + 0.7 * rng.normal(size=(n, dim)).astype(np.float32)
    pq = faiss.ProductQuantizer(dim, m, 8)
    pq.train(np.ascontiguousarray(latent[rng.permutation(n)[: min(n, 100_000)]]))
    codes = pq.compute_codes(np.ascontiguousarray(latent))  # [N, m] uint8
    centroids = faiss.vector_to_array(pq.centroids).reshape(m, 256, dim // m)
    units = centroids / np.maximum(np.linalg.norm(centroids, axis=-1, keepdims=True), 1e-12)
    sids = np.zeros((n + 1, m), dtype=np.uint8)
    sids[1:] = codes
    return Catalogue(
        sids,
        units.astype(np.float32),
        np.concatenate([[-1], niche]),
        np.concatenate([np.zeros((1, dim), np.float32), latent]),
    )


def item_vectors(cat: Catalogue, rows: np.ndarray) -> np.ndarray:
    """[R, dim] concatenated unit sub-centroids: inner product = m x mean per-digit cosine."""
    m = cat.sids.shape[1]
    return np.concatenate([cat.units[d, cat.sids[rows, d]] for d in range(m)], axis=1)


def make_graph(cat: Catalogue, k: int, method: str, rng: np.random.Generator, nprobe: int = 16) -> Graph:
    """Top-k lists by RPG's similarity, self first. ``exact``: genrec.rpg.graph; ``ivf``: faiss."""
    if method == "exact":
        return build_graph(cat.units, cat.sids, k)
    n = len(cat.sids) - 1
    vectors = np.ascontiguousarray(item_vectors(cat, np.arange(1, n + 1)))  # [N, dim]
    nlist = max(1, int(4 * np.sqrt(n)))
    index = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT
    )
    index.train(vectors[rng.permutation(n)[: min(n, 64 * nlist)]])
    index.add(vectors)
    index.nprobe = min(nprobe, nlist)
    lists = np.zeros((n, k), dtype=np.int32)  # [N, k] 0-based
    chunk = 20_000
    for start in tqdm(range(0, n, chunk), desc="graph (faiss IVF)", unit="chunk"):
        stop = min(n, start + chunk)
        _, found = index.search(vectors[start:stop], k + 1)  # [R, k+1] 0-based by similarity, -1 = none
        own = np.arange(start, stop)[:, None]  # [R, 1]
        found = np.where(found < 0, own, found)  # a short IVF answer repeats self rather than leave holes
        others = np.take_along_axis(found, np.argsort(found == own, axis=1, kind="stable"), axis=1)
        lists[start:stop] = np.concatenate([own, others[:, : k - 1]], axis=1)  # self first, then the rest
    indptr = np.concatenate([[0], np.arange(n + 1) * k]).astype(np.int32)
    return Graph(indptr, (lists + 1).reshape(-1))


def make_users(spec: Spec, cat: Catalogue, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list]:
    """Targets [U], logprobs [U, m, 256] float32 and histories (rows from the target's niche)."""
    n, m = spec.items, spec.digits
    targets = rng.integers(1, n + 1, size=spec.users)
    query = item_vectors(cat, targets) + spec.query_noise * rng.normal(size=(spec.users, spec.dim))
    parts = query.reshape(spec.users, m, spec.dim // m)  # [U, m, dsub]
    parts = parts / np.linalg.norm(parts, axis=-1, keepdims=True)
    logits = np.einsum("umd,mcd->umc", parts, cat.units) / spec.temperature  # [U, m, 256]
    logits -= logits.max(axis=-1, keepdims=True)
    logprobs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    by_niche = np.argsort(cat.niche, kind="stable")
    starts = np.searchsorted(cat.niche[by_niche], np.arange(cat.niche.max() + 2))
    histories = []
    for t in targets:
        pool = by_niche[starts[cat.niche[t]] : starts[cat.niche[t] + 1]]
        pool = pool[pool != t]
        histories.append(rng.choice(pool, size=min(HISTORY_ITEMS, len(pool)), replace=False).tolist())
    return targets, logprobs.astype(np.float32), histories


def make(spec: Spec, out: Path, method: str | None = None) -> dict[str, Any]:
    """Write the inputs to ``out``; a directory already holding this spec is reused as it is."""
    spec_file = out / "spec.json"
    if spec_file.exists() and json.loads(spec_file.read_text())["spec"] == json.loads(
        json.dumps(spec.as_json())
    ):
        return json.loads(spec_file.read_text())
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(spec.seed)
    method = method or ("exact" if spec.items <= EXACT_MAX_ITEMS else "ivf")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cat = make_catalogue(spec, rng)
    timings["catalogue_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    graph = make_graph(cat, max(s.k for s in spec.settings), method, rng)
    timings["graph_s"] = time.perf_counter() - t0
    targets, logprobs, histories = make_users(spec, cat, rng)
    popular = np.arange(1, spec.items + 1)  # no popularity in a synthetic catalogue: tops up only
    beams: dict[str, list[list[int]]] = {}
    for s in spec.settings:
        key = f"{s.b}-{s.k}-{s.init}"
        if key in beams or s.init == EDGE_INIT:  # edge beams come from the edge's own code (TypeScript)
            continue
        graph_k = graph.truncate(s.k)
        beams[key] = [
            initial_beam(
                s.init, s.b, spec.items, rng, popular, np.asarray(h), graph_k.indptr, graph_k.indices
            ).tolist()
            for h in histories
        ]
    cat.sids.tofile(out / "sids.u8")
    graph.indptr.tofile(out / "graph.indptr.i32")
    graph.indices.tofile(out / "graph.indices.i32")
    logprobs.tofile(out / "logprobs.f32")
    record = {"targets": targets.tolist(), "histories": histories, "beams": beams}
    (out / "beams.json").write_text(json.dumps(record))
    meta = {
        "spec": spec.as_json(),
        "graph_method": method,
        "graph_k": int(np.diff(graph.indptr).max()),
        "unique_sids": len(np.unique(cat.sids[1:], axis=0)),
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    spec_file.write_text(json.dumps(meta, indent=2))
    return meta


def load(out: Path) -> tuple[Spec, np.ndarray, Graph, np.ndarray, dict[str, Any]]:
    meta = json.loads((out / "spec.json").read_text())["spec"]
    spec = Spec(**{**meta, "settings": tuple(Setting(**s) for s in meta["settings"])})
    sids = np.fromfile(out / "sids.u8", dtype=np.uint8).reshape(spec.items + 1, spec.digits)
    graph = Graph(
        np.fromfile(out / "graph.indptr.i32", np.int32), np.fromfile(out / "graph.indices.i32", np.int32)
    )
    logprobs = np.fromfile(out / "logprobs.f32", np.float32).reshape(spec.users, spec.digits, 256)
    return spec, sids, graph, logprobs, json.loads((out / "beams.json").read_text())


def time_decoders(out: Path) -> dict[str, Any]:
    """Every user exhaustively and with every setting: top-10 rows, items scored, ms per user."""
    spec, sids, graph, logprobs, beams = load(out)
    result: dict[str, Any] = {"exhaustive": {"top": [], "ms": []}, "graph": {}}
    for u in tqdm(range(spec.users), desc="python exhaustive", unit="user"):
        t0 = time.perf_counter()
        rows, _ = top_n(score_items(logprobs[u], sids), TOP)
        result["exhaustive"]["ms"].append(1e3 * (time.perf_counter() - t0))
        result["exhaustive"]["top"].append(rows.tolist())
    for s in spec.settings:
        g = graph.truncate(s.k)
        runs: dict[str, list] = {"top": [], "ms": [], "scored": []}
        for u, beam in enumerate(beams["beams"][f"{s.b}-{s.k}-{s.init}"]):
            t0 = time.perf_counter()
            dec = graph_decode(logprobs[u], sids, g.indptr, g.indices, np.asarray(beam), s.b, s.q, TOP)
            runs["ms"].append(1e3 * (time.perf_counter() - t0))
            runs["top"].append(dec.rows.tolist())
            runs["scored"].append(dec.scored)
        result["graph"][s.name] = runs
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m genrec.tools.rpg_decode_scale", description=__doc__.splitlines()[0]
    )
    sub = p.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make", help="write a synthetic catalogue, graph, users and beams")
    mk.add_argument("--items", type=int, required=True)
    mk.add_argument("--users", type=int, default=200)
    mk.add_argument("--settings", nargs="+", required=True, metavar="B,K,Q,INIT")
    mk.add_argument("--graph", choices=("exact", "ivf"), help=f"default: exact up to {EXACT_MAX_ITEMS} items")
    mk.add_argument("--seed", type=int, default=0)
    mk.add_argument("--out", type=Path, required=True)
    tm = sub.add_parser("time", help="decode every user in Python, timing each call")
    tm.add_argument("--dir", type=Path, required=True)
    tm.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    if args.command == "make":
        settings = tuple(Setting.parse(s) for s in args.settings)
        spec = Spec(args.items, args.users, settings, seed=args.seed)
        print(json.dumps(make(spec, args.out, args.graph)))
    else:
        args.out.write_text(json.dumps(time_decoders(args.dir)))
        print(json.dumps({"wrote": str(args.out)}))


if __name__ == "__main__":
    main()
