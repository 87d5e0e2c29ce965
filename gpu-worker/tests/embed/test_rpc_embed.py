"""The `embed` RPC method: direct handler calls and HTTP through the FastAPI app."""

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sentence_transformers import SentenceTransformer

from genrec.embed import DEFAULT_MODEL, embed_texts
from genrec.rpc.context import RpcContext
from genrec.rpc.errors import RpcError
from genrec.rpc.handlers import embed
from genrec.rpc.models import EmbedRequest, EmbedResponse, ErrorEnvelope
from genrec.server.app import create_app

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CTX = RpcContext(runtime="local", method="embed", request_id="r1")


def test_handler_uses_the_default_model(minilm: SentenceTransformer) -> None:
    texts = ["a red lipstick", "running shoes"]
    answer = embed(EmbedRequest(texts=texts), CTX)
    assert (answer.model, answer.dim, len(answer.vectors)) == (DEFAULT_MODEL, 384, 2)
    np.testing.assert_allclose(np.array(answer.vectors), embed_texts(texts), atol=1e-6)


def test_unknown_model_is_a_400_naming_the_field() -> None:
    with pytest.raises(RpcError) as caught:
        embed(EmbedRequest(texts=["x"], model="../../etc/passwd"), CTX)
    assert (caught.value.status, caught.value.error.code) == (400, "invalid_request")
    assert [(i.code, i.path) for i in caught.value.error.issues] == [("unknown_model", ["model"])]


def test_over_http(minilm: SentenceTransformer) -> None:
    client = TestClient(create_app(token=TOKEN))
    body = {"texts": ["a red lipstick"], "model": "sentence-transformers/all-MiniLM-L6-v2"}
    response = client.post("/rpc/embed", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    answer = EmbedResponse.model_validate(response.json())
    assert answer.model == DEFAULT_MODEL and answer.dim == len(answer.vectors[0]) == 384
    assert abs(np.linalg.norm(answer.vectors[0]) - 1) < 1e-5

    bad = client.post("/rpc/embed", json={"texts": ["x"], "model": "nope"}, headers=AUTH)
    assert bad.status_code == 400
    assert ErrorEnvelope.model_validate(bad.json()).error.issues[0].path == ["model"]
