"""Modal shell over the genrec RPC handlers: one GPU class serving the same method table as the local
server, as a Modal method (`rpc`) and as an authenticated HTTPS endpoint (`web`); `train_job`,
the training job on its own GPU container, started with `.spawn()` so that `train` returns at once;
and `experiment` with `experiment_status` / `experiment_files`, the trainers' command line
(genrec.experiments) on a GPU for `genrec gpu run|follow|fetch` (infra/src/commands/gpu/).

    uv run modal deploy modal_app.py     # needs Modal credentials and the two secrets:
    modal secret create genrec-rpc GENREC_RPC_TOKEN=<token shared with the edge>
    modal secret create genrec-edge GENREC_EDGE_URL=https://<edge> GENREC_EDGE_ADMIN_KEY=<admin key>

GPU type and timeouts are settings read at deploy time: GENREC_MODAL_GPU (default L40S),
GENREC_MODAL_EXPERIMENT_TIMEOUT_S (default 24 h, Modal's maximum). Experiments read datasets from the
Volume's /data (GENREC_DATA_ROOT) and write to /vol/experiments/<run id>/.

Jobs live on the Volume (`/vol/jobs/<job id>/`, genrec.jobs.store): the job commits after its status
writes, the Worker reloads before reading; a retried `train_job` resumes from the job's checkpoints.
Library code never imports modal; everything here is wiring.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import modal

# genrec's modules are light (torch loads lazily) and the deploying machine has them: plain imports.
from genrec import experiments
from genrec.jobs.runner import run_job
from genrec.jobs.service import JobService, configure
from genrec.jobs.settings import EDGE_KEY_ENV, EDGE_URL_ENV, JobSettings
from genrec.jobs.store import JobStore
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import error_response
from genrec.rpc.handlers import VERSION_ENV, current_device, package_version
from genrec.rpc.registry import dispatch
from genrec.server.app import TOKEN_ENV, create_app

app = modal.App("genrec-edge")

PROJECT_DIR = Path(__file__).resolve().parent
SAMPLE_REMOTE = "/data/sample"
UV_VERSION = "0.13.9"  # the uv that wrote uv.lock; modal would otherwise pull `latest`
image = (
    modal.Image.debian_slim(python_version="3.11")
    # Exact versions from uv.lock; --no-default-groups drops the dev tools that tool.uv adds by default.
    .uv_sync(str(PROJECT_DIR), frozen=True, extra_options="--no-default-groups", uv_version=UV_VERSION)
    # The package ships as source (no install metadata), so health reads its version from here.
    # Artifact sets (SID codebooks, models) live on the Volume; handlers find them through this.
    .env(
        {
            VERSION_ENV: package_version(),
            "GENREC_ARTIFACTS_DIR": "/vol/artifacts",
            "GENREC_DATA_ROOT": "/vol/data",  # beauty/sports/toys uploaded with `modal volume put`
            # jobs publish their SID codebooks under <jobs root>/.sids, where assign_sids looks
            "GENREC_JOBS_DIR": "/vol/jobs",
        }
    )
    .add_local_python_source("genrec")
    # genrec.data looks for the sample at <package dir>/../../data/sample; the package is /root/genrec.
    .add_local_dir(str(PROJECT_DIR / "data" / "sample"), remote_path=SAMPLE_REMOTE)
)

artifacts = modal.Volume.from_name("genrec-artifacts", create_if_missing=True)
rpc_secret = modal.Secret.from_name("genrec-rpc", required_keys=[TOKEN_ENV])
edge_secret = modal.Secret.from_name("genrec-edge", required_keys=[EDGE_URL_ENV, EDGE_KEY_ENV])

ARTIFACTS_DIR = "/vol"
JOBS_DIR = Path(ARTIFACTS_DIR) / "jobs"
EMBED_CACHE_DIR = Path(ARTIFACTS_DIR) / "cache" / "embeddings"
GPU = os.environ.get("GENREC_MODAL_GPU", "L40S")
SCALEDOWN_WINDOW_S = 300  # keep a warm container between bursts of edge calls
TIMEOUT_S = 600  # seconds per input
TRAIN_TIMEOUT_S = 6 * 60 * 60  # per attempt: a "full" preset run on a large dataset
TRAIN_MAX_RETRIES = 3  # preemptions, OOMs, timeouts: each retry resumes from the last checkpoint
TRAIN_RETRIES = modal.Retries(max_retries=TRAIN_MAX_RETRIES, initial_delay=10.0, max_delay=60.0)
COMMIT_EVERY_S = 10.0  # progress commits from a training container; outcomes commit at once
EXPERIMENTS_DIR = Path(ARTIFACTS_DIR) / "experiments"
EXPERIMENT_TIMEOUT_S = int(os.environ.get("GENREC_MODAL_EXPERIMENT_TIMEOUT_S", 24 * 60 * 60))
READ_TIMEOUT_S = 300  # status and file reads


def job_store(commit_every_s: float = 0.0) -> JobStore:
    """The job store on the Volume; `commit_every_s` > 0 rate-limits commits (a running job's
    progress), the caller then commits once at the end."""
    last = [0.0]

    def commit() -> None:
        if time.monotonic() - last[0] >= commit_every_s:
            artifacts.commit()
            last[0] = time.monotonic()

    def reload() -> None:
        try:
            artifacts.reload()
        except Exception as exc:  # e.g. files open in this container: read what it already sees
            print(f"volume reload skipped: {exc}")

    return JobStore(JOBS_DIR, commit=commit, reload=reload)


@app.function(
    image=image,
    gpu=GPU,
    volumes={ARTIFACTS_DIR: artifacts},
    secrets=[edge_secret],
    timeout=TRAIN_TIMEOUT_S,
    retries=TRAIN_RETRIES,
)
def train_job(job_id: str) -> None:
    """Run (or, on a retry, continue) one job from its directory on the Volume."""
    store = job_store(COMMIT_EVERY_S)
    store.reload()
    attempt = int(store.read_text(job_id, "attempts") or 0) + 1
    store.write_text(job_id, "attempts", str(attempt))
    settings = JobSettings.from_env(embed_cache_dir=EMBED_CACHE_DIR)
    try:
        run_job(store, job_id, settings, final_attempt=attempt > TRAIN_MAX_RETRIES)
    finally:
        artifacts.commit()


def _experiment_dir(run_id: str) -> Path:
    if not experiments.RUN_ID.match(run_id):
        raise experiments.ExperimentError(f"run_id {run_id!r}: not a run id")
    return EXPERIMENTS_DIR / run_id


def _commit_while(done: threading.Event) -> None:
    while not done.wait(COMMIT_EVERY_S):
        artifacts.commit()  # checkpoints and last.json become visible to experiment_status


@app.function(image=image, gpu=GPU, volumes={ARTIFACTS_DIR: artifacts}, timeout=EXPERIMENT_TIMEOUT_S)
def experiment(spec: dict[str, Any]) -> dict[str, Any]:
    """Train and test one model as `python -m genrec.<model>.train` would; answers the final status.
    No retries: a rerun would start over (a failed run is rerun from the CLI, with `--set`)."""
    parsed = experiments.ExperimentSpec.from_dict(spec)
    done = threading.Event()
    committer = threading.Thread(target=_commit_while, args=(done,), daemon=True)
    committer.start()
    try:
        return experiments.run_experiment(parsed, _experiment_dir(parsed.run_id))
    finally:
        done.set()
        artifacts.commit()


@app.function(image=image, volumes={ARTIFACTS_DIR: artifacts}, timeout=READ_TIMEOUT_S)
def experiment_status(run_id: str) -> dict[str, Any]:
    """The run's status file and its progress (epoch, best so far) as the Volume last saw them."""
    artifacts.reload()
    return experiments.experiment_status(_experiment_dir(run_id))


@app.function(image=image, volumes={ARTIFACTS_DIR: artifacts}, timeout=READ_TIMEOUT_S)
def experiment_files(run_id: str) -> dict[str, bytes]:
    """The run's outputs by relative path: status, result files, best checkpoint, artifact sets."""
    artifacts.reload()
    return experiments.experiment_files(_experiment_dir(run_id))


def _function_call(call_id: str) -> modal.FunctionCall:
    return modal.FunctionCall.from_id(call_id)


class ModalLauncher:
    """genrec.jobs.service.Launcher over `train_job`: the job's FunctionCall id is kept in its directory."""

    def start(self, store: JobStore, job_id: str) -> None:
        call = train_job.spawn(job_id)
        store.write_text(job_id, "call_id", call.object_id)

    def alive(self, store: JobStore, job_id: str) -> bool:
        call_id = store.read_text(job_id, "call_id")
        if call_id is None:
            return False
        try:
            _function_call(call_id).get(timeout=0)
        except TimeoutError:  # the builtin one: no output yet, so running or waiting for a retry
            return True
        except (modal.exception.ConnectionError, ConnectionError):
            return True  # cannot tell: never fail a job because Modal's API was unreachable
        except Exception:
            return False  # the call ended with an error, was cancelled, or its output expired
        return False

    def stop(self, store: JobStore, job_id: str) -> None:
        call_id = store.read_text(job_id, "call_id")
        if call_id is not None:
            _function_call(call_id).cancel()


@app.cls(
    image=image,
    gpu=GPU,
    volumes={ARTIFACTS_DIR: artifacts},
    secrets=[rpc_secret],
    scaledown_window=SCALEDOWN_WINDOW_S,
    timeout=TIMEOUT_S,
)
class Worker:
    @modal.enter()
    def start(self) -> None:
        # Pay torch's import and CUDA initialisation once per container, not on the first request.
        print(f"genrec worker on {current_device()}")
        configure(JobService(job_store(), ModalLauncher()))
        self.web_app = create_app(token=os.environ[TOKEN_ENV], runtime="modal")

    @modal.method()
    def rpc(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Call one RPC method from Modal's SDKs: answers the response, or an ErrorEnvelope on failure."""
        context = RpcContext(runtime="modal", method=method, request_id=uuid.uuid4().hex)
        try:
            return dispatch(method, payload, context)
        except Exception as exc:
            return error_response(exc, context.request_id)[1]

    @modal.method()
    def denoise(self, payload: dict[str, Any]) -> dict[str, Any]:
        """DiffGRM's `denoise` RPC as its own method; each artifact version's weights load on its first
        call and stay on this container's GPU (genrec.diffgrm.serve's cache)."""
        context = RpcContext(runtime="modal", method="denoise", request_id=uuid.uuid4().hex)
        try:
            return dispatch("denoise", payload, context)
        except Exception as exc:
            return error_response(exc, context.request_id)[1]

    @modal.asgi_app()
    def web(self) -> Any:
        """`POST /rpc/{method}` with `Authorization: Bearer $GENREC_RPC_TOKEN`, as the local server."""
        return self.web_app
