"""The pipeline steps, read like the experiment: data -> semantic IDs -> RPG training -> artifact set
-> publish to the edge; baselines train and test, then SASRec, eSASRec and content kNN export and
publish their artifact sets too (popularity publishes nothing: the edge counts its own events).
``run_pipeline`` picks the steps for a request.

Each step skips work a previous attempt finished (in the job's ``work/``), and training resumes from
the run's ``last`` checkpoint, so a re-run of a job directory continues it.
"""

from __future__ import annotations

import dataclasses
import json
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from genrec.jobs.edge_client import EdgeClient
from genrec.jobs.errors import JobError
from genrec.jobs.progress import LogStream, Reporter
from genrec.jobs.settings import NO_PUBLISH_ENV, SIDS_DIR, JobSettings
from genrec.jobs.validation import PUBLISHED, RPG, JobOptions, dataset_name, sid_config, validate
from genrec.rpc.models import TrainRequest

if TYPE_CHECKING:
    from genrec.baselines.config import RunConfig as BaselineConfig
    from genrec.data import Dataset
    from genrec.rpg.config import RunConfig as RpgConfig
    from genrec.train.defaults import DatasetDefaults

RPG_PHASES = (("dataset", 5.0), ("sids", 25.0), ("train", 55.0), ("export", 10.0), ("publish", 5.0))
BASELINE_PHASES = (("dataset", 5.0), ("train", 95.0))
PUBLISHED_BASELINE_PHASES = (("dataset", 5.0), ("train", 80.0), ("export", 10.0), ("publish", 5.0))
CODEBOOK = 256


@dataclass(frozen=True)
class Outcome:
    artifact_version: str | None
    metrics: dict[str, float]


@dataclass(frozen=True)
class Workspace:
    root: Path  # <job dir>/work
    job_id: str

    @property
    def sid(self) -> Path:
        return self.root / "sid"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def version(self, name: str, model: str = RPG) -> str:
        """The artifact version, chosen once per job so that every attempt publishes the same one."""
        path = self.root / "version"
        if not path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            path.write_text(f"{model}-{name}-{stamp}-{self.job_id[:6]}\n")
        return path.read_text().strip()


class Pipeline(Protocol):
    """What a job process runs: the steps below (``run_pipeline``), or a stand-in in tests."""

    def __call__(
        self, request: TrainRequest, ws: Workspace, settings: JobSettings, rep: Reporter
    ) -> Outcome: ...


def run_pipeline(request: TrainRequest, ws: Workspace, settings: JobSettings, rep: Reporter) -> Outcome:
    """Validate the request again (it was checked before the job was created; the code may have
    changed since), then run its model's steps. Raises JobError for what no retry can fix."""
    options = validate(request)
    if request.model in PUBLISHED and (problem := settings.publish_problem()):
        raise JobError(problem)
    if request.model == RPG:
        return run_rpg(request, options, ws, settings, rep)
    return run_baseline(request, options, ws, settings, rep)


def phases_for(model: str) -> tuple[tuple[str, float], ...]:
    if model == RPG:
        return RPG_PHASES
    return PUBLISHED_BASELINE_PHASES if model in PUBLISHED else BASELINE_PHASES


def load_data(
    request: TrainRequest, ws: Workspace, settings: JobSettings, rep: Reporter
) -> tuple[str, Dataset]:
    """(spec for genrec.data.load_dataset, dataset). A snapshot becomes a canonical directory once."""
    from genrec.data import load_dataset, load_events, write_canonical

    if request.dataset.kind == "builtin":
        spec = request.dataset.name
    else:
        canonical = ws.root / "data" / "snapshot"
        spec = str(canonical)
        if not (canonical / "stats.json").exists():
            files = fetch_snapshot(request.dataset.uri, ws.root / "download", settings, rep)
            ds, report = load_events(
                files["events.jsonl"], files["items.jsonl"], name="snapshot", skip_bad=True
            )
            rep.log(report.summary())
            write_canonical(ds, canonical)
    ds, _ = load_dataset(spec)
    rep.log(
        f"dataset {dataset_name(request)}: {ds.n_users} users, {ds.n_items} items, {ds.n_interactions} events"
    )
    if ds.n_users == 0:
        raise JobError("the dataset has no users with events: nothing to train on")
    return spec, ds


def fetch_snapshot(uri: str, dest: Path, settings: JobSettings, rep: Reporter) -> dict[str, Path]:
    """``<uri>/items.jsonl`` and ``<uri>/events.jsonl``: over HTTP(S) from the edge with the admin
    key, or from a local directory (``file://`` or a plain path)."""
    dest.mkdir(parents=True, exist_ok=True)
    names = ("items.jsonl", "events.jsonl")
    if uri.startswith(("http://", "https://")):
        if not settings.edge_url or not settings.admin_key:
            raise JobError("a snapshot URL needs $GENREC_EDGE_URL and $GENREC_EDGE_ADMIN_KEY")
        client = EdgeClient(settings.edge_url, settings.admin_key)
        for name in names:
            size = client.download(f"{uri.rstrip('/')}/{name}", dest / name)
            rep.log(f"downloaded {name} ({size} bytes)")
        return {name: dest / name for name in names}
    local = Path(uri.removeprefix("file://"))
    if not all((local / name).is_file() for name in names):
        raise JobError(f"snapshot {uri[:200]!r} has no items.jsonl + events.jsonl")
    return {name: local / name for name in names}


def build_sid_table(
    request: TrainRequest,
    options: JobOptions,
    ds: Dataset,
    ws: Workspace,
    settings: JobSettings,
    threads: int,
    rep: Reporter,
) -> None:
    """SIDs for every item in ``ws.sid``, plus the ``sids.u8`` + ``meta.json`` that genrec.rpg reads."""
    if (ws.sid / "meta.json").exists():
        rep.log("SIDs already built by an earlier attempt: reusing them")
        return
    import faiss
    import numpy as np
    import torch

    from genrec.sid import BuildOptions, build_sids, fit_rows

    config = sid_config(request, options, ds.n_items)
    if len(fit_rows(ds)) < CODEBOOK:
        raise JobError(
            f"RPG needs at least {CODEBOOK} distinct items in training sequences to fit {CODEBOOK} codes "
            f"per digit; this dataset has {len(fit_rows(ds))}"
        )
    torch.set_num_threads(threads)
    faiss.omp_set_num_threads(threads)
    rep.log(f"embedding {ds.n_items} item texts, fitting OPQ{config.m},PQ{config.m}x8")
    cache = settings.embed_cache_dir
    build = BuildOptions(cache_dir=cache) if cache else BuildOptions()
    result = build_sids(ds, config, ws.sid, build)
    shared, seconds = result["stats"].get("items_in_collision"), result["wall_s"].get("total")
    rep.log(f"SIDs: {config.m} digits for {ds.n_items} items, {shared} share a SID ({seconds}s)")
    np.load(ws.sid / "sids.npy").tofile(ws.sid / "sids.u8")
    meta = {"digits": config.m, "encoder": result["config"]["model"], "sid_scheme": f"rpg-opq{config.m}"}
    (ws.sid / "meta.json").write_text(json.dumps(meta) + "\n")  # last: it marks the step done


def rpg_config(
    request: TrainRequest, options: JobOptions, spec: str, ds: Dataset, sids: str, n_digits: int
) -> tuple[RpgConfig, DatasetDefaults]:
    """RPG's run config as ``python -m genrec.rpg.train`` resolves it for this dataset: the same
    dataset layer (genrec.train.defaults: the tuned tables for beauty, sports and toys, else values
    from the data's size and density; an edge snapshot is such a dataset), then the overrides."""
    from genrec.rpg.config import dataset_defaults, resolve_config
    from genrec.train.defaults import data_shape

    name = dataset_name(request)
    defaults = dataset_defaults(name, request.preset, data_shape(ds))
    config = resolve_config(name, request.preset, sids, n_digits, options.config, defaults)
    return dataclasses.replace(config, dataset=spec), defaults


def baseline_config(
    request: TrainRequest, options: JobOptions, spec: str, ds: Dataset
) -> tuple[BaselineConfig, DatasetDefaults]:
    """A baseline's run config as ``python -m genrec.baselines.train`` resolves it (``rpg_config``)."""
    from genrec.baselines.config import dataset_defaults, resolve_config
    from genrec.train.defaults import data_shape

    defaults = dataset_defaults(request.model, spec, request.preset, data_shape(ds))
    return resolve_config(request.model, spec, request.preset, options.config, defaults), defaults


def train_rpg(request: TrainRequest, options: JobOptions, spec: str, ws: Workspace, rep: Reporter) -> Path:
    """Train (or resume) and test; returns the result file's path."""
    from genrec.data import load_dataset
    from genrec.rpg.train import run
    from genrec.sid.table import load_sids

    ds, _ = load_dataset(spec)
    table = load_sids(str(ws.sid), ds)
    config, defaults = rpg_config(request, options, spec, ds, str(ws.sid), table.n_digits)
    for line in defaults.lines():
        rep.log(line)
    resume = (ws.run / "last.json").exists()
    rep.log(
        ("resuming" if resume else "training") + f" RPG {request.preset}: up to {config.train.epochs} epochs"
    )
    epochs = max(1, config.train.epochs)  # the last 10% of the phase is the test evaluation
    with redirect_stdout(LogStream(rep)):
        result = run(
            config,
            table,
            ws.run,
            ws.root,
            resume,
            on_epoch_end=lambda s: rep.fraction(0.9 * s.epoch / epochs),
            defaults=defaults,
        )
    test = result["test"]["graph"]["metrics"]
    rep.log(f"test (graph decoding): ndcg@10 {test['ndcg@10']:.4f} recall@10 {test['recall@10']:.4f}")
    return ws.root / f"{Path(spec).name}-{request.preset}.json"


def export_rpg(
    request: TrainRequest, ws: Workspace, result: Path, rep: Reporter
) -> tuple[Path, dict[str, Any]]:
    from genrec.rpg.export import export

    version = ws.version(dataset_name(request))
    out = ws.root / "artifacts" / version
    if (out / "manifest.json").exists():
        rep.log(f"artifact set {version} already exported")
        return out, json.loads((out / "manifest.json").read_text())
    sid_artifact = publish_sid_artifact(ws, version)
    with redirect_stdout(LogStream(rep)):
        manifest = export(ws.run, out, version, eval_valid=False, result=result, sid_artifact=sid_artifact)
    rep.log(f"exported {version}: {len(manifest['files'])} files, {manifest['n_items']} items")
    return out, manifest


def publish_sid_artifact(ws: Workspace, version: str) -> str:
    """Copies the job's SID artifact to ``<jobs root>/.sids/<version>.sid`` (a staging copy, then one
    rename) and returns that name: assign_sids encodes items added after training with it."""
    import shutil

    name = f"{version}.sid"
    dest = ws.root.parents[1] / SIDS_DIR / name  # ws.root is <jobs root>/<job id>/work
    if not (dest / "manifest.json").exists():
        tmp = dest.with_name(name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(ws.sid, tmp)
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    return name


def publish(artifact_dir: Path, options: JobOptions, settings: JobSettings, rep: Reporter) -> None:
    if not settings.publish:
        rep.log(f"not published ({NO_PUBLISH_ENV}=1); the artifact set is in {artifact_dir}")
        return
    assert settings.edge_url and settings.admin_key  # checked before the job started
    EdgeClient(settings.edge_url, settings.admin_key).publish(artifact_dir, options.activate, rep.log)


def run_rpg(
    request: TrainRequest, options: JobOptions, ws: Workspace, settings: JobSettings, rep: Reporter
) -> Outcome:
    threads = int(options.config.get("train.threads", 1))  # typed by validate()
    rep.phase("dataset")
    spec, ds = load_data(request, ws, settings, rep)
    rep.phase("sids")
    build_sid_table(request, options, ds, ws, settings, threads, rep)
    rep.phase("train")
    result = train_rpg(request, options, spec, ws, rep)
    rep.phase("export")
    artifact_dir, manifest = export_rpg(request, ws, result, rep)
    rep.phase("publish")
    publish(artifact_dir, options, settings, rep)
    return Outcome(manifest["version"], {k: float(v) for k, v in manifest["metrics"].items()})


def run_baseline(
    request: TrainRequest, options: JobOptions, ws: Workspace, settings: JobSettings, rep: Reporter
) -> Outcome:
    from genrec.baselines.train import run

    rep.phase("dataset")
    spec, ds = load_data(request, ws, settings, rep)
    rep.phase("train")
    config, defaults = baseline_config(request, options, spec, ds)
    for line in defaults.lines():
        rep.log(line)
    epochs = max(1, config.train.epochs)
    resume = (ws.run / "last.json").exists()
    with redirect_stdout(LogStream(rep)):
        result = run(
            config,
            ws.run,
            ws.root,
            resume,
            on_epoch_end=lambda s: rep.fraction(s.epoch / epochs),
            defaults=defaults,
        )
    metrics = {f"test_{k}": float(v) for k, v in result["test"]["metrics"].items()}
    if request.model not in PUBLISHED:
        rep.log(
            "not published: the edge ranks popularity from its own events; the result is in the job folder"
        )
        return Outcome(None, metrics)
    rep.phase("export")
    artifact_dir, manifest = export_baseline(request, config, ws, rep)
    rep.phase("publish")
    publish(artifact_dir, options, settings, rep)
    return Outcome(manifest["version"], metrics)


def export_baseline(
    request: TrainRequest, config: Any, ws: Workspace, rep: Reporter
) -> tuple[Path, dict[str, Any]]:
    from genrec.baselines.export import export_embedding, export_knn

    version = ws.version(dataset_name(request), request.model)
    out = ws.root / "artifacts" / version
    if (out / "manifest.json").exists():
        rep.log(f"artifact set {version} already exported")
        return out, json.loads((out / "manifest.json").read_text())
    with redirect_stdout(LogStream(rep)):
        if request.model == "content-knn":
            manifest = export_knn(config, out, version)
        else:
            result = ws.root / f"{Path(config.dataset).name}-{request.model}-{request.preset}.json"
            manifest = export_embedding(ws.run, out, version, result)
    rep.log(f"exported {version}: {len(manifest['files'])} files, {manifest['n_items']} items")
    return out, manifest
