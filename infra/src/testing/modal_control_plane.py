"""A stand-in for Modal's control plane on loopback, for the tests of `genrec gpu` (no network).

It speaks Modal's gRPC API over plain HTTP/2 (h2c), with the service base and messages that Modal
publishes in its Python package (modal_proto.api_grpc / api_pb2), and implements what the JS SDK
asks for the CLI's calls: AuthTokenGet, FunctionGet, FunctionMap, FunctionGetOutputs,
FunctionCallFromId, FunctionCallCancel, BlobGet; every other method answers UNIMPLEMENTED. As on
Modal, an output over --max-inline-bytes (2 MiB) travels as a blob the SDK downloads over HTTP (here
from a second loopback port).

"Deployed" functions are the real ones of gpu-worker/modal_app.py with the Volume replaced by a local
folder: `experiment` runs in a forked child process (as a container would, so cancel and the
function timeout can stop it; forked, it skips a second import of the app and torch); the short reads
run in this process. Run from gpu-worker/ with its environment:

    uv run --frozen python ../infra/src/testing/modal_control_plane.py --volume DIR --identity X

It prints one JSON line, {"identity": X, "port": P}, once it listens on 127.0.0.1:P.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import importlib.util
import itertools
import json
import multiprocessing
import os
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import cbor2
from aiohttp import web
from google.protobuf.empty_pb2 import Empty
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream
from modal_proto import api_pb2
from modal_proto.api_grpc import ModalClientBase

MODAL_APP = Path(__file__).resolve().parents[3] / "gpu-worker" / "modal_app.py"
APP_NAME = "genrec-edge"
IN_CHILD = frozenset({"experiment"})  # the long ones: a process each, killed on cancel / timeout
CBOR = api_pb2.DATA_FORMAT_CBOR
Result = api_pb2.GenericResult
FORK = multiprocessing.get_context("fork")  # the child inherits the loaded app (POSIX only)


def load_app(volume: Path) -> ModuleType:
    """modal_app as a container would run it, its Volume a local folder (commit/reload do nothing)."""
    spec = importlib.util.spec_from_file_location("modal_app", MODAL_APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["modal_app"] = module
    spec.loader.exec_module(module)
    module.artifacts = LocalVolume()
    module.EXPERIMENTS_DIR = volume / "experiments"
    return module


class LocalVolume:
    def commit(self) -> None: ...

    def reload(self) -> None: ...


def call_function(app: ModuleType, name: str, payload: bytes) -> tuple[Any, bytes]:
    """Run one input; answers (status, CBOR data or the exception's text)."""
    args, kwargs = cbor2.loads(payload)
    try:
        value = getattr(app, name)._raw_f_(*args, **kwargs)
    except Exception as exc:
        traceback.print_exc()
        return Result.GENERIC_STATUS_FAILURE, repr(exc).encode()
    return Result.GENERIC_STATUS_SUCCESS, cbor2.dumps(value)


def token(identity: str) -> str:
    """A JWT-shaped token: the SDK reads only `exp` from its payload."""
    claims = {"exp": int(time.time()) + 3600, "sub": identity}
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{part}.standin"


@dataclass
class Call:
    function: str
    input_id: str
    done: asyncio.Event = field(default_factory=asyncio.Event)
    result: Any = None
    process: multiprocessing.process.BaseProcess | None = None
    started: float = field(default_factory=time.monotonic)
    task: asyncio.Task[None] | None = None

    def finish(self, status: Any, data: bytes = b"", exception: str = "", blob_id: str = "") -> None:
        if not self.done.is_set():
            fields = {"exception": exception} if exception else {"data": data} if data else {}
            self.result = Result(status=status, **fields, **({"data_blob_id": blob_id} if blob_id else {}))
            self.done.set()


class ControlPlane(ModalClientBase):
    def __init__(self, args: argparse.Namespace) -> None:
        self.args, self.calls, self.ids = args, dict[str, Call](), itertools.count(1)
        self.app = load_app(args.volume)
        self.blobs: dict[str, bytes] = {}
        self.blob_url = ""  # set once the blob server listens

    def _output(self, call: Call, status: Any, data: bytes) -> None:
        if len(data) <= self.args.max_inline_bytes:
            call.finish(status, data)
            return
        blob_id = f"bl-{call.input_id}"
        self.blobs[blob_id] = data
        call.finish(status, blob_id=blob_id)

    async def BlobGet(self, stream: Stream[Any, Any]) -> None:
        req = await self._auth(stream)
        if req.blob_id not in self.blobs:
            raise GRPCError(Status.NOT_FOUND, f"Blob {req.blob_id} not found")
        await stream.send_message(api_pb2.BlobGetResponse(download_url=f"{self.blob_url}/{req.blob_id}"))

    async def download(self, request: web.Request) -> web.Response:
        blob_id = request.match_info["blob_id"]
        data = self.blobs.get(blob_id)
        if data is None:
            return web.Response(status=404)
        print(f"served blob {blob_id} ({len(data)} bytes)", file=sys.stderr, flush=True)
        return web.Response(body=data)

    async def _auth(self, stream: Stream[Any, Any]) -> Any:
        meta = stream.metadata or {}
        if (meta.get("x-modal-token-id"), meta.get("x-modal-token-secret")) != (
            self.args.token_id,
            self.args.token_secret,
        ):
            raise GRPCError(Status.UNAUTHENTICATED, "Token missing or invalid")
        return await stream.recv_message()

    async def AuthTokenGet(self, stream: Stream[Any, Any]) -> None:
        await self._auth(stream)
        await stream.send_message(api_pb2.AuthTokenGetResponse(token=token(self.args.identity)))

    async def FunctionGet(self, stream: Stream[Any, Any]) -> None:
        req = await self._auth(stream)
        if req.app_name != APP_NAME or req.object_tag not in self.args.deployed:
            detail = f"Lookup failed for Function '{req.object_tag}' from the '{req.app_name}' app"
            raise GRPCError(Status.NOT_FOUND, f"{detail}: App '{req.app_name}' not found or not deployed")
        meta = api_pb2.FunctionHandleMetadata(
            function_name=req.object_tag, supported_input_formats=[CBOR], supported_output_formats=[CBOR]
        )
        await stream.send_message(
            api_pb2.FunctionGetResponse(function_id=f"fu-{req.object_tag}", handle_metadata=meta)
        )

    async def FunctionMap(self, stream: Stream[Any, Any]) -> None:
        req = await self._auth(stream)
        name = req.function_id.removeprefix("fu-")
        if name not in self.args.deployed or len(req.pipelined_inputs) != 1:
            raise GRPCError(Status.NOT_FOUND, f"Function {req.function_id} not found")
        number = next(self.ids)
        call_id, call = f"fc-{number:06d}", Call(name, f"in-{number:06d}")
        self.calls[call_id] = call
        call.task = asyncio.create_task(self._run(call, req.pipelined_inputs[0].input.args))
        jwt = f"jwt-{call_id}"
        item = api_pb2.FunctionPutInputsResponseItem(idx=0, input_id=call.input_id, input_jwt=jwt)
        await stream.send_message(
            api_pb2.FunctionMapResponse(
                function_call_id=call_id, function_call_jwt=f"jwt-{call_id}", pipelined_inputs=[item]
            )
        )

    async def _run(self, call: Call, payload: bytes) -> None:
        if call.function not in IN_CHILD:
            status, data = await asyncio.to_thread(call_function, self.app, call.function, payload)
            if status == Result.GENERIC_STATUS_SUCCESS:
                self._output(call, status, data)
            else:
                call.finish(status, exception=data.decode())
            return
        out = self.args.volume / "calls" / call.input_id
        out.parent.mkdir(parents=True, exist_ok=True)
        limit = self.args.function_timeout_s
        call.process = FORK.Process(target=invoke, args=(self.app, call.function, payload, out), daemon=True)
        call.process.start()
        try:
            await asyncio.wait_for(asyncio.to_thread(call.process.join), timeout=limit)
        except TimeoutError:  # Modal ends an input that runs past its function's timeout
            await self._stop(call)
            why = f"Task's input hit its timeout of {limit}s"
            call.finish(Result.GENERIC_STATUS_TIMEOUT, exception=why)
        status_file = out.with_suffix(".status")
        if call.done.is_set():
            return  # cancelled or timed out: the child was killed
        if not status_file.exists():
            why = f"container exited with code {call.process.exitcode} (log: {out}.log)"
            call.finish(Result.GENERIC_STATUS_INTERNAL_FAILURE, exception=why)
            return
        status, data = json.loads(status_file.read_text()), out.read_bytes()
        if status == Result.GENERIC_STATUS_SUCCESS:
            self._output(call, status, data)
        else:
            call.finish(status, exception=data.decode())

    async def FunctionGetOutputs(self, stream: Stream[Any, Any]) -> None:
        req = await self._auth(stream)
        call = self.calls.get(req.function_call_id)
        if call is None:
            raise GRPCError(Status.NOT_FOUND, f"Function call {req.function_call_id} not found")
        # a long poll: answer when the output is there or the client's timeout has passed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(call.done.wait(), timeout=max(0.0, req.timeout))
        outputs = []
        if call.done.is_set():
            item = api_pb2.FunctionGetOutputsItem(
                idx=0, input_id=call.input_id, result=call.result, data_format=CBOR
            )
            outputs.append(item)
        await stream.send_message(api_pb2.FunctionGetOutputsResponse(outputs=outputs))

    async def FunctionCallFromId(self, stream: Stream[Any, Any]) -> None:
        req = await self._auth(stream)
        if req.function_call_id not in self.calls:
            raise GRPCError(Status.NOT_FOUND, f"Function call {req.function_call_id} not found")
        await stream.send_message(api_pb2.FunctionCallFromIdResponse(function_call_id=req.function_call_id))

    async def FunctionCallCancel(self, stream: Stream[Any, Any]) -> None:
        req = await self._auth(stream)
        call = self.calls.get(req.function_call_id)
        if call is None:
            raise GRPCError(Status.NOT_FOUND, f"Function call {req.function_call_id} not found")
        # finished before the kill: _run, woken by the child's exit, must find the call already done
        call.finish(Result.GENERIC_STATUS_TERMINATED)  # as a container reports a cancelled input
        await self._stop(call)
        await stream.send_message(Empty())

    async def _stop(self, call: Call) -> None:
        if call.process is not None and call.process.exitcode is None:
            call.process.kill()
            await asyncio.to_thread(call.process.join)


def _unimplemented(name: str) -> Any:
    async def handler(self: ControlPlane, stream: Stream[Any, Any]) -> None:
        raise GRPCError(Status.UNIMPLEMENTED, f"the stand-in does not implement {name}")

    return handler


for _name in ControlPlane.__abstractmethods__:
    setattr(ControlPlane, _name, _unimplemented(_name))
ControlPlane.__abstractmethods__ = frozenset()


def invoke(app: ModuleType, name: str, payload: bytes, out: Path) -> None:
    """In the forked child: one input of a long function, its outcome in files; its output (the
    trainer's) goes to <out>.log."""
    with open(f"{out}.log", "wb") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    status, data = call_function(app, name, payload)
    out.write_bytes(data)
    out.with_suffix(".status").write_text(json.dumps(status))


async def watch_parent(pid: int) -> None:
    """Exit with the process that started this one, should it die without stopping us."""
    while True:
        await asyncio.sleep(1.0)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)


async def serve(args: argparse.Namespace) -> None:
    plane = ControlPlane(args)
    blobs = web.Application()
    blobs.router.add_get("/blobs/{blob_id}", plane.download)
    runner = web.AppRunner(blobs)
    await runner.setup()
    blob_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blob_sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, blob_sock).start()
    plane.blob_url = f"http://127.0.0.1:{blob_sock.getsockname()[1]}/blobs"
    server = Server([plane])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # an ephemeral port, announced below
    port = sock.getsockname()[1]
    await server.start(sock=sock)
    print(json.dumps({"identity": args.identity, "port": port}), flush=True)
    watcher = asyncio.create_task(watch_parent(args.parent_pid)) if args.parent_pid else None
    await server.wait_closed()
    if watcher:
        watcher.cancel()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--volume", type=Path, required=True, help="the folder standing in for the Volume")
    p.add_argument("--identity", default="", help="echoed on the listening line, for the caller's check")
    p.add_argument("--token-id", default="ak-standin", help="the only token id AuthTokenGet accepts")
    p.add_argument("--token-secret", default="as-standin", help="... and its secret")
    p.add_argument(
        "--deployed",
        default="experiment,experiment_status,experiment_files",
        type=lambda s: set(filter(None, s.split(","))),
        help="functions the app has (comma list; empty: the app is not deployed)",
    )
    p.add_argument("--function-timeout-s", type=float, default=3600.0, help="the experiment's timeout")
    p.add_argument(
        "--max-inline-bytes", type=int, default=2 * 1024 * 1024, help="larger outputs travel as blobs"
    )
    p.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
