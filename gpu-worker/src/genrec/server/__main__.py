"""`python -m genrec.server`: serve the RPC handlers over HTTP on this machine (CPU, or a local GPU)."""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from genrec.server.app import TOKEN_ENV, create_app

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
    app = create_app(token=args.token, runtime="local")
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
