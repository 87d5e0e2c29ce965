"""HTTP behaviour of `POST /rpc/{method}`: auth, validation, error envelopes, request ids."""

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from genrec.jobs import service as jobs_service
from genrec.rpc import registry
from genrec.rpc.models import ErrorEnvelope, HealthRequest, HealthResponse
from genrec.rpc.registry import Method
from genrec.server.app import create_app

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(token=TOKEN))


def error_of(response: Any, status: int, code: str) -> ErrorEnvelope:
    """Assert the status and that the body is a contract ErrorEnvelope with `code`; return it parsed."""
    assert response.status_code == status, response.text
    envelope = ErrorEnvelope.model_validate(response.json())
    assert envelope.error.code == code
    assert envelope.request_id == response.headers["X-Request-Id"]
    return envelope


def test_healthz_needs_no_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
    assert "X-Genrec-Instance" not in response.headers


def test_healthz_reports_the_launchers_instance_value() -> None:
    client = TestClient(create_app(token=TOKEN, instance="run-1"))
    assert client.get("/healthz").headers["X-Genrec-Instance"] == "run-1"


def test_health_rpc(client: TestClient) -> None:
    response = client.post("/rpc/health", json={}, headers=AUTH)
    assert response.status_code == 200
    health = HealthResponse.model_validate(response.json())
    assert (health.runtime, health.device) == ("local", "cpu")
    assert len(response.headers["X-Request-Id"]) == 32


def test_runtime_comes_from_the_app() -> None:
    client = TestClient(create_app(token=TOKEN, runtime="modal"))
    assert client.post("/rpc/health", json={}, headers=AUTH).json()["runtime"] == "modal"


def test_request_id_is_echoed_when_plain_and_replaced_otherwise(client: TestClient) -> None:
    echoed = client.post("/rpc/health", json={}, headers={**AUTH, "X-Request-Id": "edge-42.a:b"})
    assert echoed.headers["X-Request-Id"] == "edge-42.a:b"
    replaced = client.post("/rpc/nope", json={}, headers={**AUTH, "X-Request-Id": "x" * 129})
    assert error_of(replaced, 404, "not_found").request_id != "x" * 129


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", f"Basic {TOKEN}", TOKEN])
def test_missing_or_malformed_credentials_are_401(client: TestClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = client.post("/rpc/health", json={}, headers=headers)
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("token", [TOKEN + "x", TOKEN[:-1], "ü" * 4])
def test_wrong_token_is_403(client: TestClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}".encode()}
    error_of(client.post("/rpc/health", json={}, headers=headers), 403, "forbidden")  # type: ignore[arg-type]


def test_auth_is_checked_before_the_method_exists(client: TestClient) -> None:
    error_of(client.post("/rpc/no_such_method", json={}), 401, "unauthorized")
    error_of(client.post("/rpc/no_such_method", json={}, headers=AUTH), 404, "not_found")


def test_malformed_json_is_400_at_the_root(client: TestClient) -> None:
    response = client.post("/rpc/health", content=b"{not json", headers=AUTH)
    issues = error_of(response, 400, "invalid_request").error.issues
    assert [(i.code, i.path) for i in issues] == [("json_invalid", [])]


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [
        ("health", {"verbose": True}, [("extra_forbidden", ["verbose"])]),
        ("health", [], [("model_type", [])]),
        (
            "denoise",
            {"artifact_version": "v1", "histories": [["a", "b c"]], "k": 0},
            [("string_pattern_mismatch", ["histories", 0, 1]), ("greater_than_equal", ["k"])],
        ),
        ("job_status", {}, [("missing", ["job_id"])]),
    ],
)
def test_schema_violations_are_400_with_one_issue_per_error(
    client: TestClient, method: str, body: object, expected: list[tuple[str, list[object]]]
) -> None:
    issues = error_of(
        client.post(f"/rpc/{method}", json=body, headers=AUTH), 400, "invalid_request"
    ).error.issues
    assert [(i.code, i.path) for i in issues] == expected
    assert all(i.message for i in issues)


def test_denoise_with_an_unknown_artifact_is_404(client: TestClient) -> None:
    body = {"artifact_version": "v1", "histories": [["i1", "i2"]]}
    response = client.post("/rpc/denoise", json=body, headers=AUTH)
    assert "v1" in error_of(response, 404, "not_found").error.message


def test_unexpected_errors_are_500_without_details(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(request: HealthRequest, context: object) -> HealthResponse:
        raise RuntimeError("db password is hunter2")

    monkeypatch.setattr(registry, "METHODS", {"health": Method(HealthRequest, HealthResponse, explode)})
    with caplog.at_level(logging.ERROR):
        response = client.post("/rpc/health", json={}, headers={**AUTH, "X-Request-Id": "req-7"})
    error_of(response, 500, "internal")
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert "hunter2" in caplog.text and "req-7" in caplog.text


@pytest.mark.parametrize(
    ("verb", "path", "status", "code"),
    [
        ("GET", "/rpc/health", 405, "invalid_request"),
        ("GET", "/nowhere", 404, "not_found"),
    ],
)
def test_routing_errors_use_the_envelope(
    client: TestClient, verb: str, path: str, status: int, code: str
) -> None:
    error_of(client.request(verb, path, headers=AUTH), status, code)


def test_no_token_means_no_auth() -> None:
    client = TestClient(create_app(token=None))
    assert client.post("/rpc/health", json={}).status_code == 200


def test_an_empty_token_is_refused() -> None:
    with pytest.raises(ValueError):
        create_app(token="")


def test_train_refuses_a_model_no_job_can_train_before_any_job_exists(client: TestClient) -> None:
    dataset = {"kind": "builtin", "name": "sample"}
    response = client.post("/rpc/train", json={"model": "diffgrm", "dataset": dataset}, headers=AUTH)
    envelope = error_of(response, 400, "invalid_request")
    assert envelope.error.message == "model 'diffgrm' cannot be trained by a job"
    [issue] = envelope.error.issues
    assert (issue.code, issue.path) == ("unsupported_model", ["model"])
    assert "use one of rpg, popularity, content-knn, sasrec, esasrec" in issue.message
    assert jobs_service.current().store.ids() == []
