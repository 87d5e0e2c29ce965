"""The worker's one wire error type, and its one mapper to the contract's ErrorEnvelope: RpcError
as raised, the jobs package's errors by their meaning, anything else as an internal error."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from genrec.jobs.errors import InvalidTrainRequest, JobNotFoundError
from genrec.rpc.models import Error, ErrorEnvelope, ErrorIssue

log = logging.getLogger(__name__)


class RpcError(Exception):
    """A failure the caller should see: an HTTP status plus a contract error code (`models.Error.code`)."""

    def __init__(self, status: int, code: str, message: str, issues: Sequence[ErrorIssue] = ()) -> None:
        super().__init__(message)
        self.status = status
        # Built now, so an unknown code fails where it is raised, not while answering.
        self.error = Error(code=code, message=message, issues=list(issues))

    @classmethod
    def invalid_request(cls, exc: ValidationError) -> RpcError:
        """400 with one issue per pydantic error. Inputs are left out: they may be large or secret."""
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        issues = [ErrorIssue(code=e["type"], path=list(e["loc"]), message=e["msg"]) for e in errors]
        malformed = any(e["type"] == "json_invalid" for e in errors)
        message = "request body is not valid JSON" if malformed else "request does not match the schema"
        return cls(400, "invalid_request", message, issues)


def as_rpc_error(exc: BaseException) -> RpcError | None:
    """The wire error for an exception the caller should see; None for an unexpected one."""
    if isinstance(exc, RpcError):
        return exc
    if isinstance(exc, InvalidTrainRequest):
        issue = ErrorIssue(code=exc.code, path=list(exc.path), message=exc.detail)
        return RpcError(400, "invalid_request", exc.summary, [issue])
    if isinstance(exc, JobNotFoundError):
        return RpcError(404, "not_found", str(exc))
    return None


def error_response(exc: BaseException, request_id: str) -> tuple[int, dict[str, Any]]:
    """Map any exception to (status, ErrorEnvelope JSON). Unexpected ones are logged, never described."""
    error = as_rpc_error(exc)
    if error is None:
        log.error("unhandled error (request_id=%s)", request_id, exc_info=exc)
        error = RpcError(500, "internal", "internal error; see the worker log for this request_id")
    envelope = ErrorEnvelope(error=error.error, request_id=request_id)
    return error.status, envelope.model_dump(mode="json")
