"""The jobs package's exceptions. They say what went wrong in the jobs' own terms; genrec.rpc.errors
maps them to the wire's error codes, so that jobs never depends on the RPC layer."""

from __future__ import annotations


class JobError(Exception):
    """A failure the job reports as its error and never retries: bad input, a refusing edge."""


class InvalidTrainRequest(JobError):
    """A TrainRequest no job can run, found before the job exists (or, in the job process, before any
    work): ``path`` names the request field, ``code`` says why in one word, ``detail`` in a sentence."""

    def __init__(self, path: tuple[str, ...], code: str, detail: str, summary: str) -> None:
        super().__init__(f"{'.'.join(path)}: {detail}")
        self.path, self.code, self.detail, self.summary = path, code, detail, summary


class InvalidOverride(InvalidTrainRequest):
    def __init__(self, key: str, detail: str) -> None:
        super().__init__(("overrides", key), "invalid_override", detail, f"invalid override {key!r}")
        self.key = key


class UnsupportedModel(InvalidTrainRequest):
    def __init__(self, model: str, detail: str) -> None:
        super().__init__(
            ("model",), "unsupported_model", detail, f"model {model!r} cannot be trained by a job"
        )


class JobNotFoundError(LookupError):
    """No job under that id (or an id that could never name one)."""
