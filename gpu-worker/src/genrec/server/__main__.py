"""`python -m genrec.server`: serve the RPC handlers over HTTP on this machine (CPU, or a local GPU)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import uvicorn

from genrec.jobs.local_launcher import LocalLauncher
from genrec.jobs.service import JobService, configure
from genrec.jobs.settings import JOBS_DIR_ENV, jobs_root
from genrec.jobs.store import JobStore
from genrec.server.app import INSTANCE_ENV, TOKEN_ENV, create_app

log = logging.getLogger("genrec.server")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m genrec.server", description="Serve the genrec RPC handlers over HTTP on this machine."
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind; 0.0.0.0 exposes the worker (default: %(default)s)",
    )
    parser.add_argument("--port", type=int, default=8788, help="TCP port to listen on (default: %(default)s)")
    parser.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help=f"serve without checking bearer tokens, even if ${TOKEN_ENV} is set (development only)",
    )
    parser.add_argument(
        "--jobs-dir",
        type=Path,
        default=jobs_root(),
        help=f"where training jobs live (default: ${JOBS_DIR_ENV}, else gpu-worker/var/jobs: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log verbosity (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    args.token = None if args.insecure_no_auth else os.environ.get(TOKEN_ENV)
    if not args.insecure_no_auth and not args.token:
        parser.error(f"${TOKEN_ENV} is not set: export the shared bearer token, or pass --insecure-no-auth")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.token is None:
        log.warning("!" * 72)
        log.warning(
            "AUTH DISABLED (--insecure-no-auth): anyone who reaches %s:%d can call every RPC method",
            args.host,
            args.port,
        )
        log.warning("!" * 72)
    start_jobs(args.jobs_dir)
    app = create_app(token=args.token, runtime="local", instance=os.environ.get(INSTANCE_ENV))
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


def start_jobs(root: Path) -> JobService:
    """Jobs run as children of this process; those a previous server left queued/running are dead
    (a job never outlives its server), so they are marked failed before serving."""
    service = JobService(JobStore(root), LocalLauncher())
    configure(service)
    lost = service.reconcile()
    if lost:
        log.warning("marked %d job(s) left by a previous server as failed: %s", len(lost), ", ".join(lost))
    log.info("training jobs in %s", root)
    return service


if __name__ == "__main__":
    main()
