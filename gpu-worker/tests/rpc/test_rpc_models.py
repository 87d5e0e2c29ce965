"""The generated models enforce the contract: strict objects, bounds, enums, defaults."""

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from genrec.rpc.models import (
    AssignSidsResponse,
    DenoiseRequest,
    EmbedRequest,
    ErrorEnvelope,
    HealthRequest,
    HealthResponse,
    Job,
    TrainRequest,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).isoformat()
JOB = {
    "job_id": "j1",
    "model": "rpg",
    "state": "running",
    "phase": "train",
    "progress": 0.5,
    "created_at": NOW,
    "updated_at": NOW,
    "logs": ["epoch 1"],
}


def test_valid_samples_are_accepted_with_contract_defaults() -> None:
    HealthRequest.model_validate({})
    HealthResponse.model_validate({"status": "ok", "version": "0.1.0", "runtime": "local", "device": "cpu"})
    train = TrainRequest.model_validate({"model": "sasrec", "dataset": {"kind": "builtin", "name": "sample"}})
    assert train.preset == "quick"
    assert DenoiseRequest.model_validate({"artifact_version": "v1", "histories": [["a", "b"]]}).k == 10
    job = Job.model_validate(JOB)
    assert job.created_at.tzinfo is not None and job.artifact_version is None


def error_types(model: type[BaseModel], payload: object) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(payload)
    return {e["type"] for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("model", "payload", "expected"),
    [
        (HealthRequest, {"verbose": True}, "extra_forbidden"),
        (Job, {**JOB, "owner": "me"}, "extra_forbidden"),
        (DenoiseRequest, {"artifact_version": "v1", "histories": [["a"]], "k": 0}, "greater_than_equal"),
        (DenoiseRequest, {"artifact_version": "v1", "histories": [["a"]], "k": 101}, "less_than_equal"),
        (DenoiseRequest, {"artifact_version": "v1", "histories": [["a"]], "k": None}, "int_type"),
        (DenoiseRequest, {"artifact_version": "v1", "histories": [["has space"]]}, "string_pattern_mismatch"),
        (DenoiseRequest, {"artifact_version": "-v1", "histories": [["a"]]}, "string_pattern_mismatch"),
        (EmbedRequest, {"texts": []}, "too_short"),
        (EmbedRequest, {"texts": [""]}, "string_too_short"),
        (
            AssignSidsResponse,
            {"artifact_version": "v1", "digits": 1, "sids": [{"item_id": "a", "codes": [256]}]},
            "less_than_equal",
        ),
        (Job, {**JOB, "progress": 1.5}, "less_than_equal"),
        (Job, {**JOB, "created_at": "2026-01-02T03:04:05"}, "timezone_aware"),
        (Job, {**JOB, "state": "paused"}, "literal_error"),
        (TrainRequest, {"model": "rpg", "dataset": {"kind": "builtin", "name": "imdb"}}, "literal_error"),
        (
            ErrorEnvelope,
            {"error": {"code": "oops", "message": "", "issues": []}, "request_id": "r"},
            "literal_error",
        ),
    ],
)
def test_invalid_payloads_are_rejected(model: type[BaseModel], payload: object, expected: str) -> None:
    assert expected in error_types(model, payload)
